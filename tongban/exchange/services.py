"""Every write of the exchange: catalogue, members and keys, requests, grants.

Each function checks who acts (``PermissionDenied``) and what is asked (``ServiceError``
naming the field, in the user's language), writes in one transaction with its audit record,
and changes nothing when it refuses. Statuses move only through ``transitions``.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import outbox
from tongban.core.audit import record_audit
from tongban.core.crypto.suites import get_suite
from tongban.core.errors import ErrorCollector, refuse
from tongban.core.transitions import move
from tongban.org.models import Department
from tongban.workdays import calc

from . import clocks, queries
from .levels import KeyProtection
from .models import (
    DataItem,
    DataResource,
    Grant,
    MemberKey,
    MemberStatus,
    MemberSystem,
    RequestStatus,
    ResourceStatus,
    ShareClass,
    ShareRequest,
)
from .transitions import MEMBER, REQUEST, RESOURCE, MemberAction, RequestAction, ResourceAction

PURPOSE_MAX = 200
TEXT_MAX = 2000
MAX_DURATION_DAYS = 1095  # three years: a grant is reviewed at least that often


def _text_problem(text: str, limit: int) -> str:
    if not text:
        return _("This field is required.")
    if len(text) > limit:
        return _("At most %(n)d characters.") % {"n": limit}
    return ""


def _text(value: str | None, field: str, limit: int) -> str:
    """``value`` stripped; refused on ``field`` when empty or longer than ``limit``."""
    text = (value or "").strip()
    problem = _text_problem(text, limit)
    if problem:
        raise refuse(problem, field)
    return text


def _collect(errors: ErrorCollector, value: str | None, field: str, limit: int) -> str:
    """``_text``, collecting the problem in ``errors`` instead of raising."""
    text = (value or "").strip()
    problem = _text_problem(text, limit)
    if problem:
        errors.add(field, problem)
    return text


# --- catalogue -----------------------------------------------------------------------------


def _owner_or_authority(actor: Any, department_id: int) -> None:
    if not (queries.decides_for(actor, department_id) or queries.is_data_authority(actor)):
        raise PermissionDenied


@transaction.atomic
def publish_resource(resource: DataResource, *, actor: Any) -> DataResource:
    """Publish ``resource`` in the catalogue (its department or the data authority)."""
    _owner_or_authority(actor, resource.department_id)
    if not resource.items.exists():
        raise refuse(_("A resource needs at least one data item before it is published."))
    move(resource, RESOURCE, ResourceAction.PUBLISH, actor=actor)
    _push_upstream(resource)
    return resource


@transaction.atomic
def withdraw_resource(resource: DataResource, *, actor: Any) -> DataResource:
    _owner_or_authority(actor, resource.department_id)
    move(resource, RESOURCE, ResourceAction.WITHDRAW, actor=actor)
    _push_upstream(resource)
    return resource


def _push_upstream(resource: DataResource) -> None:
    """The city's catalogue changed: push it to the upstream platform after commit
    (``upstream_sync``). Copies of upstream resources are not pushed back up."""
    if not resource.upstream_id:
        outbox.enqueue("exchange.upstream_push", {}, key="exchange.upstream_push")


# --- member systems and their keys ---------------------------------------------------------


@dataclass(frozen=True)
class IssuedKey:
    """A new key: the stored public half and the private key, shown once and never stored."""

    key: MemberKey
    private_pem: str


def _pem(der: bytes, label: str) -> str:
    body = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])


@transaction.atomic
def register_member(
    *,
    department: Department,
    code: str,
    name: str,
    dengbao_grade: int,
    key_protection: str,
    actor: Any,
    name_en: str = "",
) -> MemberSystem:
    """Register a department's system with the exchange (the data authority only). Its
    assurance level follows from ``dengbao_grade`` and ``key_protection``."""
    if actor is not None and not queries.is_data_authority(actor):
        raise PermissionDenied
    errors = ErrorCollector()
    code = (code or "").strip().lower()
    if not code:
        errors.add("code", _("This field is required."))
    elif MemberSystem.objects.filter(code=code).exists():
        errors.add("code", _("A member system with this code already exists."))
    if not (name or "").strip():
        errors.add("name", _("This field is required."))
    if dengbao_grade not in (1, 2, 3, 4, 5):
        errors.add("dengbao_grade", _("Choose a protection grade from 1 to 5."))
    if key_protection not in KeyProtection.values:
        errors.add("key_protection", _("Choose how the system's key is protected."))
    if department.kind not in queries.GOVERNMENT_KINDS:
        errors.add("department", _("Only government departments' systems can be members."))
    errors.raise_if_any()
    member = MemberSystem(
        department=department,
        code=code,
        name=name.strip(),
        name_en=(name_en or "").strip(),
        dengbao_grade=dengbao_grade,
        key_protection=key_protection,
        registered_by=actor if getattr(actor, "pk", None) else None,
    )
    member.full_clean()
    member.save()
    record_audit(
        actor,
        "exchange.member.register",
        member,
        meta={"department": department.code, "level": member.assurance_level},
    )
    return member


@transaction.atomic
def issue_member_key(
    member: MemberSystem, *, actor: Any, retire_others: bool = False, now: dt.datetime | None = None
) -> IssuedKey:
    """A new key pair for ``member`` under the configured crypto suite. The public key is
    stored; the private key is returned to hand to the registering administrator once and
    is never stored. ``retire_others`` ends the validity of the member's other keys
    (rotation: add the new key, then retire the old ones once the system uses it)."""
    if actor is not None and not queries.is_data_authority(actor):
        raise PermissionDenied
    now = now or timezone.now()
    suite = get_suite()
    pair = suite.generate_signing_key()
    key = MemberKey.objects.create(
        member=member,
        key_id=f"mk{secrets.token_hex(8)}",
        algorithm=suite.signature_alg,
        public_key=pair.public,
        # A signature's ``created`` is whole seconds: a key must count from the second it was
        # issued in, or a call made in that second is refused as signed by an unknown key.
        valid_from=now.replace(microsecond=0),
    )
    if retire_others:
        for old in member.keys.exclude(pk=key.pk).filter(valid_until__isnull=True):
            retire_member_key(old, actor=actor, now=now)
    record_audit(
        actor,
        "exchange.member.key_issued",
        member,
        meta={"key_id": key.key_id, "algorithm": key.algorithm},
    )
    return IssuedKey(key=key, private_pem=_pem(pair.private, "PRIVATE KEY"))


@transaction.atomic
def retire_member_key(key: MemberKey, *, actor: Any, now: dt.datetime | None = None) -> MemberKey:
    """End a key's validity now (rotation): calls signed with it later are refused."""
    if actor is not None and not queries.is_data_authority(actor):
        raise PermissionDenied
    now = now or timezone.now()
    if key.valid_until is None or key.valid_until > now:
        key.valid_until = now
        key.save(update_fields=["valid_until"])
        record_audit(actor, "exchange.member.key_retired", key.member, meta={"key_id": key.key_id})
    return key


@transaction.atomic
def revoke_member_key(key: MemberKey, *, actor: Any, now: dt.datetime | None = None) -> MemberKey:
    """Revoke a compromised key at once."""
    if actor is not None and not queries.is_data_authority(actor):
        raise PermissionDenied
    if key.revoked_at is None:
        key.revoked_at = now or timezone.now()
        key.save(update_fields=["revoked_at"])
        record_audit(actor, "exchange.member.key_revoked", key.member, meta={"key_id": key.key_id})
    return key


@transaction.atomic
def suspend_member(member: MemberSystem, *, actor: Any, reason: str) -> MemberSystem:
    if actor is not None and not queries.is_data_authority(actor):
        raise PermissionDenied
    note = _text(reason, "reason", TEXT_MAX)
    move(member, MEMBER, MemberAction.SUSPEND, actor=actor, note=note)
    return member


@transaction.atomic
def reactivate_member(member: MemberSystem, *, actor: Any) -> MemberSystem:
    if actor is not None and not queries.is_data_authority(actor):
        raise PermissionDenied
    move(member, MEMBER, MemberAction.REACTIVATE, actor=actor)
    return member


# --- requests and grants -------------------------------------------------------------------


@dataclass(frozen=True)
class RequestInput:
    member: MemberSystem | None
    fields: tuple[DataItem, ...]
    full_fields: tuple[DataItem, ...] = ()
    purpose: str = ""
    legal_basis: str = ""
    duration_days: int | None = None
    # A confidential basis (investigations, discipline inspection): reads are withheld from
    # the person's data-access log until this day.
    confidential_until: dt.date | None = None


@transaction.atomic
def submit_request(
    resource: DataResource, data: RequestInput, *, actor: Any, now: dt.datetime | None = None
) -> ShareRequest:
    """A department's request for fields of ``resource`` through one of its member systems.
    The provider's answer is due ``TONGBAN_EXCHANGE_DECISION_DAYS`` working days later."""
    now = now or timezone.now()
    errors = ErrorCollector()
    member = data.member
    if member is None:
        errors.add("member", _("Choose the system that will receive the data."))
    elif not queries.acts_for(actor, member.department_id):
        raise PermissionDenied
    elif member.status != MemberStatus.ACTIVE:
        errors.add("member", _("This system is suspended; it cannot request data."))
    if resource.status != ResourceStatus.PUBLISHED:
        errors.add("__all__", _("This resource is not published in the catalogue."))
    elif (
        member is not None
        and member.department_id == resource.department_id
        and not resource.upstream_id
    ):
        errors.add("member", _("A department does not request its own data."))
    fields = list(dict.fromkeys(data.fields))
    if not fields:
        errors.add("fields", _("Choose at least one field."))
    if any(f.resource_id != resource.pk for f in fields):
        errors.add("fields", _("Choose fields of this resource only."))
    withheld = [f.display_name for f in fields if f.share_class == ShareClass.NOT_SHARED]
    if withheld:
        errors.add(
            "fields",
            _("These fields are not shared and cannot be requested: %(names)s.")
            % {"names": "、".join(withheld)},
        )
    full = list(dict.fromkeys(data.full_fields))
    if any(f not in fields or not f.personal_number for f in full):
        errors.add("full_fields", _("Only requested personal numbers can be asked unmasked."))
    purpose = _collect(errors, data.purpose, "purpose", PURPOSE_MAX)
    basis = _collect(errors, data.legal_basis, "legal_basis", TEXT_MAX)
    days = data.duration_days
    if days is None or not 1 <= days <= MAX_DURATION_DAYS:
        errors.add(
            "duration_days",
            _("Give a duration from 1 to %(max)d days.") % {"max": MAX_DURATION_DAYS},
        )
    secret_until = data.confidential_until
    if secret_until is not None and secret_until <= timezone.localdate(now):
        errors.add("confidential_until", _("The disclosure date must be in the future."))
    errors.raise_if_any()
    assert member is not None and days is not None
    request = ShareRequest.objects.create(
        member=member,
        department=member.department,
        resource=resource,
        purpose=purpose,
        legal_basis=basis,
        duration_days=days,
        confidential_until=secret_until,
        requested_by=actor if getattr(actor, "pk", None) else None,
        submitted_at=now,
        due_on=clocks.answer_clock(now).due(now).date,
    )
    request.fields.set(fields)
    request.full_fields.set(full)
    record_audit(
        actor,
        "exchange.request.submit",
        request,
        meta={
            "member": member.code,
            "resource": resource.code,
            "fields": sorted(f.code for f in fields),
            "purpose": purpose,
            "confidential": secret_until is not None,
        },
    )
    if resource.upstream_id:
        # Held by the provincial or national platform: forwarded after commit (upstream_sync).
        outbox.enqueue(
            "exchange.upstream_forward",
            {"request": request.pk},
            key=f"exchange.upstream_forward:{request.pk}",
        )
    return request


def _check_decider(request: ShareRequest, actor: Any, via_upstream: bool) -> None:
    """The provider's reviewers and leaders answer; for a resource held upstream only the
    upstream platform's answer, recorded by ``upstream_sync`` (``via_upstream``), counts."""
    if request.resource.upstream_id:
        if not via_upstream:
            raise refuse(
                _(
                    "The provincial or national platform answers this request; its answer is "
                    "recorded automatically."
                )
            )
        return
    if not queries.decides_for(actor, request.resource.department_id):
        raise PermissionDenied


def grant_expiry(granted_at: dt.datetime, days: int) -> dt.datetime:
    """The end of a grant of ``days`` natural days from ``granted_at``: the end of its last
    day (a natural-day clock, no holiday rule: a grant's term is not a time limit to act)."""
    clock = calc.Clock(granted_at, days, unit=calc.ClockUnit.NATURAL_DAY, holiday_rule=False)
    return clock.due(granted_at).at


def _make_grant(
    request: ShareRequest, *, actor: Any, now: dt.datetime, rate_per_minute: int, rate_per_day: int
) -> Grant:
    grant = Grant.objects.create(
        request=request,
        member=request.member,
        resource=request.resource,
        purpose=request.purpose,
        legal_basis=request.legal_basis,
        granted_at=now,
        granted_by=actor if getattr(actor, "pk", None) else None,
        expires_at=grant_expiry(now, request.duration_days),
        confidential_until=request.confidential_until,
        rate_per_minute=rate_per_minute,
        rate_per_day=rate_per_day,
    )
    grant.fields.set(request.fields.all())
    grant.full_fields.set(request.full_fields.all())
    return grant


def _rates(per_minute: int, per_day: int) -> None:
    errors = ErrorCollector()
    if per_minute < 1:
        errors.add("rate_per_minute", _("Allow at least one call."))
    if per_day < 1:
        errors.add("rate_per_day", _("Allow at least one call."))
    elif per_day < per_minute:
        errors.add("rate_per_day", _("A day allows at least as many calls as a minute."))
    errors.raise_if_any()


@transaction.atomic
def grant_request(
    request: ShareRequest,
    *,
    actor: Any,
    rate_per_minute: int = 60,
    rate_per_day: int = 10000,
    now: dt.datetime | None = None,
    via_upstream: bool = False,
) -> Grant:
    """The provider grants ``request`` as asked: a grant of its fields, purpose and legal
    basis for its duration, with the given rate limits."""
    _check_decider(request, actor, via_upstream)
    now = now or timezone.now()
    _rates(rate_per_minute, rate_per_day)
    move(
        request,
        REQUEST,
        RequestAction.GRANT,
        actor=actor,
        also={"decided_at": now, "decided_by": actor if getattr(actor, "pk", None) else None},
    )
    return _make_grant(
        request, actor=actor, now=now, rate_per_minute=rate_per_minute, rate_per_day=rate_per_day
    )


@transaction.atomic
def refuse_request(
    request: ShareRequest,
    *,
    actor: Any,
    reasons: str,
    now: dt.datetime | None = None,
    via_upstream: bool = False,
) -> ShareRequest:
    """The provider refuses ``request``; the reasons are required and shown to the
    requester (a refusal without reasons is not an answer)."""
    _check_decider(request, actor, via_upstream)
    text = _text(reasons, "reasons", TEXT_MAX)
    move(
        request,
        REQUEST,
        RequestAction.REFUSE,
        actor=actor,
        note=text,
        also={
            "decided_at": now or timezone.now(),
            "decided_by": actor if getattr(actor, "pk", None) else None,
            "refusal_reasons": text,
        },
    )
    return request


@transaction.atomic
def withdraw_request(request: ShareRequest, *, actor: Any) -> ShareRequest:
    if not queries.acts_for(actor, request.department_id):
        raise PermissionDenied
    move(request, REQUEST, RequestAction.WITHDRAW, actor=actor)
    return request


@transaction.atomic
def dispute_request(
    request: ShareRequest, *, actor: Any, reason: str, now: dt.datetime | None = None
) -> ShareRequest:
    """The requester takes a refusal, or an answer not given by the due day, to the data
    authority."""
    if not queries.acts_for(actor, request.department_id):
        raise PermissionDenied
    text = _text(reason, "reason", TEXT_MAX)
    now = now or timezone.now()
    if request.status == RequestStatus.SUBMITTED:
        state = clocks.stored_clock(request).read(now).state
        if state != calc.ClockState.OVERDUE:
            raise refuse(
                _("The provider has until %(date)s to answer; a dispute is possible after that.")
                % {"date": request.due_on.isoformat()}
            )
    move(
        request,
        REQUEST,
        RequestAction.DISPUTE,
        actor=actor,
        note=text,
        also={"dispute_reason": text},
    )
    return request


@transaction.atomic
def resolve_dispute(
    request: ShareRequest,
    *,
    actor: Any,
    grant: bool,
    note: str,
    now: dt.datetime | None = None,
) -> Grant | None:
    """The data authority settles a dispute: grants the request (``grant``) or upholds the
    refusal; either way with a written decision."""
    if not queries.is_data_authority(actor):
        raise PermissionDenied
    if grant and request.resource.upstream_id:
        # The province gives grants for its data; the city cannot give one in its place.
        raise refuse(
            _(
                "The city's data authority cannot change the upstream platform's answer; "
                "take it up through the provincial coordination channel."
            ),
            "grant",
        )
    text = _text(note, "note", TEXT_MAX)
    now = now or timezone.now()
    action = RequestAction.OVERRULE if grant else RequestAction.UPHOLD
    move(request, REQUEST, action, actor=actor, note=text, also={"resolution_note": text})
    if not grant:
        return None
    return _make_grant(request, actor=actor, now=now, rate_per_minute=60, rate_per_day=10000)


@transaction.atomic
def revoke_grant(grant: Grant, *, actor: Any, reason: str, now: dt.datetime | None = None) -> Grant:
    """Revoke ``grant`` now: the next call under it is refused (the decision reads grants
    afresh every time)."""
    if not (
        queries.decides_for(actor, grant.resource.department_id) or queries.is_data_authority(actor)
    ):
        raise PermissionDenied
    text = _text(reason, "reason", TEXT_MAX)
    if grant.revoked_at is not None:
        raise refuse(_("This grant is already revoked."))
    grant.revoked_at = now or timezone.now()
    grant.revocation_reason = text
    grant.save(update_fields=["revoked_at", "revocation_reason"])
    record_audit(actor, "exchange.grant.revoke", grant, meta={"member": grant.member.code})
    return grant


def items_by_pk(resource: DataResource, pks: Iterable[Any]) -> tuple[DataItem, ...]:
    """The resource's items among ``pks`` (ignoring anything else), in catalogue order."""
    wanted = []
    for value in pks:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            continue
    return tuple(DataItem.objects.filter(resource=resource, pk__in=wanted))
