"""The share decision (promise P6): who may read which data items, as one pure function.

``decide`` takes plain frozen dataclasses and returns a ``Decision``; it reads no database,
no clock and no settings, so the same inputs always give the same answer and the function
can be compared with the independent oracle in ``tests/exchange_oracle.py`` over hundreds
of thousands of generated cases (docs/adr/0013-exchange-decision.md). Callers read the
member, its grant and the items fresh for every call (a revoked grant counts on the next
call, P8) and audit every decision, allow and deny (P10–P12).

The table, checked in this order; the first rule that fails names the reason:

1. the requester is an authenticated member system (``UNAUTHENTICATED``) of a government
   department (``NOT_GOVERNMENT``): even unconditional data (无条件共享) is for government
   members only, and every call is logged;
2. it asks for at least one field (``NO_FIELDS``), each an item of the resource
   (``UNKNOWN_FIELD``);
3. no field is not-shared (不予共享, ``NOT_SHARED``): such items never leave, whoever asks;
4. every field is graded at most the effective level, ``min(member level, originating
   official's clearance)`` (``GRADE_TOO_HIGH``): the seed's 对应一致的分级分类;
5. when a field is conditional (有条件共享) there is a grant (``NO_GRANT``) that is not
   revoked (``GRANT_REVOKED``), not expired (``GRANT_EXPIRED``), names this member
   (``GRANT_OTHER_MEMBER``), this resource (``GRANT_OTHER_RESOURCE``), this purpose
   (``PURPOSE_MISMATCH``), records a legal basis (``NO_LEGAL_BASIS``) and names every
   conditional field asked for (``FIELD_NOT_GRANTED``).

An allowed decision releases exactly the fields asked for (P7: never more; duplicates once,
in the order asked). A released personal number (身份证号码 and the like) is masked unless
a valid grant of this member, resource and purpose names the field in full
(``Grant.full_fields``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = [
    "Decision",
    "Grant",
    "Item",
    "Query",
    "Reason",
    "Requester",
    "ShareClass",
    "decide",
]


class ShareClass(StrEnum):
    """The three share classes of 国发〔2016〕51号 and the 2025 政务数据共享条例 (the values are
    those of ``tongban.exchange.models.ShareClass``)."""

    UNCONDITIONAL = "unconditional"  # 无条件共享
    CONDITIONAL = "conditional"  # 有条件共享
    NOT_SHARED = "not_shared"  # 不予共享


class Reason(StrEnum):
    """Why a decision went the way it did; stable codes, written to the audit trail."""

    ALLOW = "allow"
    UNAUTHENTICATED = "unauthenticated"
    NOT_GOVERNMENT = "not_government"
    NO_FIELDS = "no_fields"
    UNKNOWN_FIELD = "unknown_field"
    NOT_SHARED = "not_shared"
    GRADE_TOO_HIGH = "grade_too_high"
    NO_GRANT = "no_grant"
    GRANT_REVOKED = "grant_revoked"
    GRANT_EXPIRED = "grant_expired"
    GRANT_OTHER_MEMBER = "grant_other_member"
    GRANT_OTHER_RESOURCE = "grant_other_resource"
    PURPOSE_MISMATCH = "purpose_mismatch"
    NO_LEGAL_BASIS = "no_legal_basis"
    FIELD_NOT_GRANTED = "field_not_granted"


@dataclass(frozen=True)
class Item:
    """One data item of the resource: its code, share class, security grade (the
    classification levels 1–4) and whether it holds a personal number to mask."""

    code: str
    share_class: ShareClass
    grade: int
    personal_number: bool = False


@dataclass(frozen=True)
class Requester:
    """The calling member system as the gateway established it: ``authenticated`` (a valid
    signature by an active key of an active member), ``government`` (its department is a
    government department), and its assurance ``level`` (1–4)."""

    member: str
    authenticated: bool
    government: bool
    level: int


@dataclass(frozen=True)
class Query:
    """What is asked: the resource, the fields (item codes), the stated purpose, the
    clearance of the originating official (1–4) and the moment of the call."""

    resource: str
    fields: tuple[str, ...]
    purpose: str
    clearance: int
    now: datetime


@dataclass(frozen=True)
class Grant:
    """A grant as read from the database for this call. ``full_fields`` are the fields
    released unmasked (a subset of ``fields``); ``expires_at`` is exclusive."""

    member: str
    resource: str
    fields: frozenset[str]
    purpose: str
    legal_basis: str
    expires_at: datetime
    revoked: bool = False
    full_fields: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Decision:
    """``allowed`` with its ``reason``; ``released`` the fields to return (empty when
    denied), ``masked`` those of them to mask; ``field`` names the field a denial is about
    (empty when the reason is not about one field)."""

    allowed: bool
    reason: Reason
    released: tuple[str, ...] = ()
    masked: frozenset[str] = frozenset()
    field: str = ""

    @classmethod
    def deny(cls, reason: Reason, field: str = "") -> Decision:
        return cls(False, reason, field=field)


def effective_level(requester: Requester, query: Query) -> int:
    """The level a call is served at: the lower of the member's assurance level and the
    originating official's clearance."""
    return min(requester.level, query.clearance)


def _grant_problem(grant: Grant | None, requester: Requester, query: Query) -> Reason | None:
    """Why ``grant`` does not cover this member, resource and purpose now (``None``: it
    does; the fields are checked by the caller)."""
    if grant is None:
        return Reason.NO_GRANT
    if grant.revoked:
        return Reason.GRANT_REVOKED
    if query.now >= grant.expires_at:
        return Reason.GRANT_EXPIRED
    if grant.member != requester.member:
        return Reason.GRANT_OTHER_MEMBER
    if grant.resource != query.resource:
        return Reason.GRANT_OTHER_RESOURCE
    if grant.purpose != query.purpose:
        return Reason.PURPOSE_MISMATCH
    if not grant.legal_basis.strip():
        return Reason.NO_LEGAL_BASIS
    return None


def decide(
    requester: Requester,
    query: Query,
    items: Mapping[str, Item],
    grant: Grant | None = None,
) -> Decision:
    """Decide ``query`` by ``requester`` against the resource's ``items`` (by code) and the
    member's ``grant`` for the resource, if any (see the module's table)."""
    if not requester.authenticated:
        return Decision.deny(Reason.UNAUTHENTICATED)
    if not requester.government:
        return Decision.deny(Reason.NOT_GOVERNMENT)
    asked = tuple(dict.fromkeys(query.fields))
    if not asked:
        return Decision.deny(Reason.NO_FIELDS)
    for code in asked:
        if code not in items:
            return Decision.deny(Reason.UNKNOWN_FIELD, code)
    chosen = [items[code] for code in asked]
    for item in chosen:
        if item.share_class == ShareClass.NOT_SHARED:
            return Decision.deny(Reason.NOT_SHARED, item.code)
    level = effective_level(requester, query)
    for item in chosen:
        if item.grade > level:
            return Decision.deny(Reason.GRADE_TOO_HIGH, item.code)
    problem = _grant_problem(grant, requester, query)
    conditional = [i for i in chosen if i.share_class == ShareClass.CONDITIONAL]
    if conditional:
        if problem is not None or grant is None:
            return Decision.deny(problem or Reason.NO_GRANT)
        for item in conditional:
            if item.code not in grant.fields:
                return Decision.deny(Reason.FIELD_NOT_GRANTED, item.code)
    in_full = grant.full_fields & grant.fields if grant is not None and problem is None else set()
    masked = frozenset(i.code for i in chosen if i.personal_number and i.code not in in_full)
    return Decision(True, Reason.ALLOW, asked, masked)
