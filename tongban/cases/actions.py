"""Officials' (and the applicant's correction) actions on work items.

Every action is an explicit transition of the sub-case (``transitions.SUBCASE``, written by
``tongban.core.transitions.move``); anything else — approving a refused matter, deciding
another department's work item, acting on a step someone else just completed — is refused
with a message that says why.

Concurrency: a work item is closed by ``move`` (a compare-and-set ``open`` → ``done``) and
the process instance row is locked (``select_for_update`` on PostgreSQL; SQLite's
IMMEDIATE transactions serialise writers) while the engine steps, so of two officials
acting on the same item exactly one succeeds and the other is told who did.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.catalog.models import Bundle, ServiceItem
from tongban.core.audit import record_audit
from tongban.core.errors import ServiceError
from tongban.core.errors import refuse as _refuse
from tongban.core.transitions import move
from tongban.org.models import Department

from . import dataforms, flow, materials, notices
from .clocks import end_pauses, restart_acceptance_clock, restart_clock
from .models import (
    Case,
    CaseEvent,
    CaseStatus,
    ClockPause,
    CorrectionNotice,
    CorrectionStage,
    PauseKind,
    SubCase,
    SubCaseStatus,
    WorkItem,
    WorkKind,
    WorkStatus,
)
from .permissions import can_act
from .sealed import case_aad, case_data, seal_data
from .transitions import (
    ACTION_LABELS,
    CASE,
    IN_PLACE,
    SUBCASE,
    WORK,
    Action,
    WorkAction,
    case_status_for,
    offers,
)


@dataclass
class ActionInput:
    action: str
    note: str = ""
    legal_basis: str = ""
    corrections: list[dict[str, str]] | None = None
    department: Department | None = None
    pause_kind: str = ""


#: The sub-case fields the handlers below may change (its status moves only by ``move``;
#: ``deadline_state`` belongs to the deadline sweep, which writes it concurrently).
_SUB_FIELDS = [
    "department",
    "accepted_at",
    "decided_at",
    "decided_by",
    "reason",
    "legal_basis",
    "acceptance_due",
    "promised_due",
    "statutory_due",
    "due_provisional",
    "lock_version",
]


def act(work_id: int, data: ActionInput, *, actor: User) -> WorkItem:
    """Perform ``data.action`` on the open work item ``work_id`` and return it.

    The sub-case moves by ``transitions.SUBCASE``, the work item is completed (unless the
    action keeps it open), the process steps on and the case's derived status follows, all
    in one transaction. Raises ``ServiceError`` when the step is closed (naming who closed
    it), belongs to someone else, does not offer the action, the matter's state does not
    allow it, or the input is incomplete; nothing is changed then.
    """
    with transaction.atomic():
        work = (
            WorkItem.objects.select_related("case", "subcase", "department")
            .filter(pk=work_id)
            .first()
        )
        if work is None:
            raise _refuse(_("This work item does not exist."))
        instance = flow.lock(work.case)
        work.refresh_from_db()
        if work.status == WorkStatus.CANCELLED:
            raise _refuse(
                _(
                    "This step was cancelled (the application was withdrawn, or the process "
                    "no longer waits for it); nothing was changed."
                )
            )
        if work.status != WorkStatus.OPEN:
            who = str(work.closed_by) if work.closed_by else _("someone else")
            raise _refuse(
                _("This step was already completed by %(who)s; nothing was changed.") % {"who": who}
            )
        if not can_act(actor, work):
            raise _refuse(_("You may not act on this step."))
        if work.subcase_id is None:
            raise _refuse(_("This step belongs to no department's matter."))
        sub = SubCase.objects.select_related("case__applicant", "department", "item").get(
            pk=work.subcase_id
        )
        if data.action == Action.COMMENT:
            return _comment(work, sub, data, actor)
        target = offers(work.kind, data.action, sub.status)
        if target is None:
            raise _refuse(
                _("“%(action)s” is not possible while the matter is “%(status)s”.")
                % {
                    "action": ACTION_LABELS.get(data.action, data.action),
                    "status": sub.get_status_display(),
                }
            )
        now = timezone.now()
        handler = _HANDLERS[data.action]
        engine_data = handler(work, sub, data, actor, now)
        meta = {"case": work.case.number, "work_item": work.pk, "kind": work.kind}
        # One audit record names the action (``cases.accept`` …): the sub-case's move when
        # its status changes, else the step's completion, else a record of its own.
        audit = f"cases.{data.action}"
        if target != sub.status:
            move(sub, SUBCASE, data.action, actor=actor, audit_action=audit, meta=meta)
            audit = ""
        sub.lock_version += 1
        sub.save(update_fields=_SUB_FIELDS)
        if data.action not in IN_PLACE:
            move(
                work,
                WORK,
                WorkAction.COMPLETE,
                actor=actor,
                also={"closed_at": now, "closed_by": actor},
                audit_action=audit,
                meta={**meta, "subcase": sub.pk},
            )
            audit = ""
            flow.complete(instance, work, engine_data)
        if audit:
            record_audit(actor, audit, sub, meta=meta)
        refresh_case_status(work.case, actor=actor, now=now)
        work.refresh_from_db()
        return work


def _event(
    sub: SubCase, actor: User, action: str, now: dt.datetime, note: str = "", **kw: Any
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=sub.case, subcase=sub, actor=actor, action=action, note=note, at=now, **kw
    )


def _comment(work: WorkItem, sub: SubCase, data: ActionInput, actor: User) -> WorkItem:
    if not data.note.strip():
        raise _refuse(_("Write the comment."), "note")
    _event(sub, actor, Action.COMMENT, timezone.now(), data.note.strip()[:2000], public=False)
    record_audit(actor, "cases.comment", sub, meta={"case": work.case.number})
    return work


def _accept(
    work: WorkItem, sub: SubCase, data: ActionInput, actor: User, now: dt.datetime
) -> dict[str, Any]:
    sub.accepted_at = now
    restart_clock(sub, now)
    _event(sub, actor, Action.ACCEPT, now, data.note.strip())
    notices.subcase_accepted(sub)
    return {"action": "accept"}


def _require_reason(data: ActionInput, *, basis: bool) -> None:
    errors: dict[str, list[str]] = {}
    if not data.note.strip():
        errors["note"] = [_("Give the reason.")]
    if basis and not data.legal_basis.strip():
        errors["legal_basis"] = [_("Give the legal basis.")]
    if errors:
        raise ServiceError(errors)


def _not_accept(
    work: WorkItem, sub: SubCase, data: ActionInput, actor: User, now: dt.datetime
) -> dict[str, Any]:
    _require_reason(data, basis=True)
    sub.decided_at, sub.decided_by = now, actor
    sub.reason, sub.legal_basis = data.note.strip(), data.legal_basis.strip()
    _event(sub, actor, Action.NOT_ACCEPT, now, sub.reason, legal_basis=sub.legal_basis)
    notices.subcase_decided(sub, approved=False)
    return {"action": "not_accept"}


def _correction(
    work: WorkItem, sub: SubCase, data: ActionInput, actor: User, now: dt.datetime
) -> dict[str, Any]:
    corrections = [c for c in (data.corrections or []) if c.get("reason", "").strip()]
    # Each line names a material exactly (its name or code) or none: the applicant is then
    # asked for exactly the materials named, never for one whose name merely contains it.
    corrections = materials.resolve_correction_lines(corrections, sub.item)
    if not corrections:
        raise _refuse(
            _("List every missing or defective material with what is wrong, all at once."),
            "corrections",
        )
    stage = (
        CorrectionStage.BEFORE_ACCEPTANCE
        if work.kind == WorkKind.ACCEPT
        else CorrectionStage.IN_REVIEW
    )
    late = sub.acceptance_due is not None and timezone.localdate(now) > sub.acceptance_due
    if stage == CorrectionStage.BEFORE_ACCEPTANCE and late:
        raise _refuse(
            _(
                "The five working days for a correction notice before acceptance have passed: "
                "the application counts as accepted on receipt (Administrative Licensing Law, "
                "Art. 32). Accept it and ask for the correction during review."
            )
        )
    CorrectionNotice.objects.create(
        subcase=sub,
        stage=stage,
        items=corrections,
        note=data.note.strip(),
        issued_by=actor,
        issued_at=now,
    )
    if stage == CorrectionStage.IN_REVIEW:
        ClockPause.objects.create(subcase=sub, kind=PauseKind.CORRECTION, started_at=now)
    _event(sub, actor, Action.CORRECTION, now, data.note.strip())
    notices.correction_requested(sub, corrections)
    return {"action": "correction"}


def _forward(
    work: WorkItem, sub: SubCase, data: ActionInput, actor: User, now: dt.datetime
) -> dict[str, Any]:
    _event(sub, actor, Action.FORWARD, now, data.note.strip(), public=False)
    return {"action": "forward"}


def _decide(approved: bool) -> Any:
    def handler(
        work: WorkItem, sub: SubCase, data: ActionInput, actor: User, now: dt.datetime
    ) -> dict[str, Any]:
        if not approved:
            _require_reason(data, basis=True)
        sub.decided_at, sub.decided_by = now, actor
        sub.reason, sub.legal_basis = data.note.strip(), data.legal_basis.strip()
        action = Action.APPROVE if approved else Action.REJECT
        _event(sub, actor, action, now, sub.reason, legal_basis=sub.legal_basis)
        notices.subcase_decided(sub, approved=approved)
        return {"action": "approve" if approved else "reject"}

    return handler


def _transfer(
    work: WorkItem, sub: SubCase, data: ActionInput, actor: User, now: dt.datetime
) -> dict[str, Any]:
    target = data.department
    if target is None:
        raise _refuse(_("Choose the department to transfer to."), "department")
    if target.pk == sub.department_id:
        raise _refuse(_("The matter is already with this department."), "department")
    _event(sub, actor, Action.TRANSFER, now, data.note.strip())
    sub.department = target
    WorkItem.objects.filter(pk=work.pk).update(department=target)
    return {}


def _start_special(
    work: WorkItem, sub: SubCase, data: ActionInput, actor: User, now: dt.datetime
) -> dict[str, Any]:
    valid = {PauseKind.EXPERT_REVIEW, PauseKind.INSPECTION, PauseKind.HEARING, PauseKind.TESTING}
    if data.pause_kind not in valid:
        raise _refuse(_("Choose the special procedure."), "pause_kind")
    ClockPause.objects.create(
        subcase=sub, kind=data.pause_kind, started_at=now, note=data.note.strip()[:300]
    )
    _event(sub, actor, Action.START_SPECIAL, now, data.note.strip())
    return {}


def _end_special(
    work: WorkItem, sub: SubCase, data: ActionInput, actor: User, now: dt.datetime
) -> dict[str, Any]:
    end_pauses(sub, now)
    _event(sub, actor, Action.END_SPECIAL, now, data.note.strip())
    return {}


def _resubmit(
    work: WorkItem, sub: SubCase, data: ActionInput, actor: User, now: dt.datetime
) -> dict[str, Any]:
    before = sub.status == SubCaseStatus.CORRECTION_BEFORE
    CorrectionNotice.objects.filter(subcase=sub, resolved_at__isnull=True).update(resolved_at=now)
    end_pauses(sub, now)
    if before:
        # A complete resubmission restarts the five days for acceptance.
        restart_acceptance_clock(sub, now)
    _event(sub, actor, Action.RESUBMIT, now, data.note.strip())
    notices.correction_resubmitted(sub)
    return {"action": "resubmit"}


_HANDLERS = {
    Action.ACCEPT: _accept,
    Action.NOT_ACCEPT: _not_accept,
    Action.CORRECTION: _correction,
    Action.FORWARD: _forward,
    Action.APPROVE: _decide(True),
    Action.REJECT: _decide(False),
    Action.TRANSFER: _transfer,
    Action.START_SPECIAL: _start_special,
    Action.END_SPECIAL: _end_special,
    Action.RESUBMIT: _resubmit,
}


def refresh_case_status(case: Case, *, actor: User | None, now: dt.datetime) -> str:
    """Move ``case`` to the status its sub-cases add up to (``case_status_for``) and return it.

    Each change is a listed ``CASE`` move; completion is recorded in the history and told
    to the applicant. Raises ``ServiceError`` if the derived change is not a listed move.
    """
    case.refresh_from_db(fields=["status", "completed_at", "lock_version"])
    target = case_status_for(case.subcases.values_list("status", flat=True))
    if target == case.status:
        return target
    action = CASE.action_to(case.status, target) or target  # unlisted: ``move`` refuses
    also: dict[str, Any] = {"lock_version": case.lock_version + 1}
    if target == CaseStatus.COMPLETED:
        also["completed_at"] = case.completed_at or now
    move(case, CASE, action, actor=actor, also=also, meta={"case": case.number})
    if target == CaseStatus.COMPLETED:
        CaseEvent.objects.create(case=case, action="completed", at=timezone.now())
        notices.case_completed(case)
    return target


def resubmit_correction(
    case: Case, raw: dict[str, Any], *, actor: User, note: str = ""
) -> list[WorkItem]:
    """The applicant answers every open correction notice of ``case`` at once.

    Corrected form values (if any) replace the old ones; new uploads were attached to the
    case by ``upload_case_material``. Each open correction step is completed.
    """
    if case.applicant_id != actor.pk:
        raise _refuse(_("This case belongs to someone else."))
    open_steps = list(
        WorkItem.objects.filter(case=case, kind=WorkKind.CORRECT, status=WorkStatus.OPEN)
    )
    if not open_steps:
        raise _refuse(_("No correction is waiting for you on this case."))
    if raw:
        target: ServiceItem | Bundle = case.bundle or case.item  # type: ignore[assignment]
        form = dataforms.build_form(target)
        merged = {**case_data(case), **raw}
        cleaned, errors = dataforms.clean_data(form, merged)
        if errors:
            raise ServiceError({k: [v] for k, v in errors.items()})
        with transaction.atomic():
            case.data_token = seal_data(case_aad(case), cleaned)
            case.save(update_fields=["data_token"])
    done = []
    for step in open_steps:
        done.append(act(step.pk, ActionInput(Action.RESUBMIT, note=note), actor=actor))
    return done
