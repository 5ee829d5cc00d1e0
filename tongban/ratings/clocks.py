"""The rectification tickets' clocks (差评整改), listed in the platform's clock registry.

A ticket stores when it was opened and its due day (``TONGBAN_RATING_FIX_DAYS`` working
days later, as set then); its clock is the working-day clock from the first to the second.
It runs until the rater has been answered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from enum import StrEnum

from django.urls import reverse

from tongban.workdays import calc
from tongban.workdays import clocks as registry
from tongban.workdays.clocks import RunningClock

from .models import Rectification


def ticket_clock(ticket: Rectification, *, calendar: calc.WorkCalendar | None = None) -> calc.Clock:
    """The ticket's working-day clock: opened at ``opened_at``, due on ``due_on``."""
    return calc.Clock.until(ticket.opened_at, ticket.due_on, calendar=calendar)


class Outcome(StrEnum):
    """Where a ticket stands for the statistics (实名差评整改率)."""

    FIXED_IN_TIME = "fixed_in_time"  # answered before its clock ran out
    LATE = "late"  # answered after its clock ran out, or unanswered and past it
    IN_PROGRESS = "in_progress"  # unanswered, its clock still running: neither yet


def outcome(
    opened_at: dt.datetime,
    due_on: dt.date,
    replied_at: dt.datetime | None,
    now: dt.datetime,
    *,
    calendar: calc.WorkCalendar,
) -> Outcome:
    """The outcome of a ticket opened at ``opened_at``, due on ``due_on``, answered at
    ``replied_at`` (``None``: not yet), read at ``now`` on its working-day clock. A ticket
    is late only once its clock reads overdue: before that, unanswered, it is in progress."""
    clock = calc.Clock.until(opened_at, due_on, calendar=calendar)
    state = clock.read(replied_at or now, calendar=calendar).state
    if state == calc.ClockState.OVERDUE:
        return Outcome.LATE
    return Outcome.FIXED_IN_TIME if replied_at is not None else Outcome.IN_PROGRESS


def running_clocks() -> Iterator[RunningClock]:
    """Every ticket not yet answered, closed, or excluded with its rating."""
    tickets = (
        Rectification.objects.filter(
            replied_at__isnull=True, closed_at__isnull=True, rating__excluded=False
        )
        .select_related("rating__case")
        .order_by("pk")
    )
    calendar = calc.current_calendar()
    for ticket in tickets.iterator(chunk_size=500):
        yield RunningClock(
            key=f"ratings.rectification:{ticket.pk}",
            kind="rectification",
            label=ticket.rating.case.number,
            clock=calc.Clock.until(ticket.opened_at, ticket.due_on, calendar=calendar),
            owner_id=ticket.department_id,
            link=reverse("ratings:ticket", args=[ticket.pk]),
        )


def register_running_clocks() -> None:
    """List the tickets' clocks in the platform's registry (``RatingsConfig.ready``)."""
    registry.register("ratings.rectifications", running_clocks)
