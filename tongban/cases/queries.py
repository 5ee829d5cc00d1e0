"""Permission-checked reads shared by the officials' pages (the inbox), and what the
portal asks of cases (whether an item or bundle can be applied for here)."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, Q, Value, When

from tongban.accounts.models import Role, User
from tongban.accounts.queries import OFFICE_ROLES, departments_where, roles_by_department
from tongban.catalog.models import Bundle, ServiceItem
from tongban.core.classification import clearance_of
from tongban.org.models import Department

from . import dataforms
from .clocks import immediate_q
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
        .annotate(
            immediate=Case(
                When(immediate_q("subcase__"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("case", "subcase__item", "department")
    )


def has_form(target: ServiceItem | Bundle) -> bool:
    """Whether ``target`` (an item or a bundle) can be applied for on this platform: it has
    a published application form (``cases:apply`` shows the same form, or nothing)."""
    return bool(dataforms.build_form(target).fields)
