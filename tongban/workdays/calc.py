"""Working-day arithmetic for statutory and promised time limits.

Rules (行政许可法 Art. 42, 45, 82; see docs/guide-calendar.md):

* A working day is Monday to Friday, except official holidays, plus make-up working days
  (调休上班) that fall on a weekend. The exceptions live in ``SpecialDay``.
* **The start day is not counted.** ``add_working_days(start, n)`` is the n-th working day
  after ``start``; ``n = 0`` gives ``start`` itself. ``working_days_between(a, b)`` counts
  the working days in ``(a, b]``, so ``working_days_between(a, add_working_days(a, n).date)
  == n``.
* **A deadline ends with its day**: the deadline of a date is that date at ``DEADLINE_TIME``
  (23:59:59.999999) in the platform's time zone (``settings.TIME_ZONE``, Asia/Shanghai).
  This follows 民法典 Art. 203 (the last day of a period ends at 24:00); whatever is done
  on the deadline day is in time.
* **Unknown years never crash.** A year whose schedule is not confirmed (``CalendarYear``
  not ``official``: the package stops at 2026, and nobody has entered the next one yet)
  falls back to Monday–Friday plus whatever has been entered; every result that depends on
  such a year is flagged ``provisional`` with the years named, and the system
  administrators are alerted once per year (``workdays.provisional_year``).
* **The clock** (``Clock``) counts a limit from a start moment and pauses while a
  correction (补正) or a special procedure (特别程序: hearing, expert review, inspection)
  runs (Art. 45). A pause from ``p0`` to ``p1`` leaves out the working days from the date
  of ``p0`` up to the day before the date of ``p1``: the day the clock stops is not
  charged, the day it restarts is; a pause that starts and ends on the same day costs
  nothing. ``WARNING_AT`` (75 %) of the limit used gives ``warning``; a deadline passed
  gives ``overdue``.

``WorkCalendar`` is the pure arithmetic over one snapshot of the special days (no database).
The module-level functions use the snapshot cached in this process, reloaded when the
``workdays`` generation (``tongban.core.generations``) moves: every change made through
``tongban.workdays.services`` or the admin bumps it.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import generations

logger = logging.getLogger(__name__)

#: Name of the generation counter bumped by every change to the calendar.
GENERATION = "workdays"
#: The moment a deadline day ends (local time): the whole day belongs to it (民法典 Art. 203).
DEADLINE_TIME = time(23, 59, 59, 999999)
#: Share of the limit used from which a clock shows ``warning``.
WARNING_AT = Fraction(3, 4)
#: Alert code raised (once per year) when a result depends on an unconfirmed year.
ALERT_CODE = "workdays.provisional_year"

HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"
ONE_DAY = timedelta(days=1)


def local_zone() -> tzinfo:
    """The platform's time zone: working days are Beijing-time days whoever looks."""
    return ZoneInfo(settings.TIME_ZONE)


def local_date(moment: datetime) -> date:
    """The calendar day of ``moment`` in the platform's time zone (naive = local)."""
    if timezone.is_naive(moment):
        return moment.date()
    return moment.astimezone(local_zone()).date()


def deadline_at(day: date) -> datetime:
    """The aware moment the deadline day ``day`` ends."""
    return datetime.combine(day, DEADLINE_TIME, tzinfo=local_zone())


def _weekdays_through(day: date) -> int:
    """Mondays to Fridays from 0001-01-01 (a Monday) through ``day``."""
    ordinal = day.toordinal()
    return ordinal // 7 * 5 + min(ordinal % 7, 5)


def _years(first: date, last: date) -> range:
    return range(first.year, last.year + 1)


@dataclass(frozen=True)
class Deadline:
    """A deadline day; ``provisional`` when it depends on a year not yet confirmed."""

    date: date
    provisional: bool = False
    provisional_years: tuple[int, ...] = ()

    @property
    def at(self) -> datetime:
        """The aware moment the deadline ends (``DEADLINE_TIME`` on ``date``)."""
        return deadline_at(self.date)


class ClockState(StrEnum):
    ON_TIME = "on_time"
    WARNING = "warning"
    OVERDUE = "overdue"
    PAUSED = "paused"


CLOCK_STATE_LABELS = {
    ClockState.ON_TIME: _("On time"),
    ClockState.WARNING: _("Due soon"),
    ClockState.OVERDUE: _("Overdue"),
    ClockState.PAUSED: _("Clock stopped"),
}


@dataclass(frozen=True)
class Pause:
    """The clock stopped at ``start``; ``end`` is when it restarted (``None``: still stopped)."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class ClockReading:
    """What a clock shows at one moment.

    ``elapsed`` counts the working days already used (before today's date); ``remaining``
    is ``limit_days - elapsed``: the working days left counting today, negative once
    overdue. ``due_date``/``due_at`` are ``None`` while the clock is stopped and the limit
    not yet used up (the deadline moves when it restarts).
    """

    limit_days: int
    elapsed: int
    remaining: int
    due_date: date | None
    state: ClockState
    provisional: bool = False
    provisional_years: tuple[int, ...] = ()

    @property
    def due_at(self) -> datetime | None:
        return deadline_at(self.due_date) if self.due_date else None

    @property
    def state_label(self) -> str:
        return str(CLOCK_STATE_LABELS[self.state])


@dataclass(frozen=True)
class Clock:
    """A time limit of ``limit_days`` working days counted from ``started_at`` (that day not
    counted), stopped during ``pauses``. The owner stores the pauses (e.g. the approval
    module's correction and special-procedure records) and builds a clock to read it.

    ``pauses`` may be given as ``Pause`` objects or ``(start, end | None)`` pairs, in order,
    not overlapping; only the last may be open.
    """

    started_at: datetime
    limit_days: int
    pauses: tuple[Pause, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.limit_days < 0:
            raise ValueError("limit_days must not be negative")
        pauses = tuple(p if isinstance(p, Pause) else Pause(*p) for p in self.pauses)
        for index, pause in enumerate(pauses):
            if pause.end is not None and pause.end < pause.start:
                raise ValueError("a pause must not end before it starts")
            if pause.end is None and index != len(pauses) - 1:
                raise ValueError("only the last pause may be open")
            previous_end = pauses[index - 1].end if index else None
            if previous_end is not None and pause.start < previous_end:
                raise ValueError("pauses must be in order and must not overlap")
        object.__setattr__(self, "pauses", pauses)

    def paused(self, at: datetime) -> Clock:
        """This clock stopped at ``at`` (no change if it is already stopped)."""
        if self.is_paused:
            return self
        return Clock(self.started_at, self.limit_days, (*self.pauses, Pause(at)))

    def resumed(self, at: datetime) -> Clock:
        """This clock restarted at ``at`` (no change if it is running)."""
        if not self.is_paused:
            return self
        last = self.pauses[-1]
        return Clock(self.started_at, self.limit_days, (*self.pauses[:-1], Pause(last.start, at)))

    @property
    def is_paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None

    def read(
        self, now: datetime | None = None, *, calendar: WorkCalendar | None = None
    ) -> ClockReading:
        """The clock at ``now`` (default: the current time). With the default calendar,
        unconfirmed years are reported to the administrators (once per year)."""
        now = now or timezone.now()
        reading = (calendar or current_calendar()).read_clock(self, now)
        if calendar is None and reading.provisional_years:
            report_provisional_years(reading.provisional_years)
        return reading


class WorkCalendar:
    """Pure working-day arithmetic over one snapshot of the calendar (no database).

    ``special`` maps dates to ``"holiday"`` or ``"makeup_workday"``; ``official_years`` are
    the years whose schedule is confirmed (results touching other years are provisional).
    """

    def __init__(self, special: Mapping[date, str], official_years: Iterable[int] = ()) -> None:
        self.official_years = frozenset(official_years)
        self._exceptions: dict[date, bool] = {}  # date -> is a working day
        deltas: list[tuple[date, int]] = []
        for day, kind in special.items():
            workday = kind == MAKEUP_WORKDAY
            self._exceptions[day] = workday
            weekend = day.weekday() >= 5
            if workday and weekend:
                deltas.append((day, +1))
            elif not workday and not weekend:
                deltas.append((day, -1))
        deltas.sort()
        self._delta_dates = [day for day, _delta in deltas]
        self._delta_sums = [0]
        for _day, delta in deltas:
            self._delta_sums.append(self._delta_sums[-1] + delta)

    # --- days ---------------------------------------------------------------------------

    def is_workday(self, day: date) -> bool:
        exception = self._exceptions.get(day)
        if exception is not None:
            return exception
        return day.weekday() < 5

    def is_official(self, year: int) -> bool:
        return year in self.official_years

    def provisional_years(self, first: date, last: date) -> tuple[int, ...]:
        """The unconfirmed years among those of the days ``first``..``last``."""
        if last < first:
            return ()
        return tuple(y for y in _years(first, last) if y not in self.official_years)

    def _workdays_through(self, day: date) -> int:
        index = bisect.bisect_right(self._delta_dates, day)
        return _weekdays_through(day) + self._delta_sums[index]

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``; negative when ``end`` is before ``start``."""
        return self._workdays_through(end) - self._workdays_through(start)

    def add_working_days(self, start: date, days: int) -> Deadline:
        """The ``days``-th working day after ``start`` (``start`` not counted; 0 → start)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, counted = start, 0
        while counted < days:
            day += ONE_DAY
            if self.is_workday(day):
                counted += 1
        years = self.provisional_years(start + ONE_DAY, day) if days else ()
        return Deadline(day, bool(years), years)

    # --- clocks -------------------------------------------------------------------------

    def read_clock(self, clock: Clock, now: datetime) -> ClockReading:
        start = local_date(clock.started_at)
        today = local_date(now)
        # Pauses as they stand at ``now``: later ones have not happened, an end after
        # ``now`` has not happened yet either. Each leaves out [first, stop) (stop None: on).
        gaps: list[tuple[date, date | None]] = []
        stopped = False
        for pause in clock.pauses:
            if pause.start > now:
                break
            first = local_date(pause.start)
            if pause.end is None or pause.end > now:
                gaps.append((first, None))
                stopped = True
                break
            gaps.append((first, local_date(pause.end)))

        def counted_between(a: date, b: date) -> int:  # counted days in (a, b]
            if b <= a:
                return 0
            total = self.working_days_between(a, b)
            for first, stop in gaps:
                lo = max(a, first - ONE_DAY)
                hi = min(b, (stop - ONE_DAY) if stop else b)
                if hi > lo:
                    total -= self.working_days_between(lo, hi)
            return total

        elapsed = counted_between(start, today - ONE_DAY)
        due = self._due_date(start, clock.limit_days, gaps)
        if due is not None and now > deadline_at(due):
            state = ClockState.OVERDUE
        elif stopped:
            state = ClockState.PAUSED
        elif clock.limit_days == 0 or elapsed >= WARNING_AT * clock.limit_days:
            state = ClockState.WARNING
        else:
            state = ClockState.ON_TIME
        last = max(due or today, today)
        years = self.provisional_years(start + ONE_DAY, last)
        return ClockReading(
            limit_days=clock.limit_days,
            elapsed=elapsed,
            remaining=clock.limit_days - elapsed,
            due_date=due,
            state=state,
            provisional=bool(years),
            provisional_years=years,
        )

    def _due_date(
        self, start: date, limit: int, gaps: Sequence[tuple[date, date | None]]
    ) -> date | None:
        day, counted = start, 0
        while counted < limit:
            day += ONE_DAY
            gap = next((g for g in gaps if g[0] <= day and (g[1] is None or day < g[1])), None)
            if gap is not None:
                if gap[1] is None:
                    return None  # stopped before the limit was used up
                day = gap[1] - ONE_DAY  # jump to the end of the gap
                continue
            if self.is_workday(day):
                counted += 1
        return day


# --- the process-wide snapshot ----------------------------------------------------------

_lock = threading.Lock()
_snapshot: tuple[int, WorkCalendar] | None = None
_alerted: set[int] = set()  # years alerted (and committed) by this process


def _load() -> WorkCalendar:
    from tongban.workdays.models import CalendarYear, SpecialDay, YearStatus

    special = dict(SpecialDay.objects.values_list("date", "kind"))
    official = CalendarYear.objects.filter(status=YearStatus.OFFICIAL).values_list(
        "year", flat=True
    )
    return WorkCalendar(special, official)


def current_calendar() -> WorkCalendar:
    """The calendar as stored, cached in this process until the generation moves."""
    global _snapshot
    generation = generations.current(GENERATION)
    snapshot = _snapshot
    if snapshot is not None and snapshot[0] == generation:
        return snapshot[1]
    calendar = _load()
    with _lock:
        _snapshot = (generation, calendar)
    return calendar


def invalidate() -> None:
    """Forget this process's snapshot (other processes follow the generation)."""
    global _snapshot
    with _lock:
        _snapshot = None


def reset_for_tests() -> None:
    """Forget the snapshot and the years already alerted in this process."""
    invalidate()
    _alerted.clear()


def report_provisional_years(years: Iterable[int]) -> None:
    """Alert the system administrators, once per year, that a result is provisional.

    The year's ``CalendarYear.alerted_at`` is the record that the alert was sent (one UPDATE
    decides, so two processes cannot both send it); this process remembers the year once
    that has committed, and stops asking the database.
    """
    for year in years:
        if year not in _alerted:
            _alert_once(year)


def _alert_once(year: int) -> None:
    from tongban.core.alerts import raise_alert
    from tongban.workdays.models import CalendarYear

    def remember() -> None:
        _alerted.add(year)

    with transaction.atomic():
        CalendarYear.objects.get_or_create(year=year)
        first = CalendarYear.objects.filter(year=year, alerted_at__isnull=True).update(
            alerted_at=timezone.now()
        )
        if first:
            logger.warning("working-day calendar: %s is provisional (alert raised)", year)
            raise_alert(
                ALERT_CODE,
                audience="system_admin",
                message=_(
                    "The working-day calendar for %(year)s has not been confirmed. Deadlines "
                    "that fall in %(year)s count Monday to Friday only and are marked "
                    "provisional. Enter and confirm the official holidays for %(year)s."
                ),
                params={"year": year},
                link=reverse("workdays:year", args=[year]),
            )
        transaction.on_commit(remember)


# --- the public functions ---------------------------------------------------------------


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day (Monday–Friday for an unconfirmed year)."""
    calendar = current_calendar()
    if not calendar.is_official(day.year):
        report_provisional_years([day.year])
    return calendar.is_workday(day)


def add_working_days(start: date, days: int) -> Deadline:
    """The ``days``-th working day after ``start`` (the start day is not counted)."""
    deadline = current_calendar().add_working_days(start, days)
    if deadline.provisional_years:
        report_provisional_years(deadline.provisional_years)
    return deadline


def working_days_between(start: date, end: date) -> int:
    """The working days in ``(start, end]`` (negative when ``end`` is before ``start``)."""
    calendar = current_calendar()
    first, last = sorted((start, end))
    years = calendar.provisional_years(first + ONE_DAY, last)
    if years:
        report_provisional_years(years)
    return calendar.working_days_between(start, end)


def elapsed_working_days(
    started_at: datetime,
    now: datetime,
    pauses: Sequence[Pause | tuple[datetime, datetime | None]] = (),
) -> int:
    """Working days used since ``started_at`` (that day not counted) before ``now``'s date,
    leaving out the pauses."""
    return Clock(started_at, 0, tuple(pauses)).read(now).elapsed  # type: ignore[arg-type]
