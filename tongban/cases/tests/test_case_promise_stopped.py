"""One deadline truth for the case and its matters while a clock is stopped: the case's
promised completion is never "—" while a matter's row shows a date. A stopped clock
shows the earliest date it can be, marked as stopped; a matter waiting for another's
result (户口登记 after 出生医学证明签发) counts for the case as such a stopped clock."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.cases import actions, clocks
from tongban.cases.actions import ActionInput
from tongban.cases.models import CaseStatus, SubCaseStatus, WorkItem, WorkKind, WorkStatus
from tongban.cases.transitions import Action
from tongban.catalog.models import HandlingType, ServiceItem
from tongban.workdays import calc

pytestmark = pytest.mark.django_db

PROMISED = re.compile(r'<time class="tb-nowrap" datetime="(\d{4}-\d{2}-\d{2})" data-promise>')
STOPPED = "最早日期"


@pytest.fixture
def waiting_world(world):
    first, second = world.bundle.memberships.order_by("sort_order")
    second.depends_on = first
    second.full_clean()
    second.save()
    return world


def _ask_correction(world, case, sub) -> None:
    work = WorkItem.objects.get(subcase=sub, kind=WorkKind.ACCEPT, status=WorkStatus.OPEN)
    actions.act(
        work.pk,
        ActionInput(Action.CORRECTION, corrections=[{"material": "材料M-A", "reason": "缺少签名"}]),
        actor=world.clerk_a,
    )


def _summary(page: str) -> str:
    """The case's own "Promised completion" row (before the list of matters)."""
    return page.split("承诺办结日期</dt>", 1)[1].split("</dd>", 1)[0]


@pytest.mark.parametrize("immediate", [False, True])
def test_in_correction_with_a_waiting_member_the_case_shows_its_earliest_date(
    waiting_world, settings, immediate
):
    world = waiting_world
    settings.LANGUAGE_CODE = "zh-hans"
    if immediate:  # 出生医学证明 is a 即办件 in the newborn bundle
        ServiceItem.objects.filter(pk=world.item_a.pk).update(
            handling_type=HandlingType.IMMEDIATE, promised_limit=0
        )
        world.item_a.refresh_from_db()
    case = world.submit(world.bundle)
    first, second = case.subcases.select_related("item").order_by("pk")
    assert second.status == SubCaseStatus.WAITING
    _ask_correction(world, case, first)
    case.refresh_from_db()
    first.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION
    assert clocks.is_immediate(first) == immediate

    row = clocks.promise(first)
    whole = clocks.case_promise([first, second])
    assert row is not None and whole is not None
    # B starts when A is decided, A at the earliest on ``row.date``: then B's own days.
    start = max(row.date, timezone.localdate())
    assert whole.date == calc.current_calendar().add_working_days(start, 3).date
    assert whole.stopped and whole.date >= row.date

    client = Client()
    client.force_login(world.applicant)
    page = client.get(reverse("cases:my_case", args=[case.number])).content.decode()
    summary = _summary(page)
    assert PROMISED.findall(summary) == [whole.date.isoformat()]
    assert STOPPED in summary
    assert row.date.isoformat() in PROMISED.findall(page.split("tb-task-list", 1)[1])


def test_an_immediate_matter_in_correction_is_stopped_at_today_at_the_earliest(world):
    ServiceItem.objects.filter(pk=world.item_a.pk).update(
        handling_type=HandlingType.IMMEDIATE, promised_limit=0
    )
    world.item_a.refresh_from_db()
    case = world.submit(world.item_a)
    sub = case.subcases.get()
    assert clocks.promise(sub) == clocks.Promise(timezone.localdate(), immediate=True)
    _ask_correction(world, case, sub)
    sub.refresh_from_db()
    later = timezone.now() + timezone.timedelta(days=2)
    stopped = clocks.promise(sub, later)
    assert stopped == clocks.Promise(calc.local_date(later), immediate=True, stopped=True)
    assert clocks.case_promise([sub], later) == stopped
