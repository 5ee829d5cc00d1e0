"""Permission-checked reads of the exchange, shared by its pages (and, next, its gateway).

Who is who (role questions go through ``tongban.accounts.queries``):

- an **exchange official** holds an office role (clerk, reviewer, department leader) in a
  government department (a government department, a vertically managed agency or a town
  government; public service institutions are not government members of the exchange);
- a **provider** answers requests for the resources of the departments where they hold a
  reviewer or leader role;
- the **data authority** (数据主管部门) is the department named by
  ``TONGBAN_EXCHANGE_DATA_AUTHORITY``; its data administrators (数据管理员, the dedicated
  role ``data_admin``) register member systems, issue their keys and settle disputes, and
  so may its leaders (``AUTHORITY_ROLES``; a window reviewer of the bureau is no key
  issuer).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from tongban.accounts.models import Role
from tongban.accounts.queries import OFFICE_ROLES, departments_where
from tongban.core.classification import clearance_of
from tongban.org.models import Department, DepartmentKind

from . import decision
from .models import (
    DataItem,
    DataResource,
    Grant,
    MemberStatus,
    MemberSystem,
    RequestStatus,
    ResourceStatus,
    ShareClass,
    ShareRequest,
)

#: Department kinds whose systems and officials are government members of the exchange.
GOVERNMENT_KINDS: tuple[str, ...] = (
    DepartmentKind.GOVERNMENT,
    DepartmentKind.VERTICAL,
    DepartmentKind.TOWN,
)
#: Roles that answer requests for their department's data (and settle disputes at the
#: data authority).
DECIDING_ROLES: tuple[str, ...] = (Role.REVIEWER, Role.DEPARTMENT_LEADER)
#: Roles at the data authority's department that act as the data authority: the dedicated
#: data administrator, and the department's leaders (not its window reviewers: a reviewer of
#: the data administration bureau staffs the 一件事 counters and issues no keys).
AUTHORITY_ROLES: tuple[str, ...] = (Role.DATA_ADMIN, Role.DEPARTMENT_LEADER)


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def exchange_departments(user: Any, roles: Any = OFFICE_ROLES) -> QuerySet[Department]:
    """The government departments where ``user`` holds one of ``roles`` (none for visitors,
    citizens and inactive accounts)."""
    if not _active(user):
        return Department.objects.none()
    return departments_where(user, roles).filter(kind__in=GOVERNMENT_KINDS, is_active=True)


def is_exchange_official(user: Any) -> bool:
    """May ``user`` use the officials' exchange pages at all? (An office role in a
    government department, or the data authority, whose data administrator may hold no
    office role.)"""
    return exchange_departments(user).exists() or is_data_authority(user)


def data_authority() -> Department | None:
    """The department that registers members and settles disputes (``None``: not set up)."""
    code = getattr(settings, "TONGBAN_EXCHANGE_DATA_AUTHORITY", "") or ""
    return Department.objects.filter(code=code).first() if code else None


def is_data_authority(user: Any) -> bool:
    """Does ``user`` act for the data authority (one of ``AUTHORITY_ROLES`` in the
    department named by ``TONGBAN_EXCHANGE_DATA_AUTHORITY``, which must be active)?"""
    code = getattr(settings, "TONGBAN_EXCHANGE_DATA_AUTHORITY", "") or ""
    if not (code and _active(user)):
        return False
    return departments_where(user, AUTHORITY_ROLES).filter(code=code, is_active=True).exists()


def decides_for(user: Any, department_id: int) -> bool:
    """May ``user`` answer requests for ``department_id``'s resources?"""
    return (
        _active(user)
        and exchange_departments(user, DECIDING_ROLES).filter(pk=department_id).exists()
    )


def acts_for(user: Any, department_id: int) -> bool:
    """May ``user`` request, withdraw and dispute for ``department_id``?"""
    return exchange_departments(user).filter(pk=department_id).exists()


# --- the catalogue -------------------------------------------------------------------------


def catalogue(
    user: Any, *, text: str = "", department: str = "", share_class: str = ""
) -> QuerySet[DataResource]:
    """Published resources (and the drafts and withdrawn ones of the user's own
    departments), filtered by ``text`` (code, name, description, item names), owning
    ``department`` code and ``share_class`` of any item; each with its item count."""
    own = exchange_departments(user).values("pk")
    rows = DataResource.objects.filter(
        Q(status=ResourceStatus.PUBLISHED) | Q(department__in=own)
    ).select_related("department")
    text = (text or "").strip()[:100]
    if text:
        rows = rows.filter(
            Q(code__icontains=text)
            | Q(name__icontains=text)
            | Q(name_en__icontains=text)
            | Q(description__icontains=text)
            | Q(items__name__icontains=text)
            | Q(items__code__icontains=text)
        )
    if department:
        rows = rows.filter(department__code=department)
    if share_class in ShareClass.values:
        rows = rows.filter(items__share_class=share_class)
    return rows.annotate(item_count=Count("items", distinct=True)).order_by(
        "department__sort_order", "code"
    )


def visible_resource(user: Any, code: str) -> DataResource | None:
    """The resource ``code`` if ``user`` may see it in the catalogue."""
    return catalogue(user).filter(code=code).first()


def requesting_members(user: Any) -> QuerySet[MemberSystem]:
    """The active member systems of the user's departments (to request data for)."""
    return MemberSystem.objects.filter(
        department__in=exchange_departments(user).values("pk"), status=MemberStatus.ACTIVE
    ).select_related("department")


# --- requests ------------------------------------------------------------------------------


def incoming(user: Any) -> QuerySet[ShareRequest]:
    """Requests for resources of departments ``user`` decides for."""
    deciding = exchange_departments(user, DECIDING_ROLES).values("pk")
    return ShareRequest.objects.filter(resource__department__in=deciding).select_related(
        "member", "department", "resource__department"
    )


def outgoing(user: Any) -> QuerySet[ShareRequest]:
    """Requests made by the user's departments."""
    own = exchange_departments(user).values("pk")
    return ShareRequest.objects.filter(department__in=own).select_related(
        "member", "department", "resource__department"
    )


def disputes(user: Any) -> QuerySet[ShareRequest]:
    """Disputed requests, for the data authority; nothing for anyone else."""
    if not is_data_authority(user):
        return ShareRequest.objects.none()
    return ShareRequest.objects.filter(status=RequestStatus.DISPUTED).select_related(
        "member", "department", "resource__department"
    )


def visible_request(user: Any, pk: int) -> ShareRequest | None:
    """The request ``pk`` if ``user`` is on one of its sides or is the data authority."""
    if not is_exchange_official(user):
        return None
    row = (
        ShareRequest.objects.select_related("member", "department", "resource__department")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        return None
    if (
        decides_for(user, row.resource.department_id)
        or acts_for(user, row.department_id)
        or is_data_authority(user)
    ):
        return row
    return None


# --- what the decision reads, fresh for every call ----------------------------------------


def decision_items(resource: DataResource) -> dict[str, decision.Item]:
    """The resource's items as the decision sees them, by code."""
    return {
        item.code: item.as_decision_item() for item in DataItem.objects.filter(resource=resource)
    }


def decision_grant(
    member: MemberSystem, resource: DataResource, *, now: Any
) -> decision.Grant | None:
    """The member's grant for ``resource`` as read now: a grant valid at ``now`` if there
    is one, else the latest (revoked or expired: the decision then says which), else
    ``None``. Never cached, so a revocation counts on the next call (P8)."""
    grants = Grant.objects.filter(member=member, resource=resource).select_related(
        "member", "resource"
    )
    valid = (
        grants.filter(revoked_at__isnull=True, expires_at__gt=now).order_by("-granted_at").first()
    )
    chosen = valid or grants.order_by("-granted_at").first()
    return chosen.as_decision_grant() if chosen is not None else None


def decision_requester(member: MemberSystem, *, authenticated: bool) -> decision.Requester:
    """The member as the decision sees it; ``authenticated`` is the gateway's finding (a
    valid signature by a valid key), and a suspended member is never authenticated."""
    return decision.Requester(
        member=member.code,
        authenticated=authenticated and member.status == MemberStatus.ACTIVE,
        government=member.department.kind in GOVERNMENT_KINDS,
        level=int(member.assurance_level),
    )


def official_clearance(user: Any) -> int:
    """The originating official's clearance (``tongban.core.classification``)."""
    return clearance_of(user)
