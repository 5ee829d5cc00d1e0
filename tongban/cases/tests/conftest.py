"""Fixtures for applications and cases: two items in two departments, a bundle of both,
their forms, and officials holding each department role."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import PASSWORD, _user, make_resident_id
from tongban.accounts.models import Role, RoleAssignment, User, UserKind
from tongban.cases import materials, services
from tongban.cases.elements import sync_elements
from tongban.cases.models import DataElement, DefinitionStatus, FormDefinition
from tongban.catalog.models import Bundle, BundleMember, ServiceItem
from tongban.catalog.services import publish_item, save_item
from tongban.catalog.tests.factories import item_data
from tongban.core.models import ClassificationLevel
from tongban.org.models import Department

# A one-page PDF that parses (uploads are checked with pikepdf).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name: str = "scan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _official(username: str, department: Department, *roles: str) -> User:
    user = _user(
        username,
        real_name=username,
        kind=UserKind.OFFICIAL,
        department=department,
        clearance=ClassificationLevel.SENSITIVE,  # cases hold personal data
    )
    for role in roles:
        RoleAssignment.objects.create(user=user, role=role, department=department)
    return user


@dataclass
class World:
    item_a: ServiceItem
    item_b: ServiceItem
    bundle: Bundle
    applicant: User
    clerk_a: User
    reviewer_a: User
    leader_a: User
    all_b: User  # clerk, reviewer and leader of department B

    def new_draft(self, target: Any = None, **values: Any) -> Any:
        target = target or self.item_a
        draft = services.draft_for(self.applicant, target)
        data = {
            "applicant.name": "陈小明",
            "applicant.id_number": self.applicant.id_number,
            "applicant.phone": "13800000001",
            "shop.area": "45",
            **values,
        }
        services.save_draft(draft, data, actor=self.applicant)
        for material in materials.required_materials(target):
            materials.upload_material(draft, material.code, pdf_upload(), actor=self.applicant)
        return draft

    def submit(self, target: Any = None, key: str = "", **values: Any) -> Any:
        draft = self.new_draft(target, **values)
        return services.submit(draft, actor=self.applicant, idempotency_key=key or f"k{draft.pk}")


def _item(department: Department, admin: User, material: str, **kw: Any) -> ServiceItem:
    result = save_item(
        item_data(
            department.code,
            materials=[
                {"code": material, "name": f"材料{material}"},
                {"code": "M-ID", "name": "身份证"},
            ],
            **kw,
        ),
        actor=admin,
    )
    item = result.item
    publish_item(item, actor=admin)
    item.refresh_from_db()
    return item


@pytest.fixture
def world(department_a, department_b, admin_user, settings, tmp_path) -> World:
    settings.STORAGES = {
        **settings.STORAGES,
        "materials": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads")},
        },
    }
    sync_elements(DataElement)
    item_a = _item(department_a, admin_user, "M-A")
    item_b = _item(department_b, admin_user, "M-B", promised_limit=3, legal_limit=10)
    for item, extra in ((item_a, "shop.area"), (item_b, "applicant.address")):
        FormDefinition.objects.create(
            item=item,
            version=1,
            status=DefinitionStatus.PUBLISHED,
            fields=[
                {"element": "applicant.name", "required": True},
                {"element": "applicant.id_number", "required": True},
                {"element": "applicant.phone", "required": True},
                {"element": extra, "required": extra == "shop.area"},
            ],
        )
    bundle = Bundle.objects.create(
        code="test-bundle",
        name="测试一件事",
        name_en="Test bundle",
        audience="person",
        lead_department=department_a,
        promised_limit=5,
        status="published",
    )
    BundleMember.objects.create(bundle=bundle, item=item_a, sort_order=1)
    BundleMember.objects.create(bundle=bundle, item=item_b, sort_order=2)
    applicant = _user(
        "applicant",
        real_name="陈小明",
        id_number=make_resident_id(seq=171),
        phone="13800000001",
        assurance_level=2,
    )
    return World(
        item_a=item_a,
        item_b=item_b,
        bundle=bundle,
        applicant=applicant,
        clerk_a=_official("clerk-a", department_a, Role.CLERK),
        reviewer_a=_official("reviewer-a", department_a, Role.REVIEWER),
        leader_a=_official("leader-a", department_a, Role.DEPARTMENT_LEADER),
        all_b=_official("all-b", department_b, Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_LEADER),
    )


__all__ = ["PASSWORD", "PDF", "World", "io", "pdf_upload"]
