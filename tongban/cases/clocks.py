"""A sub-case's due dates: set at submission and acceptance, moved by pauses."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tongban.catalog.models import TimeUnit
from tongban.workdays import calc

from .models import (
    SubCase,
)

#: 行政许可法 Art. 32: a correction notice before acceptance within 5 working days of receipt,
#: or the application counts as accepted on receipt.
ACCEPTANCE_DAYS = 5


def limit_days(limit: int | None, unit: str) -> int | None:
    """A catalogue time limit in working days (calendar days converted at 5/7, a month
    counted as 21 working days: the catalogue's own unit stays what is published)."""
    if limit is None:
        return None
    if unit == TimeUnit.WORKING_DAYS:
        return limit
    if unit == TimeUnit.CALENDAR_DAYS:
        return max(1, (limit * 5) // 7)
    if unit == TimeUnit.MONTHS:
        return limit * 21
    return limit


def restart_clock(sub: SubCase, now: dt.datetime) -> None:
    """Time limits run from acceptance (the day itself not counted)."""
    today = timezone.localdate(now)
    provisional = False
    if sub.promised_days is not None:
        due = calc.add_working_days(today, sub.promised_days)
        sub.promised_due, provisional = due.date, due.provisional
    if sub.statutory_days is not None:
        due = calc.add_working_days(today, sub.statutory_days)
        sub.statutory_due = due.date
        provisional = provisional or due.provisional
    sub.due_provisional = provisional


def end_pauses(sub: SubCase, now: dt.datetime) -> None:
    """Close open pauses and move the due dates by the working days they lasted."""
    for pause in sub.pauses.filter(ended_at__isnull=True):
        pause.ended_at = now
        pause.save(update_fields=["ended_at"])
        paused = calc.working_days_between(
            timezone.localdate(pause.started_at), timezone.localdate(now)
        )
        if paused <= 0:
            continue
        if sub.promised_due:
            sub.promised_due = calc.add_working_days(sub.promised_due, paused).date
        if sub.statutory_due:
            sub.statutory_due = calc.add_working_days(sub.statutory_due, paused).date
