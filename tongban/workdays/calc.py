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
  gives ``overdue``. The same clock counts natural days (民法典 Art. 201–203: the next day
  first; a last day that is a holiday or rest day moves to the next working day, the
  per-clock ``holiday_rule``) and real hours, takes approved extensions (``Extension``),
  and restarts (``Clock.restarted``). Every deadline of the platform is such a clock:
  apps build and read one instead of counting days (``tests/test_deadline_arithmetic.py``);
  ``tongban.workdays.clocks`` lists the running ones for supervision.

``WorkCalendar`` is the pure arithmetic over one snapshot of the special days (no database).
The module-level functions use the snapshot cached in this process, reloaded when the
``workdays`` generation (``tongban.core.generations``) moves: every change made through
``tongban.workdays.services`` or the admin bumps it.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
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
ONE_HOUR = timedelta(hours=1)
MICROSECOND = timedelta(microseconds=1)
ZERO = timedelta(0)


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
    """A deadline day; ``provisional`` when it depends on a year not yet confirmed.
    ``moment`` is the exact end of an hour clock's limit (day limits end with their day)."""

    date: date
    provisional: bool = False
    provisional_years: tuple[int, ...] = ()
    moment: datetime | None = None

    @property
    def at(self) -> datetime:
        """The aware moment the deadline ends (``moment``, else ``DEADLINE_TIME`` on ``date``)."""
        return self.moment or deadline_at(self.date)


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


class ClockUnit(StrEnum):
    """What a clock counts: working days, calendar (natural) days, or real hours."""

    WORKING_DAY = "working_day"
    NATURAL_DAY = "natural_day"
    HOUR = "hour"


CLOCK_UNIT_LABELS = {
    ClockUnit.WORKING_DAY: _("working days"),
    ClockUnit.NATURAL_DAY: _("natural days"),
    ClockUnit.HOUR: _("hours"),
}


def _aware(moment: datetime) -> datetime:
    """``moment`` made aware: a naive value is read as local (Beijing) time."""
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=local_zone())
    return moment


@dataclass(frozen=True)
class Pause:
    """The clock stopped at ``start``; ``end`` is when it restarted (``None``: still stopped)."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class Extension:
    """An approved extension (延长) of a clock's limit by ``amount`` units of the clock.

    ``approved_by`` names who approved it (a user id or a label such as "局长 王某"),
    ``approved_at`` when: a reading before that moment does not count it yet. ``unit``
    defaults to the clock's unit and must equal it (the laws extend a limit in its own
    unit: 信访 60 + 30 days, 依申请公开 20 + 20 working days).
    """

    amount: int
    approved_by: int | str
    approved_at: datetime
    reason: str = ""
    unit: ClockUnit | None = None

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError("an extension must be positive")
        if self.approved_by in ("", None):
            raise ValueError("an extension must name who approved it")
        object.__setattr__(self, "approved_at", _aware(self.approved_at))


@dataclass(frozen=True)
class ClockReading:
    """What a clock shows at one moment, in the clock's ``unit``.

    ``limit`` is the clock's own limit, ``extended_by`` the approved extensions counted at
    this moment (``extensions``), ``limit_total`` both. ``elapsed`` counts the whole units
    already used: days before today's date (working or natural days), or whole hours.
    ``remaining`` is ``limit_total - elapsed``: the units left counting the current one,
    negative once the limit is exceeded. ``fraction_used`` is ``elapsed / limit_total`` for
    day clocks and the exact share of real time used for hour clocks (1 once the limit is
    used; a limit of 0 is used at once). ``due_date``/``due_at`` are ``None`` while the clock
    is stopped and the limit not yet used up (the deadline moves when it restarts); a
    day clock is due at the end of ``due_date`` (``DEADLINE_TIME``), an hour clock at
    ``due_at`` itself.

    With the 民法典 Art. 203 rule a natural-day period whose last day is a rest day ends on
    the next working day: between the two the limit is used (``fraction_used`` ≥ 1,
    ``remaining`` ≤ 0) but the state is ``warning``, not ``overdue``.
    """

    limit: int
    elapsed: int
    remaining: int
    due_date: date | None
    state: ClockState
    provisional: bool = False
    provisional_years: tuple[int, ...] = ()
    unit: ClockUnit = ClockUnit.WORKING_DAY
    due_at: datetime | None = None
    fraction_used: Fraction = Fraction(0)
    extensions: tuple[Extension, ...] = ()

    @property
    def limit_days(self) -> int:
        """The clock's own limit (the name of day clocks, kept for their readers)."""
        return self.limit

    @property
    def extended_by(self) -> int:
        return sum(extension.amount for extension in self.extensions)

    @property
    def limit_total(self) -> int:
        return self.limit + self.extended_by

    @property
    def state_label(self) -> str:
        return str(CLOCK_STATE_LABELS[self.state])

    @property
    def deadline(self) -> Deadline | None:
        """The due day as a ``Deadline`` (``None`` while stopped before the limit is used)."""
        if self.due_date is None:
            return None
        moment = self.due_at if self.unit == ClockUnit.HOUR else None
        return Deadline(self.due_date, self.provisional, self.provisional_years, moment)


@dataclass(frozen=True)
class Clock:
    """A time limit of ``limit`` units (``unit``) counted from ``started_at``, stopped during
    ``pauses`` and lengthened by approved ``extensions``. The owner stores the start, the
    pauses and the extensions (e.g. the approval module's correction and special-procedure
    records) and builds a clock to read it.

    * ``working_day``: the start day is not counted; the limit ends with its last working
      day (23:59:59.999999 local time).
    * ``natural_day``: calendar days, the start day not counted (民法典 Art. 201: a period in
      days starts the next day); it ends with its last day. When that day is not a working
      day (a statutory holiday, or a rest day: 法定休假日), the period ends with the first
      working day after it (民法典 Art. 203) — ``holiday_rule`` (default on) decides.
    * ``hour``: real elapsed time: due ``limit`` hours after ``started_at``, holidays and
      nights included (12345's 2-hour and 24-hour limits).

    A pause of a day clock from ``p0`` to ``p1`` leaves out the days from the date of ``p0``
    up to the day before the date of ``p1`` (the stop day is not charged, the restart day
    is; a pause within one day costs nothing); a pause of an hour clock leaves out its real
    duration. ``pauses`` may be given as ``Pause`` objects or ``(start, end | None)`` pairs,
    in order, not overlapping; only the last may be open. Naive datetimes are local time.
    """

    started_at: datetime
    limit: int
    pauses: tuple[Pause, ...] = field(default=())
    unit: ClockUnit = ClockUnit.WORKING_DAY
    extensions: tuple[Extension, ...] = field(default=())
    holiday_rule: bool = True

    def __post_init__(self) -> None:
        if self.limit < 0:
            raise ValueError("the limit must not be negative")
        object.__setattr__(self, "unit", ClockUnit(self.unit))
        object.__setattr__(self, "started_at", _aware(self.started_at))
        pauses = tuple(p if isinstance(p, Pause) else Pause(*p) for p in self.pauses)
        pauses = tuple(
            Pause(_aware(p.start), _aware(p.end) if p.end is not None else None) for p in pauses
        )
        for index, pause in enumerate(pauses):
            if pause.end is not None and pause.end < pause.start:
                raise ValueError("a pause must not end before it starts")
            if pause.end is None and index != len(pauses) - 1:
                raise ValueError("only the last pause may be open")
            previous_end = pauses[index - 1].end if index else None
            if previous_end is not None and pause.start < previous_end:
                raise ValueError("pauses must be in order and must not overlap")
        object.__setattr__(self, "pauses", pauses)
        extensions = tuple(self.extensions)
        for extension in extensions:
            if extension.unit is not None and extension.unit != self.unit:
                raise ValueError("an extension counts in its clock's unit")
        object.__setattr__(self, "extensions", extensions)

    @property
    def limit_days(self) -> int:
        """The limit (the name of day clocks, kept for their readers)."""
        return self.limit

    @classmethod
    def until(
        cls, started_at: datetime, due: date, *, calendar: WorkCalendar | None = None
    ) -> Clock:
        """The working-day clock from ``started_at`` whose limit ends on ``due`` (for owners
        that stored only a due day): its limit is the working days in ``(start, due]``, at
        least 0, so a ``due`` on a rest day is read as the working day before it."""
        counted = (calendar or current_calendar()).working_days_between(local_date(started_at), due)
        return cls(started_at, max(counted, 0))

    def paused(self, at: datetime) -> Clock:
        """This clock stopped at ``at`` (no change if it is already stopped)."""
        if self.is_paused:
            return self
        return replace(self, pauses=(*self.pauses, Pause(at)))

    def resumed(self, at: datetime) -> Clock:
        """This clock restarted at ``at`` (no change if it is running)."""
        if not self.is_paused:
            return self
        last = self.pauses[-1]
        return replace(self, pauses=(*self.pauses[:-1], Pause(last.start, at)))

    def restarted(self, at: datetime) -> Clock:
        """The whole limit counted afresh from ``at`` (e.g. a correction, 补正, that restarts
        the period from the day the corrected application arrives): the same unit and
        limit, no pauses, no extensions (they were granted against the old period)."""
        return replace(self, started_at=at, pauses=(), extensions=())

    def extended(self, extension: Extension) -> Clock:
        """This clock with one more approved ``extension``."""
        return replace(self, extensions=(*self.extensions, extension))

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

    def due(self, now: datetime | None = None, *, calendar: WorkCalendar | None = None) -> Deadline:
        """The deadline as read at ``now`` (default: the current time), provisional flags
        included. Raises ``ValueError`` while the clock is stopped before its limit is
        used, since the deadline is not known until it restarts."""
        deadline = self.read(now, calendar=calendar).deadline
        if deadline is None:
            raise ValueError("a stopped clock has no deadline until it restarts")
        return deadline


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
        """``clock`` as it stands at ``now``: pauses that have not started by ``now`` and
        extensions approved after it are left out, a pause ending after ``now`` is still on."""
        now = _aware(now)
        extensions = tuple(e for e in clock.extensions if e.approved_at <= now)
        total = clock.limit + sum(e.amount for e in extensions)
        if clock.unit == ClockUnit.HOUR:
            return self._read_hours(clock, now, total, extensions)
        return self._read_days(clock, now, total, extensions)

    def _read_days(
        self, clock: Clock, now: datetime, total: int, extensions: tuple[Extension, ...]
    ) -> ClockReading:
        natural = clock.unit == ClockUnit.NATURAL_DAY
        counts: Callable[[date], bool] = (lambda _day: True) if natural else self.is_workday

        def between(a: date, b: date) -> int:  # counted days in (a, b]
            return (b - a).days if natural else self.working_days_between(a, b)

        start = local_date(clock.started_at)
        today = local_date(now)
        # Each pause leaves out [first, stop) (stop None: still stopped at ``now``).
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

        def counted_between(a: date, b: date) -> int:  # counted, unpaused days in (a, b]
            if b <= a:
                return 0
            result = between(a, b)
            for first, stop in gaps:
                lo = max(a, first - ONE_DAY)
                hi = min(b, (stop - ONE_DAY) if stop else b)
                if hi > lo:
                    result -= between(lo, hi)
            return result

        elapsed = counted_between(start, today - ONE_DAY)
        due = self._due_date(start, total, gaps, counts)
        if natural:
            years: tuple[int, ...] = ()
            if due is not None and clock.holiday_rule:
                last = due
                while not self.is_workday(due):  # 民法典 Art. 203
                    due += ONE_DAY
                years = self.provisional_years(last, due)
        else:
            years = self.provisional_years(start + ONE_DAY, max(due or today, today))
        due_at = deadline_at(due) if due is not None else None
        fraction = Fraction(elapsed, total) if total else Fraction(1)
        return ClockReading(
            limit=clock.limit,
            elapsed=elapsed,
            remaining=total - elapsed,
            due_date=due,
            state=self._state(now, due_at, stopped, fraction),
            provisional=bool(years),
            provisional_years=years,
            unit=clock.unit,
            due_at=due_at,
            fraction_used=fraction,
            extensions=extensions,
        )

    def _read_hours(
        self, clock: Clock, now: datetime, total: int, extensions: tuple[Extension, ...]
    ) -> ClockReading:
        start = clock.started_at
        # The pauses as they stand at ``now``, clipped to the clock's start (end None: on).
        spans: list[tuple[datetime, datetime | None]] = []
        for pause in clock.pauses:
            if pause.start > now:
                break
            end = pause.end if pause.end is not None and pause.end <= now else None
            spans.append((max(pause.start, start), end))
        stopped = bool(spans) and spans[-1][1] is None
        paused = sum((max((end or now) - begin, ZERO) for begin, end in spans if begin < now), ZERO)
        used = max(now - start - paused, ZERO)
        # Walk the running stretches until the limit is used up; an open pause reached
        # before that leaves the deadline unknown.
        cursor: datetime | None = start
        left = timedelta(hours=total)
        for begin, end in spans:
            assert cursor is not None
            begin = max(begin, cursor)
            if begin - cursor >= left:
                break  # the limit ran out before this pause
            left -= begin - cursor
            if end is None:
                cursor = None
                break
            cursor = max(end, begin)
        due_at = cursor + left if cursor is not None else None
        limit_time = timedelta(hours=total)
        fraction = (
            Fraction(used // MICROSECOND, limit_time // MICROSECOND) if total else Fraction(1)
        )
        elapsed = used // ONE_HOUR
        return ClockReading(
            limit=clock.limit,
            elapsed=elapsed,
            remaining=total - elapsed,
            due_date=local_date(due_at) if due_at is not None else None,
            state=self._state(now, due_at, stopped, fraction),
            unit=clock.unit,
            due_at=due_at,
            fraction_used=fraction,
            extensions=extensions,
        )

    @staticmethod
    def _state(
        now: datetime, due_at: datetime | None, stopped: bool, fraction: Fraction
    ) -> ClockState:
        if due_at is not None and now > due_at:
            return ClockState.OVERDUE
        if stopped:
            return ClockState.PAUSED
        if fraction >= WARNING_AT:
            return ClockState.WARNING
        return ClockState.ON_TIME

    def _due_date(
        self,
        start: date,
        limit: int,
        gaps: Sequence[tuple[date, date | None]],
        counts: Callable[[date], bool],
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
            if counts(day):
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
