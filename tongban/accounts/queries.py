"""Reads about people and their organisations, each limited to what the viewer may see."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.db.models import Case, QuerySet, When
from django.utils.crypto import salted_hmac

from tongban.accounts.models import MemberRole, Organisation, OrganisationMember, User
from tongban.core.identifiers import normalise, parse_resident_id, validate_mobile

# The largest primary key the databases store (64-bit signed); a bigger number in a URL
# names nothing, and SQLite would raise OverflowError if asked for it.
MAX_ID = 2**63 - 1

UNKNOWN_PREFIX = "unknown:"


def in_id_range(value: int) -> bool:
    """Whether ``value`` can be a primary key at all (1 … 2**63-1)."""
    return 0 < value <= MAX_ID


def _interpretations(identifier: str) -> list[tuple[str, str]]:
    """The ways ``identifier`` can name an account, in fixed order of precedence.

    A valid resident ID number first, then a valid mobile number, then a username. Each is
    normalised as registration normalises it (NFKC, so fullwidth digits count; spaces,
    dashes and +86 in mobile numbers; lower-case x in ID numbers).
    """
    text = normalise(identifier)
    if not text:
        return []
    found: list[tuple[str, str]] = []
    with contextlib.suppress(ValidationError):
        found.append(("id_number", parse_resident_id(text).number))
    with contextlib.suppress(ValidationError):
        found.append(("phone", validate_mobile(text)))
    found.append(("username", text))
    return found


def find_account(identifier: str | None) -> User | None:
    """The account an ID number, mobile number or username names, or ``None``.

    The identifier is normalised first, so it may be written as at registration
    ("139 0760 1001", "+86 13907601001", fullwidth digits). The first interpretation in
    ``_interpretations``' order that matches an account wins, so a username that looks
    like someone's ID or mobile number never captures their sign-in.
    """
    for field, value in _interpretations(identifier or ""):
        user = _accounts_by(field, value).first()
        if user is not None:
            return user
    return None


def _accounts_by(field: str, value: str) -> QuerySet[User]:
    """Accounts whose ``field`` is ``value``: ID and mobile numbers by their keyed digest."""
    if field == "id_number":
        return User.objects.by_id_number(value)  # type: ignore[no-any-return]
    if field == "phone":
        return User.objects.by_phone(value)  # type: ignore[no-any-return]
    return User.objects.filter(username=value)  # type: ignore[no-any-return]


def unknown_login_name(identifier: str | None) -> str:
    """A stand-in for an identifier that names no account, safe to store in django-axes.

    "unknown:" and 16 hex digits of an HMAC-SHA256 (keyed with SECRET_KEY) of the
    normalised identifier: failures for one unknown identifier still count together, but
    the stored value reveals no ID or mobile number (PIPL). Never a valid username, as
    usernames cannot contain ":".
    """
    ways = _interpretations(identifier or "")
    field, normalised = ways[0] if ways else ("username", "")
    if field == "username":  # e.g. a mistyped ID number: count x and X together
        normalised = normalised.upper()
    digest = salted_hmac(
        "tongban.accounts.unknown-login", normalised, algorithm="sha256"
    ).hexdigest()
    return UNKNOWN_PREFIX + digest[:16]


def login_name_for(identifier: str | None) -> str:
    """The name under which django-axes counts sign-in failures for ``identifier``.

    The username of the account it names, so all ways of naming one account count
    together; otherwise ``unknown_login_name``. Never the ID or mobile number itself.
    """
    if not (identifier or "").strip():
        return ""
    user = find_account(identifier)
    return user.username if user is not None else unknown_login_name(identifier)


def memberships_of(user: User) -> QuerySet[OrganisationMember]:
    """The organisations ``user`` currently acts for, with the organisation loaded."""
    return (
        OrganisationMember.objects.filter(user_id=user.pk, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def organisation_for_member(user: User, org_id: int) -> tuple[Organisation, OrganisationMember]:
    """The organisation ``org_id`` and ``user``'s membership in it.

    Raises ``OrganisationMember.DoesNotExist`` when ``user`` does not act for it, so another
    person's business is indistinguishable from one that does not exist, and so is an id
    too large to be one.
    """
    if not in_id_range(org_id):
        raise OrganisationMember.DoesNotExist
    member = OrganisationMember.objects.select_related("organisation").get(
        organisation_id=org_id, user_id=user.pk, is_active=True
    )
    return member.organisation, member


def active_members(org: Organisation) -> QuerySet[OrganisationMember]:
    """Everyone who currently acts for ``org``, legal representative first."""
    return (
        OrganisationMember.objects.filter(organisation=org, is_active=True)
        .select_related("user")
        .order_by(Case(When(role=MemberRole.LEGAL_REPRESENTATIVE, then=0), default=1), "granted_at")
    )


def user_by_id(user_id: int) -> User | None:
    """The account with primary key ``user_id``, or ``None`` (also when out of range)."""
    if not in_id_range(user_id):
        return None
    return User.objects.filter(pk=user_id).first()
