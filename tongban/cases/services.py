"""Use cases of applications: drafts, submission and withdrawal.

Every function here runs in one transaction, writes its history (``CaseEvent``) and its
audit record together with the change, and raises ``ServiceError`` (field -> message) on
bad input, changing nothing.

The rest of the approval module has named homes: ``sealed`` (form data at rest),
``numbering`` (case numbers), ``materials`` (uploads), ``permissions`` (who may see and
act), ``queries`` (the inbox), ``transitions`` (allowed moves), ``clocks`` (due dates) and
``actions`` (officials' actions on work items). The applicant's withdrawal is here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.catalog.models import Bundle, ServiceItem
from tongban.catalog.queries import assurance_gap
from tongban.core.audit import record_audit
from tongban.core.errors import ServiceError
from tongban.core.transitions import move
from tongban.workdays import calc

from . import dataforms, flow, notices, sharing
from .clocks import ACCEPTANCE_DAYS, limit_days
from .materials import current_materials, required_materials
from .models import (
    FINAL_SUBCASE_STATES,
    Case,
    CaseEvent,
    CaseStatus,
    ClockPause,
    CorrectionNotice,
    Draft,
    SubCase,
    UploadedMaterial,
    WorkItem,
    WorkStatus,
)
from .numbering import new_query_code, next_case_number
from .permissions import check_draft_owner
from .sealed import case_aad, draft_aad, draft_data, seal_data
from .transitions import (
    CASE,
    DECIDED_SUBCASE_STATES,
    SUBCASE,
    WORK,
    Action,
    CaseAction,
    WorkAction,
)

# --- targets and drafts -------------------------------------------------------------------


def target_items(target: ServiceItem | Bundle) -> list[ServiceItem]:
    if isinstance(target, Bundle):
        return [
            m.item
            for m in target.memberships.select_related("item__department").order_by("sort_order")
        ]
    return [target]


def find_draft(
    applicant: User, target: ServiceItem | Bundle, organisation: Any = None
) -> Draft | None:
    """The applicant's draft for ``target``, if they saved one."""
    lookup: dict[str, Any] = {"applicant": applicant, "organisation": organisation}
    lookup["bundle" if isinstance(target, Bundle) else "item"] = target
    return Draft.objects.filter(**lookup).first()


def draft_for(applicant: User, target: ServiceItem | Bundle, organisation: Any = None) -> Draft:
    """The applicant's draft for ``target`` (created empty the first time)."""
    lookup: dict[str, Any] = {"applicant": applicant, "organisation": organisation}
    lookup["bundle" if isinstance(target, Bundle) else "item"] = target
    draft = Draft.objects.filter(**lookup).first()
    if draft is None:
        draft = Draft.objects.create(**lookup)
    return draft


def save_draft(draft: Draft, raw: dict[str, Any], *, actor: User) -> dict[str, str]:
    """Keep what was typed (valid or not) and return the problems found so far."""
    check_draft_owner(draft, actor)
    form = dataforms.build_form(draft.target)
    cleaned, errors = dataforms.clean_data(form, raw, partial=True)
    with transaction.atomic():
        draft.data_token = seal_data(draft_aad(draft), cleaned)
        draft.revision += 1
        draft.save(update_fields=["data_token", "revision", "updated_at"])
        record_audit(actor, "cases.draft_save", draft, meta={"fields": sorted(cleaned)})
    return errors


# --- submission ---------------------------------------------------------------------------


def assurance_problem(applicant: User, target: ServiceItem | Bundle) -> str | None:
    """Why ``applicant`` may not apply online for ``target`` (its required identity
    assurance level), or None."""
    problem = assurance_gap(applicant, target)
    return str(problem) if problem else None


def submit(
    draft: Draft, *, actor: User, idempotency_key: str, fetch_later: Iterable[str] = ()
) -> Case:
    """Turn a complete draft into a case with one sub-case per item; start its process.

    A repeated submission with the same idempotency key returns the case already made.
    Materials obtainable through sharing that were not uploaded are fetched from their
    sources first (``sharing.fetch_for_submission``); ``fetch_later`` names those the
    applicant lets the platform fetch after submission because their source was down.
    Raises ``sharing.SharingRefused`` (a ``ServiceError`` naming ``material_<code>``) when
    one could not be fetched; the draft is kept as it is.
    """
    existing = Case.objects.filter(applicant=actor, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    check_draft_owner(draft, actor)
    target = draft.target
    problem = assurance_problem(actor, target)
    if problem:
        raise ServiceError({"__all__": [problem]})
    form = dataforms.build_form(target)
    cleaned, errors = dataforms.clean_data(form, draft_data(draft))
    uploads = current_materials(draft=draft)
    for material in required_materials(target):
        if material.required and not material.can_be_waived and material.code not in uploads:
            errors[f"material_{material.code}"] = _("Upload %(material)s.") % {
                "material": material.name
            }
    if errors:
        raise ServiceError({k: [v] for k, v in errors.items()})
    # Fetched before the transaction: a slow source holds no database lock.
    applicant = sharing.Applicant(actor, draft.organisation)
    plan = sharing.fetch_for_submission(target, applicant, uploads, fetch_later=fetch_later)
    if plan.problems:
        raise sharing.SharingRefused(plan.problems, plan.down)
    try:
        with transaction.atomic():
            case = _create_case(draft, target, form, cleaned, actor, idempotency_key)
            sharing.record_plan(case, plan, actor=actor)
    except IntegrityError:
        # A concurrent submission with the same key won the race: return its case.
        existing = Case.objects.filter(applicant=actor, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing
    # A prefilled value the applicant corrected goes back to its registry (数据纠错).
    sharing.report_corrections(sharing.prefilled_values(cleaned, applicant), cleaned, applicant)
    return case


def _create_case(
    draft: Draft,
    target: ServiceItem | Bundle,
    form: dataforms.ApplicationForm,
    cleaned: dict[str, Any],
    actor: User,
    idempotency_key: str,
) -> Case:
    now = timezone.now()
    number = next_case_number(now)
    items = target_items(target)
    is_bundle = isinstance(target, Bundle)
    case = Case(
        number=number,
        query_code=new_query_code(),
        applicant=actor,
        organisation=draft.organisation,
        item=target if isinstance(target, ServiceItem) else None,
        bundle=target if isinstance(target, Bundle) else None,
        title=target.name,
        title_en=target.name_en,
        form_versions=form.versions,
        idempotency_key=idempotency_key,
        submitted_at=now,
    )
    case.data_token = seal_data(case_aad(case), cleaned)
    case.save()
    promised_due: dt.date | None = None
    provisional = False
    for item in items:
        promised = limit_days(item.promised_limit, item.promised_limit_unit)
        statutory = limit_days(item.legal_limit, item.legal_limit_unit)
        acceptance = calc.Clock(now, ACCEPTANCE_DAYS).due(now)
        sub = SubCase(
            case=case,
            item=item,
            department=item.department,
            received_at=now,
            promised_days=promised,
            statutory_days=statutory,
            acceptance_due=acceptance.date,
            due_provisional=acceptance.provisional,
        )
        if promised is not None:
            due = calc.Clock(now, promised).due(now)
            sub.promised_due = due.date
            sub.due_provisional = sub.due_provisional or due.provisional
        if statutory is not None:
            due = calc.Clock(now, statutory).due(now)
            sub.statutory_due = due.date
            sub.due_provisional = sub.due_provisional or due.provisional
        sub.save()
        if sub.promised_due and (promised_due is None or sub.promised_due > promised_due):
            promised_due = sub.promised_due
        provisional = provisional or sub.due_provisional
    if is_bundle and target.promised_limit:
        bundle_due = calc.Clock(now, target.promised_limit).due(now)
        promised_due = bundle_due.date
        provisional = provisional or bundle_due.provisional
    case.promised_due = promised_due
    case.due_provisional = provisional
    case.save(update_fields=["promised_due", "due_provisional"])
    UploadedMaterial.objects.filter(draft=draft).update(case=case, draft=None)
    CaseEvent.objects.create(case=case, actor=actor, action="submitted", at=now)
    flow.start(case)
    record_audit(
        actor,
        "cases.submit",
        case,
        meta={"items": [i.implementation_code for i in items], "fields": sorted(cleaned)},
    )
    draft.delete()
    notices.case_submitted(case)
    return case


# --- withdrawal (撤回申请) ------------------------------------------------------------------


def withdrawal_problem(case: Case, actor: User) -> str | None:
    """Why ``actor`` may not withdraw ``case`` now, or None when they may."""
    if case.applicant_id != actor.pk:
        return _("This case belongs to someone else.")
    if case.status == CaseStatus.WITHDRAWN:
        return _("This application has already been withdrawn.")
    decided = case.subcases.filter(status__in=DECIDED_SUBCASE_STATES).exists()
    if decided or case.status == CaseStatus.COMPLETED:
        return _(
            "A department has already decided on this application, so it can no longer be "
            "withdrawn."
        )
    return None


def withdraw(case: Case, *, actor: User, reason: str = "") -> Case:
    """The applicant withdraws their own case before any department has decided.

    Every open sub-case moves to withdrawn, every open work item is cancelled (it leaves
    the officials' inboxes), the process instance is stopped so that no timer fires later,
    the case moves to withdrawn, the history records it (with the optional reason) and the
    departments whose steps were cancelled are told. Raises ``ServiceError`` for someone
    else's case, a case already withdrawn, or once any sub-case is decided (approved,
    refused or not accepted); nothing is changed then.
    """
    reason = (reason or "").strip()[:2000]
    with transaction.atomic():
        # The instance lock serialises this with the officials' actions on the same case.
        instance = flow.lock(case)
        case.refresh_from_db()
        problem = withdrawal_problem(case, actor)
        if problem:
            raise ServiceError({"__all__": [problem]})
        now = timezone.now()
        meta = {"case": case.number}
        for sub in case.subcases.exclude(status__in=FINAL_SUBCASE_STATES):
            move(sub, SUBCASE, Action.WITHDRAW, actor=actor, meta=meta)
        # The clocks stop with the matters they measure.
        ClockPause.objects.filter(subcase__case=case, ended_at__isnull=True).update(ended_at=now)
        # Nobody waits for an answer any more: the open correction notices are settled.
        CorrectionNotice.objects.filter(subcase__case=case, resolved_at__isnull=True).update(
            resolved_at=now
        )
        cancelled = list(WorkItem.objects.filter(case=case, status=WorkStatus.OPEN))
        for work in cancelled:
            move(
                work,
                WORK,
                WorkAction.CANCEL,
                actor=actor,
                also={"closed_at": now, "closed_by": actor},
                meta=meta,
            )
        flow.stop(instance)
        move(
            case,
            CASE,
            CaseAction.WITHDRAW,
            actor=actor,
            also={"lock_version": case.lock_version + 1},
            audit_action="cases.withdraw",
            meta={**meta, "work_items_cancelled": len(cancelled), "reason_given": bool(reason)},
        )
        CaseEvent.objects.create(case=case, actor=actor, action="withdrawn", note=reason, at=now)
        notices.case_withdrawn(case, cancelled)
    return case
