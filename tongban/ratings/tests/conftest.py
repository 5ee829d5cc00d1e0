"""Fixtures of ratings: the cases world (two items in two departments, a bundle of both,
officials of each department), and helpers that take a case to completion through the
real services."""

from __future__ import annotations

import pytest

from conftest import _user
from tongban.accounts.models import Role, RoleAssignment, UserKind
from tongban.cases import actions as case_actions
from tongban.cases.actions import ActionInput
from tongban.cases.models import Case, SubCase, WorkItem, WorkStatus
from tongban.cases.tests.conftest import World, world  # noqa: F401  (fixture re-exported)
from tongban.cases.transitions import Action


def open_item(case: Case, kind: str, sub: SubCase | None = None) -> WorkItem:
    rows = WorkItem.objects.filter(case=case, kind=kind, status=WorkStatus.OPEN)
    if sub is not None:
        rows = rows.filter(subcase=sub)
    return rows.get()


def act(work: WorkItem, action: str, actor, **kw) -> WorkItem:
    return case_actions.act(work.pk, ActionInput(action, **kw), actor=actor)


def officials_of(w: World, sub: SubCase):
    if sub.department_id == w.item_a.department_id:
        return w.clerk_a, w.reviewer_a, w.leader_a
    return w.all_b, w.all_b, w.all_b


def approve(w: World, case: Case, sub: SubCase) -> None:
    clerk, reviewer, leader = officials_of(w, sub)
    act(open_item(case, "accept", sub), Action.ACCEPT, clerk)
    act(open_item(case, "review", sub), Action.FORWARD, reviewer)
    act(open_item(case, "decide", sub), Action.APPROVE, leader, note="ok")


def completed_case(w: World, target=None) -> Case:
    case = w.submit(target)
    for sub in case.subcases.order_by("pk"):
        approve(w, case, sub)
    case.refresh_from_db()
    assert case.status == "completed"
    return case


@pytest.fixture
def done(world):  # noqa: F811
    """A completed single-item case of department A."""
    return completed_case(world)


@pytest.fixture
def ratings_admin(db):
    user = _user("ratings-sysadmin", real_name="系统管理员", kind=UserKind.ADMIN)
    RoleAssignment.objects.create(user=user, role=Role.SYSTEM_ADMIN)
    return user
