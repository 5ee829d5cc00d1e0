"""Who may see a case, its steps, its files and its data, and act on its steps.

Officials see a case through their department (数据最小化, data minimisation): the
materials and data elements of the items their department handles in it, never another
department's. The lead department (牵头部门) of a bundle also sees the shared ones: a
material several member items need (``catalog.queries.merged_materials`` lists which
items need each material) and a data element several member forms ask for. The applicant
sees everything of their own case. Citizens never reach an officials' page, their own
case's included: officials' pages answer 404 to anyone who may not see them, so a
sequential id reveals nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.utils.translation import gettext as _

from tongban.accounts.models import Role, User
from tongban.accounts.queries import OFFICE_ROLES, holds_role, roles_by_department, roles_in
from tongban.catalog.models import Bundle, Material
from tongban.catalog.queries import merged_materials
from tongban.core.classification import can_see
from tongban.core.errors import ServiceError

from . import dataforms
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


def work_department_id(work: WorkItem) -> int | None:
    """The department a step belongs to: its own, else its sub-case's (``None``: none)."""
    if work.department_id is not None:
        return work.department_id
    return work.subcase.department_id if work.subcase is not None else None


def can_view_work(user: User, work: WorkItem) -> bool:
    """Whether ``user`` may open the officials' page of ``work`` (``/office/work/<id>/``).

    Only an active official holding an office role (clerk, reviewer, department leader) in
    the step's department and cleared for the case's classification. Never the case's
    applicant, even one who is an official there: internal notes and deadlines are not
    theirs to read, and no one handles their own matter (回避). Officials of the other
    departments of a bundle are refused too: the page shows this department's data.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if work.case.applicant_id == user.pk:
        return False
    department = work_department_id(work)
    if department is None or not can_see(user, work.case.classification):
        return False
    return holds_role(user, OFFICE_ROLES, department)


def case_departments(user: User, case: Case) -> set[int]:
    """The departments through which ``user`` sees ``case`` as an official: those with a
    sub-case in it or leading its bundle, in which ``user`` holds an office role. Empty for
    an inactive user, one not cleared for the case, and the case's own applicant."""
    if not user.is_authenticated or not user.is_active or case.applicant_id == user.pk:
        return set()
    if not can_see(user, case.classification):
        return set()
    held = roles_by_department(user, OFFICE_ROLES)
    if not held:
        return set()
    involved = set(case.subcases.values_list("department_id", flat=True))
    lead = _lead_department_id(case)
    if lead is not None:
        involved.add(lead)
    return involved & set(held)


def _lead_department_id(case: Case) -> int | None:
    bundle: Bundle | None = case.bundle
    return bundle.lead_department_id if bundle is not None else None


def shared_material_codes(bundle: Bundle) -> set[str]:
    """The codes of the bundle's materials that more than one member item needs."""
    return {m.code for m in merged_materials(bundle) if len(m.items) > 1}


def material_codes_for(case: Case, departments: Collection[int]) -> set[str]:
    """The material codes of ``case`` that officials of ``departments`` see: those the items
    of their sub-cases need, and the bundle's shared ones when one of them leads it."""
    if not departments:
        return set()
    items = case.subcases.filter(department_id__in=list(departments)).values("item_id")
    codes = set(Material.objects.filter(item_id__in=items).values_list("code", flat=True))
    if case.bundle is not None and case.bundle.lead_department_id in departments:
        codes |= shared_material_codes(case.bundle)
    return codes


def visible_material_codes(user: User, case: Case) -> set[str]:
    """The material codes of ``case`` whose files ``user`` may see and download: every
    uploaded one for the applicant; for an official, ``material_codes_for`` their
    departments in the case (nothing for anyone else)."""
    if user.is_authenticated and user.is_active and case.applicant_id == user.pk:
        return set(case.materials.values_list("material_code", flat=True))
    return material_codes_for(case, case_departments(user, case))


def element_codes_for(
    case: Case, departments: Collection[int], form: dataforms.ApplicationForm | None = None
) -> set[str]:
    """The data-element codes of ``case`` that officials of ``departments`` see: those the
    forms of their sub-cases' items ask for, and those several member forms ask for when
    one of them leads the bundle. ``form``: the case's form, if already built."""
    target: Any = case.bundle or case.item
    if not departments or target is None:
        return set()
    form = form or dataforms.build_form(target)
    own = set(
        case.subcases.filter(department_id__in=list(departments)).values_list(
            "item__implementation_code", flat=True
        )
    )
    lead = case.bundle is not None and case.bundle.lead_department_id in departments
    return {f.code for f in form.fields if own & set(f.items) or (lead and len(f.items) > 1)}


def visible_elements(user: User, case: Case) -> set[str]:
    """The data-element codes of ``case`` that ``user`` may read: all of the form for the
    applicant; for an official, ``element_codes_for`` their departments in the case."""
    target: Any = case.bundle or case.item
    if target is None:
        return set()
    if user.is_authenticated and user.is_active and case.applicant_id == user.pk:
        return {f.code for f in dataforms.build_form(target).fields}
    return element_codes_for(case, case_departments(user, case))


def can_download(user: User, material: UploadedMaterial) -> bool:
    """Whether ``user`` may download ``material``: a draft's file only its uploader; a
    case's file the applicant, or an official whose department needs that material
    (``visible_material_codes``)."""
    case = material.case
    if case is None:
        return material.applicant_id == user.pk
    return material.material_code in visible_material_codes(user, case)


def check_draft_owner(draft: Draft, actor: User) -> None:
    if draft.applicant_id != actor.pk:
        raise ServiceError({"draft": [_("This draft belongs to someone else.")]})
