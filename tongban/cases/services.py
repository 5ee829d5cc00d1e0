"""Use cases of applications and cases: drafts, uploads, submission, officials' actions.

Every function here runs in one transaction, writes its history (``CaseEvent``) and its
audit record together with the change, and raises ``ServiceError`` (field -> message) on
bad input, changing nothing. Officials' actions are explicit transitions of a sub-case
(``TRANSITIONS``); anything else — approving a refused matter, deciding another
department's work item, acting on a step someone else just completed — is refused with a
message that says why.

Concurrency: a work item is closed with a compare-and-set (``status=open`` → ``done``) and
the process instance row is locked (``select_for_update`` on PostgreSQL; SQLite's
IMMEDIATE transactions serialise writers) while the engine steps, so of two officials
acting on the same item exactly one succeeds and the other is told who did.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.accounts.models import Role, RoleAssignment, User
from tongban.accounts.services import ServiceError
from tongban.catalog.models import Bundle, MaterialNecessity, ServiceItem, TimeUnit
from tongban.catalog.queries import assurance_gap, merged_materials
from tongban.core.audit import record_audit
from tongban.core.classification import can_see, clearance_of
from tongban.core.crypto import keys
from tongban.core.models import KeyPurpose
from tongban.org.models import Department
from tongban.workdays import calc

from . import dataforms, flow, notices
from .models import (
    Case,
    CaseCounter,
    CaseEvent,
    CaseStatus,
    ClockPause,
    CorrectionNotice,
    CorrectionStage,
    Draft,
    PauseKind,
    SubCase,
    SubCaseStatus,
    UploadedMaterial,
    WorkItem,
    WorkKind,
    WorkStatus,
)

#: 行政许可法 Art. 32: a correction notice before acceptance within 5 working days of receipt,
#: or the application counts as accepted on receipt.
ACCEPTANCE_DAYS = 5
MAX_MATERIAL_BYTES = 10 * 1024 * 1024
QUERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

#: Sniffed file types for materials: (magic bytes, content type, extension).
MATERIAL_TYPES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


# --- personal data at rest ----------------------------------------------------------------


def seal_data(aad: str, data: dict[str, Any]) -> str:
    """Encrypt form data under the field-encryption key, bound to its row by ``aad``."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    return keys.encrypt(KeyPurpose.FIELD_ENCRYPTION, payload, aad=aad.encode())


def open_data(aad: str, token: str) -> dict[str, Any]:
    if not token:
        return {}
    data: dict[str, Any] = json.loads(
        keys.decrypt(KeyPurpose.FIELD_ENCRYPTION, token, aad.encode())
    )
    return data


def case_aad(case: Case) -> str:
    return f"cases.case|{case.number}"


def draft_aad(draft: Draft) -> str:
    return f"cases.draft|{draft.applicant_id}|{draft.pk}"


def case_data(case: Case) -> dict[str, Any]:
    return open_data(case_aad(case), case.data_token)


def draft_data(draft: Draft) -> dict[str, Any]:
    return open_data(draft_aad(draft), draft.data_token)


# --- numbers ------------------------------------------------------------------------------


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of ``digits`` (catches one wrong digit and most swaps)."""
    total = 0
    for n, ch in enumerate(reversed(digits)):
        d = int(ch)
        if n % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def city_code() -> str:
    code = str(getattr(settings, "TONGBAN_CITY_CODE", "") or "")
    if code:
        return code
    from tongban.org.models import Region, RegionLevel

    city = Region.objects.filter(level=RegionLevel.PREFECTURE).order_by("code").first()
    city = city or Region.objects.filter(parent__isnull=True).order_by("code").first()
    return city.code[:6] if city else "000000"


def next_case_number(now: dt.datetime) -> str:
    """``<city code>-<yyyymmdd>-<serial>-<check>``, e.g. ``442000-20261128-000123-4``.

    The serial counts the city's cases of the day (local time) from 1; the Luhn digit over
    the digits catches typing errors on the public status page. Unique by construction
    (the counter row is updated inside the submitting transaction) and by the database.
    """
    day = timezone.localdate(now)
    CaseCounter.objects.get_or_create(day=day)
    counter = CaseCounter.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    body = f"{city_code()}{day:%Y%m%d}{counter.last:06d}"
    return f"{body[:-14]}-{day:%Y%m%d}-{counter.last:06d}-{luhn_digit(body)}"


def valid_case_number(number: str) -> bool:
    parts = number.split("-")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        return False
    return luhn_digit("".join(parts[:3])) == parts[3]


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(6))


# --- targets and drafts -------------------------------------------------------------------


def target_items(target: ServiceItem | Bundle) -> list[ServiceItem]:
    if isinstance(target, Bundle):
        return [
            m.item
            for m in target.memberships.select_related("item__department").order_by("sort_order")
        ]
    return [target]


@dataclass
class RequiredMaterial:
    code: str
    name: str
    required: bool
    can_be_waived: bool


def required_materials(target: ServiceItem | Bundle) -> list[RequiredMaterial]:
    """The materials to upload, listed once per material code."""
    if isinstance(target, Bundle):
        merged = merged_materials(target)
        rows = [(m.code, m.name, m.necessity, m.can_be_waived) for m in merged]
    else:
        rows = [(m.code, m.name, m.necessity, m.can_be_waived) for m in target.materials.all()]
    return [
        RequiredMaterial(code, name, necessity == MaterialNecessity.REQUIRED, waived)
        for code, name, necessity, waived in rows
    ]


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
    _check_draft_owner(draft, actor)
    form = dataforms.build_form(draft.target)
    cleaned, errors = dataforms.clean_data(form, raw, partial=True)
    with transaction.atomic():
        draft.data_token = seal_data(draft_aad(draft), cleaned)
        draft.revision += 1
        draft.save(update_fields=["data_token", "revision", "updated_at"])
        record_audit(actor, "cases.draft_save", draft, meta={"fields": sorted(cleaned)})
    return errors


def _check_draft_owner(draft: Draft, actor: User) -> None:
    if draft.applicant_id != actor.pk:
        raise ServiceError({"draft": [_("This draft belongs to someone else.")]})


def _sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in MATERIAL_TYPES:
        if head.startswith(magic):
            return content_type, ext
    return None


def material_root() -> Path:
    root = Path(getattr(settings, "CASES_UPLOAD_DIR", "") or settings.VAR_DIR / "uploads")
    root.mkdir(parents=True, exist_ok=True)
    return root


def material_path(material: UploadedMaterial) -> Path:
    return material_root() / material.storage_name


def upload_material(
    draft: Draft, material_code: str, upload: UploadedFile, *, actor: User
) -> UploadedMaterial:
    """Store an uploaded file for one required material of a draft, outside the web root.

    The type is decided by the file's first bytes, not its name or the browser's claim.
    """
    _check_draft_owner(draft, actor)
    return _keep_upload(draft.target, material_code, upload, actor, draft=draft)


def _keep_upload(
    target: ServiceItem | Bundle,
    material_code: str,
    upload: UploadedFile,
    actor: User,
    *,
    draft: Draft | None = None,
    case: Case | None = None,
) -> UploadedMaterial:
    """Check, store and record one file for ``material_code`` of a draft or a case; the
    earlier file of that code is marked superseded. The stored file is removed again if
    the row cannot be written."""
    codes = {m.code: m for m in required_materials(target)}
    if material_code not in codes:
        raise _refuse(
            _("This application does not ask for that material."), f"material_{material_code}"
        )
    stored = _store_upload(material_code, codes[material_code].name, upload, actor)
    owner: dict[str, Any] = {"draft": draft} if draft is not None else {"case": case}
    try:
        with transaction.atomic():
            UploadedMaterial.objects.filter(
                **owner, material_code=material_code, superseded=False
            ).update(superseded=True)
            stored.draft, stored.case = draft, case
            stored.save()
            meta: dict[str, Any] = {
                "material": material_code,
                "size": stored.size,
                "type": stored.content_type,
            }
            if case is not None:
                meta["case"] = case.number
            record_audit(actor, "cases.material_upload", stored, meta=meta)
    except Exception:
        material_path(stored).unlink(missing_ok=True)
        raise
    return stored


#: Providers of materials the platform already holds (免提交), registered by higher modules
#: (the licences app): ``provider(user, material_codes, organisation) -> [offer]`` where an
#: offer has ``material_code``, ``licence_number`` and ``label``.
MATERIAL_OFFER_PROVIDERS: list[Any] = []


def material_offers(
    user: User, target: ServiceItem | Bundle, organisation: Any = None
) -> dict[str, Any]:
    """Material code -> the first held document that satisfies it (a valid licence)."""
    codes = [m.code for m in required_materials(target)]
    found: dict[str, Any] = {}
    for provider in MATERIAL_OFFER_PROVIDERS:
        for offer in provider(user, codes, organisation=organisation):
            found.setdefault(offer.material_code, offer)
    return found


def use_held_licence(draft: Draft, material_code: str, *, actor: User) -> UploadedMaterial:
    """Attach a valid licence the applicant holds instead of uploading the material: only
    one the providers offer for this material and this applicant right now."""
    _check_draft_owner(draft, actor)
    offer = material_offers(actor, draft.target, draft.organisation).get(material_code)
    if offer is None:
        raise _refuse(
            _("You hold no valid licence for this material; upload the file instead."),
            f"material_{material_code}",
        )
    with transaction.atomic():
        UploadedMaterial.objects.filter(
            draft=draft, material_code=material_code, superseded=False
        ).update(superseded=True)
        row = UploadedMaterial.objects.create(
            applicant=actor,
            draft=draft,
            material_code=material_code,
            licence_number=offer.licence_number,
            original_name=str(offer.label)[:200],
            content_type="application/x-tongban-licence",
            size=0,
            sha256="",
            storage_name=f"licence/{uuid.uuid4().hex}",
            uploaded_at=timezone.now(),
        )
        record_audit(
            actor,
            "cases.material_licence",
            row,
            meta={"material": material_code, "licence": offer.licence_number},
        )
    return row


def current_materials(*, draft: Draft | None = None, case: Case | None = None) -> dict[str, Any]:
    rows = UploadedMaterial.objects.filter(superseded=False)
    rows = rows.filter(draft=draft) if draft is not None else rows.filter(case=case)
    return {m.material_code: m for m in rows}


# --- submission ---------------------------------------------------------------------------


def _limit_days(limit: int | None, unit: str) -> int | None:
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


def assurance_problem(applicant: User, target: ServiceItem | Bundle) -> str | None:
    """Why ``applicant`` may not apply online for ``target`` (its required identity
    assurance level), or None."""
    problem = assurance_gap(applicant, target)
    return str(problem) if problem else None


def submit(draft: Draft, *, actor: User, idempotency_key: str) -> Case:
    """Turn a complete draft into a case with one sub-case per item; start its process.

    A repeated submission with the same idempotency key returns the case already made.
    """
    existing = Case.objects.filter(applicant=actor, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    _check_draft_owner(draft, actor)
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
    try:
        with transaction.atomic():
            case = _create_case(draft, target, form, cleaned, actor, idempotency_key)
    except IntegrityError:
        # A concurrent submission with the same key won the race: return its case.
        existing = Case.objects.filter(applicant=actor, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing
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
    today = timezone.localdate(now)
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
        promised = _limit_days(item.promised_limit, item.promised_limit_unit)
        statutory = _limit_days(item.legal_limit, item.legal_limit_unit)
        acceptance = calc.add_working_days(today, ACCEPTANCE_DAYS)
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
            due = calc.add_working_days(today, promised)
            sub.promised_due = due.date
            sub.due_provisional = sub.due_provisional or due.provisional
        if statutory is not None:
            due = calc.add_working_days(today, statutory)
            sub.statutory_due = due.date
            sub.due_provisional = sub.due_provisional or due.provisional
        sub.save()
        if sub.promised_due and (promised_due is None or sub.promised_due > promised_due):
            promised_due = sub.promised_due
        provisional = provisional or sub.due_provisional
    if is_bundle and target.promised_limit:
        bundle_due = calc.add_working_days(today, target.promised_limit)
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


# --- who may act --------------------------------------------------------------------------


def _roles_in(user: User, department: Department | None) -> set[str]:
    if department is None:
        return set()
    return set(
        RoleAssignment.objects.filter(user=user, department=department).values_list(
            "role", flat=True
        )
    )


def can_act(user: User, work: WorkItem) -> bool:
    """Whether ``user`` may complete ``work``: the applicant for their own correction
    step; otherwise a holder of the step's role in the step's department, or that
    department's leader."""
    if not user.is_active:
        return False
    if work.kind == WorkKind.CORRECT:
        return work.case.applicant_id == user.pk
    roles = _roles_in(user, work.department)
    return bool(roles & {work.role, Role.DEPARTMENT_LEADER})


def can_view_case(user: User, case: Case) -> bool:
    """The applicant, or an official cleared for the case's classification (数据分级) who
    works in a department with a sub-case in it, or a city leader."""
    if not user.is_authenticated or not user.is_active:
        return False
    if case.applicant_id == user.pk:
        return True
    if not can_see(user, case.classification):
        return False
    departments = set(case.subcases.values_list("department_id", flat=True))
    if RoleAssignment.objects.filter(
        user=user,
        department_id__in=departments,
        role__in=[Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_LEADER],
    ).exists():
        return True
    return RoleAssignment.objects.filter(user=user, role=Role.CITY_LEADER).exists()


def inbox_departments(user: User) -> list[Department]:
    ids = RoleAssignment.objects.filter(
        user=user, role__in=[Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_LEADER]
    ).values_list("department_id", flat=True)
    return list(Department.objects.filter(pk__in=ids).order_by("code"))


def inbox(user: User) -> Any:
    """Open work items the user may act on (their roles, or all of their department if
    they lead it), of cases their clearance covers."""
    assignments = RoleAssignment.objects.filter(
        user=user, role__in=[Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_LEADER]
    )
    cond = Q(pk__in=[])
    for a in assignments:
        if a.role == Role.DEPARTMENT_LEADER:
            cond |= Q(department_id=a.department_id)
        else:
            cond |= Q(department_id=a.department_id, role=a.role)
    return (
        WorkItem.objects.filter(
            cond, status=WorkStatus.OPEN, case__classification__lte=clearance_of(user)
        )
        .exclude(kind=WorkKind.CORRECT)
        .select_related("case", "subcase__item", "department")
    )


# --- officials' actions -------------------------------------------------------------------


class Action:
    ACCEPT = "accept"
    NOT_ACCEPT = "not_accept"
    CORRECTION = "correction"
    FORWARD = "forward"
    APPROVE = "approve"
    REJECT = "reject"
    TRANSFER = "transfer"
    COMMENT = "comment"
    START_SPECIAL = "start_special"
    END_SPECIAL = "end_special"
    RESUBMIT = "resubmit"


#: (work kind, action) -> sub-case states it may start from and the state it leads to.
TRANSITIONS: dict[tuple[str, str], tuple[frozenset[str], str | None]] = {
    (WorkKind.ACCEPT, Action.ACCEPT): (
        frozenset({SubCaseStatus.RECEIVED}),
        SubCaseStatus.IN_REVIEW,
    ),
    (WorkKind.ACCEPT, Action.NOT_ACCEPT): (
        frozenset({SubCaseStatus.RECEIVED}),
        SubCaseStatus.NOT_ACCEPTED,
    ),
    (WorkKind.ACCEPT, Action.CORRECTION): (
        frozenset({SubCaseStatus.RECEIVED}),
        SubCaseStatus.CORRECTION_BEFORE,
    ),
    (WorkKind.ACCEPT, Action.TRANSFER): (frozenset({SubCaseStatus.RECEIVED}), None),
    (WorkKind.REVIEW, Action.FORWARD): (frozenset({SubCaseStatus.IN_REVIEW}), None),
    (WorkKind.REVIEW, Action.CORRECTION): (
        frozenset({SubCaseStatus.IN_REVIEW}),
        SubCaseStatus.CORRECTION,
    ),
    (WorkKind.REVIEW, Action.START_SPECIAL): (
        frozenset({SubCaseStatus.IN_REVIEW}),
        SubCaseStatus.SPECIAL,
    ),
    (WorkKind.REVIEW, Action.END_SPECIAL): (
        frozenset({SubCaseStatus.SPECIAL}),
        SubCaseStatus.IN_REVIEW,
    ),
    (WorkKind.DECIDE, Action.APPROVE): (
        frozenset({SubCaseStatus.IN_REVIEW}),
        SubCaseStatus.APPROVED,
    ),
    (WorkKind.DECIDE, Action.REJECT): (
        frozenset({SubCaseStatus.IN_REVIEW}),
        SubCaseStatus.REJECTED,
    ),
    (WorkKind.CORRECT, Action.RESUBMIT): (
        frozenset({SubCaseStatus.CORRECTION_BEFORE, SubCaseStatus.CORRECTION}),
        None,  # back to where the correction was asked: received or in review
    ),
}
#: Actions that do not complete the engine step (the work item stays open).
IN_PLACE = frozenset({Action.TRANSFER, Action.START_SPECIAL, Action.END_SPECIAL})

ACTION_LABELS = {
    Action.ACCEPT: gettext_lazy("Accept"),
    Action.NOT_ACCEPT: gettext_lazy("Do not accept"),
    Action.CORRECTION: gettext_lazy("Ask for a correction"),
    Action.FORWARD: gettext_lazy("Send for decision"),
    Action.APPROVE: gettext_lazy("Approve"),
    Action.REJECT: gettext_lazy("Refuse"),
    Action.TRANSFER: gettext_lazy("Transfer to another department"),
    Action.COMMENT: gettext_lazy("Comment"),
    Action.START_SPECIAL: gettext_lazy("Start a special procedure"),
    Action.END_SPECIAL: gettext_lazy("End the special procedure"),
    Action.RESUBMIT: gettext_lazy("Resubmit"),
}


def allowed_actions(work: WorkItem) -> list[str]:
    if work.status != WorkStatus.OPEN or work.subcase is None:
        return []
    status = work.subcase.status
    return [
        action
        for (kind, action), (sources, _target) in TRANSITIONS.items()
        if kind == work.kind and status in sources
    ]


@dataclass
class ActionInput:
    action: str
    note: str = ""
    legal_basis: str = ""
    corrections: list[dict[str, str]] | None = None
    department: Department | None = None
    pause_kind: str = ""


def _refuse(message: str, field: str = "__all__") -> ServiceError:
    return ServiceError({field: [message]})


def act(work_id: int, data: ActionInput, *, actor: User) -> WorkItem:
    """Perform ``data.action`` on the open work item ``work_id``."""
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
        rule = TRANSITIONS.get((work.kind, data.action))
        if rule is None or sub.status not in rule[0]:
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
        target = rule[1]
        if target is not None:
            sub.status = target
        sub.lock_version += 1
        sub.save()
        if data.action not in IN_PLACE:
            closed = WorkItem.objects.filter(pk=work.pk, status=WorkStatus.OPEN).update(
                status=WorkStatus.DONE, closed_at=now, closed_by=actor
            )
            if closed != 1:  # pragma: no cover - the instance lock makes this unreachable
                raise _refuse(_("This step was already completed; nothing was changed."))
            flow.complete(instance, work, engine_data)
        _refresh_case_status(work.case, now)
        record_audit(
            actor,
            f"cases.{data.action}",
            sub,
            meta={"case": work.case.number, "work_item": work.pk, "kind": work.kind},
        )
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
    _restart_clock(sub, now)
    _event(sub, actor, Action.ACCEPT, now, data.note.strip())
    notices.subcase_accepted(sub)
    return {"action": "accept"}


def _restart_clock(sub: SubCase, now: dt.datetime) -> None:
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
    _end_pauses(sub, now)
    _event(sub, actor, Action.END_SPECIAL, now, data.note.strip())
    return {}


def _end_pauses(sub: SubCase, now: dt.datetime) -> None:
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


def _resubmit(
    work: WorkItem, sub: SubCase, data: ActionInput, actor: User, now: dt.datetime
) -> dict[str, Any]:
    before = sub.status == SubCaseStatus.CORRECTION_BEFORE
    CorrectionNotice.objects.filter(subcase=sub, resolved_at__isnull=True).update(resolved_at=now)
    _end_pauses(sub, now)
    sub.status = SubCaseStatus.RECEIVED if before else SubCaseStatus.IN_REVIEW
    if before:
        # A complete resubmission restarts the five days for acceptance.
        sub.acceptance_due = calc.add_working_days(timezone.localdate(now), ACCEPTANCE_DAYS).date
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


def _refresh_case_status(case: Case, now: dt.datetime) -> None:
    subs = list(case.subcases.all())
    before = case.status
    if all(s.is_final for s in subs):
        case.status = CaseStatus.COMPLETED
        case.completed_at = case.completed_at or now
    elif any(s.status in {SubCaseStatus.CORRECTION, SubCaseStatus.CORRECTION_BEFORE} for s in subs):
        case.status = CaseStatus.CORRECTION
    elif any(s.status != SubCaseStatus.RECEIVED for s in subs):
        case.status = CaseStatus.IN_PROGRESS
    else:
        case.status = CaseStatus.SUBMITTED
    if case.status != before:
        case.lock_version += 1
        case.save(update_fields=["status", "completed_at", "lock_version"])
        if case.status == CaseStatus.COMPLETED:
            CaseEvent.objects.create(case=case, action="completed", at=timezone.now())
            notices.case_completed(case)


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


def upload_case_material(
    case: Case, material_code: str, upload: UploadedFile, *, actor: User
) -> UploadedMaterial:
    """A corrected material during a correction: replaces the earlier file of that code."""
    if case.applicant_id != actor.pk:
        raise _refuse(_("This case belongs to someone else."))
    if case.status != CaseStatus.CORRECTION:
        raise _refuse(_("Files can be replaced only while a correction is requested."))
    target: ServiceItem | Bundle = case.bundle or case.item  # type: ignore[assignment]
    return _keep_upload(target, material_code, upload, actor, case=case)


def _store_upload(
    material_code: str, label: str, upload: UploadedFile, actor: User
) -> UploadedMaterial:
    """Validate and write the file outside the web root; return an unsaved row."""
    field = f"material_{material_code}"
    if not upload.size:
        raise _refuse(_("%(material)s: the file is empty.") % {"material": label}, field)
    if upload.size > MAX_MATERIAL_BYTES:
        raise _refuse(
            _("%(material)s: the file is larger than %(mb)s MB.")
            % {"material": label, "mb": MAX_MATERIAL_BYTES // (1024 * 1024)},
            field,
        )
    upload.seek(0)
    sniffed = _sniff(upload.read(16))
    if sniffed is None:
        raise _refuse(
            _("%(material)s: upload a PDF, JPEG or PNG file.") % {"material": label}, field
        )
    content_type, ext = sniffed
    storage_name = f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"
    path = material_root() / storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    upload.seek(0)
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    return UploadedMaterial(
        applicant=actor,
        material_code=material_code,
        original_name=(upload.name or "upload")[-200:],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        storage_name=storage_name,
        uploaded_at=timezone.now(),
    )


def can_download(user: User, material: UploadedMaterial) -> bool:
    if material.case_id is None:
        return material.applicant_id == user.pk
    return can_view_case(user, material.case)  # type: ignore[arg-type]
