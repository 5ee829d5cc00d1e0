"""The deadline sweep: 75 % warning, overdue escalation, once only, pauses respected."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import actions, deadlines, services
from tongban.cases.actions import ActionInput
from tongban.cases.models import CaseEvent, SubCase, WorkItem, WorkKind, WorkStatus
from tongban.cases.transitions import Action
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def _accepted(world) -> SubCase:
    case = world.submit()
    work = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT, status=WorkStatus.OPEN)
    actions.act(work.pk, ActionInput(Action.ACCEPT), actor=world.clerk_a)
    return case.subcases.get()


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), dt.UTC)


def test_warning_then_overdue_escalates_once(world):
    sub = _accepted(world)  # promised 5 working days
    assert sub.promised_days == 5 and sub.promised_due
    start = services.timezone.localdate(sub.accepted_at)
    warn_day = services.calc.add_working_days(start, 4).date  # 4 of 5 elapsed by its end
    result = deadlines.sweep(_at(warn_day + dt.timedelta(days=1), 1))
    sub.refresh_from_db()
    assert sub.deadline_state in {"warning", "overdue"}
    late = _at(sub.promised_due + dt.timedelta(days=3))
    result = deadlines.sweep(late)
    sub.refresh_from_db()
    assert sub.deadline_state == "overdue" and result.escalated == [sub.case.number]
    work = WorkItem.objects.get(subcase=sub, status=WorkStatus.OPEN)
    assert work.escalation_level == 1
    assert CaseEvent.objects.filter(subcase=sub, action="escalated").count() == 1
    assert AuditRecord.objects.filter(action="alert.cases.overdue").count() == 1
    # A second sweep (another worker, or the next run) changes nothing.
    again = deadlines.sweep(late)
    assert again.escalated == [] and again.warned == []
    assert AuditRecord.objects.filter(action="alert.cases.overdue").count() == 1


def test_on_time_matter_is_left_alone(world):
    sub = _accepted(world)
    result = deadlines.sweep(_at(services.timezone.localdate(sub.accepted_at)))
    sub.refresh_from_db()
    assert sub.deadline_state == "on_time" and result.checked >= 1 and not result.warned


def test_a_paused_clock_is_not_overdue(world):
    sub = _accepted(world)
    work = WorkItem.objects.get(subcase=sub, kind=WorkKind.REVIEW, status=WorkStatus.OPEN)
    actions.act(
        work.pk,
        ActionInput(Action.START_SPECIAL, pause_kind="expert_review", note="专家评审"),
        actor=world.reviewer_a,
    )
    deadlines.sweep(_at(sub.promised_due + dt.timedelta(days=10)))
    sub.refresh_from_db()
    # Paused since before the due date: no escalation while the experts work.
    assert sub.deadline_state in {"paused", "on_time"}
    assert not CaseEvent.objects.filter(subcase=sub, action="escalated").exists()


def test_unaccepted_matter_overdue_after_five_working_days(world):
    case = world.submit()
    sub = case.subcases.get()
    deadlines.sweep(_at(sub.acceptance_due + dt.timedelta(days=1)))
    sub.refresh_from_db()
    assert sub.deadline_state == "overdue"
