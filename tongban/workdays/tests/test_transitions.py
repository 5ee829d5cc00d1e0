"""Every (state × action) of a calendar year, written out by hand and tried with ``move`` on
real rows; and the services reaching each move."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.core.errors import ServiceError
from tongban.core.models import AuditRecord, StatusChange
from tongban.core.transitions import history, move
from tongban.workdays import services
from tongban.workdays.models import CalendarYear, DayKind
from tongban.workdays.transitions import YEAR

pytestmark = pytest.mark.django_db

ACTIONS = ("edit", "reopen", "confirm", "seed")
# (state, action) -> state after; anything not listed is refused.
EXPECTED = {
    ("provisional", "edit"): "draft",
    ("provisional", "confirm"): "official",
    ("provisional", "seed"): "official",
    ("draft", "confirm"): "official",
    ("official", "reopen"): "draft",
    ("official", "seed"): "official",
}
PATH = {"provisional": [], "draft": ["edit"], "official": ["confirm"]}


def test_the_table_is_the_oracle() -> None:
    assert YEAR.moves == EXPECTED


def test_every_state_and_action(admin_user) -> None:
    years = iter(range(2040, 2100))
    for state, path in PATH.items():
        refused = CalendarYear.objects.create(year=next(years))
        for step in path:
            move(refused, YEAR, step, actor=admin_user)
        counts = StatusChange.objects.count(), AuditRecord.objects.count()
        for action in ACTIONS:
            expected = EXPECTED.get((state, action))
            if expected is None:
                with pytest.raises(ServiceError):
                    move(refused, YEAR, action, actor=admin_user)
                assert CalendarYear.objects.get(pk=refused.pk).status == state, action
                assert (StatusChange.objects.count(), AuditRecord.objects.count()) == counts
                continue
            row = CalendarYear.objects.create(year=next(years))
            for step in path:
                move(row, YEAR, step, actor=admin_user)
            assert move(row, YEAR, action, actor=admin_user) == expected
            assert CalendarYear.objects.get(pk=row.pk).status == expected, (state, action)
            counts = StatusChange.objects.count(), AuditRecord.objects.count()


def test_the_services_walk_a_new_year(admin_user) -> None:
    services.add_special_day(admin_user, day=date(2031, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    services.confirm_year(admin_user, 2031)
    services.confirm_year(admin_user, 2031)  # official already: nothing to do
    services.add_special_day(admin_user, day=date(2031, 1, 2), kind=DayKind.HOLIDAY, name="元旦")
    year = CalendarYear.objects.get(year=2031)
    assert [(c.action, c.from_state, c.to_state) for c in history(year)] == [
        ("edit", "provisional", "draft"),
        ("confirm", "draft", "official"),
        ("reopen", "official", "draft"),
    ]
    assert (year.status, year.confirmed_by, year.confirmed_at) == ("draft", None, None)
    assert list(
        AuditRecord.objects.filter(action__startswith="workdays.year_")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["workdays.year_opened", "workdays.year_confirmed", "workdays.year_reopened"]
