"""Who may see a case and act on its steps."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tongban.accounts.models import Role, User
from tongban.accounts.queries import OFFICE_ROLES, holds_role, roles_in
from tongban.core.classification import can_see
from tongban.core.errors import ServiceError

from .models import (
    Case,
    Draft,
    UploadedMaterial,
    WorkItem,
    WorkKind,
)


def can_act(user: User, work: WorkItem) -> bool:
    """Whether ``user`` may complete ``work``: the applicant for their own correction
    step; otherwise a holder of the step's role in the step's department, or that
    department's leader."""
    if not user.is_active:
        return False
    if work.kind == WorkKind.CORRECT:
        return work.case.applicant_id == user.pk
    roles = roles_in(user, work.department_id)
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
    # One query each: the sub-cases' departments are a subquery, not a list read first.
    if holds_role(user, OFFICE_ROLES, case.subcases.values("department_id")):
        return True
    return holds_role(user, Role.CITY_LEADER)


def can_download(user: User, material: UploadedMaterial) -> bool:
    if material.case_id is None:
        return material.applicant_id == user.pk
    return can_view_case(user, material.case)  # type: ignore[arg-type]


def check_draft_owner(draft: Draft, actor: User) -> None:
    if draft.applicant_id != actor.pk:
        raise ServiceError({"draft": [_("This draft belongs to someone else.")]})
