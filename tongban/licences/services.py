"""Use cases of electronic licences: issue, sign, verify online, suspend, revoke, share.

Every write runs in one transaction with its audit record; bad input raises
``ServiceError`` naming the field, and an official without the right raises
``PermissionDenied``. Numbering, payload and verification rules: docs/licences.md.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from tongban.accounts.models import (
    Organisation,
    OrganisationMember,
    Role,
    User,
)
from tongban.accounts.queries import departments_where, holds_role
from tongban.cases import notices
from tongban.cases.models import Case, CaseStatus, DataElement, DataType, SubCase, SubCaseStatus
from tongban.cases.sealed import case_data
from tongban.core.audit import record_audit
from tongban.core.crypto import keys
from tongban.core.crypto.fields import digest
from tongban.core.crypto.providers import KeyStoreError
from tongban.core.crypto.suites import get_suite, suite_for_signature_alg
from tongban.core.errors import ServiceError
from tongban.core.identifiers import (
    USCC_ALPHABET,
    complete_uscc,
    mask_phone,
    mask_resident_id,
    mod_37_36_check_char,
    validate_resident_id,
    validate_uscc,
)
from tongban.core.models import ClassificationLevel, KeyPurpose
from tongban.core.transitions import move
from tongban.notify import services as notify
from tongban.org.models import Department

from . import payload as pl
from .models import HolderKind, ItemLicence, Licence, LicenceType
from .transitions import LICENCE
from .transitions import Action as LicenceAction

log = logging.getLogger(__name__)

SHARE_SALT = "tongban.licences.share"
SHARE_MAX_AGE = 24 * 60 * 60
ALPHABET36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_REASON = 1000


# --- numbers -----------------------------------------------------------------------------


def check_char(body: str) -> str:
    """ISO 7064 MOD 37,36 check character of ``body`` (digits and capital letters):
    catches every single wrong character and most swaps of neighbours."""
    return mod_37_36_check_char(body)


def department_part(department: Department) -> str:
    return "".join(c for c in department.code.upper() if c in ALPHABET36)[:12] or "X"


def licence_number(type_code: str, year: int, department: Department, serial: int) -> str:
    """``<type code>-<yyyy>-<DEPT>-<serial>-<check>``, e.g. ``11100000MB01-2026-SCJG-000001-K``."""
    parts = [type_code, f"{year:04d}", department_part(department), f"{serial:06d}"]
    return "-".join([*parts, check_char("".join(parts))])


def valid_number(number: str) -> bool:
    parts = number.split("-")
    if len(parts) != 5 or any(c not in ALPHABET36 for c in "".join(parts)):
        return False
    return check_char("".join(parts[:4])) == parts[4]


def _next_number(licence_type: LicenceType, department: Department, year: int) -> str:
    # The type row is locked for the rest of the transaction: numbers of one type are
    # handed out one at a time; the unique constraint is the backstop.
    LicenceType.objects.select_for_update().filter(pk=licence_type.pk).first()
    prefix = f"{licence_type.code}-{year:04d}-{department_part(department)}-"
    serial = Licence.objects.filter(number__startswith=prefix).count() + 1
    return licence_number(licence_type.code, year, department, serial)


def new_uscc(region_code: str, kind: str = "91") -> str:
    """A credit code as the market regulator assigns it (``91`` enterprise, ``92``
    individual business), with a random organisation code and both check characters."""
    body = "".join(secrets.choice(USCC_ALPHABET) for _ in range(8))
    return complete_uscc(kind, (region_code + "000000")[:6], body)


# --- face values ------------------------------------------------------------------------


def _face_aad(number: str) -> bytes:
    return f"licences.licence|{number}|face".encode()


def face_values(licence: Licence) -> dict[str, str]:
    """Every face value in the clear (sensitive ones decrypted), in face-field order."""
    values = {str(k): str(v) for k, v in (licence.face_data or {}).items()}
    if licence.face_sealed:
        sealed = json.loads(
            keys.decrypt(
                KeyPurpose.FIELD_ENCRYPTION, licence.face_sealed, _face_aad(licence.number)
            )
        )
        values.update({str(k): str(v) for k, v in sealed.items()})
    order = [f["key"] for f in licence.licence_type.fields()]
    return {k: values.get(k, "") for k in order} | {
        k: v for k, v in values.items() if k not in order
    }


def mask_value(value: str) -> str:
    """A sensitive face value as shown to people who may not see it in full."""
    value = value or ""
    if len(value) in (15, 18) and value[:-1].isdigit():
        return mask_resident_id(value)
    if len(value) == 11 and value.isdigit():
        return mask_phone(value)
    if len(value) <= 2:
        return "*" * len(value)
    keep = max(1, min(6, len(value) // 3))
    return value[:keep] + "*" * 4


@dataclass
class FaceRow:
    key: str
    label: str
    value: str
    public: bool
    sensitive: bool


def face_rows(licence: Licence, *, public_only: bool, reveal: bool = False) -> list[FaceRow]:
    """The face as rows with labels in the active language. ``public_only``: only fields
    marked public; sensitive values are masked unless ``reveal`` (the holder's own view)."""
    values = face_values(licence)
    english = (get_language() or "").startswith("en")
    rows = []
    for spec in licence.licence_type.fields():
        if public_only and not spec["public"]:
            continue
        value = values.get(spec["key"], "")
        if spec["sensitive"] and not reveal:
            value = mask_value(value)
        label = spec["label_en"] if english and spec["label_en"] else spec["label"]
        rows.append(FaceRow(spec["key"], label, value, spec["public"], spec["sensitive"]))
    return rows


# --- issuing ----------------------------------------------------------------------------


@dataclass
class Holder:
    """Who holds the licence. ``id_digest``: the keyed digest of the ID number or credit
    code (``tongban.core.crypto.fields.digest``), never the number."""

    kind: str
    id_digest: str
    name: str = ""
    user: User | None = None
    organisation: Organisation | None = None


def person_holder(user: User) -> Holder:
    if not user.id_number_digest:
        raise ServiceError(
            {"holder": [_("The holder's account has no verified ID number: cannot issue.")]}
        )
    return Holder(HolderKind.PERSON, user.id_number_digest, user.real_name or "", user=user)


def organisation_holder(uscc: str, name: str, user: User | None = None) -> Holder:
    uscc = validate_uscc(uscc)
    found = digest("text", uscc)
    assert found
    org = Organisation.objects.filter(uscc=uscc).first()
    return Holder(HolderKind.ORGANISATION, found, name, user=user, organisation=org)


def _sign(licence: Licence, face: Mapping[str, str]) -> None:
    """Fill the digests, key id, algorithm and signature of ``licence`` (unsaved)."""
    for _attempt in range(3):
        key = keys.active_key(KeyPurpose.LICENCE, licence.department)
        suite = get_suite(key.suite)
        licence.key_id, licence.algorithm = key.key_id, key.alg
        licence.holder_hash = pl.holder_hash(suite, licence.number, licence.holder_digest)
        licence.face_digest = pl.face_digest(suite, face)
        data = pl.signed_bytes(unsigned_fields(licence))
        signature = keys.sign(KeyPurpose.LICENCE, data, department=licence.department)
        if signature.key_id == key.key_id:  # not rotated between the two calls
            licence.signature = pl.b64url(signature.value)
            return
    raise KeyStoreError("the licence key kept changing while signing")  # pragma: no cover


def unsigned_fields(licence: Licence) -> dict[str, Any]:
    return pl.unsigned_fields(
        number=licence.number,
        type_code=licence.licence_type.code,
        issuer=licence.department.code,
        issued_on=licence.issued_on,
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        holder_hash=licence.holder_hash,
        face_digest=licence.face_digest,
        key_id=licence.key_id,
        alg=licence.algorithm,
    )


def payload_of(licence: Licence) -> str:
    """The payload text of ``licence`` (what its QR code carries)."""
    return pl.encode({**unsigned_fields(licence), "s": licence.signature})


def _check_face(licence_type: LicenceType, face: Mapping[str, Any]) -> dict[str, str]:
    specs = {f["key"]: f for f in licence_type.fields()}
    unknown = sorted(set(face) - set(specs))
    if unknown:
        raise ServiceError(
            {"face": [_("Unknown face fields: %(keys)s.") % {"keys": ", ".join(unknown)}]}
        )
    clean = {}
    for key in specs:
        value = str(face.get(key, "") or "").strip()
        if len(value) > 2000:
            raise ServiceError({key: [_("This value is too long (at most 2000 characters).")]})
        clean[key] = value
    return clean


@transaction.atomic
def issue_licence(
    licence_type: LicenceType,
    holder: Holder,
    face: Mapping[str, Any],
    *,
    actor: Any,
    issued_on: dt.date | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    subcase: SubCase | None = None,
    source: str = "case",
) -> Licence:
    """Issue, sign and store one licence of ``licence_type``; audited."""
    if holder.kind != licence_type.holder_kind:
        raise ServiceError({"holder": [_("This licence type is held by another kind of holder.")]})
    clean = _check_face(licence_type, face)
    department = licence_type.department
    issued_on = issued_on or timezone.localdate()
    valid_from = valid_from or issued_on
    if valid_until is None:
        valid_until = licence_type.valid_until_for(valid_from)
    if valid_until is not None and valid_until < valid_from:
        raise ServiceError({"valid_until": [_("The end of validity is before its start.")]})
    sensitive = {f["key"] for f in licence_type.fields() if f["sensitive"]}
    number = _next_number(licence_type, department, issued_on.year)
    licence = Licence(
        number=number,
        licence_type=licence_type,
        department=department,
        holder_kind=holder.kind,
        holder_name=holder.name[:200],
        holder_digest=holder.id_digest,
        holder_user=holder.user,
        holder_organisation=holder.organisation,
        issued_on=issued_on,
        valid_from=valid_from,
        valid_until=valid_until,
        face_data={k: v for k, v in clean.items() if k not in sensitive},
        source_case=subcase.case if subcase else None,
        source_subcase=subcase,
        issued_by=actor if isinstance(actor, User) else None,
        classification=ClassificationLevel.SENSITIVE
        if holder.kind == HolderKind.PERSON
        else ClassificationLevel.INTERNAL,
    )
    private = {k: v for k, v in clean.items() if k in sensitive}
    if private:
        licence.face_sealed = keys.encrypt(
            KeyPurpose.FIELD_ENCRYPTION,
            json.dumps(private, ensure_ascii=False, sort_keys=True).encode(),
            aad=_face_aad(number),
        )
    _sign(licence, clean)
    licence.save()
    record_audit(
        actor,
        "licences.licence.issued",
        licence,
        meta={
            "number": number,
            "type": licence_type.code,
            "department": department.code,
            "source": source,
            "subcase": subcase.pk if subcase else None,
            "key_id": licence.key_id,
        },
    )
    return licence


def _choice_labels(codes: list[str]) -> dict[str, dict[str, str]]:
    """For choice elements among ``codes``: value -> Chinese label (the face shows words)."""
    labels: dict[str, dict[str, str]] = {}
    for element in DataElement.objects.filter(code__in=codes, data_type=DataType.CHOICE):
        labels[element.code] = {
            str(c.get("value")): str(c.get("label") or c.get("value"))
            for c in element.choices or []
            if isinstance(c, dict)
        }
    return labels


def _face_from_case(licence_type: LicenceType, data: Mapping[str, Any], region: str) -> dict:
    face: dict[str, str] = {}
    specs = licence_type.fields()
    labels = _choice_labels([s["element"] for s in specs if s["element"]])
    for spec in specs:
        value = str(data.get(spec["element"], "") or "") if spec["element"] else ""
        value = labels.get(spec["element"], {}).get(value, value)
        if not value and spec["generate"] in GENERATED_USCC:
            value = new_uscc(region, GENERATED_USCC[spec["generate"]])
        face[spec["key"]] = value or spec["default"]
    return face


GENERATED_USCC = {"uscc": "91", "uscc-individual": "92"}


def _organisation_of_case(
    licence_type: LicenceType, face: dict[str, str], case: Any
) -> tuple[str, str]:
    """The credit code and name of the business a case's licence goes to: from the face
    (the form, or a code just assigned), the organisation the applicant acts for, or a
    business registered by another licence of the same case (a bundle that sets up the
    business and asks for its permits at once)."""
    specs = licence_type.fields()
    key_of = {f["element"]: f["key"] for f in specs if f["element"]}
    uscc = face.get(key_of.get("enterprise.uscc", ""), "")
    name = face.get(key_of.get("enterprise.name", ""), "")
    org = case.organisation
    if not uscc and org is not None:
        uscc, name = org.uscc, name or org.name
    if not uscc:
        for other in Licence.objects.filter(
            source_case=case, holder_kind=HolderKind.ORGANISATION
        ).select_related("licence_type"):
            values = face_values(other)
            found = {
                f["element"]: values.get(f["key"], "")
                for f in other.licence_type.fields()
                if f["element"]
            }
            if found.get("enterprise.uscc"):
                uscc = found["enterprise.uscc"]
                name = name or found.get("enterprise.name", "")
                break
    if uscc and "enterprise.uscc" in key_of:
        face[key_of["enterprise.uscc"]] = uscc
    return uscc, name


def issue_for_subcase(subcase: SubCase) -> Licence | None:
    """Issue the licence of an approved sub-case whose item names a licence type.

    Idempotent: one licence per sub-case (a second call returns the first licence). Returns
    ``None`` when the item issues no licence or the sub-case is not approved.
    """
    subcase = SubCase.objects.select_related("case", "item", "department").get(pk=subcase.pk)
    if subcase.status != SubCaseStatus.APPROVED:
        return None
    link = (
        ItemLicence.objects.select_related("licence_type__department")
        .filter(item_id=subcase.item_id)
        .first()
    )
    if link is None:
        return None
    licence_type = link.licence_type
    existing = Licence.objects.filter(source_subcase=subcase).first()
    if existing is not None:
        return existing
    case = subcase.case
    data = case_data(case)
    region = licence_type.department.region.code if licence_type.department.region_id else ""
    face = _face_from_case(licence_type, data, region)
    applicant = case.applicant
    if licence_type.holder_kind == HolderKind.PERSON:
        holder = person_holder(applicant)
    else:
        uscc, name = _organisation_of_case(licence_type, face, case)
        if not uscc:
            raise ServiceError(
                {"holder": [_("No credit code for the business: issue the licence by hand.")]}
            )
        holder = organisation_holder(uscc, name, user=applicant)
    try:
        with transaction.atomic():
            licence = issue_licence(
                licence_type, holder, face, actor=subcase.decided_by, subcase=subcase
            )
            _after_issue(licence, subcase, applicant)
            return licence
    except IntegrityError:  # issued meanwhile by another process
        found = Licence.objects.filter(source_subcase=subcase).first()
        if found is None:
            raise
        return found


def _after_issue(licence: Licence, subcase: SubCase, applicant: User) -> None:
    """In the issuing transaction: the applicant learns of a case's licence in the case's
    completion message (``tongban.cases.notices``), which may be waiting for this licence:
    record it again. Before completion nothing is told (the message will list it); after
    the message went out (it listed the licence as being issued), this licence is told
    alone."""
    status = Case.objects.filter(pk=subcase.case_id).values_list("status", flat=True).first()
    if status != CaseStatus.COMPLETED:
        return
    if notices.completion_sent(subcase.case):
        _tell_holder(licence, applicant)
    else:
        notices.enqueue_completion_message(subcase.case_id)


def _tell_holder(licence: Licence, applicant: User) -> None:
    """The applicant learns that the licence is in their wallet (in-app now, SMS and
    e-mail after commit)."""
    notify.send(
        applicant,
        "licences.issued",
        gettext_lazy("Your %(type)s has been issued"),
        gettext_lazy(
            "%(department)s issued %(type)s no. %(number)s. It is in “My licences”: show it, "
            "download it or share a link anyone can verify."
        ),
        link=reverse("licences:detail", args=[licence.number]),
        context={
            "type": licence.licence_type.name,
            "department": licence.department.name,
            "number": licence.number,
        },
        once=f"licences.issued:{licence.pk}",
    )


def _require_department_role(actor: Any, department: Department, *roles: str) -> None:
    if not isinstance(actor, User) or not actor.is_authenticated:
        raise PermissionDenied(_("Sign in as an official of the issuing department."))
    if not holds_role(actor, roles, department):
        raise PermissionDenied(
            _("Only an official of %(department)s with the right role may do this.")
            % {"department": department.name}
        )


ISSUING_ROLES = (Role.REVIEWER, Role.DEPARTMENT_LEADER)


def issue_legacy(
    licence_type: LicenceType,
    *,
    holder_id: str,
    holder_name: str,
    face: Mapping[str, Any],
    actor: User,
    issued_on: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> Licence:
    """An official of the issuing department records a licence issued before the platform
    (from the paper register). ``holder_id``: the resident ID number or credit code; only
    its keyed digest is stored. The holder's account is linked when it exists."""
    _require_department_role(actor, licence_type.department, *ISSUING_ROLES)
    if not (holder_name or "").strip():
        raise ServiceError({"holder_name": [_("Enter the holder's name.")]})
    if licence_type.holder_kind == HolderKind.PERSON:
        try:
            number = validate_resident_id(holder_id or "")
        except Exception:
            raise ServiceError({"holder_id": [_("Enter a valid resident ID number.")]}) from None
        user = User.objects.by_id_number(number).first()
        found = digest("resident_id", number)
        assert found
        holder = Holder(HolderKind.PERSON, found, holder_name.strip(), user=user)
    else:
        try:
            uscc = validate_uscc(holder_id or "")
        except Exception:
            raise ServiceError(
                {"holder_id": [_("Enter a valid unified social credit code.")]}
            ) from None
        holder = organisation_holder(uscc, holder_name.strip())
        if holder.organisation is not None:
            rep = holder.organisation.members.filter(role="legal_rep", is_active=True).first()
            holder.user = rep.user if rep else None
    if issued_on and issued_on > timezone.localdate():
        raise ServiceError({"issued_on": [_("The issue date cannot be in the future.")]})
    return issue_licence(
        licence_type,
        holder,
        face,
        actor=actor,
        issued_on=issued_on,
        valid_until=valid_until,
        source="legacy",
    )


# --- status changes ---------------------------------------------------------------------

STATUS_ROLES = (Role.DEPARTMENT_LEADER,)
# The audit trail has named these moves in the past tense from the start.
STATUS_AUDIT = {
    LicenceAction.SUSPEND: "licences.licence.suspended",
    LicenceAction.REINSTATE: "licences.licence.reinstated",
    LicenceAction.REVOKE: "licences.licence.revoked",
}


def _change_status(licence: Licence, action: str, reason: str, actor: User) -> Licence:
    """Move ``licence`` by ``action`` (``transitions.LICENCE``), recording the reason.

    Raises ``PermissionDenied`` unless ``actor`` leads the issuing department, and
    ``ServiceError`` without a reason or when the licence's state does not allow the move.
    """
    _require_department_role(actor, licence.department, *STATUS_ROLES)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError({"reason": [_("Give the reason; the holder will see it.")]})
    if len(reason) > MAX_REASON:
        raise ServiceError({"reason": [_("The reason is too long (at most 1000 characters).")]})
    with transaction.atomic():
        # Move the stored row, not the caller's copy, which may be stale.
        row = Licence.objects.select_for_update().get(pk=licence.pk)
        move(
            row,
            LICENCE,
            action,
            actor=actor,
            note=reason,
            also={
                "status_reason": reason,
                "status_changed_at": timezone.now(),
                "status_changed_by": actor,
            },
            audit_action=STATUS_AUDIT[action],
            meta={"number": row.number, "reason_given": True},
        )
    return row


def suspend(licence: Licence, reason: str, *, actor: User) -> Licence:
    """Suspend a valid licence (暂停); see ``_change_status`` for what it raises."""
    return _change_status(licence, LicenceAction.SUSPEND, reason, actor)


def reinstate(licence: Licence, reason: str, *, actor: User) -> Licence:
    """Put a suspended licence back in force; see ``_change_status`` for what it raises."""
    return _change_status(licence, LicenceAction.REINSTATE, reason, actor)


def revoke(licence: Licence, reason: str, *, actor: User) -> Licence:
    """Revoke a valid or suspended licence (撤销, final); see ``_change_status``."""
    return _change_status(licence, LicenceAction.REVOKE, reason, actor)


# --- verifying --------------------------------------------------------------------------


def store_resolver(key_id: str) -> pl.PublicKey | None:
    """Keys from this platform's key store (the same halves keys.json publishes)."""
    try:
        info = keys.get_key(key_id)
    except KeyStoreError:
        return None
    if info.kind != "signing":
        return None
    return pl.PublicKey(
        key_id=info.key_id,
        alg=info.alg,
        department=info.department_code,
        public_key=info.public_key,
        purpose=info.purpose,
        status=info.status,
    )


OUTCOME_MESSAGES = {
    "valid": gettext_lazy("Valid: the signature is genuine and the licence is in force."),
    "suspended": gettext_lazy("Suspended: the licence is not in force at the moment."),
    "revoked": gettext_lazy("Revoked: the licence is no longer in force."),
    "expired": gettext_lazy("Expired: the period of validity has ended."),
    "invalid": gettext_lazy("Not valid: this is not a genuine licence of this platform."),
}


@dataclass
class Verification:
    """The answer of an online check."""

    outcome: str  # valid, suspended, revoked, expired, invalid
    reason: str = ""
    code: str = ""
    claims: pl.Claims | None = None
    licence: Licence | None = None
    changed_at: dt.datetime | None = None
    public_face: list[FaceRow] = field(default_factory=list)

    @property
    def message(self) -> str:
        return str(OUTCOME_MESSAGES[self.outcome])

    @property
    def genuine(self) -> bool:
        return self.outcome != "invalid"


def check(text: str, *, today: dt.date | None = None) -> Verification:
    """Online verification: the signature (offline rules) plus the register's status."""
    today = today or timezone.localdate()
    try:
        claims = pl.verify_payload(text, store_resolver)
    except pl.PayloadError as exc:
        return Verification("invalid", reason=str(exc), code=exc.code)
    licence = (
        Licence.objects.select_related("licence_type", "department")
        .filter(number=claims.number)
        .first()
    )
    if licence is None:
        return Verification(
            "invalid",
            reason=_("The signature is genuine but the licence is not in the register."),
            code="not-registered",
            claims=claims,
        )
    suite = suite_for_signature_alg(licence.algorithm)
    if (
        payload_of(licence) != text.strip()
        or pl.face_digest(suite, face_values(licence)) != licence.face_digest
    ):
        return Verification(
            "invalid",
            reason=_("The payload does not match the licence in the register."),
            code="mismatch",
            claims=claims,
        )
    outcome = licence.current_status(today)
    return Verification(
        outcome,
        reason=licence.status_reason if outcome in ("suspended", "revoked") else "",
        code=outcome,
        claims=claims,
        licence=licence,
        changed_at=licence.status_changed_at if outcome in ("suspended", "revoked") else None,
        public_face=face_rows(licence, public_only=True),
    )


# --- the wallet and sharing -------------------------------------------------------------


def wallet(user: User) -> QuerySet[Licence]:
    """The licences ``user`` holds: their own, and those of the organisations they act for
    as legal representative or agent (active memberships only)."""
    orgs = OrganisationMember.objects.filter(user=user, is_active=True).values("organisation_id")
    return (
        Licence.objects.filter(Q(holder_user=user) | Q(holder_organisation_id__in=orgs))
        .select_related("licence_type", "department")
        .order_by("-issued_on", "-pk")
    )


def held_by(user: User, number: str) -> Licence | None:
    return wallet(user).filter(number=number).first()


def share_token(licence: Licence, *, actor: User) -> str:
    """A link token valid for 24 hours that opens the licence's public verification view;
    audited (who shared what, never with whom: the link is anonymous)."""
    if held_by(actor, licence.number) is None:
        raise PermissionDenied(_("Only the holder may share this licence."))
    with transaction.atomic():
        record_audit(actor, "licences.licence.shared", licence, meta={"number": licence.number})
    return signing.dumps({"n": licence.number}, salt=SHARE_SALT, compress=False)


class ShareLinkError(ValueError):
    pass


def open_share_token(token: str, *, max_age: int | None = None) -> Licence:
    """The licence a share token names; ``ShareLinkError`` says why it is not usable."""
    max_age = SHARE_MAX_AGE if max_age is None else max_age
    try:
        data = signing.loads(token, salt=SHARE_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ShareLinkError(
            _(
                "This shared link has expired (links are valid for 24 hours). "
                "Ask the holder for a new one."
            )
        ) from None
    except signing.BadSignature:
        raise ShareLinkError(_("This shared link is not valid.")) from None
    licence = Licence.objects.filter(number=str(data.get("n", ""))).first()
    if licence is None:
        raise ShareLinkError(_("This shared link is not valid."))
    return licence


# --- officials --------------------------------------------------------------------------


def official_departments(user: User, *roles: str) -> list[Department]:
    return list(departments_where(user, roles or None))
