"""Timers: ISO 8601 durations, days counted in WORKING days.

Decision (documented in docs/adr/0004-process-engine.md and docs/guide-bpmn.md):

- ``P<n>D`` means *n working days* counted by the working-day calendar
  (``add_working_days(start_date, n) -> Deadline(date, provisional)``), starting from the
  local date on which the timer starts. The returned date is the last day of the period;
  the timer is due at 00:00 (local time) of the following day, i.e. after that day is over.
- ``PT<n>H``, ``PT<n>M``, ``PT<n>S`` and combinations (``PT1H30M``) are wall-clock time.
- Anything else (years, months, weeks, mixed ``P1DT2H``, ``timeDate``, ``timeCycle``) is
  refused by the profile: calendar months and mixed units have no clear legal meaning.

The clock is injected (``Runtime.now``), so timers are deterministic in tests and the host
sweeper decides when "now" is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions.timer import DurationTimerEventDefinition

DAYS_RE = re.compile(r"^P(\d{1,3})D$")
TIME_RE = re.compile(r"^PT(?=\d)(?:(\d{1,3})H)?(?:(\d{1,4})M)?(?:(\d{1,6})S)?$")

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class Deadline(NamedTuple):
    """What the fallback calendar returns; the real one has the same two attributes."""

    date: date
    provisional: bool


AddWorkingDays = Callable[[date, int], Any]


def weekdays_only(start: date, n: int) -> Deadline:
    """Fallback calendar: Monday to Friday, no holidays. Always ``provisional``.

    Only for tests and benchmarks; the platform injects ``tongban.workdays``' calendar.
    """
    day, left = start, n
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return Deadline(day, True)


def normalise_duration(text: str | None) -> str:
    """Strip blanks and Spiff-style quotes: ``"P5D"`` → ``P5D``."""
    value = (text or "").strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    return value.upper()


def parse_duration(text: str | None) -> tuple[str, int | timedelta]:
    """``("working_days", n)`` or ``("wall", timedelta)``; ``ValueError`` otherwise."""
    value = normalise_duration(text)
    days = DAYS_RE.match(value)
    if days:
        n = int(days.group(1))
        if n <= 0:
            raise ValueError("duration must be positive")
        return "working_days", n
    wall = TIME_RE.match(value)
    if wall and any(wall.groups()):
        h, m, s = (int(g or 0) for g in wall.groups())
        delta = timedelta(hours=h, minutes=m, seconds=s)
        if delta <= timedelta(0):
            raise ValueError("duration must be positive")
        return "wall", delta
    raise ValueError("only P<n>D (working days) or PT<n>H<n>M<n>S (clock time)")


@dataclass
class Runtime:
    """What timers need at run time; rebuilt for every kernel call (never serialized)."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    add_working_days: AddWorkingDays = weekdays_only
    tz: tzinfo = LOCAL_TZ

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware")

    def due_at(self, expression: str) -> tuple[datetime, bool]:
        kind, amount = parse_duration(expression)
        if kind == "wall":
            assert isinstance(amount, timedelta)
            return (self.now + amount).astimezone(UTC), False
        assert isinstance(amount, int)
        start = self.now.astimezone(self.tz).date()
        result = self.add_working_days(start, amount)
        last_day = getattr(result, "date", None)
        provisional = getattr(result, "provisional", False)
        if last_day is None:
            last_day, provisional = result[0], result[1]
        due = datetime.combine(last_day + timedelta(days=1), time(0), self.tz)
        return due.astimezone(UTC), bool(provisional)


class WorkingDayTimerEventDefinition(DurationTimerEventDefinition):
    """A ``timeDuration`` timer that reads the literal duration (never evaluates it) and
    computes its due time from the injected :class:`Runtime`."""

    def has_fired(self, my_task: Any) -> bool:
        runtime: Runtime = getattr(my_task.workflow.script_engine, "runtime", None) or Runtime()
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            due, provisional = runtime.due_at(self.expression)
            event_value = due.isoformat()
            my_task._set_internal_data(event_value=event_value, provisional=provisional)
        if datetime.fromisoformat(event_value) <= runtime.now:
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))
