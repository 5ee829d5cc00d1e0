"""A sub-case's clocks (``tongban.workdays.calc.Clock``): built from its stored moments.

Three limits run on a matter, each a working-day clock:

* **acceptance** (行政许可法 Art. 32): five working days from receipt to accept it or send a
  correction notice (补正告知); a correction notice before acceptance stops it, and the
  complete resubmission restarts it (the whole five days again);
* **promised** (承诺时限) and **statutory** (法定时限): from acceptance, stopped during
  corrections in review and special procedures (``ClockPause`` rows, Art. 45).

The due dates stored on the sub-case (``acceptance_due``, ``promised_due``,
``statutory_due``; work items copy them) are these clocks' readings, written when a clock
starts, restarts or resumes; the deadline sweep and supervision read the clocks themselves,
and so does every page and document that shows a promised date (``promise``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Case as CaseWhen
from django.db.models import DateField, F, Q, When
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone

from tongban.catalog.models import HandlingType, TimeUnit
from tongban.workdays import calc
from tongban.workdays import clocks as registry
from tongban.workdays.clocks import RunningClock

from .models import (
    FINAL_SUBCASE_STATES,
    CorrectionStage,
    SubCase,
    SubCaseStatus,
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
    if limit == 0:  # 即办件: handled on the day (not one day, as 5/7 of 0 rounded up would say)
        return 0
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


# --- the promised date: one truth for every page and document -------------------------


@dataclass(frozen=True)
class Promise:
    """The date a matter is promised by (承诺办结日期), as every surface shows it.

    ``immediate``: a 即办件, due the day it is accepted. ``stopped``: the clock is stopped
    (a correction during review, a special procedure); ``date`` is then the earliest it can
    be, if the clock restarted today, and moves on by each working day the stop lasts.
    """

    date: dt.date
    provisional: bool = False
    immediate: bool = False
    stopped: bool = False


def immediate_q(prefix: str = "") -> Q:
    """The matters handled on the spot (即办件) as a query on sub-cases (``prefix``: the
    path to the sub-case, e.g. ``"subcase__"`` from work items); ``is_immediate`` says the
    same of one sub-case."""
    return Q(**{f"{prefix}promised_days": 0}) | Q(
        **{
            f"{prefix}promised_days__isnull": True,
            f"{prefix}item__handling_type": HandlingType.IMMEDIATE,
        }
    )


def is_immediate(sub: SubCase) -> bool:
    """Whether ``sub`` is a 即办件: promised within 0 days when it was submitted, or, with
    no promised limit, of an item handled on the spot. (The limit is the one the matter
    was submitted under: an item changed later does not change it.)"""
    if sub.promised_days is not None:
        return sub.promised_days == 0
    return sub.item.handling_type == HandlingType.IMMEDIATE


def step_due_expression() -> CaseWhen:
    """The day an open work item is due, as a query expression (``WorkItem.objects
    .annotate(due=...)``): what ``promise`` says of a 即办件 (due the day it is accepted,
    until then the day it was received), and the step's stored due date otherwise. The
    workbench panel and the inbox count "due soon" and "overdue" with it, so a 即办件 due
    today is never counted as due in five days (its acceptance step's own limit)."""
    local_day = TruncDate(
        Coalesce("subcase__accepted_at", "subcase__received_at"), tzinfo=calc.local_zone()
    )
    return CaseWhen(
        When(immediate_q("subcase__"), then=local_day),
        default=F("due_on"),
        output_field=DateField(),
    )


def promise(
    sub: SubCase, now: dt.datetime | None = None, *, calendar: calc.WorkCalendar | None = None
) -> Promise | None:
    """The promised completion date of ``sub`` (``None`` when its item promises none).

    The one function the case page, the status page, the receipt, the work item and the
    inbox read: the promised clock (``promised_clock``) counted from acceptance, or from
    receipt until then, without the days it was stopped. A 即办件 is due the day it is
    accepted (until then, the day it was received). A matter waiting for another member's
    result (``dependencies``) has no date yet: its clocks start when it is received.
    """
    if sub.status == SubCaseStatus.WAITING:
        return None
    now = now or timezone.now()
    if is_immediate(sub):
        day = calc.local_date(sub.accepted_at or sub.received_at)
        # Stopped by a correction (before acceptance, or a pause in review): the earliest
        # it can be done is the day the applicant answers, today at the soonest.
        stopped = sub.status == SubCaseStatus.CORRECTION_BEFORE or any(
            pause.start <= now and pause.end is None for pause in _pauses(sub)
        )
        if stopped:
            day = max(day, calc.local_date(now))
        return Promise(day, immediate=True, stopped=stopped)
    clock = promised_clock(sub)
    if clock is None:
        return None
    stopped = clock.is_paused and clock.pauses[-1].start <= now
    if stopped:
        clock = clock.resumed(now)
    due = clock.due(now, calendar=calendar)
    return Promise(due.date, provisional=due.provisional, stopped=stopped)


def case_promise(
    subs: Iterable[SubCase],
    now: dt.datetime | None = None,
    *,
    calendar: calc.WorkCalendar | None = None,
) -> Promise | None:
    """The promised completion of a whole case: its last matter's ``promise``.

    A matter waiting for another member's result (``dependencies``) has no date of its
    own yet; for the case it counts as a stopped clock does: the earliest it can be done
    (its prerequisite's date, the earliest that can be, then its own promised working
    days), marked ``stopped``. So the case's date is never earlier than a matter's row,
    and never missing while a row shows a date. ``None`` when no matter promises a date,
    or when a waiting matter's prerequisite is unknown."""
    subs = list(subs)
    now = now or timezone.now()
    calendar = calendar or calc.current_calendar()
    by_pk = {sub.pk: sub for sub in subs}
    found: dict[int, Promise | None] = {}

    def earliest(sub: SubCase, seen: frozenset[int]) -> Promise | None:
        if sub.pk in found:
            return found[sub.pk]
        if sub.status != SubCaseStatus.WAITING:
            result = promise(sub, now, calendar=calendar)
        else:
            before = by_pk.get(sub.waiting_for_id or 0) or sub.waiting_for
            first = (
                earliest(before, seen | {sub.pk})
                if before is not None and before.pk not in seen
                else None
            )
            days = sub.promised_days
            if first is None or days is None:
                result = None
            else:
                start = max(first.date, calc.local_date(now))
                # Counted from the end of that day (the start day is not counted).
                due = calc.Clock(calc.deadline_at(start), days).due(now, calendar=calendar)
                result = Promise(
                    due.date,
                    provisional=first.provisional or due.provisional,
                    immediate=days == 0,
                    stopped=True,
                )
        found[sub.pk] = result
        return result

    promises = []
    for sub in subs:
        result = earliest(sub, frozenset())
        if result is None and sub.status == SubCaseStatus.WAITING:
            return None  # when this matter can be done is not known
        if result is not None:
            promises.append(result)
    if not promises:
        return None
    last = max(promises, key=lambda p: (p.date, p.stopped))
    return Promise(
        last.date,
        provisional=any(p.provisional for p in promises),
        immediate=all(p.immediate for p in promises),
        stopped=last.stopped,
    )


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
        .exclude(status=SubCaseStatus.WAITING)  # no clock runs before it is received
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
