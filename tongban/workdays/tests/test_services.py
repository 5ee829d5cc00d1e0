"""Changes to the calendar: seeding, adding, removing, confirming; audit and cache."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from tongban.core import generations
from tongban.core.errors import ServiceError
from tongban.core.models import AuditRecord
from tongban.workdays import calc, services
from tongban.workdays.models import CalendarYear, DayKind, SpecialDay, YearSource, YearStatus

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(
        AuditRecord.objects.filter(stream="workdays")
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_seeding_twice_changes_nothing_the_second_time(seeded):
    records, generation = AuditRecord.objects.count(), generations.current(calc.GENERATION)
    rows = list(SpecialDay.objects.values_list("date", "kind", "name", "name_en"))
    again = services.seed_from_package()
    assert again.seeded == [] and again.unchanged == list(range(2004, 2027))
    assert AuditRecord.objects.count() == records
    assert generations.current(calc.GENERATION) == generation
    assert list(SpecialDay.objects.values_list("date", "kind", "name", "name_en")) == rows


def test_seeding_audits_each_year_with_counts_only(seeded):
    record = AuditRecord.objects.get(action="workdays.year_seeded", object_id=str(
        CalendarYear.objects.get(year=2025).pk))  # fmt: skip
    assert record.actor_label == "system"
    assert record.meta == {"year": 2025, "package_version": "1.11.0", "holidays": 28,
                           "makeup_workdays": 5, "from": "provisional",
                           "to": "official"}  # fmt: skip


def test_seeding_repairs_a_package_year_but_keeps_an_administrators_year(seeded, admin_user):
    SpecialDay.objects.filter(date=date(2024, 2, 10)).delete()  # damaged behind our back
    services.add_special_day(admin_user, day=date(2025, 12, 31), kind=DayKind.HOLIDAY,
                             name="测试日", name_en="Test day")  # fmt: skip
    report = services.seed_from_package()
    assert 2024 in report.seeded and report.kept == [2025]
    assert SpecialDay.objects.filter(date=date(2024, 2, 10)).exists()
    assert SpecialDay.objects.filter(date=date(2025, 12, 31)).exists()
    assert CalendarYear.objects.get(year=2025).source == YearSource.ADMIN


def test_adding_a_day_changes_the_arithmetic_at_once_and_reopens_the_year(seeded, admin_user):
    assert calc.is_workday(date(2026, 12, 31))  # cached now
    generation = generations.current(calc.GENERATION)
    services.add_special_day(admin_user, day=date(2026, 12, 31), kind=DayKind.HOLIDAY,
                             name="测试日")  # fmt: skip
    assert generations.current(calc.GENERATION) == generation + 1
    assert not calc.is_workday(date(2026, 12, 31))
    year = CalendarYear.objects.get(year=2026)
    assert (year.status, year.source) == (YearStatus.DRAFT, YearSource.ADMIN)
    assert calc.add_working_days(date(2026, 12, 29), 1).provisional  # until confirmed
    assert actions()[-2:] == ["workdays.year_reopened", "workdays.day_added"]
    added = AuditRecord.objects.get(action="workdays.day_added")
    assert added.actor_id == admin_user.pk
    assert added.meta == {"year": 2026, "date": "2026-12-31", "kind": "holiday"}


def test_another_process_sees_a_change_through_the_generation(seeded):
    assert calc.is_workday(date(2026, 12, 31))
    # Another process changed the table and bumped the generation; ours had cached it.
    SpecialDay.objects.create(date=date(2026, 12, 31), kind=DayKind.HOLIDAY, name="测试日")
    assert calc.is_workday(date(2026, 12, 31))  # same generation: the snapshot stands
    generations.bump(calc.GENERATION)
    assert not calc.is_workday(date(2026, 12, 31))


def test_entering_and_confirming_a_new_year(seeded, admin_user):
    for day in (date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)):
        services.add_special_day(admin_user, day=day, kind=DayKind.HOLIDAY, name="元旦",
                                 name_en="New Year's Day", year=2027)  # fmt: skip
    assert CalendarYear.objects.get(year=2027).status == YearStatus.DRAFT
    year = services.confirm_year(admin_user, 2027)
    assert (year.status, year.confirmed_by) == (YearStatus.OFFICIAL, admin_user)
    assert year.confirmed_at is not None
    assert not calc.add_working_days(date(2026, 12, 31), 1).provisional
    assert calc.add_working_days(date(2026, 12, 31), 1).date == date(2027, 1, 4)
    record = AuditRecord.objects.get(action="workdays.year_confirmed")
    assert record.meta == {"year": 2027, "holidays": 3, "makeup_workdays": 0,
                           "from": "draft", "to": "official"}  # fmt: skip
    services.confirm_year(admin_user, 2027)  # again: nothing to do, nothing recorded
    assert AuditRecord.objects.filter(action="workdays.year_confirmed").count() == 1


def test_removing_a_day(seeded, admin_user):
    services.remove_special_day(admin_user, day=date(2025, 10, 11))
    assert calc.add_working_days(date(2025, 10, 10), 1).date == date(2025, 10, 13)
    assert actions()[-2:] == ["workdays.year_reopened", "workdays.day_removed"]
    assert CalendarYear.objects.get(year=2025).status == YearStatus.DRAFT


@pytest.mark.parametrize(
    ("kwargs", "field", "english"),
    [
        ({"day": None}, "date", "Enter the date."),
        ({"day": date(2025, 3, 4), "kind": DayKind.MAKEUP_WORKDAY}, "date", "Saturday or a Sunday"),
        ({"day": date(2025, 1, 28)}, "date", "already marked"),
        ({"day": date(2028, 3, 4), "year": 2027}, "date", "in 2027"),
        ({"day": date(1999, 3, 4)}, "date", "between 2000 and 2100"),
        ({"kind": "party"}, "kind", "holiday or a make-up working day"),
        ({"name": "  "}, "name", "name of the holiday"),
        ({"name": "节" * 61}, "name", "60 characters"),
        ({"name_en": "x" * 61}, "name_en", "60 characters"),
    ],
)
def test_bad_input_names_the_field(seeded, admin_user, kwargs, field, english):
    data = {"day": date(2027, 3, 4), "kind": DayKind.HOLIDAY, "name": "测试日", **kwargs}
    before = AuditRecord.objects.count()
    with translation.override("en"):
        with pytest.raises(ServiceError) as caught:
            services.add_special_day(admin_user, **data)
        assert field in caught.value.message_dict
        assert english in " ".join(caught.value.message_dict[field])
    assert AuditRecord.objects.count() == before


def test_messages_are_in_chinese_by_default(seeded, admin_user):
    with translation.override("zh-hans"):
        with pytest.raises(ServiceError) as caught:
            services.add_special_day(admin_user, day=date(2025, 3, 4),
                                     kind=DayKind.MAKEUP_WORKDAY, name="测试日")  # fmt: skip
        assert "周六或周日" in caught.value.message_dict["date"][0]


def test_removing_a_day_that_is_not_there(seeded, admin_user):
    with pytest.raises(ServiceError) as caught:
        services.remove_special_day(admin_user, day=date(2025, 3, 4))
    assert "date" in caught.value.message_dict


def test_a_year_without_holidays_cannot_be_confirmed(db, admin_user):
    with pytest.raises(ServiceError) as caught:
        services.confirm_year(admin_user, 2027)
    assert "year" in caught.value.message_dict
    assert not CalendarYear.objects.filter(year=2027, status=YearStatus.OFFICIAL).exists()


def test_the_seed_command_is_idempotent_and_says_what_it_did(db):
    from io import StringIO

    from django.core.management import call_command

    first, second, status = StringIO(), StringIO(), StringIO()
    call_command("calendar", "seed", stdout=first)
    call_command("calendar", "seed", stdout=second)
    call_command("calendar", "status", stdout=status)
    assert "years 2004-2026" in first.getvalue() and "Seeded: 2004, 2005" in first.getvalue()
    assert "Seeded: -; unchanged: 23" in second.getvalue()
    assert "2026  official     package  holidays 33  make-up days  6" in status.getvalue()
    assert AuditRecord.objects.filter(action="workdays.year_seeded").count() == 23


def test_modules_keeping_due_dates_are_told_which_years_changed(
    seeded, admin_user, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, years, **kwargs):
        received.append(years)

    services.calendar_changed_signal.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.add_special_day(admin_user, day=date(2027, 1, 1), kind=DayKind.HOLIDAY,
                                     name="元旦")  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            services.confirm_year(admin_user, 2027)
        with django_capture_on_commit_callbacks(execute=True):
            services.seed_from_package()  # nothing to do: no signal
    finally:
        services.calendar_changed_signal.disconnect(listener)
    assert received == [[2027], [2027]]
