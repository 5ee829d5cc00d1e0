"""One deadline truth: the case page, the status page, the receipt, the work item and the
inbox show the same promised date for each item (``clocks.promise``); a 即办件 is due the
day it is accepted, and the inbox flags it and lists it first."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.cases import actions, clocks
from tongban.cases.actions import ActionInput
from tongban.cases.models import Case, SubCase, SubCaseStatus, WorkItem, WorkKind, WorkStatus
from tongban.cases.tests.test_english_receipt import pdf_text
from tongban.cases.transitions import Action
from tongban.catalog.models import HandlingType, ServiceItem

pytestmark = pytest.mark.django_db

PROMISED = re.compile(r'<time class="tb-nowrap" datetime="(\d{4}-\d{2}-\d{2})" data-promise>')


def _one_date(html: str) -> str:
    found = set(PROMISED.findall(html))
    assert len(found) == 1, found
    return found.pop()


def _chunk(page: str, start: str, name: str) -> str:
    """The part of ``page`` from the ``start`` element that names ``name``."""
    parts = [p for p in page.split(start)[1:] if name in p.split("</li>")[0].split("</tr>")[0]]
    assert len(parts) == 1, (name, len(parts))
    return parts[0].split("</li>")[0].split("</tr>")[0]


def _open_work(sub: SubCase) -> WorkItem:
    return WorkItem.objects.get(subcase=sub, status=WorkStatus.OPEN)


def _official_for(world, sub: SubCase):
    """Someone who sees every step of ``sub`` in their inbox: its department's leader."""
    return world.leader_a if sub.item_id == world.item_a.pk else world.all_b


def _surfaces(world, case: Case, sub: SubCase) -> dict[str, str]:
    """The promised date of ``sub`` as each of the five surfaces shows it."""
    name = sub.item.name
    applicant = Client()
    applicant.force_login(world.applicant)
    case_page = applicant.get(reverse("cases:my_case", args=[case.number])).content.decode()
    status_page = (
        Client()
        .get(reverse("cases:status"), {"number": case.number, "code": case.query_code})
        .content.decode()
    )
    receipt = pdf_text(applicant.get(reverse("cases:receipt", args=[case.number])).content)
    line = next(line for line in receipt.splitlines() if name in line)
    official = Client()
    official.force_login(_official_for(world, sub))
    work = _open_work(sub)
    work_page = official.get(reverse("cases:work_item", args=[work.pk])).content.decode()
    promised_row = work_page.split("承诺办结", 1)[1].split("</div>", 1)[0]
    inbox = official.get(reverse("cases:inbox")).content.decode()
    return {
        "case page": _one_date(_chunk(case_page, '<li class="tb-task-list__item">', name)),
        "status page": _one_date(_chunk(status_page, '<li class="tb-task-list__item">', name)),
        "receipt": re.findall(r"\d{4}-\d{2}-\d{2}", line)[-1],
        "work item": _one_date(promised_row),
        "inbox": _one_date(_chunk(inbox, '<tr role="row">', name)),
    }


def _accept(world, sub: SubCase) -> None:
    work = WorkItem.objects.get(subcase=sub, kind=WorkKind.ACCEPT, status=WorkStatus.OPEN)
    actions.act(work.pk, ActionInput(Action.ACCEPT), actor=_official_for(world, sub))


def test_five_surfaces_show_the_same_promised_date_for_each_item(world):
    case = world.submit(world.bundle)
    subs = list(case.subcases.select_related("item").order_by("pk"))
    # Before acceptance, counted from receipt; then one matter is accepted a few days
    # later (its clock restarts), and the other is paused and resumed by a special
    # procedure (its date moves by the working days the pause lasted).
    first, second = subs
    SubCase.objects.filter(pk__in=[first.pk, second.pk]).update(
        received_at=timezone.now() - dt.timedelta(days=6)
    )
    _accept(world, first)
    _accept(world, second)
    review = WorkItem.objects.get(subcase=second, kind=WorkKind.REVIEW, status=WorkStatus.OPEN)
    actions.act(
        review.pk,
        ActionInput(Action.START_SPECIAL, pause_kind="expert_review", note="专家评审"),
        actor=world.all_b,
    )
    second.pauses.update(started_at=timezone.now() - dt.timedelta(days=7))
    actions.act(review.pk, ActionInput(Action.END_SPECIAL), actor=world.all_b)
    for sub in (first, second):
        sub.refresh_from_db()
        expected = clocks.promise(sub)
        assert expected is not None
        shown = _surfaces(world, case, sub)
        assert set(shown.values()) == {expected.date.isoformat()}, shown
    # The case as a whole is promised by its last item, on every page that says so.
    whole = clocks.case_promise(case.subcases.all())
    assert whole is not None
    client = Client()
    client.force_login(world.applicant)
    case_page = client.get(reverse("cases:my_case", args=[case.number])).content.decode()
    assert f'datetime="{whole.date.isoformat()}"' in case_page.split("tb-task-list", 1)[0]


def test_the_promise_follows_the_pause_and_the_acceptance(world):
    case = world.submit()
    sub = case.subcases.get()
    received = clocks.promise(sub)
    assert received is not None and not received.immediate
    _accept(world, sub)
    sub.refresh_from_db()
    accepted = clocks.promise(sub)
    assert accepted is not None and accepted.date == sub.promised_due
    review = _open_work(sub)
    actions.act(
        review.pk,
        ActionInput(Action.START_SPECIAL, pause_kind="expert_review", note="专家评审"),
        actor=world.reviewer_a,
    )
    sub.refresh_from_db()
    stopped = clocks.promise(sub, timezone.now() + dt.timedelta(days=14))
    assert stopped is not None and stopped.stopped and stopped.date > accepted.date


def _make_immediate(item: ServiceItem) -> None:
    ServiceItem.objects.filter(pk=item.pk).update(
        handling_type=HandlingType.IMMEDIATE, promised_limit=0
    )


def test_an_immediate_item_is_due_the_day_it_is_accepted_and_flagged_first(client, world):
    older = world.submit(key="older")  # an ordinary matter, opened first
    _make_immediate(world.item_a)
    world.item_a.refresh_from_db()
    case = world.submit(world.item_a, key="immediate")
    sub = case.subcases.get()
    assert sub.promised_days == 0 and clocks.is_immediate(sub)
    client.force_login(world.clerk_a)
    inbox = client.get(reverse("cases:inbox")).content.decode()
    rows = inbox.split('<tr role="row">')[2:]  # after the header row
    assert case.number in rows[0] and older.number in rows[1]  # 即办件 first
    assert "即办" in rows[0].split("</tr>")[0] and "即办" not in rows[1].split("</tr>")[0]
    immediate_view = client.get(reverse("cases:inbox"), {"view": "immediate"}).content.decode()
    assert case.number in immediate_view and older.number not in immediate_view
    # Accepted two days after receipt: due that day, not the day of receipt.
    SubCase.objects.filter(pk=sub.pk).update(received_at=timezone.now() - dt.timedelta(days=2))
    _accept(world, sub)
    sub.refresh_from_db()
    promise = clocks.promise(sub)
    assert promise is not None and promise.immediate
    assert promise.date == timezone.localdate(sub.accepted_at)
    page = client.get(reverse("cases:work_item", args=[_open_work(sub).pk])).content.decode()
    assert f'datetime="{promise.date.isoformat()}"' in page


def test_a_zero_day_limit_is_not_rounded_up_to_one(world):
    assert clocks.limit_days(0, "calendar_days") == 0
    assert clocks.limit_days(0, "working_days") == 0
    assert clocks.limit_days(7, "calendar_days") == 5


def test_a_matter_waiting_for_another_members_result_has_no_date_yet(world):
    case = world.submit(world.bundle)
    first, second = case.subcases.select_related("item").order_by("pk")
    second.status = SubCaseStatus.WAITING  # in memory: the dependency step moves it so
    assert clocks.promise(second) is None
    assert clocks.case_promise([first, second]) is None  # not known before it starts
    assert clocks.case_promise([first]) == clocks.promise(first)
