"""``tongban backup [--output PATH]``: one archive of the database and the uploaded files.

Safe while the site runs (SQLite online backup in WAL mode; ``pg_dump`` on PostgreSQL).
Prints the archive's path, size and SHA-256; exits 1 with a message when it cannot.
The default path is ``var/backups/tongban-YYYYmmdd-HHMMSS.tar.gz`` (UTC), mode 0600.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one .tar.gz archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            default=None,
            help="archive to write (default: var/backups/tongban-YYYYmmdd-HHMMSS.tar.gz)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = create_backup(options["output"])
        except BackupError as exc:
            raise CommandError(f"Backup failed: {exc}") from exc
        manifest = result.manifest
        media = len(manifest["files"]) - 1
        heads = manifest["audit"]["heads"]
        self.stdout.write(f"Archive:  {result.path}")
        self.stdout.write(f"Size:     {result.size} bytes")
        self.stdout.write(f"SHA-256:  {result.sha256}")
        self.stdout.write(
            f"Contents: {manifest['database']['vendor']} database, {media} uploaded file(s), "
            f"{manifest['audit']['records']} audit records in {len(heads)} stream(s)"
        )
        self.stdout.write(self.style.SUCCESS("OK: backup written"))
