"""``tongban restore PATH [--yes]``: put a backup archive back.

Checks every member of the archive against its manifest before anything is touched, and
refuses an archive of another database vendor or of a newer tongban. Asks for confirmation
unless ``--yes``. Stop the web and worker processes first: the database and the uploaded
files are replaced. Afterwards the audit chain is verified and its stream heads compared
with the manifest. Exits 0 when all is well, 1 otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.backup import (
    BackupError,
    RestoreResult,
    StagedArchive,
    apply_restore,
    check_compatible,
    open_archive,
)


class Command(BaseCommand):
    help = "Restore the database and the uploaded files from a backup archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the .tar.gz archive made by tongban backup")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask for confirmation (scripts, drills)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open_archive(options["path"]) as staged:
                check_compatible(staged)
                self._describe(staged)
                if not options["yes"] and not self._confirmed():
                    raise CommandError("Restore cancelled: nothing was changed.")
                result = apply_restore(staged)
        except BackupError as exc:
            raise CommandError(f"Restore refused: {exc}") from exc
        self._summarise(result)

    def _describe(self, staged: StagedArchive) -> None:
        manifest = staged.manifest
        self.stdout.write(f"Archive:  {staged.path} (SHA-256 {staged.sha256})")
        self.stdout.write(
            f"Made:     {manifest['created_at']} by tongban {manifest['tongban_version']}"
        )
        self.stdout.write(
            f"Contents: {staged.vendor} database, {staged.media_files} uploaded file(s), "
            f"{manifest['audit']['records']} audit records; every member checked: OK"
        )

    def _confirmed(self) -> bool:
        self.stdout.write(
            "This replaces the database and every uploaded file. Stop the web and worker "
            "processes first."
        )
        try:
            answer = input("Type 'yes' to restore: ")
        except EOFError:
            return False
        return answer.strip().lower() == "yes"

    def _summarise(self, result: RestoreResult) -> None:
        self.stdout.write(
            f"Restored: {result.audit_records} audit records in {len(result.audit_heads)} stream(s)"
        )
        if result.dropped_tables:
            self.stdout.write(
                "Dropped tables newer than the archive: " + ", ".join(result.dropped_tables)
            )
        if result.pending_migrations:
            self.stdout.write(
                f"{len(result.pending_migrations)} migration(s) newer than the archive: "
                "run `tongban migrate` before starting the site."
            )
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"FAIL: {problem}")
            raise CommandError(
                "The archive was restored but the audit check failed: do not start the site; "
                "investigate or restore another archive."
            )
        self.stdout.write(
            self.style.SUCCESS("OK: restored; audit chain verified, stream heads match")
        )
