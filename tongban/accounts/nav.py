"""Who sees which link (predicates for ``tongban.core.nav``), and the accounts' own entries.

Role questions are answered by ``tongban.accounts.queries``; the roles of one user are read
once per user object (one query per request however many entries ask).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import Role
from tongban.accounts.queries import OFFICE_ROLES, roles_of
from tongban.core import nav

_CACHE_ATTR = "_tongban_nav_roles"


def roles(user: Any) -> frozenset[str]:
    """The role codes ``user`` holds (none for visitors and inactive accounts), read once
    per user object."""
    if not nav.signed_in(user):
        return frozenset()
    held: frozenset[str] | None = getattr(user, _CACHE_ATTR, None)
    if held is None:
        held = frozenset(roles_of(user))
        setattr(user, _CACHE_ATTR, held)
    return held


def is_official(user: Any) -> bool:
    """Staff: anyone signed in who holds a role (officials, leaders, administrators) or
    may enter the administration site. They land on the workbench after signing in."""
    return nav.signed_in(user) and (bool(roles(user)) or bool(getattr(user, "is_staff", False)))


def is_citizen(user: Any) -> bool:
    """Signed in, and no official."""
    return nav.signed_in(user) and not is_official(user)


def holds(*wanted: str | Iterable[str]) -> nav.Predicate:
    """A predicate: the user holds one of ``wanted`` (role codes) in some department."""
    codes: set[str] = set()
    for w in wanted:
        codes.update([w] if isinstance(w, str) else w)

    def predicate(user: Any) -> bool:
        return bool(roles(user) & codes)

    predicate.__qualname__ = f"holds({','.join(sorted(codes))})"
    return predicate


#: Officials who handle a department's matters (clerk, reviewer, leader).
handles_matters = holds(OFFICE_ROLES)


def register() -> None:
    nav.register(
        "accounts.me",
        label=_("My space"),
        url_name="accounts:me",
        placements=nav.PERSONAL_BAR,
        visible=nav.signed_in,
        order=10,
    )
    nav.register(
        "accounts.security",
        label=_("Account security"),
        description=_("Two-factor sign-in, security keys and where you are signed in"),
        url_name="accounts:security",
        placements=nav.WORKBENCH,
        visible=is_official,
        order=800,
    )
    nav.register(
        "accounts.users",
        label=_("Accounts and roles"),
        description=_("Create accounts, grant and withdraw roles, unlock sign-in."),
        url_name="admin:accounts_user_changelist",
        placements=nav.WORKBENCH,
        visible=holds(Role.SECURITY_ADMIN),
        order=700,
    )


register()
