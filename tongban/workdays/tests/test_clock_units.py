"""One clock, three units: working days, natural days (民法典 Art. 201–203) and hours;
extensions with who approved them, pauses in each unit, restarts, the share of the limit
used. Every expected value below was counted by hand on the 2026 schedule.

The 2026 schedule (国办发明电〔2025〕7号), as in the ``chinese-calendar`` package and the
seeded ``SpecialDay`` rows (checked by the first test):

* Spring Festival: off Sun 15 – Mon 23 Feb; worked Sat 14 Feb and Sat 28 Feb;
* Mid-Autumn: off Fri 25 – Sun 27 Sep; National Day: off Thu 1 – Wed 7 Oct; worked Sun 20
  Sep and Sat 10 Oct.

The other tests read a pure ``WorkCalendar`` holding those days (no database: fast).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from tongban.workdays.calc import (
    Clock,
    ClockState,
    ClockUnit,
    Extension,
    Pause,
    WorkCalendar,
)

BEIJING = ZoneInfo("Asia/Shanghai")
H, M = "holiday", "makeup_workday"


def _days(first: date, last: date, kind: str) -> dict[date, str]:
    return {first + timedelta(days=n): kind for n in range((last - first).days + 1)}


SPECIAL_2026 = {
    **_days(date(2026, 2, 15), date(2026, 2, 23), H),
    date(2026, 2, 14): M,
    date(2026, 2, 28): M,
    **_days(date(2026, 9, 25), date(2026, 9, 27), H),
    **_days(date(2026, 10, 1), date(2026, 10, 7), H),
    date(2026, 9, 20): M,
    date(2026, 10, 10): M,
}
CAL = WorkCalendar(SPECIAL_2026, official_years=[2026])

WORKING, NATURAL, HOUR = ClockUnit.WORKING_DAY, ClockUnit.NATURAL_DAY, ClockUnit.HOUR


def at(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=BEIJING)


def end_of(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, 999999, tzinfo=BEIJING)


@pytest.mark.django_db
def test_the_literal_schedule_is_the_seeded_one(seeded):
    import chinese_calendar

    from tongban.workdays.models import SpecialDay

    windows = [(date(2026, 2, 1), date(2026, 3, 31)), (date(2026, 9, 1), date(2026, 10, 31))]
    for first, last in windows:
        stored = dict(
            SpecialDay.objects.filter(date__range=(first, last)).values_list("date", "kind")
        )
        expected = {day: kind for day, kind in SPECIAL_2026.items() if first <= day <= last}
        assert stored == expected
        for day, kind in expected.items():
            on_holiday, _name = chinese_calendar.get_holiday_detail(day)
            assert on_holiday == (kind == H), day


# --- hours: real time, holidays and nights included ---------------------------------------


def test_an_hour_clock_ignores_the_holiday():
    # 12345 utilities: 24 hours from Sat 14 Feb 20:00 (a make-up day) into the holiday.
    clock = Clock(at(2026, 2, 14, 20), 24, unit=HOUR)
    first = clock.read(at(2026, 2, 15, 8), calendar=CAL)
    assert first.due_at == at(2026, 2, 15, 20)
    assert first.due_date == date(2026, 2, 15)
    assert (first.elapsed, first.remaining, first.fraction_used, first.state) == (
        12,
        12,
        Fraction(1, 2),
        ClockState.ON_TIME,
    )
    assert not first.provisional
    late = clock.read(at(2026, 2, 15, 14), calendar=CAL)  # 18 of 24 hours
    assert (late.fraction_used, late.state) == (Fraction(3, 4), ClockState.WARNING)
    last = clock.read(at(2026, 2, 15, 20), calendar=CAL)  # the due moment itself: in time
    assert (last.fraction_used, last.remaining, last.state) == (1, 0, ClockState.WARNING)
    over = clock.read(at(2026, 2, 15, 20, 1), calendar=CAL)
    assert over.state == ClockState.OVERDUE
    assert over.fraction_used == Fraction(24 * 60 + 1, 24 * 60)


def test_an_urgent_two_hour_order_at_night_in_the_holiday():
    clock = Clock(at(2026, 2, 17, 23), 2, unit=HOUR)
    deadline = clock.due(at(2026, 2, 17, 23), calendar=CAL)
    assert (deadline.date, deadline.at) == (date(2026, 2, 18), at(2026, 2, 18, 1))
    reading = clock.read(at(2026, 2, 18, 0, 30), calendar=CAL)  # 90 minutes used
    assert (reading.elapsed, reading.remaining, reading.fraction_used) == (1, 1, Fraction(3, 4))
    assert reading.state == ClockState.WARNING


def test_an_hour_clock_pause_subtracts_its_real_duration():
    clock = Clock(
        at(2026, 2, 14, 20), 24, [Pause(at(2026, 2, 15, 2), at(2026, 2, 15, 5, 30))], HOUR
    )
    during = clock.read(at(2026, 2, 15, 4), calendar=CAL)
    assert (during.state, during.due_at, during.due_date) == (ClockState.PAUSED, None, None)
    assert (during.elapsed, during.fraction_used) == (6, Fraction(1, 4))
    after = clock.read(at(2026, 2, 15, 23), calendar=CAL)  # 27 h since the start, 3.5 off
    assert after.due_at == at(2026, 2, 15, 23, 30)
    assert (after.elapsed, after.remaining, after.fraction_used) == (23, 1, Fraction(47, 48))
    assert after.state == ClockState.WARNING


def test_an_hour_clock_paused_after_its_limit_stays_overdue():
    clock = Clock(at(2026, 2, 16, 10), 2, unit=HOUR).paused(at(2026, 2, 16, 13))
    reading = clock.read(at(2026, 2, 16, 14), calendar=CAL)
    assert (reading.state, reading.due_at) == (ClockState.OVERDUE, at(2026, 2, 16, 12))


def test_an_hour_clock_restarted_counts_afresh():
    clock = Clock(at(2026, 2, 16, 10), 2, unit=HOUR).paused(at(2026, 2, 16, 11))
    restarted = clock.restarted(at(2026, 2, 16, 11, 30))
    assert (restarted.started_at, restarted.pauses) == (at(2026, 2, 16, 11, 30), ())
    reading = restarted.read(at(2026, 2, 16, 12), calendar=CAL)
    assert (reading.due_at, reading.fraction_used) == (at(2026, 2, 16, 13, 30), Fraction(1, 4))


# --- natural days: the next day first, the end of the last day, Art. 203 --------------------


def test_a_natural_day_period_ending_in_the_holiday_ends_after_it():
    # 7 days from Tue 10 Feb: 11 … 17 Feb. Tue 17 Feb is a holiday (Spring Festival, off
    # until Mon 23 Feb): 民法典 Art. 203 moves the end to Tue 24 Feb.
    clock = Clock(at(2026, 2, 10), 7, unit=NATURAL)
    reading = clock.read(at(2026, 2, 16), calendar=CAL)  # 11–15 Feb used: 5 of 7
    assert (reading.due_date, reading.due_at) == (date(2026, 2, 24), end_of(2026, 2, 24))
    assert (reading.elapsed, reading.remaining, reading.fraction_used) == (5, 2, Fraction(5, 7))
    assert reading.state == ClockState.ON_TIME
    assert clock.read(at(2026, 2, 17), calendar=CAL).state == ClockState.WARNING  # 6 of 7
    # Fri 20 Feb: 9 days used, the limit is spent, but the period lasts until 24 Feb.
    grace = clock.read(at(2026, 2, 20), calendar=CAL)
    assert (grace.elapsed, grace.remaining, grace.fraction_used) == (9, -2, Fraction(9, 7))
    assert grace.state == ClockState.WARNING
    assert clock.read(end_of(2026, 2, 24), calendar=CAL).state == ClockState.WARNING
    assert clock.read(at(2026, 2, 25, 0, 0), calendar=CAL).state == ClockState.OVERDUE


def test_without_the_art_203_rule_the_period_ends_on_the_holiday():
    clock = Clock(at(2026, 2, 10), 7, unit=NATURAL, holiday_rule=False)
    reading = clock.read(at(2026, 2, 11), calendar=CAL)
    assert (reading.due_date, reading.due_at) == (date(2026, 2, 17), end_of(2026, 2, 17))
    assert clock.read(at(2026, 2, 18, 0, 0), calendar=CAL).state == ClockState.OVERDUE


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (at(2026, 3, 2), 5, date(2026, 3, 9)),  # Sat 7 Mar, a rest day → Mon 9 Mar
        (at(2026, 2, 24), 4, date(2026, 2, 28)),  # Sat 28 Feb is a make-up working day
        (at(2026, 9, 28), 7, date(2026, 10, 8)),  # Mon 5 Oct, National Day → Thu 8 Oct
        (at(2026, 9, 24), 15, date(2026, 10, 9)),  # Fri 9 Oct, a working day: unchanged
    ],
)
def test_the_art_203_rule_moves_only_a_rest_day(start, days, due):
    assert Clock(start, days, unit=NATURAL).read(start, calendar=CAL).due_date == due


def test_a_natural_day_pause_leaves_out_its_days():
    # 15 days from Thu 24 Sep; stopped Mon 28 Sep 09:00, restarted Fri 2 Oct 15:00: 28, 29,
    # 30 Sep and 1 Oct left out. Counted: 25–27 Sep 1–3, 2–13 Oct 4–15 → Tue 13 Oct.
    clock = Clock(at(2026, 9, 24), 15, [(at(2026, 9, 28, 9), at(2026, 10, 2, 15))], NATURAL)
    during = clock.read(at(2026, 9, 30), calendar=CAL)
    assert (during.state, during.due_date, during.elapsed) == (ClockState.PAUSED, None, 3)
    after = clock.read(at(2026, 10, 5), calendar=CAL)  # 25–27 Sep, 2–4 Oct: 6 used
    assert (after.due_date, after.elapsed, after.remaining) == (date(2026, 10, 13), 6, 9)
    assert after.fraction_used == Fraction(2, 5)


def test_a_natural_day_period_into_an_unknown_year_is_provisional_only_by_the_rule():
    # 10 days from Fri 25 Dec 2026: Mon 4 Jan 2027; whether it is a working day depends on
    # 2027's schedule, which this calendar does not have.
    start = at(2026, 12, 25)
    ruled = Clock(start, 10, unit=NATURAL).read(start, calendar=CAL)
    assert (ruled.due_date, ruled.provisional_years) == (date(2027, 1, 4), (2027,))
    plain = Clock(start, 10, unit=NATURAL, holiday_rule=False).read(start, calendar=CAL)
    assert (plain.due_date, plain.provisional) == (date(2027, 1, 4), False)


# --- extensions: who approved them, when they count ---------------------------------------


def test_a_petition_of_60_days_extended_by_30():
    # 信访: 60 days from Fri 7 Aug: 7 Aug + 60 = Tue 6 Oct (National Day) → Thu 8 Oct.
    # Extended by 30 days, approved on Mon 28 Sep: 7 Aug + 90 = Thu 5 Nov.
    extension = Extension(30, "局长 王某", at(2026, 9, 28, 16), reason="情况复杂")
    clock = Clock(at(2026, 8, 7), 60, unit=NATURAL).extended(extension)
    before = clock.read(at(2026, 9, 20), calendar=CAL)  # not yet approved
    assert (before.due_date, before.extensions, before.limit_total) == (date(2026, 10, 8), (), 60)
    after = clock.read(at(2026, 10, 9), calendar=CAL)
    assert (after.due_date, after.limit, after.extended_by, after.limit_total) == (
        date(2026, 11, 5),
        60,
        30,
        90,
    )
    assert after.extensions == (extension,)
    assert after.extensions[0].approved_by == "局长 王某"
    # Used by 9 Oct: 8–31 Aug 24, September 30, 1–8 Oct 8 = 62 of 90.
    assert (after.elapsed, after.remaining, after.fraction_used) == (62, 28, Fraction(31, 45))
    assert after.state == ClockState.ON_TIME
    without = Clock(at(2026, 8, 7), 60, unit=NATURAL).read(at(2026, 10, 9), calendar=CAL)
    assert without.state == ClockState.OVERDUE


def test_an_extension_must_name_its_approver_and_unit():
    with pytest.raises(ValueError):
        Extension(30, "", at(2026, 9, 28))
    with pytest.raises(ValueError):
        Extension(0, "局长 王某", at(2026, 9, 28))
    with pytest.raises(ValueError):
        Clock(at(2026, 8, 7), 60, unit=NATURAL).extended(
            Extension(2, 7, at(2026, 9, 28), unit=HOUR)
        )


# --- working days: unchanged rules, now with extensions and restarts ------------------------


def test_twenty_working_days_across_the_spring_festival():
    # From Tue 10 Feb: 11, 12, 13 Feb 1–3, Sat 14 Feb (make-up) 4, [15–23 Feb off], 24–27 Feb
    # 5–8, Sat 28 Feb (make-up) 9, 2–6 Mar 10–14, 9–13 Mar 15–19, Mon 16 Mar 20.
    clock = Clock(at(2026, 2, 10), 20)
    reading = clock.read(at(2026, 2, 24), calendar=CAL)  # 11–14 Feb used: 4
    assert (reading.due_date, reading.due_at) == (date(2026, 3, 16), end_of(2026, 3, 16))
    assert (reading.elapsed, reading.remaining, reading.fraction_used) == (4, 16, Fraction(1, 5))
    assert reading.unit == WORKING and reading.limit_days == 20
    assert clock.read(at(2026, 3, 10), calendar=CAL).state == ClockState.WARNING  # 15 of 20
    assert Clock.until(at(2026, 2, 10), date(2026, 3, 16), calendar=CAL).limit == 20


def test_a_disclosure_request_restarted_by_a_correction_and_extended():
    # 依申请公开: 20 working days from Tue 15 Sep: 16–18 Sep 1–3, Sun 20 Sep (make-up) 4,
    # 21–24 Sep 5–8, [25–27 off], 28–30 Sep 9–11, [1–7 Oct off], 8, 9 Oct 12–13, Sat 10 Oct
    # (make-up) 14, 12–16 Oct 15–19, Mon 19 Oct 20.
    clock = Clock(at(2026, 9, 15), 20)
    assert clock.read(at(2026, 9, 16), calendar=CAL).due_date == date(2026, 10, 19)
    # The corrected request arrives Tue 29 Sep 14:00: the 20 days start again. 30 Sep 1,
    # 8–10 Oct 2–4, 12–16 Oct 5–9, 19–23 Oct 10–14, 26–30 Oct 15–19, Mon 2 Nov 20.
    restarted = clock.paused(at(2026, 9, 22)).restarted(at(2026, 9, 29, 14))
    assert restarted.pauses == ()
    reading = restarted.read(at(2026, 10, 9), calendar=CAL)  # 30 Sep, 8 Oct used
    assert (reading.due_date, reading.elapsed, reading.fraction_used) == (
        date(2026, 11, 2),
        2,
        Fraction(1, 10),
    )
    # Extended by 20 working days with approval: 3–6 Nov 1–4, 9–13 5–9, 16–20 10–14,
    # 23–27 15–19, Mon 30 Nov 20.
    extended = restarted.extended(Extension(20, 42, at(2026, 10, 30, 9), "需要调取档案"))
    assert extended.read(at(2026, 10, 30, 10), calendar=CAL).due_date == date(2026, 11, 30)
    assert extended.restarted(at(2026, 11, 2)).extensions == ()


def test_a_third_party_consultation_pauses_working_days_across_national_day():
    # Stopped Tue 22 Sep 10:00 to Fri 9 Oct 09:00: counted before, 16–18, 20, 21 Sep (1–5);
    # after, 9, 10 Oct 6–7, 12–16 Oct 8–12, 19–23 Oct 13–17, 26–28 Oct 18–20 → Wed 28 Oct.
    clock = Clock(at(2026, 9, 15), 20, [(at(2026, 9, 22, 10), at(2026, 10, 9, 9))])
    during = clock.read(at(2026, 10, 1), calendar=CAL)
    assert (during.state, during.due_date, during.elapsed, during.remaining) == (
        ClockState.PAUSED,
        None,
        5,
        15,
    )
    assert during.fraction_used == Fraction(1, 4)
    after = clock.read(at(2026, 10, 9, 12), calendar=CAL)
    assert (after.due_date, after.elapsed, after.state) == (
        date(2026, 10, 28),
        5,
        ClockState.ON_TIME,
    )


def test_a_stopped_clock_has_no_deadline_to_give():
    clock = Clock(at(2026, 9, 15), 20).paused(at(2026, 9, 16))
    with pytest.raises(ValueError):
        clock.due(at(2026, 9, 17), calendar=CAL)


def test_a_day_deadline_ends_with_its_day_and_an_hour_deadline_at_its_moment():
    day = Clock(at(2026, 2, 10), 20).due(at(2026, 2, 10), calendar=CAL)
    assert (day.date, day.at, day.moment) == (date(2026, 3, 16), end_of(2026, 3, 16), None)
    hour = Clock(at(2026, 2, 10), 30, unit=HOUR).due(at(2026, 2, 10), calendar=CAL)
    assert (hour.date, hour.at) == (date(2026, 2, 11), at(2026, 2, 11, 16))
