"""Working-day arithmetic across real holiday periods, hand-checked for 2025 and 2026.

Every expected date below was counted by hand on a calendar from the State Council's
holiday notices (2025: published November 2024; 2026: published November 2025), then
checked against the ``chinese-calendar`` package (1.11.0), which is also where the
seeded schedule comes from. The start day is never counted.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from tongban.workdays import calc
from tongban.workdays.models import CalendarYear, DayKind, SpecialDay, YearSource, YearStatus

D = date

# The holiday periods the cases rely on, as published: (first, last) holiday, make-up days.
PERIODS = {
    "2025 Spring Festival": ((D(2025, 1, 28), D(2025, 2, 4)), [D(2025, 1, 26), D(2025, 2, 8)]),
    "2025 Labour Day": ((D(2025, 5, 1), D(2025, 5, 5)), [D(2025, 4, 27)]),
    "2025 National Day + Mid-Autumn": (
        (D(2025, 10, 1), D(2025, 10, 8)), [D(2025, 9, 28), D(2025, 10, 11)],
    ),
    "2026 New Year": ((D(2026, 1, 1), D(2026, 1, 3)), [D(2026, 1, 4)]),
    "2026 Spring Festival": ((D(2026, 2, 15), D(2026, 2, 23)), [D(2026, 2, 14), D(2026, 2, 28)]),
    "2026 Labour Day": ((D(2026, 5, 1), D(2026, 5, 5)), [D(2026, 5, 9)]),
    "2026 Mid-Autumn": ((D(2026, 9, 25), D(2026, 9, 27)), []),
    "2026 National Day": ((D(2026, 10, 1), D(2026, 10, 7)), [D(2026, 9, 20), D(2026, 10, 10)]),
}  # fmt: skip

# (start, working days, expected deadline): counted by hand.
CASES_2025 = [
    # Spring Festival: Fri 24 Jan → Sun 26 (make-up) 1, Mon 27 2, [28 Jan–4 Feb off],
    # Wed 5 Feb 3, Thu 6 4, Fri 7 5.
    (D(2025, 1, 24), 5, D(2025, 2, 7)),
    (D(2025, 1, 24), 1, D(2025, 1, 26)),  # the make-up Sunday is a working day
    (D(2025, 1, 27), 1, D(2025, 2, 5)),  # straight over the whole holiday
    (D(2025, 1, 27), 4, D(2025, 2, 8)),  # Sat 8 Feb is worked
    (D(2025, 1, 27), 5, D(2025, 2, 10)),
    (D(2025, 1, 25), 1, D(2025, 1, 26)),  # start on a Saturday: not counted either way
    # Labour Day: Fri 25 Apr → Sun 27 (make-up) 1, Mon 28 2, Tue 29 3, Wed 30 4,
    # [1–5 May off], Tue 6 May 5.
    (D(2025, 4, 25), 1, D(2025, 4, 27)),
    (D(2025, 4, 25), 4, D(2025, 4, 30)),
    (D(2025, 4, 25), 5, D(2025, 5, 6)),
    # Dragon Boat: Sat 31 May – Mon 2 Jun off.
    (D(2025, 5, 30), 1, D(2025, 6, 3)),
    # National Day + Mid-Autumn: Fri 26 Sep → Sun 28 (make-up) 1, Mon 29 2, Tue 30 3,
    # [1–8 Oct off], Thu 9 4, Fri 10 5, Sat 11 (make-up) 6, Mon 13 7.
    (D(2025, 9, 26), 2, D(2025, 9, 29)),
    (D(2025, 9, 26), 3, D(2025, 9, 30)),
    (D(2025, 9, 26), 4, D(2025, 10, 9)),
    (D(2025, 9, 26), 6, D(2025, 10, 11)),
    (D(2025, 9, 26), 7, D(2025, 10, 13)),
    # Art. 42's 20 working days from Fri 19 Sep: 22–26 Sep 1–5, Sun 28 6, 29 7, 30 8,
    # Thu 9 Oct 9, Fri 10 10, Sat 11 11, 13–17 Oct 12–16, 20–23 Oct 17–20.
    (D(2025, 9, 19), 20, D(2025, 10, 23)),
    (D(2025, 9, 19), 0, D(2025, 9, 19)),  # n = 0: the start itself
]
CASES_2026 = [
    # New Year across the year boundary: Wed 31 Dec 2025 → [1–3 Jan off], Sun 4 Jan worked.
    (D(2025, 12, 31), 1, D(2026, 1, 4)),
    (D(2025, 12, 31), 2, D(2026, 1, 5)),
    # Spring Festival: Fri 13 Feb → Sat 14 (make-up) 1, [15–23 Feb off], Tue 24 2, Wed 25 3,
    # Thu 26 4, Fri 27 5, Sat 28 (make-up) 6, Mon 2 Mar 7.
    (D(2026, 2, 13), 1, D(2026, 2, 14)),
    (D(2026, 2, 13), 2, D(2026, 2, 24)),
    (D(2026, 2, 13), 5, D(2026, 2, 27)),
    (D(2026, 2, 13), 6, D(2026, 2, 28)),
    (D(2026, 2, 13), 7, D(2026, 3, 2)),
    # Labour Day: Thu 30 Apr → [1–5 May off], Wed 6 1, Thu 7 2, Fri 8 3, Sat 9 (make-up) 4.
    (D(2026, 4, 30), 1, D(2026, 5, 6)),
    (D(2026, 4, 30), 4, D(2026, 5, 9)),
    # Mid-Autumn and National Day: Fri 18 Sep → Sun 20 (make-up) 1, 21–24 Sep 2–5,
    # [Fri 25–Sun 27 off], Mon 28 6, Tue 29 7, Wed 30 8, [1–7 Oct off], Thu 8 Oct 9,
    # Fri 9 10, Sat 10 (make-up) 11, 12–16 Oct 12–16, 19–22 Oct 17–20.
    (D(2026, 9, 18), 1, D(2026, 9, 20)),
    (D(2026, 9, 18), 5, D(2026, 9, 24)),
    (D(2026, 9, 18), 6, D(2026, 9, 28)),
    (D(2026, 9, 18), 8, D(2026, 9, 30)),
    (D(2026, 9, 18), 9, D(2026, 10, 8)),
    (D(2026, 9, 18), 11, D(2026, 10, 10)),
    (D(2026, 9, 18), 20, D(2026, 10, 22)),
]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.mark.parametrize("name", list(PERIODS))
def test_the_package_holds_the_published_periods(name):
    (first, last), makeup = PERIODS[name]
    for day in _days(first, last):
        assert chinese_calendar.is_holiday(day), (name, day)
    for day in makeup:
        assert day.weekday() >= 5, (name, day)
        assert chinese_calendar.is_workday(day), (name, day)


def test_the_package_stops_at_2026_and_raises_for_2027():
    """Why the fallback exists: chinese-calendar 1.11.0 knows 2004–2026 only."""
    assert max(chinese_calendar.holidays).year == 2026
    assert min(chinese_calendar.holidays).year == 2004
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))


def test_seeding_stores_the_periods_with_chinese_and_english_names(seeded):
    assert seeded.first_year == 2004 and seeded.last_year == 2026
    assert seeded.seeded == list(range(2004, 2027))
    spring = SpecialDay.objects.get(date=D(2025, 1, 29))
    assert (spring.kind, spring.name, spring.name_en) == (
        DayKind.HOLIDAY,
        "春节",
        "Spring Festival",
    )
    makeup = SpecialDay.objects.get(date=D(2025, 10, 11))
    assert (makeup.kind, makeup.name) == (DayKind.MAKEUP_WORKDAY, "国庆节")
    assert SpecialDay.objects.get(date=D(2026, 9, 25)).name == "中秋节"
    year = CalendarYear.objects.get(year=2026)
    assert (year.status, year.source) == (YearStatus.OFFICIAL, YearSource.PACKAGE)
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.parametrize(("start", "days", "expected"), CASES_2025 + CASES_2026)
def test_add_working_days_hand_checked(seeded, start, days, expected):
    deadline = calc.add_working_days(start, days)
    assert deadline.date == expected
    assert not deadline.provisional and deadline.provisional_years == ()
    assert calc.working_days_between(start, expected) == days
    if days:
        assert calc.is_workday(expected)


@pytest.mark.parametrize(("year", "expected"), [(2025, 248), (2026, 248)])
def test_working_days_in_a_whole_year(seeded, year, expected):
    """261 weekdays each; 2025: 18 weekday holidays, 5 make-up days; 2026: 19 and 6."""
    counted = calc.working_days_between(D(year - 1, 12, 31), D(year, 12, 31))
    assert counted == expected
    assert counted == len(chinese_calendar.get_workdays(D(year, 1, 1), D(year, 12, 31)))


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_agrees_with_the_package(seeded, year):
    for day in _days(D(year, 1, 1), D(year, 12, 31)):
        assert calc.is_workday(day) == chinese_calendar.is_workday(day), day


def test_a_deadline_ends_with_its_day_in_beijing_time(seeded):
    deadline = calc.add_working_days(D(2025, 1, 24), 5)
    moment = deadline.at
    assert (moment.date(), moment.hour, moment.minute) == (D(2025, 2, 7), 23, 59)
    assert moment.utcoffset() == timedelta(hours=8)
    assert calc.DEADLINE_TIME.hour == 23


def test_negative_days_are_refused(seeded):
    with pytest.raises(ValueError, match="negative"):
        calc.add_working_days(D(2025, 1, 1), -1)


def test_working_days_between_backwards_is_negative(seeded):
    assert calc.working_days_between(D(2025, 2, 7), D(2025, 1, 24)) == -5
    assert calc.working_days_between(D(2025, 2, 7), D(2025, 2, 7)) == 0
