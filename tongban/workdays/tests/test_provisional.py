"""Years without a confirmed schedule: Monday–Friday, flagged provisional, one alert."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.core.alerts import alert_raised
from tongban.core.models import AuditRecord
from tongban.workdays import calc, services
from tongban.workdays.models import CalendarYear, DayKind, YearStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts():
    received = []

    def listener(sender, alert, **kwargs):
        received.append(alert)

    alert_raised.connect(listener)
    yield received
    alert_raised.disconnect(listener)


def _alert_records():
    return AuditRecord.objects.filter(action=f"alert.{calc.ALERT_CODE}")


def test_crossing_new_year_into_an_unknown_year_is_provisional(seeded):
    # Mon 28 Dec 2026: 29, 30, 31 Dec are 1–3; 2027 has no schedule, so Fri 1 Jan 2027
    # (New Year's Day in any real schedule) counts as 4 and Mon 4 Jan as 5.
    deadline = calc.add_working_days(date(2026, 12, 28), 5)
    assert deadline.date == date(2027, 1, 4)
    assert deadline.provisional
    assert deadline.provisional_years == (2027,)


def test_a_deadline_inside_a_known_year_is_not_provisional_even_near_an_unknown_one(seeded):
    deadline = calc.add_working_days(date(2026, 12, 28), 3)
    assert deadline.date == date(2026, 12, 31)
    assert not deadline.provisional
    assert not CalendarYear.objects.filter(year=2027).exists()  # nothing to alert about


def test_without_any_schedule_the_calendar_is_monday_to_friday(db):
    assert calc.add_working_days(date(2025, 1, 24), 5).date == date(2025, 1, 31)
    assert calc.is_workday(date(2025, 1, 29))  # Spring Festival, but nothing entered
    assert not calc.is_workday(date(2025, 1, 26))  # make-up Sunday unknown too
    assert calc.working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == 261


def test_the_alert_is_raised_once_per_year(seeded, alerts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            calc.add_working_days(date(2026, 12, 28), 5)
        calc.is_workday(date(2027, 3, 1))
        calc.working_days_between(date(2026, 12, 1), date(2027, 2, 1))
    assert [a.code for a in alerts] == [calc.ALERT_CODE]
    assert alerts[0].params == {"year": 2027}
    assert alerts[0].audience == "system_admin"
    assert "2027" in alerts[0].render()
    assert alerts[0].link == "/manage/calendar/2027/"
    assert _alert_records().count() == 1
    year = CalendarYear.objects.get(year=2027)
    assert year.alerted_at is not None and year.status == YearStatus.PROVISIONAL

    # Remembered in the process after commit: no more database work for 2027.
    with django_capture_on_commit_callbacks(execute=True):
        calc.add_working_days(date(2026, 12, 30), 3)
    assert len(alerts) == 1 and _alert_records().count() == 1


def test_the_database_flag_stops_a_second_process(
    seeded, alerts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        calc.add_working_days(date(2026, 12, 28), 5)
    calc.reset_for_tests()  # another process: nothing remembered in memory
    with django_capture_on_commit_callbacks(execute=True):
        calc.add_working_days(date(2026, 12, 28), 5)
    assert len(alerts) == 1 and _alert_records().count() == 1


def test_each_unknown_year_gets_its_own_alert(seeded, alerts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deadline = calc.add_working_days(date(2026, 12, 30), 300)
    assert deadline.provisional_years == (2027, 2028)
    assert sorted(a.params["year"] for a in alerts) == [2027, 2028]


def test_a_draft_year_uses_its_days_but_stays_provisional(seeded, admin_user):
    services.add_special_day(admin_user, day=date(2027, 1, 1), kind=DayKind.HOLIDAY,
                             name="元旦", name_en="New Year's Day")  # fmt: skip
    deadline = calc.add_working_days(date(2026, 12, 28), 5)
    assert deadline.date == date(2027, 1, 5)  # 1 Jan is now a holiday
    assert deadline.provisional and deadline.provisional_years == (2027,)
    services.confirm_year(admin_user, 2027)
    confirmed = calc.add_working_days(date(2026, 12, 28), 5)
    assert confirmed.date == date(2027, 1, 5) and not confirmed.provisional
