"""``tongban calendar seed`` and ``tongban calendar status``: the working-day calendar.

``seed`` loads every year the ``chinese-calendar`` package knows (2004–2026 in 1.11.0) as
an official schedule. It is idempotent: years already matching the package are left alone
and years entered or edited by an administrator are never overwritten. Run it after
``migrate`` and after upgrading the package. ``status`` lists the stored years.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.workdays.models import CalendarYear, DayKind, SpecialDay
from tongban.workdays.services import seed_from_package


def _span(years: list[int]) -> str:
    return ", ".join(str(y) for y in years) if years else "-"


class Command(BaseCommand):
    help = "Seed the working-day calendar from the chinese-calendar package, or list its years."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{seed,status}")
        sub.add_parser("seed", help="load the years the chinese-calendar package knows")
        sub.add_parser("status", help="list the stored years and their status")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "seed":
            self._seed(int(options.get("verbosity", 1)))
        else:
            self._status()

    def _seed(self, verbosity: int) -> None:
        report = seed_from_package(actor=None)
        if verbosity < 1:
            return
        self.stdout.write(
            f"chinese-calendar {report.package_version}: years "
            f"{report.first_year}-{report.last_year}. Seeded: {_span(report.seeded)}; "
            f"unchanged: {len(report.unchanged)}; kept (entered by an administrator): "
            f"{_span(report.kept)}."
        )

    def _status(self) -> None:
        rows = CalendarYear.objects.order_by("year")
        if not rows.exists():
            self.stdout.write("No years yet: run `tongban calendar seed`.")
            return
        for row in rows:
            days = SpecialDay.objects.filter(date__year=row.year)
            holidays = days.filter(kind=DayKind.HOLIDAY).count()
            makeup = days.filter(kind=DayKind.MAKEUP_WORKDAY).count()
            self.stdout.write(
                f"{row.year}  {row.status:<11}  {row.source or '-':<7}  "
                f"holidays {holidays:>2}  make-up days {makeup:>2}"
                + ("  (alerted)" if row.alerted_at else "")
            )
