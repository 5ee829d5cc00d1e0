"""``tongban audit verify`` and ``tongban audit tail``: check and read the audit chain.

``verify`` walks every stream's hash chain; it prints ``OK: N records in M streams`` and
exits 0, or names the first bad record of each broken stream and exits 1. ``tail`` lists
the most recent records (metadata only: the records never hold personal values).
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.audit import count_records, verify
from tongban.core.models import AuditRecord, AuditStreamHead


class Command(BaseCommand):
    help = "Verify the audit hash chains, or list the most recent audit records."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,tail}")
        sub.add_parser("verify", help="check every stream's chain; exit 1 on a problem")
        tail: ArgumentParser = sub.add_parser("tail", help="list the most recent records")
        tail.add_argument("-n", "--lines", type=int, default=20, help="how many (default 20)")
        tail.add_argument("--stream", default="", help="only this stream")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify()
        else:
            self._tail(options["lines"], options["stream"])

    def _verify(self) -> None:
        problems = verify()
        if problems:
            for problem in problems:
                self.stderr.write(f"FAIL: {problem}")
            self.stderr.write(f"{len(problems)} stream(s) with a problem.")
            raise SystemExit(1)
        streams = AuditStreamHead.objects.count()
        self.stdout.write(self.style.SUCCESS(f"OK: {count_records()} records in {streams} streams"))

    def _tail(self, lines: int, stream: str) -> None:
        if lines < 1:
            raise CommandError("-n must be at least 1")
        records = AuditRecord.objects.order_by("-occurred_at", "-id")
        if stream:
            records = records.filter(stream=stream)
        rows = list(records[:lines])
        if not rows:
            self.stdout.write("No audit records.")
            return
        for record in reversed(rows):
            obj = f"{record.object_type}:{record.object_id}" if record.object_type else "-"
            meta = json.dumps(record.meta, ensure_ascii=False, sort_keys=True)
            self.stdout.write(
                f"{record.occurred_at.isoformat(timespec='seconds')} "
                f"{record.stream}#{record.seq} {record.actor_label} {record.action} {obj} {meta}"
            )
