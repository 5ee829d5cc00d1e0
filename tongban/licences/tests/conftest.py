"""Fixtures for licences: the cases world (two items, a bundle, officials) plus a licence
type for each item, and helpers to run a matter to approval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tongban.cases.actions import ActionInput
from tongban.cases.actions import act as case_act
from tongban.cases.models import Case, SubCase, WorkItem, WorkKind, WorkStatus
from tongban.cases.tests.conftest import (
    World,
    world,  # noqa: F401  (the cases fixture)
)
from tongban.cases.transitions import Action
from tongban.licences import services
from tongban.licences.models import HolderKind, ItemLicence, Licence, LicenceType

PERSON_FACE = [
    {"key": "name", "label": "姓名", "label_en": "Name", "element": "applicant.name",
     "public": True},
    {"key": "id_number", "label": "身份证号", "label_en": "ID number",
     "element": "applicant.id_number", "public": False, "sensitive": True},
    {"key": "area", "label": "经营面积", "label_en": "Floor area", "element": "shop.area",
     "public": True},
]  # fmt: skip
ADDRESS_FACE = [
    {"key": "name", "label": "姓名", "label_en": "Name", "element": "applicant.name",
     "public": True},
    {"key": "address", "label": "住址", "label_en": "Address", "element": "applicant.address",
     "public": True, "sensitive": True},
]  # fmt: skip


@dataclass
class LicenceWorld:
    cases: World
    type_a: LicenceType
    type_b: LicenceType

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cases, name)


def open_item(case: Case, kind: str, sub: SubCase) -> WorkItem:
    return WorkItem.objects.get(case=case, kind=kind, status=WorkStatus.OPEN, subcase=sub)


def approve(case: Case, sub: SubCase, clerk: Any, reviewer: Any, leader: Any) -> None:
    case_act(open_item(case, WorkKind.ACCEPT, sub).pk, ActionInput(Action.ACCEPT), actor=clerk)
    case_act(open_item(case, WorkKind.REVIEW, sub).pk, ActionInput(Action.FORWARD), actor=reviewer)
    case_act(
        open_item(case, WorkKind.DECIDE, sub).pk,
        ActionInput(Action.APPROVE, note="ok"),
        actor=leader,
    )


@pytest.fixture
def lw(
    world: World,  # noqa: F811
    department_a: Any,
    department_b: Any,
    settings: Any,
) -> LicenceWorld:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    type_a = LicenceType.objects.create(
        code="11100000MB01",
        name="测试许可证",
        name_en="Test permit",
        department=department_a,
        holder_kind=HolderKind.PERSON,
        validity_months=60,
        face_fields=PERSON_FACE,
    )
    type_b = LicenceType.objects.create(
        code="11100000MB02",
        name="测试证明",
        name_en="Test certificate",
        department=department_b,
        holder_kind=HolderKind.PERSON,
        face_fields=ADDRESS_FACE,
    )
    ItemLicence.objects.create(item=world.item_a, licence_type=type_a)
    ItemLicence.objects.create(item=world.item_b, licence_type=type_b)
    return LicenceWorld(world, type_a, type_b)


@pytest.fixture
def issued(lw: LicenceWorld, django_capture_on_commit_callbacks: Any) -> Licence:
    """A licence of type A issued by approving a case of item A."""
    case = lw.cases.submit(lw.item_a)
    sub = case.subcases.get()
    with django_capture_on_commit_callbacks(execute=True):
        approve(case, sub, lw.clerk_a, lw.reviewer_a, lw.leader_a)
    return Licence.objects.get(source_subcase=sub)


def issue_direct(lw: LicenceWorld, holder: Any = None, **face: str) -> Licence:
    """A licence of type A for ``holder`` (default: the applicant) without a case."""
    holder = holder or lw.applicant
    values = {"name": holder.real_name, "id_number": holder.id_number or "", "area": "30"}
    values.update(face)
    return services.issue_licence(
        lw.type_a, services.person_holder(holder), values, actor=lw.leader_a, source="test"
    )


@pytest.fixture
def stranger(db: Any) -> Any:
    """A citizen who holds nothing (the root ``citizen`` shares the applicant's mobile)."""
    from conftest import _user, make_resident_id

    return _user("stranger", real_name="张三", id_number=make_resident_id(seq=188),
                 phone="13800000009")  # fmt: skip
