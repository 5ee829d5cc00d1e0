"""Permission-checked reads shared by the officials' pages: the inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from tongban.accounts.models import Role, RoleAssignment, User
from tongban.core.classification import clearance_of
from tongban.org.models import Department

from .models import (
    WorkItem,
    WorkKind,
    WorkStatus,
)


def inbox_departments(user: User) -> list[Department]:
    ids = RoleAssignment.objects.filter(
        user=user, role__in=[Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_LEADER]
    ).values_list("department_id", flat=True)
    return list(Department.objects.filter(pk__in=ids).order_by("code"))


def inbox(user: User) -> Any:
    """Open work items the user may act on (their roles, or all of their department if
    they lead it), of cases their clearance covers."""
    assignments = RoleAssignment.objects.filter(
        user=user, role__in=[Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_LEADER]
    )
    cond = Q(pk__in=[])
    for a in assignments:
        if a.role == Role.DEPARTMENT_LEADER:
            cond |= Q(department_id=a.department_id)
        else:
            cond |= Q(department_id=a.department_id, role=a.role)
    return (
        WorkItem.objects.filter(
            cond, status=WorkStatus.OPEN, case__classification__lte=clearance_of(user)
        )
        .exclude(kind=WorkKind.CORRECT)
        .select_related("case", "subcase__item", "department")
    )
