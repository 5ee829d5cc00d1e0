"""What each role may do, as Django permissions.

A ``RoleAssignment`` is the record of who holds which role; this module turns roles into
one Django group per role (``role:<code>``) carrying that role's permissions, and keeps each
user's groups and staff flag (access to /admin/) in step with their assignments. Views keep
checking ordinary permissions (``catalog.add_serviceitem``), so any module can guard itself
without knowing the roles.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from tongban.accounts.models import Role, RoleAssignment, User
from tongban.accounts.queries import roles_of

GROUP_PREFIX = "role:"
ALL = ("add", "change", "delete", "view")

# (app_label, model or "*", actions) for each role. Roles that work on cases get their
# permissions with the approval module; until then they have no admin rights.
#
# Separation of duties (三员, docs/security-authentication.md): the system administrator
# runs the platform (organisation, catalogue read-only, keys read-only); the security
# administrator manages accounts, roles, second factors, sessions and lock-outs (not the
# catalogue, not the audit trail); the audit administrator reads the audit trail, seals,
# sign-in attempts and role assignments and can change nothing. Nobody holds two of them
# (``RoleAssignment`` constraint ``one_admin_duty_per_user``).
ROLE_PERMISSIONS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    Role.CATALOG_ADMIN: (
        ("catalog", "*", ALL),
        ("org", "*", ("view",)),
    ),
    Role.SYSTEM_ADMIN: (
        ("org", "*", ALL),
        ("catalog", "*", ("view",)),
        ("core", "generation", ("view",)),
        ("core", "cryptokey", ("view",)),
        ("accounts", "organisation", ("view",)),
        ("accounts", "organisationmember", ("view",)),
        # The working-day calendar, the scheduler, and how applications run: forms, data
        # elements and BPMN models (cases themselves change only through officials' pages).
        ("workdays", "*", ALL),
        ("core", "periodicjob", ("view",)),
        ("core", "scheduledrun", ("view",)),
        ("cases", "dataelement", ALL),
        ("cases", "formdefinition", ("add", "change", "view")),
        ("cases", "processdefinition", ("add", "change", "view")),
        ("cases", "case", ("view",)),
        ("cases", "subcase", ("view",)),
        ("cases", "workitem", ("view",)),
        ("ratings", "appeal", ("view", "decide")),
        ("ratings", "rating", ("view",)),
        ("ratings", "rectification", ("view",)),
    ),
    Role.SECURITY_ADMIN: (
        ("accounts", "user", ("add", "change", "view")),
        ("accounts", "roleassignment", ALL),
        ("accounts", "totpdevice", ("view", "delete")),
        ("accounts", "securitykey", ("view", "delete")),
        ("accounts", "recoverycode", ("view",)),
        ("accounts", "secondfactorlock", ("view", "change", "delete")),
        ("accounts", "accountsession", ("view", "delete")),
        ("axes", "*", ("view", "delete")),
        ("org", "department", ("view",)),
        ("org", "region", ("view",)),
        ("notify", "delivery", ("view",)),
    ),
    Role.AUDIT_ADMIN: (
        ("core", "auditrecord", ("view",)),
        ("core", "auditstreamhead", ("view",)),
        ("core", "auditseal", ("view",)),
        ("axes", "*", ("view",)),
        ("accounts", "roleassignment", ("view",)),
        ("notify", "delivery", ("view",)),
        ("core", "periodicjob", ("view",)),
    ),
    Role.CLERK: (),
    Role.REVIEWER: (),
    Role.DEPARTMENT_LEADER: (),
    Role.CITY_LEADER: (),
}
STAFF_ROLES = frozenset(
    {Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
)


def _permissions_of(role: str) -> list[Permission]:
    query = Q(pk__in=[])
    for app_label, model, actions in ROLE_PERMISSIONS.get(role, ()):
        scope = Q(content_type__app_label=app_label)
        if model != "*":
            scope &= Q(content_type__model=model)
        query |= scope & Q(codename__regex=rf"^({'|'.join(actions)})_")
    return list(Permission.objects.filter(query))


def role_group(role: str) -> Group:
    """The group of ``role``, created with its permissions the first time it is needed."""
    group, created = Group.objects.get_or_create(name=f"{GROUP_PREFIX}{role}")
    if created:
        group.permissions.set(_permissions_of(role))
    return group


def sync_role_groups(**_: Any) -> None:
    """Bring every role group's permissions in line with ROLE_PERMISSIONS (post_migrate)."""
    for role in Role:
        role_group(role).permissions.set(_permissions_of(role))


@transaction.atomic
def sync_user_roles(user: User) -> None:
    """Give ``user`` exactly the role groups of their assignments, and staff status to
    holders of an administrative role (superusers keep theirs)."""
    roles = roles_of(user)
    wanted = {role_group(role) for role in roles}
    current = set(user.groups.filter(name__startswith=GROUP_PREFIX))
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))
    is_staff = user.is_superuser or bool(roles & STAFF_ROLES)
    if user.is_staff != is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=is_staff)
        user.is_staff = is_staff


def on_assignment_change(sender: Any, instance: RoleAssignment, **_: Any) -> None:
    # When the user is being deleted, their assignments go first: nothing left to sync.
    if User.objects.filter(pk=instance.user_id).exists():
        sync_user_roles(instance.user)
