"""Reads about people and their organisations, each limited to what the viewer may see.

Role questions are answered here and nowhere else (every app asks them through these
functions, never with ``RoleAssignment.objects.filter``): whether a user holds a role
(``holds_role``), which roles they hold in a department (``roles_in``, ``roles_of``,
``roles_by_department``), where they hold them (``departments_where``) and who holds a role
(``role_holders``, ``role_holder_exists``). Each costs at most one query; an anonymous user
costs none.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, When
from django.utils.crypto import salted_hmac

from tongban.accounts.models import (
    MemberRole,
    Organisation,
    OrganisationMember,
    Role,
    RoleAssignment,
    User,
)
from tongban.core.identifiers import normalise, parse_resident_id, validate_mobile
from tongban.org.models import Department

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


# --- roles ---------------------------------------------------------------------------------

#: The roles that handle matters of one department: window clerk, reviewer, and the
#: department's leader (who may do whatever the other two may).
OFFICE_ROLES: tuple[str, ...] = (Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_LEADER)

#: One role code, several, or ``None`` for any role.
Roles = str | Iterable[str] | None
#: A department, its primary key, several keys (a list or a ``values("…")`` queryset), or
#: ``None`` for any department (also none).
Departments = Department | int | Iterable[int] | QuerySet[Any] | None


class _Anywhere:
    """The default "in any department, or none" of the role questions. An explicit
    ``None`` (a missing department, e.g. a nullable foreign key) matches no assignment, so
    a permission check can never widen to every department by accident."""

    def __repr__(self) -> str:
        return "ANYWHERE"


ANYWHERE = _Anywhere()


def _role_condition(roles: Roles, department: Departments | _Anywhere) -> Q:
    cond = Q()
    if isinstance(roles, str):
        cond &= Q(role=roles)
    elif roles is not None:
        cond &= Q(role__in=list(roles))
    if isinstance(department, Department):
        cond &= Q(department_id=department.pk)
    elif isinstance(department, int):
        cond &= Q(department_id=department)
    elif isinstance(department, QuerySet):
        cond &= Q(department_id__in=department)
    elif department is None:
        cond &= Q(pk__in=[])
    elif not isinstance(department, _Anywhere):
        cond &= Q(department_id__in=list(department))
    return cond


def _user_pk(user: Any) -> int | None:
    """The primary key of a saved account; ``None`` for anonymous users and ``None``."""
    return getattr(user, "pk", None)


def _assignments(
    user_pk: int, roles: Roles, department: Departments | _Anywhere
) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(_role_condition(roles, department), user_id=user_pk)


def holds_role(
    user: Any, roles: Roles = None, department: Departments | _Anywhere = ANYWHERE
) -> bool:
    """Whether ``user`` holds one of ``roles`` (any role if ``None``) in ``department``
    (in any department, or none, by default; an explicit ``None`` matches nothing).
    Whether the account is active is the caller's question. One query; none for an
    anonymous user (``False``)."""
    pk = _user_pk(user)
    if pk is None:
        return False
    return _assignments(pk, roles, department).exists()


def roles_in(user: Any, department: Department | int | None) -> set[str]:
    """The role codes ``user`` holds in ``department``; empty (and no query) when either is
    missing. One query."""
    pk = _user_pk(user)
    if pk is None or department is None:
        return set()
    return set(_assignments(pk, None, department).values_list("role", flat=True))


def roles_of(user: Any) -> set[str]:
    """Every role code ``user`` holds, in any department or none. One query."""
    pk = _user_pk(user)
    if pk is None:
        return set()
    return set(_assignments(pk, None, ANYWHERE).values_list("role", flat=True))


def roles_by_department(user: Any, roles: Roles = None) -> dict[int, set[str]]:
    """The department-bound roles among ``roles`` that ``user`` holds, by department
    primary key (assignments without a department are left out). One query."""
    pk = _user_pk(user)
    if pk is None:
        return {}
    found: dict[int, set[str]] = {}
    rows = _assignments(pk, roles, ANYWHERE).filter(department_id__isnull=False)
    for role, department_id in rows.values_list("role", "department_id"):
        found.setdefault(department_id, set()).add(role)
    return found


def departments_where(user: Any, roles: Roles = None) -> QuerySet[Department]:
    """The departments in which ``user`` holds one of ``roles`` (any role if ``None``),
    ordered by code. A lazy queryset: one query when read."""
    pk = _user_pk(user)
    if pk is None:
        return Department.objects.none()
    held = _assignments(pk, roles, ANYWHERE).values("department_id")
    return Department.objects.filter(pk__in=held).order_by("code")


def role_holders(
    roles: Roles, department: Departments | _Anywhere = ANYWHERE, *, active_only: bool = True
) -> QuerySet[User]:
    """The accounts holding one of ``roles`` (in ``department``, if given), active ones only
    unless ``active_only`` is false. A lazy queryset without order: one query when read."""
    held = RoleAssignment.objects.filter(_role_condition(roles, department)).values("user_id")
    users = User.objects.filter(pk__in=held)
    return users.filter(is_active=True) if active_only else users


def role_holder_exists(
    roles: Roles = None, department: Departments | _Anywhere = ANYWHERE, *, user_ref: str = "pk"
) -> Exists:
    """An ``Exists`` expression for annotations and filters over users: whether the user
    whose primary key the outer query's ``user_ref`` names holds one of ``roles`` (any
    role if ``None``) in ``department`` (anywhere if ``None``). Adds no query of its own."""
    return Exists(
        RoleAssignment.objects.filter(
            _role_condition(roles, department), user_id=OuterRef(user_ref)
        )
    )
