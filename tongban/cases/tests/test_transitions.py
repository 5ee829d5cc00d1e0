"""The guarded transitions of cases, sub-cases and work items, and the applicant's withdrawal.

The oracles below are written out by hand, one row per state and one column per action
("-" = refused); they are never read from ``tongban.cases.transitions``. Each pair is tried
through ``move`` on real rows.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import actions, deadlines, queries, services
from tongban.cases.actions import ActionInput
from tongban.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    ClockPause,
    CorrectionNotice,
    ProcessInstance,
    SubCase,
    SubCaseStatus,
    WorkItem,
    WorkKind,
    WorkStatus,
)
from tongban.cases.transitions import (
    CASE,
    SUBCASE,
    WORK,
    Action,
    case_status_for,
)
from tongban.core.errors import ServiceError
from tongban.core.models import AuditRecord, StatusChange
from tongban.core.transitions import history, move

pytestmark = pytest.mark.django_db

SUBCASE_ORACLE = """
state              accept     not_accept    correction         forward    approve   reject    transfer  start_special  end_special  resubmit   withdraw   comment  wait     prerequisite_met  prerequisite_refused
waiting            -          -             -                  -          -         -         -         -              -            -          withdrawn  -        -        received          not_started
received           in_review  not_accepted  correction_before  -          -         -         received  -              -            -          withdrawn  -        waiting  -                 -
correction_before  -          -             -                  -          -         -         -         -              -            received   withdrawn  -        -        -                 -
in_review          -          -             correction         in_review  approved  rejected  -         special        -            -          withdrawn  -        -        -                 -
correction         -          -             -                  -          -         -         -         -              -            in_review  withdrawn  -        -        -                 -
special            -          -             -                  -          -         -         -         -              in_review    -          withdrawn  -        -        -                 -
approved           -          -             -                  -          -         -         -         -              -            -          -          -        -        -                 -
rejected           -          -             -                  -          -         -         -         -              -            -          -          -        -        -                 -
not_accepted       -          -             -                  -          -         -         -         -              -            -          -          -        -        -                 -
withdrawn          -          -             -                  -          -         -         -         -              -            -          -          -        -        -                 -
not_started        -          -             -                  -          -         -         -         -              -            -          -          -        -        -                 -
"""  # noqa: E501

CASE_ORACLE = """
state        progress     await_correction  await_acceptance  complete   withdraw
submitted    in_progress  correction        -                 completed  withdrawn
in_progress  -            correction        -                 completed  withdrawn
correction   in_progress  -                 submitted         -          withdrawn
completed    -            -                 -                 -          -
withdrawn    -            -                 -                 -          -
"""

WORK_ORACLE = """
state      complete  cancel
open       done      cancelled
done       -         -
cancelled  -         -
"""


def _grid(text: str) -> dict[tuple[str, str], str | None]:
    rows = [line.split() for line in text.strip().splitlines()]
    actions_ = rows[0][1:]
    return {
        (row[0], action): (None if cell == "-" else cell)
        for row in rows[1:]
        for action, cell in zip(actions_, row[1:], strict=True)
    }


def _walk(row, table, oracle: str, states: list[str], actor) -> None:
    grid = _grid(oracle)
    assert {s for s, _a in grid} == set(states)  # every state of the model has a row
    assert set(table.actions) <= {a for _s, a in grid}  # no action of the table goes untried
    model = type(row)
    for (state, action), expected in grid.items():
        model.objects.filter(pk=row.pk).update(status=state)
        row.refresh_from_db()
        changes = StatusChange.objects.count()
        if expected is None:
            with pytest.raises(ServiceError):
                move(row, table, action, actor=actor)
            row.refresh_from_db()
            assert row.status == state, (state, action)
            assert StatusChange.objects.count() == changes, (state, action)
            continue
        assert move(row, table, action, actor=actor) == expected, (state, action)
        row.refresh_from_db()
        assert row.status == expected, (state, action)
        last = StatusChange.objects.order_by("-pk").first()
        assert (last.action, last.from_state, last.to_state) == (action, state, expected)


def test_every_subcase_state_and_action(world):
    case = world.submit()
    _walk(
        case.subcases.get(),
        SUBCASE,
        SUBCASE_ORACLE,
        [
            "waiting", "received", "correction_before", "in_review", "correction", "special",
            "approved", "rejected", "not_accepted", "withdrawn", "not_started",
        ],
        world.clerk_a,
    )  # fmt: skip


def test_every_case_state_and_action(world):
    case = world.submit()
    states = ["submitted", "in_progress", "correction", "completed", "withdrawn"]
    _walk(case, CASE, CASE_ORACLE, states, world.applicant)


def test_every_work_item_state_and_action(world):
    case = world.submit()
    work = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT)
    _walk(work, WORK, WORK_ORACLE, ["open", "done", "cancelled"], world.clerk_a)


def test_a_move_from_a_stale_state_is_refused_and_changes_nothing(world):
    case = world.submit()
    sub = case.subcases.get()
    stale = SubCase.objects.get(pk=sub.pk)
    move(sub, SUBCASE, Action.ACCEPT, actor=world.clerk_a)
    with pytest.raises(ServiceError) as err:  # the stale copy still thinks "received"
        move(stale, SUBCASE, Action.NOT_ACCEPT, actor=world.clerk_a)
    assert "same time" in str(err.value) or "同时" in str(err.value)
    assert SubCase.objects.get(pk=sub.pk).status == "in_review"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["received"], "submitted"),
        (["received", "received"], "submitted"),
        (["in_review", "received"], "in_progress"),
        (["special", "approved"], "in_progress"),
        (["not_accepted", "received"], "in_progress"),
        (["correction_before", "in_review"], "correction"),
        (["approved", "correction"], "correction"),
        (["approved", "rejected"], "completed"),
        (["not_accepted"], "completed"),
        (["withdrawn", "withdrawn"], "withdrawn"),
    ],
)
def test_case_status_follows_its_subcases(statuses, expected):
    assert case_status_for(statuses) == expected


def _open(case: Case, kind: str, sub: SubCase | None = None) -> WorkItem:
    rows = WorkItem.objects.filter(case=case, kind=kind, status=WorkStatus.OPEN)
    return rows.get(subcase=sub) if sub is not None else rows.get()


def _act(work: WorkItem, action: str, actor, **kw) -> WorkItem:
    return actions.act(work.pk, ActionInput(action, **kw), actor=actor)


def test_a_case_run_leaves_every_status_change_in_the_history(world):
    case = world.submit()
    sub = case.subcases.get()
    _act(_open(case, WorkKind.ACCEPT), Action.CORRECTION, world.clerk_a,
         corrections=[{"material": "m", "reason": "r"}])  # fmt: skip
    actions.resubmit_correction(case, {}, actor=world.applicant)
    accept = _open(case, WorkKind.ACCEPT)
    _act(accept, Action.ACCEPT, world.clerk_a)
    _act(_open(case, WorkKind.REVIEW), Action.FORWARD, world.reviewer_a)
    _act(_open(case, WorkKind.DECIDE), Action.APPROVE, world.leader_a, note="ok")
    case.refresh_from_db()
    assert [c.action for c in history(sub)] == ["correction", "resubmit", "accept", "approve"]
    assert [(c.from_state, c.to_state) for c in history(case)] == [
        ("submitted", "correction"),
        ("correction", "submitted"),
        ("submitted", "in_progress"),
        ("in_progress", "completed"),
    ]
    assert [c.action for c in history(accept)] == ["complete"]
    assert history(accept)[0].actor == world.clerk_a
    # The action's own audit name stays, written once with the sub-case's move.
    assert AuditRecord.objects.filter(action="cases.accept").count() == 1
    assert AuditRecord.objects.filter(action="cases.forward").count() == 1
    assert not AuditRecord.objects.filter(action="cases.subcase.accept").exists()


# --- withdrawal (撤回申请) ------------------------------------------------------------------


def _half_way(world) -> Case:
    """A bundle: department A accepted and reviews; department B asked for a correction."""
    case = world.submit(world.bundle)
    sub_a, sub_b = case.subcases.order_by("pk")
    _act(_open(case, WorkKind.ACCEPT, sub_a), Action.ACCEPT, world.clerk_a)
    _act(_open(case, WorkKind.ACCEPT, sub_b), Action.CORRECTION, world.all_b,
         corrections=[{"material": "m", "reason": "r"}])  # fmt: skip
    return case


def test_the_applicant_withdraws_before_any_decision(world):
    case = _half_way(world)
    assert case.work_items.filter(status=WorkStatus.OPEN).count() == 2  # review A, correct B
    services.withdraw(case, actor=world.applicant, reason="不再需要")
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and case.completed_at is None
    assert set(case.subcases.values_list("status", flat=True)) == {SubCaseStatus.WITHDRAWN}
    assert not case.work_items.filter(status=WorkStatus.OPEN).exists()
    assert case.work_items.filter(status=WorkStatus.CANCELLED).count() == 2
    instance = ProcessInstance.objects.get(case=case)
    assert instance.completed and instance.next_due_at is None
    event = CaseEvent.objects.get(case=case, action="withdrawn")
    assert event.public and event.note == "不再需要" and event.actor == world.applicant
    assert [c.action for c in history(case)][-1] == "withdraw"
    record = AuditRecord.objects.get(action="cases.withdraw")
    assert "不再需要" not in str(record.meta)  # the reason is in the history, not the audit
    assert not ClockPause.objects.filter(subcase__case=case, ended_at__isnull=True).exists()
    # The correction asked of the applicant is settled, not left owed on a withdrawn case.
    assert not CorrectionNotice.objects.filter(
        subcase__case=case, resolved_at__isnull=True
    ).exists()
    # An official's late action on a cancelled step is refused and changes nothing.
    review = case.work_items.get(kind=WorkKind.REVIEW)
    with pytest.raises(ServiceError) as err:
        _act(review, Action.FORWARD, world.reviewer_a)
    assert "cancelled" in str(err.value) or "取消" in str(err.value)
    with pytest.raises(ServiceError):  # and so is withdrawing twice
        services.withdraw(case, actor=world.applicant)


def test_withdrawal_is_refused_after_a_decision(world):
    case = world.submit(world.bundle)
    sub_a, _sub_b = case.subcases.order_by("pk")
    _act(_open(case, WorkKind.ACCEPT, sub_a), Action.NOT_ACCEPT, world.clerk_a,
         note="不属于受理范围", legal_basis="《测试法》第一条")  # fmt: skip
    open_before = case.work_items.filter(status=WorkStatus.OPEN).count()
    with pytest.raises(ServiceError) as err:
        services.withdraw(case, actor=world.applicant)
    assert "decided" in str(err.value) or "决定" in str(err.value)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.work_items.filter(status=WorkStatus.OPEN).count() == open_before == 1
    assert not CaseEvent.objects.filter(case=case, action="withdrawn").exists()


def test_withdrawal_is_refused_for_someone_elses_case(world, other_citizen):
    case = world.submit()
    with pytest.raises(ServiceError) as err:
        services.withdraw(case, actor=other_citizen)
    assert "someone else" in str(err.value) or "不属于您" in str(err.value)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.work_items.filter(status=WorkStatus.OPEN).count() == 1


def test_a_withdrawn_case_leaves_the_officials_inbox(world):
    case = world.submit(world.bundle)
    assert queries.inbox(world.clerk_a).filter(case=case).exists()
    assert queries.inbox(world.all_b).filter(case=case).exists()
    services.withdraw(case, actor=world.applicant)
    assert not queries.inbox(world.clerk_a).filter(case=case).exists()
    assert not queries.inbox(world.all_b).filter(case=case).exists()
    told = AuditRecord.objects.filter(action="alert.cases.withdrawn")
    assert sorted(r.meta["department"] for r in told) == sorted(
        case.subcases.values_list("department_id", flat=True)
    )


def test_the_deadline_sweep_and_timers_leave_a_withdrawn_case_alone(world):
    case = world.submit()
    sub = case.subcases.get()
    now = services.timezone.now()
    # A timer that would be due: firing it would step the engine and reopen its steps.
    ProcessInstance.objects.filter(case=case).update(next_due_at=now - dt.timedelta(days=1))
    services.withdraw(case, actor=world.applicant)
    state = ProcessInstance.objects.get(case=case).state
    much_later = dt.datetime.combine(
        sub.acceptance_due + dt.timedelta(days=60), dt.time(10), dt.UTC
    )
    result = deadlines.sweep(much_later)
    assert result.timers_fired == 0 and result.escalated == [] and result.warned == []
    sub.refresh_from_db()
    assert sub.status == SubCaseStatus.WITHDRAWN and sub.deadline_state == "on_time"
    assert ProcessInstance.objects.get(case=case).state == state
    assert not case.work_items.filter(status=WorkStatus.OPEN).exists()
    assert not CaseEvent.objects.filter(case=case, action="escalated").exists()
