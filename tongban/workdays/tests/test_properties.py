"""Properties of the arithmetic (Hypothesis), on random calendars and on the real one."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.workdays import calc
from tongban.workdays.calc import Clock, ClockState, WorkCalendar

BEIJING = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2024, 1, 1), date(2028, 12, 31)

days = st.dates(min_value=FIRST, max_value=LAST)
special_days = st.dictionaries(days, st.sampled_from([calc.HOLIDAY, calc.MAKEUP_WORKDAY]),
                               max_size=80)  # fmt: skip
calendars = st.builds(
    WorkCalendar, special_days, st.frozensets(st.integers(2024, 2028), max_size=5)
)
counts = st.integers(min_value=0, max_value=120)


def naive_count(calendar: WorkCalendar, start: date, end: date) -> int:
    return sum(
        calendar.is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
    )


@given(calendars, days, counts)
def test_add_then_count_round_trips(calendar, start, n):
    deadline = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, deadline.date) == n
    if n:
        assert calendar.is_workday(deadline.date)
        # …and it is the first such day: one day earlier, one working day fewer.
        assert calendar.working_days_between(start, deadline.date - timedelta(days=1)) == n - 1
    else:
        assert deadline.date == start


@given(calendars, days, counts, counts)
def test_more_days_never_come_earlier(calendar, start, n, m):
    low, high = sorted((n, m))
    assert calendar.add_working_days(start, low).date <= calendar.add_working_days(start, high).date


@given(calendars, days, days, counts)
def test_a_later_start_never_gives_an_earlier_deadline(calendar, a, b, n):
    early, late = sorted((a, b))
    assert calendar.add_working_days(early, n).date <= calendar.add_working_days(late, n).date


@given(calendars, days, st.integers(min_value=0, max_value=400))
def test_the_fast_count_equals_counting_day_by_day(calendar, start, span):
    end = start + timedelta(days=span)
    assert calendar.working_days_between(start, end) == naive_count(calendar, start, end)
    assert calendar.working_days_between(end, start) == -naive_count(calendar, start, end)


@given(calendars, days, counts)
def test_provisional_exactly_when_a_counted_day_is_in_an_unconfirmed_year(calendar, start, n):
    deadline = calendar.add_working_days(start, n)
    touched = {start.year + i for i in range(deadline.date.year - start.year + 1)} if n else set()
    if n and deadline.date.year > start.year and (start + timedelta(days=1)).year > start.year:
        touched.discard(start.year)  # started on 31 Dec: the start year is not counted in
    expected = tuple(sorted(y for y in touched if y not in calendar.official_years))
    assert deadline.provisional_years == expected
    assert deadline.provisional == bool(expected)


@given(calendars, days, st.integers(min_value=0, max_value=60))
def test_a_clock_without_pauses_is_due_when_add_working_days_says(calendar, start, limit):
    started = datetime.combine(start, time(10), tzinfo=BEIJING)
    reading = Clock(started, limit).read(started, calendar=calendar)
    assert reading.due_date == calendar.add_working_days(start, limit).date
    assert reading.elapsed == 0 and reading.remaining == limit


@given(
    calendars, days, st.integers(1, 60), st.integers(0, 40), st.integers(0, 30), st.integers(0, 90)
)
def test_a_pause_never_brings_the_deadline_forward(calendar, start, limit, offset, length, later):
    started = datetime.combine(start, time(10), tzinfo=BEIJING)
    stop = started + timedelta(days=offset, hours=2)
    restart = stop + timedelta(days=length)
    now = restart + timedelta(days=later)
    plain = Clock(started, limit).read(now, calendar=calendar)
    paused = Clock(started, limit, [(stop, restart)]).read(now, calendar=calendar)
    assert paused.due_date is not None and plain.due_date is not None
    assert paused.due_date >= plain.due_date
    assert paused.elapsed <= plain.elapsed
    # The deadline moves by exactly the working days the pause left out (when it started
    # before the deadline): counted again after the pause.
    if stop.date() <= plain.due_date:
        first = max(stop.date() - timedelta(days=1), start)  # the start day never counts
        gap = max(0, calendar.working_days_between(first, restart.date() - timedelta(days=1)))
        moved = calendar.add_working_days(plain.due_date, gap).date
        assert paused.due_date == max(moved, plain.due_date)
    state_is_overdue = paused.state == ClockState.OVERDUE
    assert state_is_overdue == (now > calc.deadline_at(paused.due_date))


@pytest.mark.django_db
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 9, 30)), counts)
def test_the_seeded_calendar_round_trips_and_lands_on_workdays(seeded, start, n):
    calendar = calc.current_calendar()
    deadline = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, deadline.date) == n
    assert deadline.provisional == (deadline.date.year > 2026)  # the package stops at 2026
    if n:
        assert calendar.is_workday(deadline.date)
