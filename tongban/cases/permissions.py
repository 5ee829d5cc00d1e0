"""Who may see a case and act on its steps."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tongban.accounts.models import Role, RoleAssignment, User
from tongban.core.classification import can_see
from tongban.core.errors import ServiceError
from tongban.org.models import Department

from .models import (
    Case,
    Draft,
    UploadedMaterial,
    WorkItem,
    WorkKind,
)


def _roles_in(user: User, department: Department | None) -> set[str]:
    if department is None:
        return set()
    return set(
        RoleAssignment.objects.filter(user=user, department=department).values_list(
            "role", flat=True
        )
    )


def can_act(user: User, work: WorkItem) -> bool:
    """Whether ``user`` may complete ``work``: the applicant for their own correction
    step; otherwise a holder of the step's role in the step's department, or that
    department's leader."""
    if not user.is_active:
        return False
    if work.kind == WorkKind.CORRECT:
        return work.case.applicant_id == user.pk
    roles = _roles_in(user, work.department)
    return bool(roles & {work.role, Role.DEPARTMENT_LEADER})


def can_view_case(user: User, case: Case) -> bool:
    """The applicant, or an official cleared for the case's classification (数据分级) who
    works in a department with a sub-case in it, or a city leader."""
    if not user.is_authenticated or not user.is_active:
        return False
    if case.applicant_id == user.pk:
        return True
    if not can_see(user, case.classification):
        return False
    departments = set(case.subcases.values_list("department_id", flat=True))
    if RoleAssignment.objects.filter(
        user=user,
        department_id__in=departments,
        role__in=[Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_LEADER],
    ).exists():
        return True
    return RoleAssignment.objects.filter(user=user, role=Role.CITY_LEADER).exists()


def can_download(user: User, material: UploadedMaterial) -> bool:
    if material.case_id is None:
        return material.applicant_id == user.pk
    return can_view_case(user, material.case)  # type: ignore[arg-type]


def check_draft_owner(draft: Draft, actor: User) -> None:
    if draft.applicant_id != actor.pk:
        raise ServiceError({"draft": [_("This draft belongs to someone else.")]})
