"""Two officials acting on the same work item at once: exactly one wins, the other is told.

Real transactions in two threads, each with its own database connection (on PostgreSQL
the instance row lock serialises them; on SQLite the IMMEDIATE transaction does).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from tongban.cases import actions
from tongban.cases.actions import ActionInput
from tongban.cases.models import CaseEvent, SubCaseStatus, WorkItem, WorkKind, WorkStatus
from tongban.cases.transitions import Action
from tongban.core.errors import ServiceError


@pytest.mark.django_db(transaction=True)
def test_two_officials_accepting_at_once_one_wins(world):
    case = world.submit()
    work = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT, status=WorkStatus.OPEN)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def official(name, user, action):
        try:
            barrier.wait(timeout=10)
            actions.act(work.pk, ActionInput(action, note="x", legal_basis="y"), actor=user)
            results[name] = "ok"
        except ServiceError as exc:
            results[name] = " ".join(m for msgs in exc.message_dict.values() for m in msgs)
        except BaseException as exc:  # reported below
            results[name] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=official, args=("clerk", world.clerk_a, Action.ACCEPT)),
        threading.Thread(target=official, args=("leader", world.leader_a, Action.NOT_ACCEPT)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    outcomes = sorted(str(v) for v in results.values())
    assert len(results) == 2
    winners = [name for name, value in results.items() if value == "ok"]
    assert len(winners) == 1, results
    loser = next(value for value in results.values() if value != "ok")
    assert isinstance(loser, str) and ("already completed" in loser or "已由" in loser), outcomes
    sub = case.subcases.get()
    expected = SubCaseStatus.IN_REVIEW if winners == ["clerk"] else SubCaseStatus.NOT_ACCEPTED
    assert sub.status == expected
    # Exactly one decision in the history, one closed accept step.
    assert CaseEvent.objects.filter(case=case, action__in=["accept", "not_accept"]).count() == 1
    assert (
        WorkItem.objects.filter(case=case, kind=WorkKind.ACCEPT, status=WorkStatus.DONE).count()
        == 1
    )
