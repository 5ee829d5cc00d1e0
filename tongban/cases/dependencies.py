"""Bundle members that wait for another member's result (e.g. 户口登记 after 出生医学证明签发).

The bundle definition states the waits (``catalog.BundleMember.depends_on``); the generated
process model (``engine.bundle.bundle_model``) expresses them as sequence flows after the
split: the waiting member's sub-process starts only after its prerequisite's sub-process
has completed, through an automatic ``m<i>_prerequisite`` step that the platform completes
here. Its matter (sub-case) follows the same story, moved only by ``transitions.SUBCASE``:

- at submission (``hold``) it moves ``received`` → ``waiting`` and remembers whom it waits
  for (``SubCase.waiting_for``); it has no due dates yet and nobody's inbox shows it;
- when its prerequisite's sub-process completes (``settle``), the prerequisite is final:
  - approved: the matter starts (``waiting`` → ``received``). The department receives it
    *now*: ``received_at`` is this moment, so its five days for acceptance and its limits
    count from here, not from the submission (``clocks`` reads ``received_at``);
  - refused or not accepted: the matter is not started (``waiting`` → ``not_started``,
    final) with the reason shown to the applicant, and anything waiting for it in turn
    is not started either (the model's skip path reaches their waiting steps too).

Withdrawing the application withdraws a waiting matter like any other open one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import override

from tongban.catalog.models import Bundle
from tongban.core.transitions import move
from tongban.workdays import calc

from .clocks import ACCEPTANCE_DAYS
from .engine.bundle import PREREQUISITE_MET, PREREQUISITE_STEP, PREREQUISITE_UNMET
from .models import Case, CaseEvent, SubCase, SubCaseStatus
from .transitions import SUBCASE, Action

#: What the platform writes when it completes a member's automatic waiting step: the key
#: suffix and the value, by the move of the waiting matter (``modelcheck`` reads it).
PREREQUISITE_VALUES: dict[str, tuple[str, str]] = {
    Action.PREREQUISITE_MET: (PREREQUISITE_STEP, PREREQUISITE_MET),
    Action.PREREQUISITE_REFUSED: (PREREQUISITE_STEP, PREREQUISITE_UNMET),
}


def bundle_waits(bundle: Bundle) -> dict[str, str]:
    """The bundle's waits: member item code → the item code of the member it waits for."""
    rows = bundle.memberships.filter(depends_on__isnull=False).values_list(
        "item__implementation_code", "depends_on__item__implementation_code"
    )
    return dict(rows)


def hold(case: Case) -> list[SubCase]:
    """At submission: every matter of a bundle case that waits for another moves to
    ``waiting``, without due dates (they are set when it starts). Returns those matters."""
    if case.bundle is None:
        return []
    waits = bundle_waits(case.bundle)
    if not waits:
        return []
    subs = {s.item.implementation_code: s for s in case.subcases.select_related("item")}
    held = []
    for after, before in waits.items():
        sub, prerequisite = subs.get(after), subs.get(before)
        if sub is None or prerequisite is None:
            continue
        move(
            sub,
            SUBCASE,
            Action.WAIT,
            actor=None,
            meta={"case": case.number, "waits_for": before},
            also={
                "waiting_for": prerequisite,
                "acceptance_due": None,
                "promised_due": None,
                "statutory_due": None,
                "due_provisional": False,
            },
        )
        held.append(sub)
    return held


def settle(sub: SubCase | None, prefix: str, now: dt.datetime) -> dict[str, Any]:
    """The waiting step of ``sub`` is ready (its prerequisite's sub-process completed):
    start the matter or record that it is not started; return what the engine reads."""
    key = f"{prefix}_{PREREQUISITE_STEP}"
    if sub is None or sub.status != SubCaseStatus.WAITING:
        # Nothing waits on the platform's side (no such matter, or it was withdrawn): the
        # engine goes on as if met; a withdrawn case's process is stopped anyway.
        return {key: PREREQUISITE_MET}
    prerequisite = sub.waiting_for
    approved = prerequisite is not None and prerequisite.status == SubCaseStatus.APPROVED
    meta = {"case": sub.case.number}
    if approved:
        _start(sub, now, meta)
        action = Action.PREREQUISITE_MET
        note = ""
    else:
        action = Action.PREREQUISITE_REFUSED
        note = refusal_reason(sub)
        move(
            sub,
            SUBCASE,
            action,
            actor=None,
            meta=meta,
            also={"reason": note, "decided_at": now},
        )
    CaseEvent.objects.create(case=sub.case, subcase=sub, action=action, note=note, at=now)
    return {key: PREREQUISITE_VALUES[action][1]}


def _start(sub: SubCase, now: dt.datetime, meta: dict[str, Any]) -> None:
    """The department receives the matter now: its acceptance clock and its limits start
    here (the due dates are those clocks' readings, as at submission)."""
    acceptance = calc.Clock(now, ACCEPTANCE_DAYS).due(now)
    values: dict[str, Any] = {
        "received_at": now,
        "acceptance_due": acceptance.date,
        "due_provisional": acceptance.provisional,
    }
    for days, name in ((sub.promised_days, "promised_due"), (sub.statutory_days, "statutory_due")):
        if days is not None:
            due = calc.Clock(now, days).due(now)
            values[name] = due.date
            values["due_provisional"] = values["due_provisional"] or due.provisional
    move(sub, SUBCASE, Action.PREREQUISITE_MET, actor=None, meta=meta, also=values)


def refusal_reason(sub: SubCase) -> str:
    """Why ``sub`` is not started, in Chinese (the record's language), e.g. "前置事项“出生医学
    证明签发”（市卫健局）未获准予，本事项未启动。"."""
    prerequisite = sub.waiting_for
    with override("zh-hans"):
        if prerequisite is None:
            return _("The result this matter needs was not granted, so it was not started.")
        return _(
            "The matter it needs, “%(item)s” (%(department)s), was not granted, so this "
            "matter was not started. You may apply for it again once you hold that result."
        ) % {"item": prerequisite.item.name, "department": prerequisite.department.name}


def waiting_note(sub: SubCase) -> str:
    """The note "等待：出生医学证明签发（市卫健局）" while ``sub`` waits, else ""."""
    if sub.status != SubCaseStatus.WAITING or sub.waiting_for is None:
        return ""
    prerequisite = sub.waiting_for
    return _("Waiting for: %(item)s (%(department)s)") % {
        "item": prerequisite.item.display_name,
        "department": prerequisite.department.display_name,
    }


def waiting_matters(department_ids: list[int]) -> QuerySet[SubCase]:
    """The matters of these departments that wait for another department's result (for
    the inbox's "waiting" list: they have no step to act on yet)."""
    return (
        SubCase.objects.filter(department_id__in=department_ids, status=SubCaseStatus.WAITING)
        .select_related("case", "item", "waiting_for__item", "waiting_for__department")
        .order_by("case__submitted_at", "pk")
    )
