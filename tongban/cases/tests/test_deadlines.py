"""The deadline sweep: 75 % warning, overdue escalation, once only, pauses respected."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tongban.cases import actions, clocks, deadlines, services
from tongban.cases.actions import ActionInput
from tongban.cases.models import (
    CaseEvent,
    CorrectionNotice,
    CorrectionStage,
    SubCase,
    WorkItem,
    WorkKind,
    WorkStatus,
)
from tongban.cases.transitions import Action
from tongban.core.models import AuditRecord
from tongban.workdays.calc import ClockState
from tongban.workdays.clocks import running_clocks

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


# --- the sub-cases' clocks, as supervision sees them ------------------------------------


def test_running_clocks_list_the_acceptance_then_the_promised_and_statutory_clocks(world):
    case = world.submit()
    sub = case.subcases.get()
    listed = {c.key: c for c in running_clocks(["cases.subcases"])}
    acceptance = listed[f"cases.subcase:{sub.pk}:acceptance"]
    assert (acceptance.kind, acceptance.owner_id) == ("acceptance", world.item_a.department_id)
    assert acceptance.label == f"{case.number} {world.item_a.name}"
    assert acceptance.read().due_date == sub.acceptance_due
    work = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT, status=WorkStatus.OPEN)
    assert acceptance.link == f"/office/work/{work.pk}/"
    actions.act(work.pk, ActionInput(Action.ACCEPT), actor=world.clerk_a)
    sub.refresh_from_db()
    listed = {c.key: c for c in running_clocks(["cases.subcases"])}
    assert f"cases.subcase:{sub.pk}:acceptance" not in listed
    promised = listed[f"cases.subcase:{sub.pk}:promised"].read()
    assert (promised.limit, promised.due_date) == (5, sub.promised_due)


def test_the_acceptance_clock_stops_for_a_correction_and_restarts_on_resubmission(world):
    from tongban.workdays.services import seed_from_package

    seed_from_package()
    beijing = ZoneInfo("Asia/Shanghai")
    case = world.submit()
    sub = case.subcases.get()
    SubCase.objects.filter(pk=sub.pk).update(
        received_at=dt.datetime(2026, 9, 15, 10, tzinfo=beijing)
    )
    notice = CorrectionNotice.objects.create(
        subcase=sub,
        stage=CorrectionStage.BEFORE_ACCEPTANCE,
        items=[{"material": "M-A", "reason": "缺页"}],
        issued_by=world.clerk_a,
        issued_at=dt.datetime(2026, 9, 17, 11, tzinfo=beijing),
    )
    sub = SubCase.objects.get(pk=sub.pk)
    # 5 working days from Tue 15 Sep would end Mon 21 Sep (16, 17, 18, Sun 20 make-up, 21);
    # the notice on Thu 17 Sep stops the clock with one day (16 Sep) used.
    stopped = clocks.acceptance_clock(sub).read(dt.datetime(2026, 9, 25, 10, tzinfo=beijing))
    assert (stopped.state, stopped.elapsed) == (ClockState.PAUSED, 1)
    CorrectionNotice.objects.filter(pk=notice.pk).update(
        resolved_at=dt.datetime(2026, 9, 29, 14, tzinfo=beijing)
    )
    sub = SubCase.objects.get(pk=sub.pk)
    # Resubmitted Tue 29 Sep: Wed 30 Sep 1, [1–7 Oct off], 8, 9 Oct 2–3, Sat 10 Oct
    # (make-up) 4, Mon 12 Oct 5.
    again = clocks.acceptance_clock(sub).read(dt.datetime(2026, 10, 9, 10, tzinfo=beijing))
    assert (again.due_date, again.elapsed, again.state) == (
        dt.date(2026, 10, 12),
        2,
        ClockState.ON_TIME,
    )
    assert deadlines.reading(sub, dt.datetime(2026, 10, 13, 0, 1, tzinfo=beijing)) == "overdue"
    assert deadlines.reading(sub, dt.datetime(2026, 10, 12, 23, tzinfo=beijing)) == "on_time"
