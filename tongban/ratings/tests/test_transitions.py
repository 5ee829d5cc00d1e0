"""Every (state × action) of a rectification ticket and of an appeal, written out by hand,
tried with ``move`` on real rows; and the services' moves that only they make."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone

from tongban.core.errors import ServiceError
from tongban.core.models import AuditRecord, StatusChange
from tongban.core.transitions import history, move
from tongban.ratings import services
from tongban.ratings.models import Appeal, Level, Rating, Rectification, Step
from tongban.ratings.services import RatingInput
from tongban.ratings.transitions import APPEAL, TICKET
from tongban.workdays import calc

pytestmark = pytest.mark.django_db

TICKET_ACTIONS = ("call_back", "fix", "reply", "close", "escalate", "exclude")
# (state, action) -> state after; anything not listed is refused.
TICKET_EXPECTED = {
    ("open", "call_back"): "called_back",
    ("open", "escalate"): "escalated",
    ("open", "exclude"): "closed",
    ("called_back", "fix"): "fixed",
    ("called_back", "escalate"): "escalated",
    ("called_back", "exclude"): "closed",
    ("fixed", "reply"): "replied",
    ("fixed", "escalate"): "escalated",
    ("fixed", "exclude"): "closed",
    ("escalated", "call_back"): "escalated",
    ("escalated", "fix"): "escalated",
    ("escalated", "reply"): "replied",
    ("escalated", "exclude"): "closed",
    ("replied", "close"): "closed",
    ("replied", "exclude"): "closed",
}
TICKET_STATES = ("open", "called_back", "fixed", "replied", "closed", "escalated")
# How each state is reached from a newly opened ticket.
TICKET_PATH = {
    "open": [],
    "called_back": ["call_back"],
    "fixed": ["call_back", "fix"],
    "replied": ["call_back", "fix", "reply"],
    "closed": ["call_back", "fix", "reply", "close"],
    "escalated": ["escalate"],
}
APPEAL_EXPECTED = {
    ("pending", "accept"): "accepted",
    ("pending", "refuse"): "refused",
}
APPEAL_STATES, APPEAL_ACTIONS = ("pending", "accepted", "refused"), ("accept", "refuse")


def bad_ratings(world) -> Iterator[Rating]:
    """Bad ratings of new (unfinished) cases: the moves do not look at the case."""
    while True:
        case = world.submit()
        sub = case.subcases.get()
        for step, subcase in ((Step.CASE, None), (Step.CORRECTION, None), (Step.DECISION, sub)):
            yield Rating.objects.create(
                case=case, subcase=subcase, step=step, department=sub.department,
                rater=case.applicant, level=Level.DISSATISFIED, created_at=timezone.now(),
            )  # fmt: skip


def new_ticket(ratings: Iterator[Rating]) -> Rectification:
    rating = next(ratings)
    return Rectification.objects.create(
        rating=rating, department=rating.department, opened_at=timezone.now(),
        due_on=timezone.localdate(),
    )  # fmt: skip


def ticket_in(state: str, ratings: Iterator[Rating], actor) -> Rectification:
    ticket = new_ticket(ratings)
    for step in TICKET_PATH[state]:
        move(ticket, TICKET, step, actor=actor)
    assert Rectification.objects.get(pk=ticket.pk).status == state
    return ticket


def test_the_tables_are_the_oracles() -> None:
    assert TICKET.moves == TICKET_EXPECTED
    assert APPEAL.moves == APPEAL_EXPECTED


def test_every_ticket_state_and_action(world) -> None:
    ratings = bad_ratings(world)
    actor = world.leader_a
    for state in TICKET_STATES:
        # Refused moves change nothing, so one ticket serves them all.
        ticket = ticket_in(state, ratings, actor)
        counts = StatusChange.objects.count(), AuditRecord.objects.count()
        for action in TICKET_ACTIONS:
            if (state, action) in TICKET_EXPECTED:
                continue
            with pytest.raises(ServiceError):
                move(ticket, TICKET, action, actor=actor)
            assert Rectification.objects.get(pk=ticket.pk).status == state, action
        assert (StatusChange.objects.count(), AuditRecord.objects.count()) == counts
        for action in TICKET_ACTIONS:
            expected = TICKET_EXPECTED.get((state, action))
            if expected is None:
                continue
            fresh = ticket_in(state, ratings, actor)
            assert move(fresh, TICKET, action, actor=actor) == expected
            assert Rectification.objects.get(pk=fresh.pk).status == expected, (state, action)
            last = list(history(fresh))[-1]
            assert (last.from_state, last.action, last.to_state) == (state, action, expected)


def test_every_appeal_state_and_action(world, ratings_admin) -> None:
    ratings = bad_ratings(world)
    decided = {}
    for action, expected in (("accept", "accepted"), ("refuse", "refused")):
        appeal = Appeal.objects.create(
            rating=next(ratings), department=world.item_a.department,
            requested_by=world.leader_a, reason="恶意差评", requested_at=timezone.now(),
        )  # fmt: skip
        assert move(appeal, APPEAL, action, actor=ratings_admin) == expected
        assert Appeal.objects.get(pk=appeal.pk).status == APPEAL_EXPECTED[("pending", action)]
        decided[expected] = appeal
    for state in ("accepted", "refused"):
        appeal = decided[state]
        for action in APPEAL_ACTIONS:
            assert (state, action) not in APPEAL_EXPECTED
            with pytest.raises(ServiceError):
                move(appeal, APPEAL, action, actor=ratings_admin)
            assert Appeal.objects.get(pk=appeal.pk).status == state


def test_an_accepted_appeal_closes_an_escalated_ticket(done, world, ratings_admin) -> None:
    rating = services.rate(done, RatingInput(level=Level.DISSATISFIED, reason="慢"),
                           actor=done.applicant)  # fmt: skip
    ticket = rating.rectification
    later = calc.deadline_at(ticket.due_on) + dt.timedelta(days=1)
    assert services.escalate_overdue(later) == [ticket.pk]
    appeal = services.request_appeal(rating, actor=world.leader_a,
                                     reason="评价内容与办理事项无关，系恶意差评。")  # fmt: skip
    services.decide_appeal(appeal, actor=ratings_admin, accept=True, note="属实")
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.closed_at is not None
    steps = [(c.action, c.from_state, c.to_state) for c in history(ticket)]
    assert steps == [("escalate", "open", "escalated"), ("exclude", "escalated", "closed")]
    assert AuditRecord.objects.filter(action="ratings.ticket_excluded").count() == 1
    assert [(c.action, c.to_state) for c in history(appeal)] == [("accept", "accepted")]


def test_two_officials_calling_back_an_escalated_ticket_at_once(done, world) -> None:
    """The status stays "escalated", so the version decides: the second is told."""
    rating = services.rate(done, RatingInput(level=Level.DISSATISFIED, reason="慢"),
                           actor=done.applicant)  # fmt: skip
    ticket = rating.rectification
    services.escalate_overdue(calc.deadline_at(ticket.due_on) + dt.timedelta(days=1))
    first, second = (Rectification.objects.get(pk=ticket.pk) for _n in range(2))
    services.record_call_back(first, actor=world.leader_a, note="回访一", version=1)
    with pytest.raises(ServiceError) as err:
        services.record_call_back(second, actor=world.reviewer_a, note="回访二", version=1)
    assert "ticket" in err.value.message_dict
    ticket.refresh_from_db()
    assert (ticket.status, ticket.call_back_note) == ("escalated", "回访一")
