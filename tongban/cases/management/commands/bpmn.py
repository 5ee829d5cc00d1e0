"""``tongban bpmn check FILE``: the upload check of a process model, for scripts.

Prints ``OK: FILE`` and exits 0 when the platform would accept the model, or one line per
problem (the element's type, id and name, then the reason, in the active language) and
exits 1 — the same verdict as the BPMN upload in the admin (``cases.modelcheck``): the
engine profile, conditions that read names no task writes, unknown departments, and paths
that end without closing the sub-case. ``--lang en`` or ``--lang zh-hans`` picks the
language of the messages.

``tongban bpmn check --published`` checks every published model stored on the platform
instead of a file: run it once after upgrading, since models published before the
platform's contract check was added never met it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from tongban.cases.modelcheck import check_process_model
from tongban.cases.models import DefinitionStatus, ProcessDefinition


class Command(BaseCommand):
    help = "Check a BPMN process model as the upload does; exit 1 when it would be refused."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{check}")
        check = sub.add_parser("check", help="check a BPMN file; exit 1 on a problem")
        check.add_argument("file", nargs="?", help="the .bpmn file")
        check.add_argument(
            "--published", action="store_true", help="check every published model instead"
        )
        check.add_argument("--lang", default="", help="language of the messages (en, zh-hans)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["published"]:
            models = [
                (f"{row.key} v{row.version}", row.bpmn_xml.encode())
                for row in ProcessDefinition.objects.filter(
                    status=DefinitionStatus.PUBLISHED
                ).order_by("key", "version")
            ]
        elif options["file"]:
            path = Path(options["file"])
            try:
                models = [(str(path), path.read_bytes())]
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror or exc}") from None
        else:
            raise CommandError("Name a .bpmn file, or give --published.")
        failed = 0
        with translation.override(options["lang"] or translation.get_language()):
            for label, xml in models:
                problems = check_process_model(xml)
                if not problems:
                    self.stdout.write(self.style.SUCCESS(f"OK: {label}"))
                    continue
                failed += 1
                prefix = f"{label}: " if options["published"] else ""
                for problem in problems:
                    self.stdout.write(f"FAIL: {prefix}{problem.message}")
                self.stderr.write(f"{label}: {len(problems)} problem(s).")
        if failed:
            raise SystemExit(1)
