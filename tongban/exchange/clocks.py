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


# --- the answer clock of a data correction (数据纠错) ---------------------------------------
# The provider checks a reported value and answers within TONGBAN_EXCHANGE_CORRECTION_DAYS
# working days. 国发〔2016〕51号 and the 2025 政务数据共享条例 say only that the provider
# checks and answers promptly (及时), with no number: the default of 5 is local practice.

from .models import CorrectionStatus, DataCorrection  # noqa: E402 (appended section)

DEFAULT_CORRECTION_DAYS = 5


def correction_days() -> int:
    """The working days a provider has to answer a data correction (the setting, at least 1)."""
    value = getattr(settings, "TONGBAN_EXCHANGE_CORRECTION_DAYS", DEFAULT_CORRECTION_DAYS)
    return max(1, int(value))


def correction_clock(submitted_at: dt.datetime, days: int | None = None) -> calc.Clock:
    """The working-day clock of a correction reported at ``submitted_at``."""
    return calc.Clock(submitted_at, correction_days() if days is None else days)


def stored_correction_clock(
    correction: DataCorrection, *, calendar: calc.WorkCalendar | None = None
) -> calc.Clock:
    """The clock of a stored correction: from its report to its stored due day."""
    return calc.Clock.until(correction.submitted_at, correction.due_on, calendar=calendar)


def running_correction_clocks() -> Iterator[RunningClock]:
    """Every correction still waiting for the provider's answer."""
    rows = (
        DataCorrection.objects.filter(status=CorrectionStatus.OPEN)
        .select_related("resource")
        .order_by("pk")
    )
    calendar = calc.current_calendar()
    for row in rows.iterator(chunk_size=500):
        yield RunningClock(
            key=f"exchange.correction:{row.pk}",
            kind="data_correction",
            label=f"{row.resource.code} #{row.pk}",
            clock=stored_correction_clock(row, calendar=calendar),
            owner_id=row.resource.department_id,
            link=reverse("exchange:correction", args=[row.pk]),
        )


def register_correction_clocks() -> None:
    """List the corrections' clocks in the platform's registry (``ExchangeConfig.ready``)."""
    registry.register("exchange.corrections", running_correction_clocks)


# --- the answer clock of a report of a data access (数据使用记录异议; helper "dal") ---------
# A person reports a read of their data they think wrong; the data authority answers within
# TONGBAN_EXCHANGE_ACCESS_REPORT_DAYS working days (default 10, the answer time the rules
# give a provider for a share request; no rule names one for these reports).

from .models import AccessReport, AccessReportStatus  # noqa: E402 (appended section)

DEFAULT_ACCESS_REPORT_DAYS = 10


def access_report_days() -> int:
    """The working days the data authority has to answer a report (the setting, at least 1)."""
    value = getattr(settings, "TONGBAN_EXCHANGE_ACCESS_REPORT_DAYS", DEFAULT_ACCESS_REPORT_DAYS)
    return max(1, int(value))


def access_report_clock(submitted_at: dt.datetime, days: int | None = None) -> calc.Clock:
    """The working-day clock of a report of an access made at ``submitted_at``."""
    return calc.Clock(submitted_at, access_report_days() if days is None else days)


def stored_access_report_clock(
    report: AccessReport, *, calendar: calc.WorkCalendar | None = None
) -> calc.Clock:
    """The clock of a stored report: from its submission to its stored due day."""
    return calc.Clock.until(report.submitted_at, report.due_on, calendar=calendar)


def running_access_report_clocks() -> Iterator[RunningClock]:
    """Every report of an access still waiting for the data authority's answer."""
    from .queries import data_authority

    authority = data_authority()
    rows = AccessReport.objects.filter(status=AccessReportStatus.OPEN).order_by("pk")
    calendar = calc.current_calendar()
    for row in rows.iterator(chunk_size=500):
        yield RunningClock(
            key=f"exchange.access_report:{row.pk}",
            kind="access_report",
            label=f"#{row.pk}",
            clock=stored_access_report_clock(row, calendar=calendar),
            owner_id=authority.pk if authority is not None else None,
            link=reverse("exchange:access_report", args=[row.pk]),
        )


def register_access_report_clocks() -> None:
    """List the reports' clocks in the platform's registry (``ExchangeConfig.ready``)."""
    registry.register("exchange.access_reports", running_access_report_clocks)
