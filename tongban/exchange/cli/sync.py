"""``tongban exchange sync [SOURCE ...] [--due] [--force]``: sync data sources now.

Without arguments every enabled source is synced; with codes, those sources; with ``--due``
only the sources whose interval has passed (what the periodic job ``exchange.sync`` does).
An unchanged source is recorded as unchanged unless ``--force`` is given. One line per run:
source, status and counts, then the first refused rows by row and field (never a value).
Exits non-zero if a run failed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.errors import messages_of
from tongban.exchange import sync
from tongban.exchange.models import DataSource, SyncRun, SyncStatus

HELP = "sync data sources into the exchange's records (all, named ones, or those due)"
SHOWN_ERRORS = 10


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="source codes (default: all)")
    parser.add_argument("--due", action="store_true", help="only sources whose interval passed")
    parser.add_argument("--force", action="store_true", help="sync even an unchanged source")


def _line(run: SyncRun) -> str:
    return (
        f"{run.source.code}: {run.status} read={run.rows_read} added={run.added} "
        f"changed={run.changed} unchanged={run.unchanged} removed={run.removed} "
        f"refused={run.refused}"
    )


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    codes: list[str] = options["sources"]
    if options["due"] and codes:
        raise CommandError("give source codes or --due, not both")
    try:
        if options["due"]:
            runs = sync.sync_due()
        elif codes:
            runs = sync.sync_codes(codes, force=options["force"])
        else:
            sources = DataSource.objects.filter(enabled=True).select_related("resource")
            runs = [sync.sync_source(s, force=options["force"]) for s in sources]
    except ValidationError as exc:
        raise CommandError(
            "; ".join(m for msgs in messages_of(exc).values() for m in msgs)
        ) from None
    for item in runs:
        command.stdout.write(_line(item))
        if item.message:
            command.stdout.write(f"  {item.message}")
        for error in item.errors[:SHOWN_ERRORS]:
            command.stdout.write(f"  row {error['row']}, {error['field']}: {error['message']}")
        if len(item.errors) > SHOWN_ERRORS:
            command.stdout.write(f"  … {len(item.errors) - SHOWN_ERRORS} more")
    if not runs:
        command.stdout.write("nothing to sync")
    failed = [r.source.code for r in runs if r.status == SyncStatus.FAILED]
    if failed:
        raise CommandError(f"sync failed: {', '.join(failed)}")
