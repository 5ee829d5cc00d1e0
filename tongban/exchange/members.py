"""The data authority's member systems: the reads its pages need, and the one write the
services lack (reactivating a system with a written reason).

Everything else a page does to a member system or its keys goes through
``tongban.exchange.services`` (``register_member``, ``issue_member_key``,
``retire_member_key``, ``revoke_member_key``, ``suspend_member``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import refuse
from tongban.core.models import StatusChange
from tongban.core.transitions import move
from tongban.org.models import Department

from . import queries
from .models import MemberKey, MemberStatus, MemberSystem
from .transitions import MEMBER, MemberAction

REASON_MAX = 2000


class KeyState:
    """Where a key stands at a moment (shown beside it, with words, not colour alone)."""

    VALID = "valid"
    NOT_YET = "not_yet"
    RETIRED = "retired"
    REVOKED = "revoked"

    LABELS = {
        VALID: _("Valid"),
        NOT_YET: _("Not yet valid"),
        RETIRED: _("Retired"),
        REVOKED: _("Revoked"),
    }


def key_state(key: MemberKey, now: dt.datetime) -> str:
    """``KeyState`` of ``key`` at ``now``: a revocation outranks a retirement."""
    if key.revoked_at is not None and key.revoked_at <= now:
        return KeyState.REVOKED
    if key.valid_until is not None and key.valid_until <= now:
        return KeyState.RETIRED
    if now < key.valid_from:
        return KeyState.NOT_YET
    return KeyState.VALID


def _valid_keys(now: dt.datetime) -> Q:
    return (
        Q(keys__valid_from__lte=now)
        & (Q(keys__valid_until__isnull=True) | Q(keys__valid_until__gt=now))
        & (Q(keys__revoked_at__isnull=True) | Q(keys__revoked_at__gt=now))
    )


def member_rows(*, status: str = "", now: dt.datetime | None = None) -> QuerySet[MemberSystem]:
    """Every member system for the data authority's list, with ``valid_keys`` (usable now)
    and ``all_keys`` counted in the same query, by department then code; ``status``
    (a ``MemberStatus`` value) narrows it."""
    now = now or timezone.now()
    rows = MemberSystem.objects.select_related("department")
    if status in MemberStatus.values:
        rows = rows.filter(status=status)
    return rows.annotate(
        valid_keys=Count("keys", filter=_valid_keys(now), distinct=True),
        all_keys=Count("keys", distinct=True),
    ).order_by("department__sort_order", "department__code", "code")


def status_counts() -> dict[str, int]:
    """How many member systems are in each status (every status present, 0 if none)."""
    counts = dict.fromkeys(MemberStatus.values, 0)
    for row in MemberSystem.objects.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def without_valid_key(now: dt.datetime | None = None) -> QuerySet[MemberSystem]:
    """Active member systems that hold no key usable now: they cannot call the exchange."""
    now = now or timezone.now()
    with_key = MemberKey.objects.filter(
        Q(valid_from__lte=now)
        & (Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        & (Q(revoked_at__isnull=True) | Q(revoked_at__gt=now))
    ).values("member_id")
    return MemberSystem.objects.filter(status=MemberStatus.ACTIVE).exclude(pk__in=with_key)


def member_departments() -> QuerySet[Department]:
    """The departments whose systems may be registered: active government departments."""
    return Department.objects.filter(kind__in=queries.GOVERNMENT_KINDS, is_active=True).order_by(
        "sort_order", "code"
    )


@dataclass(frozen=True)
class StatusEvent:
    action: str
    label: str
    note: str
    at: dt.datetime
    actor: str


def status_history(member: MemberSystem) -> list[StatusEvent]:
    """The member's suspensions and reactivations, newest first, with their reasons."""
    rows = (
        StatusChange.objects.filter(model=member._meta.label_lower, object_id=str(member.pk))
        .select_related("actor")
        .order_by("-at", "-pk")
    )
    return [
        StatusEvent(
            action=row.action,
            label=str(MEMBER.label(row.action)),
            note=row.note,
            at=row.at,
            actor=(getattr(row.actor, "real_name", "") or getattr(row.actor, "username", ""))
            if row.actor
            else "",
        )
        for row in rows
    ]


@transaction.atomic
def reactivate_member(member: MemberSystem, *, actor: Any, reason: str) -> MemberSystem:
    """Reactivate a suspended member system (the data authority only), recording why in
    its status history. Raises ``PermissionDenied`` for anyone else and ``ServiceError``
    on ``reason`` when it is empty or too long, or when the system is not suspended."""
    if actor is not None and not queries.is_data_authority(actor):
        raise PermissionDenied
    note = (reason or "").strip()
    if not note:
        raise refuse(gettext("This field is required."), "reason")
    if len(note) > REASON_MAX:
        raise refuse(gettext("At most %(n)d characters.") % {"n": REASON_MAX}, "reason")
    move(member, MEMBER, MemberAction.REACTIVATE, actor=actor, note=note)
    return member
