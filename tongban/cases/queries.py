"""Permission-checked reads shared by the officials' pages: the inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from tongban.accounts.models import Role, User
from tongban.accounts.queries import OFFICE_ROLES, departments_where, roles_by_department
from tongban.core.classification import clearance_of
from tongban.org.models import Department

from .models import (
    WorkItem,
    WorkKind,
    WorkStatus,
)


def inbox_departments(user: User) -> list[Department]:
    return list(departments_where(user, OFFICE_ROLES))


def inbox(user: User) -> Any:
    """Open work items the user may act on (their roles, or all of their department if
    they lead it), of cases their clearance covers."""
    cond = Q(pk__in=[])
    for department_id, roles in roles_by_department(user, OFFICE_ROLES).items():
        if Role.DEPARTMENT_LEADER in roles:
            cond |= Q(department_id=department_id)
        else:
            cond |= Q(department_id=department_id, role__in=sorted(roles))
    return (
        WorkItem.objects.filter(
            cond, status=WorkStatus.OPEN, case__classification__lte=clearance_of(user)
        )
        .exclude(kind=WorkKind.CORRECT)
        .select_related("case", "subcase__item", "department")
    )
