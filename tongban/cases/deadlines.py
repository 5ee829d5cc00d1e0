"""Deadlines: the sweep that warns at 75 % and escalates when overdue.

The sweep reads each open matter's clock (``tongban.cases.clocks``): once accepted, its
promised limit, counted from acceptance and stopped during corrections and special
procedures; before acceptance, the five working days of Art. 32 (overdue only: that clock
gives no warning).

The sweep is safe in several workers at once: every state change is a conditional update
(``deadline_state=<old>`` → ``<new>``, ``escalation_level=0`` → ``1``), so exactly one
worker makes it and only that worker tells anyone. Due BPMN timers are fired for the
instances whose ``next_due_at`` has passed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.alerts import Severity, raise_alert
from tongban.workdays import calc

from . import clocks, flow
from .engine import kernel
from .models import (
    FINAL_SUBCASE_STATES,
    CaseEvent,
    ProcessInstance,
    SubCase,
    SubCaseStatus,
    WorkItem,
    WorkStatus,
)

log = logging.getLogger(__name__)

ON_TIME, WARNING, OVERDUE, PAUSED = "on_time", "warning", "overdue", "paused"


@dataclass
class SweepResult:
    checked: int = 0
    warned: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    timers_fired: int = 0


def reading(sub: SubCase, now: dt.datetime) -> str:
    """The matter's deadline state at ``now``."""
    if sub.status in FINAL_SUBCASE_STATES:
        return ON_TIME
    calendar = calc.current_calendar()
    if sub.accepted_at is None:
        acceptance = clocks.acceptance_clock(sub).read(now, calendar=calendar)
        return OVERDUE if acceptance.state == calc.ClockState.OVERDUE else ON_TIME
    clock = clocks.promised_clock(sub)
    if clock is None:
        return ON_TIME
    state = clock.read(now, calendar=calendar).state
    return {
        calc.ClockState.OVERDUE: OVERDUE,
        calc.ClockState.WARNING: WARNING,
        calc.ClockState.PAUSED: PAUSED,
    }.get(state, ON_TIME)


def _work_link(sub: SubCase) -> str:
    work = WorkItem.objects.filter(subcase=sub, status=WorkStatus.OPEN).first()
    return reverse("cases:work_item", args=[work.pk]) if work else ""


def sweep(now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    open_subs = (
        SubCase.objects.exclude(status__in=FINAL_SUBCASE_STATES)
        .exclude(status__in=[SubCaseStatus.CORRECTION_BEFORE, SubCaseStatus.WAITING])
        .select_related("case", "item", "department")
        .prefetch_related("pauses", "corrections")
    )
    for sub in open_subs.iterator(chunk_size=500):
        result.checked += 1
        new = reading(sub, now)
        if new == sub.deadline_state:
            continue
        with transaction.atomic():
            changed = SubCase.objects.filter(pk=sub.pk, deadline_state=sub.deadline_state).update(
                deadline_state=new
            )
            if not changed:
                continue  # another worker got there first
            params = {"number": sub.case.number, "item": sub.item.name}
            if new == WARNING:
                result.warned.append(sub.case.number)
                raise_alert(
                    "cases.due_soon",
                    audience="reviewer",
                    department_id=sub.department_id,
                    message=_("Case %(number)s (%(item)s) has used 75 %% of its time limit."),
                    params=params,
                    severity=Severity.INFO,
                    link=_work_link(sub),
                )
            elif new == OVERDUE:
                escalated = WorkItem.objects.filter(
                    subcase=sub, status=WorkStatus.OPEN, escalation_level=0
                ).update(escalation_level=1)
                if escalated:
                    result.escalated.append(sub.case.number)
                    CaseEvent.objects.create(
                        case=sub.case, subcase=sub, action="escalated", public=False, at=now
                    )
                    raise_alert(
                        "cases.overdue",
                        audience="department_leader",
                        department_id=sub.department_id,
                        message=_(
                            "Case %(number)s (%(item)s) is past its time limit and was "
                            "escalated to you."
                        ),
                        params=params,
                        severity=Severity.WARNING,
                        link=_work_link(sub),
                    )
    result.timers_fired = fire_timers(now)
    return result


def fire_timers(now: dt.datetime) -> int:
    """Fire the BPMN timers that are due (only instances with ``next_due_at <= now``)."""
    fired = 0
    due = ProcessInstance.objects.filter(completed=False, next_due_at__lte=now).values_list(
        "case_id", flat=True
    )
    for case_id in list(due[:500]):
        with transaction.atomic():
            instance = (
                ProcessInstance.objects.select_for_update()
                .select_related("case")
                .get(case_id=case_id)
            )
            if instance.next_due_at is None or instance.next_due_at > now:
                continue
            state = kernel.fire_due_timers(
                instance.state, now, add_working_days=calc.add_working_days
            )
            flow.sync(instance.case, instance, state)
            fired += 1
    return fired
