"""The rectification tickets' clocks (差评整改), listed in the platform's clock registry.

A ticket stores when it was opened and its due day (``TONGBAN_RATING_FIX_DAYS`` working
days later, as set then); its clock is the working-day clock from the first to the second.
It runs until the rater has been answered.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse

from tongban.workdays import calc
from tongban.workdays import clocks as registry
from tongban.workdays.clocks import RunningClock

from .models import Rectification


def ticket_clock(ticket: Rectification) -> calc.Clock:
    """The ticket's working-day clock: opened at ``opened_at``, due on ``due_on``."""
    return calc.Clock.until(ticket.opened_at, ticket.due_on)


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
