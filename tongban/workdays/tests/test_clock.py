"""The clock: due date, elapsed and remaining working days, pauses, thresholds."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tongban.workdays import calc
from tongban.workdays.calc import Clock, ClockState, Pause

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=BEIJING)


# Accepted Mon 3 Mar 2025, 20 working days (Art. 42). By hand: 4–7 Mar 1–4, 10–14 5–9,
# 17–21 10–14, 24–28 15–19, Mon 31 Mar 20.
ART42 = Clock(at(2025, 3, 3), 20)


def test_due_date_and_progress(seeded):
    start = ART42.read(at(2025, 3, 3, 16))
    assert (start.due_date, start.elapsed, start.remaining, start.state) == (
        date(2025, 3, 31),
        0,
        20,
        ClockState.ON_TIME,
    )
    assert start.due_at == datetime(2025, 3, 31, 23, 59, 59, 999999, tzinfo=BEIJING)
    assert not start.provisional


@pytest.mark.parametrize(
    ("now", "elapsed", "state"),
    [
        (at(2025, 3, 24), 14, ClockState.ON_TIME),  # 70 %
        (at(2025, 3, 25), 15, ClockState.WARNING),  # 75 %: the warning starts
        (at(2025, 3, 29), 19, ClockState.WARNING),  # a Saturday: Friday was used
        (at(2025, 3, 31, 23, 59), 19, ClockState.WARNING),  # the last day, still in time
        (at(2025, 4, 1, 0, 1), 20, ClockState.OVERDUE),  # 100 %: the day after
        (at(2025, 4, 3), 22, ClockState.OVERDUE),
    ],
)
def test_warning_at_75_percent_and_overdue_at_100(seeded, now, elapsed, state):
    reading = ART42.read(now)
    assert (reading.elapsed, reading.remaining, reading.state) == (elapsed, 20 - elapsed, state)


def test_a_correction_stops_the_clock_and_restarting_moves_the_deadline(seeded):
    # Correction notice Wed 5 Mar 15:00; materials back Wed 12 Mar 09:00. Left out: 5, 6, 7,
    # 10, 11 Mar (the stop day is not charged, the restart day is). Counted: 4 Mar 1,
    # 12–14 Mar 2–4, 17–21 5–9, 24–28 10–14, 31 Mar–3 Apr 15–18, [Fri 4 Apr Qingming],
    # Mon 7 Apr 19, Tue 8 Apr 20.
    stopped = ART42.paused(at(2025, 3, 5, 15))
    assert stopped.is_paused
    during = stopped.read(at(2025, 3, 10))
    assert (during.state, during.due_date, during.elapsed, during.remaining) == (
        ClockState.PAUSED,
        None,
        1,
        19,
    )
    assert during.due_at is None
    restarted = stopped.resumed(at(2025, 3, 12, 9))
    after = restarted.read(at(2025, 3, 12, 11))
    assert (after.state, after.due_date, after.elapsed) == (ClockState.ON_TIME, date(2025, 4, 8), 1)
    assert restarted.read(at(2025, 4, 8, 18)).state == ClockState.WARNING
    assert restarted.read(at(2025, 4, 9, 9)).state == ClockState.OVERDUE


def test_a_special_procedure_after_a_correction(seeded):
    # Two pauses: the correction above, then an expert review (特别程序) from Mon 17 Mar
    # to Mon 24 Mar: 17–21 Mar left out as well, so the deadline moves 5 more working
    # days: 8 Apr → 9, 10, 11, 14, 15 Apr.
    clock = Clock(at(2025, 3, 3), 20, [
        (at(2025, 3, 5, 15), at(2025, 3, 12, 9)),
        (at(2025, 3, 17, 10), at(2025, 3, 24, 10)),
    ])  # fmt: skip
    assert clock.read(at(2025, 3, 25)).due_date == date(2025, 4, 15)


def test_a_pause_within_one_day_costs_nothing(seeded):
    clock = Clock(at(2025, 3, 3), 20, [Pause(at(2025, 3, 5, 10), at(2025, 3, 5, 16))])
    assert clock.read(at(2025, 3, 6)).due_date == date(2025, 3, 31)


def test_a_pause_after_the_deadline_keeps_it_overdue(seeded):
    clock = Clock(at(2025, 3, 3), 2).paused(at(2025, 3, 7))  # due Wed 5 Mar
    reading = clock.read(at(2025, 3, 10))
    assert (reading.state, reading.due_date) == (ClockState.OVERDUE, date(2025, 3, 5))


def test_a_pause_on_the_last_day_leaves_that_day(seeded):
    clock = Clock(at(2025, 3, 3), 2).paused(at(2025, 3, 5, 10))  # due Wed 5 Mar
    assert clock.read(at(2025, 3, 6)).state == ClockState.PAUSED
    resumed = clock.resumed(at(2025, 3, 10, 9))  # 5–7 Mar left out: Mon 10 is day 2
    assert resumed.read(at(2025, 3, 10, 12)).due_date == date(2025, 3, 10)
    assert resumed.read(at(2025, 3, 11)).state == ClockState.OVERDUE


def test_a_pause_not_yet_ended_at_the_reading_is_still_on(seeded):
    clock = Clock(at(2025, 3, 3), 20, [(at(2025, 3, 5), at(2025, 3, 12))])
    assert clock.read(at(2025, 3, 10)).state == ClockState.PAUSED
    assert clock.read(at(2025, 3, 4)).due_date == date(2025, 3, 31)  # before the pause


def test_the_clock_across_the_spring_festival(seeded):
    clock = Clock(at(2025, 1, 24, 9), 5)
    assert clock.read(at(2025, 1, 27)).due_date == date(2025, 2, 7)
    reading = clock.read(at(2025, 2, 6))  # used: Sun 26 Jan (make-up), Mon 27, Wed 5 Feb
    assert (reading.elapsed, reading.remaining, reading.state) == (3, 2, ClockState.ON_TIME)
    assert clock.read(at(2025, 2, 7)).state == ClockState.WARNING  # 4 of 5 used


def test_an_immediate_item_is_due_on_its_start_day(seeded):
    clock = Clock(at(2025, 3, 3, 9), 0)
    assert clock.read(at(2025, 3, 3, 17)).due_date == date(2025, 3, 3)
    assert clock.read(at(2025, 3, 3, 17)).state == ClockState.WARNING
    assert clock.read(at(2025, 3, 4, 9)).state == ClockState.OVERDUE


def test_a_clock_into_an_unknown_year_is_provisional(seeded):
    # Mon 21 Dec 2026, 20 days; 2027 has no schedule, so it counts Monday to Friday.
    reading = Clock(at(2026, 12, 21), 20).read(at(2026, 12, 22))
    assert reading.provisional and reading.provisional_years == (2027,)
    # 22–25 Dec 1–4, 28–31 Dec 5–8, Fri 1 Jan 9, 4–8 Jan 10–14, 11–15 Jan 15–19, 18 Jan 20.
    assert reading.due_date == date(2027, 1, 18)


def test_elapsed_working_days_with_plain_pairs(seeded):
    pauses = [(at(2025, 3, 5, 15), at(2025, 3, 12, 9))]
    assert calc.elapsed_working_days(at(2025, 3, 3), at(2025, 3, 14), pauses) == 3


def test_a_naive_start_is_read_as_beijing_time(seeded):
    naive = Clock(datetime(2025, 3, 3, 10), 20)
    assert naive.read(at(2025, 3, 4)).due_date == date(2025, 3, 31)


def test_a_utc_start_late_in_the_evening_is_the_next_beijing_day(seeded):
    utc = Clock(datetime(2025, 3, 2, 17, tzinfo=ZoneInfo("UTC")), 1)  # 01:00 Mon 3 Mar
    assert utc.read(at(2025, 3, 3)).due_date == date(2025, 3, 4)


@pytest.mark.parametrize(
    "pauses",
    [
        [(at(2025, 3, 5), at(2025, 3, 4))],  # ends before it starts
        [(at(2025, 3, 5), None), (at(2025, 3, 7), at(2025, 3, 8))],  # open, not last
        [(at(2025, 3, 5), at(2025, 3, 10)), (at(2025, 3, 7), at(2025, 3, 12))],  # overlap
    ],
)
def test_inconsistent_pauses_are_refused(pauses):
    with pytest.raises(ValueError):
        Clock(at(2025, 3, 3), 20, pauses)


def test_a_negative_limit_is_refused():
    with pytest.raises(ValueError):
        Clock(at(2025, 3, 3), -1)
