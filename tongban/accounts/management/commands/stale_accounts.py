"""``tongban stale_accounts [--dry-run] [--days N]``: disable stale staff accounts now.

Does what the daily periodic job ``accounts.stale`` does (see ``tongban.accounts.stale``):
disables the staff accounts nobody has signed in to for ``TONGBAN_STALE_STAFF_DAYS`` days
(default 90) and warns the security administrators about those 14 days short of it.
``--dry-run`` only lists what would happen. Citizens are never disabled.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.accounts.stale import (
    StaleAccount,
    StaleAccountsError,
    find_stale_accounts,
    handle_stale_accounts,
)


class Command(BaseCommand):
    help = "Disable staff accounts without a sign-in for too long (--dry-run: list only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")
        parser.add_argument(
            "--days", type=int, default=None, help="days without a sign-in (default: setting)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1")
        try:
            if options["dry_run"]:
                plan = find_stale_accounts(days=days)
            else:
                plan = handle_stale_accounts(days=days)
        except StaleAccountsError as exc:
            raise CommandError(str(exc)) from exc
        verb = ("would disable", "would warn") if options["dry_run"] else ("disabled", "warned")
        for entry in plan.disable:
            self.stdout.write(self._line(verb[0], entry))
        for entry in plan.warn:
            self.stdout.write(self._line(verb[1], entry))
        self.stdout.write(
            f"{len(plan.disable)} {verb[0]}, {len(plan.warn)} {verb[1]} "
            f"(limit {plan.days} days, warning after {plan.warn_days or '-'} days)"
        )

    @staticmethod
    def _line(verb: str, entry: StaleAccount) -> str:
        seen = "never signed in, created" if entry.never_signed_in else "last sign-in"
        return (
            f"{verb:14} {entry.username:24} {entry.kind:9} {seen} "
            f"{entry.last_seen:%Y-%m-%d} ({entry.days_inactive} days)"
        )
