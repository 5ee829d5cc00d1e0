"""Writes to the working-day calendar: one function per use case, atomic and audited.

Any change to a year's special days puts that year back to ``draft`` (deadlines in it are
provisional) until an administrator confirms it again; every change bumps the ``workdays``
generation so that every process reloads its calendar. Bad input raises ``ServiceError``
(a ``ValidationError`` keyed by field name) with a message in the user's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from tongban.core import generations
from tongban.core.audit import record_audit
from tongban.core.errors import ServiceError
from tongban.core.transitions import move
from tongban.workdays import calc
from tongban.workdays.models import CalendarYear, DayKind, SpecialDay, YearSource, YearStatus
from tongban.workdays.transitions import YEAR, Action

#: Years an administrator may enter (the package covers 2004–2026).
FIRST_YEAR, LAST_YEAR = 2000, 2100
NAME_MAX = 60

# The package's holiday names (``chinese_calendar.Holiday`` values) in Chinese and English.
PACKAGE_NAMES: dict[str, tuple[str, str]] = {
    "New Year's Day": ("元旦", "New Year's Day"),
    "Spring Festival": ("春节", "Spring Festival"),
    "Tomb-sweeping Day": ("清明节", "Qingming Festival"),
    "Labour Day": ("劳动节", "Labour Day"),
    "Dragon Boat Festival": ("端午节", "Dragon Boat Festival"),
    "National Day": ("国庆节", "National Day"),
    "Mid-autumn Festival": ("中秋节", "Mid-Autumn Festival"),
    "Anti-Fascist 70th Day": (
        "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
        "70th anniversary of the victory in the War of Resistance",
    ),
}


def _fail(field_name: str, message: Any) -> ServiceError:
    return ServiceError({field_name: [message]})


#: Sent with ``years`` (a sorted list of ints) after a change to the calendar has committed.
#: Modules that keep a computed due date (e.g. for reminders) recompute those in the years.
calendar_changed_signal = Signal()


def calendar_changed(years: Iterable[int] = ()) -> None:
    """Make every process reload the calendar: bump the generation, drop our snapshot;
    after commit, tell the modules that keep due dates which years changed."""
    generations.bump(calc.GENERATION)
    calc.invalidate()
    changed = sorted(set(years))

    def after_commit() -> None:
        calc.invalidate()
        calendar_changed_signal.send(sender=CalendarYear, years=changed)

    transaction.on_commit(after_commit, robust=True)


def _counts(year: int) -> dict[str, int]:
    days = SpecialDay.objects.filter(date__year=year)
    return {
        "holidays": days.filter(kind=DayKind.HOLIDAY).count(),
        "makeup_workdays": days.filter(kind=DayKind.MAKEUP_WORKDAY).count(),
    }


def _open_for_edit(year: int, actor: Any, reason: str) -> CalendarYear:
    """The year, locked, as a draft entered by an administrator (re-opened if confirmed)."""
    calendar_year, _created = CalendarYear.objects.select_for_update().get_or_create(year=year)
    if calendar_year.status == YearStatus.DRAFT:
        if calendar_year.source != YearSource.ADMIN:
            CalendarYear.objects.filter(pk=calendar_year.pk).update(source=YearSource.ADMIN)
            calendar_year.source = YearSource.ADMIN
        return calendar_year
    official = calendar_year.status == YearStatus.OFFICIAL
    move(
        calendar_year,
        YEAR,
        Action.REOPEN if official else Action.EDIT,
        actor=actor,
        also={"source": YearSource.ADMIN, "confirmed_by": None, "confirmed_at": None,
              "updated_at": timezone.now()},
        meta={"year": year, "reason": reason},
        audit_action="workdays.year_reopened" if official else "workdays.year_opened",
    )  # fmt: skip
    return calendar_year


# --- administrators' changes -------------------------------------------------------------


@transaction.atomic
def add_special_day(
    actor: Any,
    *,
    day: date | None,
    kind: str,
    name: str,
    name_en: str = "",
    year: int | None = None,
) -> SpecialDay:
    """Mark ``day`` as a holiday or a make-up working day. ``year``, when given, is the year
    being edited: the day must fall in it."""
    errors: dict[str, list[Any]] = {}
    name, name_en = (name or "").strip(), (name_en or "").strip()
    if day is None:
        errors["date"] = [_("Enter the date.")]
    elif year is not None and day.year != year:
        errors["date"] = [_("Enter a date in %(year)s.") % {"year": year}]
    elif not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors["date"] = [
            _("Enter a date between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        ]
    elif SpecialDay.objects.filter(date=day).exists():
        errors["date"] = [
            _("%(date)s is already marked. Remove it first to change it.")
            % {"date": date_format(day, "SHORT_DATE_FORMAT")}
        ]
    if kind not in DayKind.values:
        errors["kind"] = [_("Choose whether the day is a holiday or a make-up working day.")]
    elif kind == DayKind.MAKEUP_WORKDAY and day is not None and day.weekday() < 5:
        errors.setdefault("date", []).append(
            _("A make-up working day must be a Saturday or a Sunday.")
        )
    if not name:
        errors["name"] = [_("Enter the name of the holiday in Chinese.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("The name must be %(max)s characters or fewer.") % {"max": NAME_MAX}]
    if len(name_en) > NAME_MAX:
        errors["name_en"] = [_("The name must be %(max)s characters or fewer.") % {"max": NAME_MAX}]
    if errors:
        raise ServiceError(errors)
    assert day is not None
    calendar_year = _open_for_edit(day.year, actor, "add_day")
    special = SpecialDay.objects.create(date=day, kind=kind, name=name, name_en=name_en)
    meta = {"year": calendar_year.year, "date": day.isoformat(), "kind": kind}
    record_audit(actor, "workdays.day_added", special, meta=meta)
    calendar_changed([day.year])
    return special


@transaction.atomic
def remove_special_day(actor: Any, *, day: date | None, year: int | None = None) -> None:
    """Remove the holiday or make-up working day on ``day``."""
    special = SpecialDay.objects.filter(date=day).first() if day else None
    if special is None or (year is not None and day is not None and day.year != year):
        raise _fail("date", _("There is no holiday or make-up working day on that date."))
    assert day is not None
    calendar_year = _open_for_edit(day.year, actor, "remove_day")
    record_audit(actor, "workdays.day_removed", special,
                 meta={"year": calendar_year.year, "date": day.isoformat(),
                       "kind": special.kind})  # fmt: skip
    special.delete()
    calendar_changed([day.year])


@transaction.atomic
def confirm_year(actor: Any, year: int) -> CalendarYear:
    """Confirm that ``year``'s special days are the official schedule: deadlines in it are
    no longer provisional."""
    counts = _counts(year)
    if not counts["holidays"]:
        raise _fail("year", _("Enter the holidays of %(year)s before confirming.") % {"year": year})
    calendar_year, _created = CalendarYear.objects.select_for_update().get_or_create(year=year)
    if calendar_year.status == YearStatus.OFFICIAL:
        return calendar_year
    now = timezone.now()
    move(
        calendar_year,
        YEAR,
        Action.CONFIRM,
        actor=actor,
        also={
            "source": calendar_year.source or YearSource.ADMIN,
            "confirmed_by": actor if getattr(actor, "is_authenticated", False) else None,
            "confirmed_at": now,
            "updated_at": now,
        },
        meta={"year": year, **counts},
        audit_action="workdays.year_confirmed",
    )
    calendar_changed([year])
    return calendar_year


@transaction.atomic
def days_changed_in_admin(actor: Any, years: Iterable[int]) -> None:
    """After an add, change or delete of special days in the admin: re-open the years
    concerned and make every process reload (the admin itself audits the row)."""
    years = sorted(set(years))
    for year in years:
        _open_for_edit(year, actor, "admin_edit")
    calendar_changed(years)


@transaction.atomic
def years_changed_in_admin(actor: Any, years: Iterable[int]) -> None:
    """After calendar years were added or deleted in the admin (audited by the admin)."""
    calendar_changed(years)


# --- seeding from the chinese-calendar package ------------------------------------------


@dataclass
class SeedReport:
    package_version: str
    first_year: int
    last_year: int
    seeded: list[int] = field(default_factory=list)  # created or brought in line
    unchanged: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)  # entered by an administrator: left alone


def package_schedule() -> tuple[str, dict[int, dict[date, tuple[str, str, str]]]]:
    """The package's version and its special days by year: date -> (kind, name, name_en)."""
    import chinese_calendar

    by_year: dict[int, dict[date, tuple[str, str, str]]] = {}
    for source, kind in (
        (chinese_calendar.holidays, DayKind.HOLIDAY),
        (chinese_calendar.workdays, DayKind.MAKEUP_WORKDAY),
    ):
        for day, label in source.items():
            label = getattr(label, "value", label)
            name, name_en = PACKAGE_NAMES.get(str(label), (str(label), str(label)))
            by_year.setdefault(day.year, {})[day] = (str(kind), name, name_en)
    return str(getattr(chinese_calendar, "__version__", "")), by_year


@transaction.atomic
def seed_from_package(actor: Any = None) -> SeedReport:
    """Load every year the ``chinese-calendar`` package knows as an official schedule.

    Idempotent: a year already matching the package is left as it is (no audit record); a
    year an administrator has entered or edited (source "admin") is never overwritten.
    """
    version, schedule = package_schedule()
    years = sorted(schedule)
    report = SeedReport(version, years[0] if years else 0, years[-1] if years else 0)
    for year in years:
        wanted = schedule[year]
        calendar_year, _created = CalendarYear.objects.select_for_update().get_or_create(year=year)
        if calendar_year.source == YearSource.ADMIN:
            report.kept.append(year)
            continue
        stored = {
            row.date: (row.kind, row.name, row.name_en)
            for row in SpecialDay.objects.filter(date__year=year)
        }
        if stored == wanted and calendar_year.status == YearStatus.OFFICIAL:
            report.unchanged.append(year)
            continue
        SpecialDay.objects.filter(date__year=year).exclude(date__in=list(wanted)).delete()
        SpecialDay.objects.filter(
            date__in=[d for d in stored if d in wanted and stored[d] != wanted[d]]
        ).delete()
        SpecialDay.objects.bulk_create(
            SpecialDay(date=day, kind=kind, name=name, name_en=name_en)
            for day, (kind, name, name_en) in sorted(wanted.items())
            if stored.get(day) != (kind, name, name_en)
        )
        kinds = [kind for kind, _n, _e in wanted.values()]
        now = timezone.now()
        move(
            calendar_year,
            YEAR,
            Action.SEED,
            actor=actor,
            also={"source": YearSource.PACKAGE, "confirmed_by": None, "confirmed_at": now,
                  "updated_at": now},
            meta={"year": year, "package_version": version,
                  "holidays": kinds.count(DayKind.HOLIDAY),
                  "makeup_workdays": kinds.count(DayKind.MAKEUP_WORKDAY)},
            audit_action="workdays.year_seeded",
        )  # fmt: skip
        report.seeded.append(year)
    if report.seeded:
        calendar_changed(report.seeded)
    return report
