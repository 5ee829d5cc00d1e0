"""The answer clock of a share request, listed in the platform's clock registry.

A provider answers a request for conditional data within ``TONGBAN_EXCHANGE_DECISION_DAYS``
working days (default 10, as the Shandong rules under 国发〔2016〕51号 say). The request
stores when it was submitted and its due day, read from this clock at submission; the
clock runs while the request waits for the provider.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse

from tongban.workdays import calc
from tongban.workdays import clocks as registry
from tongban.workdays.clocks import RunningClock

from .models import RequestStatus, ShareRequest

DEFAULT_DECISION_DAYS = 10


def decision_days() -> int:
    """The working days a provider has to answer (the setting, at least 1)."""
    value = getattr(settings, "TONGBAN_EXCHANGE_DECISION_DAYS", DEFAULT_DECISION_DAYS)
    return max(1, int(value))


def answer_clock(submitted_at: dt.datetime, days: int | None = None) -> calc.Clock:
    """The working-day clock of a request submitted at ``submitted_at``."""
    return calc.Clock(submitted_at, decision_days() if days is None else days)


def stored_clock(request: ShareRequest, *, calendar: calc.WorkCalendar | None = None) -> calc.Clock:
    """The clock of a stored request: from its submission to its stored due day."""
    return calc.Clock.until(request.submitted_at, request.due_on, calendar=calendar)


def running_clocks() -> Iterator[RunningClock]:
    """Every request still waiting for its provider's answer."""
    rows = (
        ShareRequest.objects.filter(status=RequestStatus.SUBMITTED)
        .select_related("resource")
        .order_by("pk")
    )
    calendar = calc.current_calendar()
    for row in rows.iterator(chunk_size=500):
        yield RunningClock(
            key=f"exchange.request:{row.pk}",
            kind="share_request",
            label=f"{row.resource.code} #{row.pk}",
            clock=stored_clock(row, calendar=calendar),
            owner_id=row.resource.department_id,
            link=reverse("exchange:request", args=[row.pk]),
        )


def register_running_clocks() -> None:
    """List the requests' clocks in the platform's registry (``ExchangeConfig.ready``)."""
    registry.register("exchange.requests", running_clocks)
