"""A sub-case's clocks (``tongban.workdays.calc.Clock``): built from its stored moments.

Three limits run on a matter, each a working-day clock:

* **acceptance** (行政许可法 Art. 32): five working days from receipt to accept it or send a
  correction notice (补正告知); a correction notice before acceptance stops it, and the
  complete resubmission restarts it (the whole five days again);
* **promised** (承诺时限) and **statutory** (法定时限): from acceptance, stopped during
  corrections in review and special procedures (``ClockPause`` rows, Art. 45).

The due dates stored on the sub-case (``acceptance_due``, ``promised_due``,
``statutory_due``; work items copy them) are these clocks' readings, written when a clock
starts, restarts or resumes; the deadline sweep and supervision read the clocks themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse

from tongban.catalog.models import TimeUnit
from tongban.workdays import calc
from tongban.workdays import clocks as registry
from tongban.workdays.clocks import RunningClock

from .models import (
    FINAL_SUBCASE_STATES,
    CorrectionStage,
    SubCase,
    WorkItem,
    WorkStatus,
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


def _pauses(sub: SubCase) -> tuple[calc.Pause, ...]:
    # ``.all()`` so that a prefetch (the sweep, supervision) is used.
    rows = sorted(sub.pauses.all(), key=lambda pause: pause.started_at)
    return tuple(calc.Pause(row.started_at, row.ended_at) for row in rows)


def acceptance_clock(sub: SubCase) -> calc.Clock:
    """The Art. 32 clock: from receipt, restarted by the last complete resubmission after a
    correction notice before acceptance, stopped while such a notice is open."""
    clock = calc.Clock(sub.received_at, ACCEPTANCE_DAYS)
    before = sorted(
        (c for c in sub.corrections.all() if c.stage == CorrectionStage.BEFORE_ACCEPTANCE),
        key=lambda notice: notice.issued_at,
    )
    for notice in before:
        if notice.resolved_at is None:
            return clock.paused(max(notice.issued_at, clock.started_at))
        clock = clock.restarted(notice.resolved_at)
    return clock


def _limit_clock(sub: SubCase, days: int | None) -> calc.Clock | None:
    if days is None:
        return None
    # Before acceptance the limits are shown counted from receipt; acceptance restarts them.
    return calc.Clock(sub.accepted_at or sub.received_at, days, _pauses(sub))


def promised_clock(sub: SubCase) -> calc.Clock | None:
    """The promised limit's clock (``None`` when the item promises none)."""
    return _limit_clock(sub, sub.promised_days)


def statutory_clock(sub: SubCase) -> calc.Clock | None:
    """The statutory limit's clock (``None`` when the item has none)."""
    return _limit_clock(sub, sub.statutory_days)


def restart_clock(sub: SubCase, now: dt.datetime) -> None:
    """Start the promised and statutory clocks at acceptance (``now``, the day itself not
    counted) and store their due dates."""
    provisional = False
    if sub.promised_days is not None:
        due = calc.Clock(now, sub.promised_days).due(now)
        sub.promised_due, provisional = due.date, due.provisional
    if sub.statutory_days is not None:
        due = calc.Clock(now, sub.statutory_days).due(now)
        sub.statutory_due = due.date
        provisional = provisional or due.provisional
    sub.due_provisional = provisional


def restart_acceptance_clock(sub: SubCase, now: dt.datetime) -> None:
    """A complete resubmission after a correction notice before acceptance restarts the
    five days for acceptance from ``now``; store the new due date."""
    clock = calc.Clock(sub.received_at, ACCEPTANCE_DAYS).restarted(now)
    sub.acceptance_due = clock.due(now).date


def end_pauses(sub: SubCase, now: dt.datetime) -> None:
    """Close the open pauses at ``now`` and store the due dates the clocks show with them:
    the working days a pause lasted move a deadline that had not passed when it began."""
    open_pauses = list(sub.pauses.filter(ended_at__isnull=True))
    if not open_pauses:
        return
    for pause in open_pauses:
        pause.ended_at = now
        pause.save(update_fields=["ended_at"])
    pauses = tuple(
        calc.Pause(row.started_at, row.ended_at) for row in sub.pauses.order_by("started_at")
    )
    start = sub.accepted_at or sub.received_at
    provisional = False
    for days, name in ((sub.promised_days, "promised_due"), (sub.statutory_days, "statutory_due")):
        if days is None or getattr(sub, name) is None:
            continue
        due = calc.Clock(start, days, pauses).due(now)
        setattr(sub, name, due.date)
        provisional = provisional or due.provisional
    sub.due_provisional = provisional


# --- the running clocks, for supervision ------------------------------------------------


def running_clocks() -> Iterator[RunningClock]:
    """Every open matter's running clocks: the acceptance clock until it is accepted, then
    the promised and statutory clocks (registered as ``cases.subcases``)."""
    subs = (
        SubCase.objects.exclude(status__in=FINAL_SUBCASE_STATES)
        .select_related("case", "item")
        .prefetch_related("pauses", "corrections")
        .order_by("pk")
    )
    links = dict(
        WorkItem.objects.filter(status=WorkStatus.OPEN, subcase__isnull=False)
        .order_by("pk")
        .values_list("subcase_id", "pk")
    )
    for sub in subs.iterator(chunk_size=500):
        label = f"{sub.case.number} {sub.item.display_name}"
        work = links.get(sub.pk)
        link = reverse("cases:work_item", args=[work]) if work else ""
        kinds: list[tuple[str, calc.Clock | None]]
        if sub.accepted_at is None:
            # Stopped (paused) while a correction notice before acceptance is open.
            kinds = [("acceptance", acceptance_clock(sub))]
        else:
            kinds = [("promised", promised_clock(sub)), ("statutory", statutory_clock(sub))]
        for kind, clock in kinds:
            if clock is not None:
                yield RunningClock(
                    key=f"cases.subcase:{sub.pk}:{kind}",
                    kind=kind,
                    label=label,
                    clock=clock,
                    owner_id=sub.department_id,
                    link=link,
                )


def register_running_clocks() -> None:
    """List the sub-cases' clocks in the platform's registry (``CasesConfig.ready``)."""
    registry.register("cases.subcases", running_clocks)
