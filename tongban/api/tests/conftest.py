"""A small published catalogue for the API tests, made with the ORM."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from tongban.catalog.models import (
    FAQ,
    Audience,
    Bundle,
    BundleMember,
    FeeItem,
    ItemStatus,
    Material,
    MaterialNecessity,
    ProcessStep,
    ServiceItem,
    Theme,
)
from tongban.org.models import Department, Region


@dataclass
class Catalogue:
    licence: ServiceItem  # published, department A, fully online, for persons
    record: ServiceItem  # published, department B, level I, for enterprises
    draft: ServiceItem  # draft, department A
    bundle: Bundle  # published: licence + record
    draft_bundle: Bundle
    birth: Theme
    startup: Theme
    department_a: Department
    department_b: Department
    town: Region


def make_item(department: Department, code: str, **fields) -> ServiceItem:
    defaults = {
        "name": f"事项{code}",
        "basic_code": f"B{code}",
        "implementation_code": code,
        "item_type": "20",
        "status": ItemStatus.PUBLISHED,
    }
    defaults.update(fields)
    return ServiceItem.objects.create(department=department, **defaults)


@pytest.fixture
def catalogue(city, department_a, department_b) -> Catalogue:
    department_b.sort_order = 2
    department_b.save()
    birth = Theme.objects.create(
        code="birth", name="出生", name_en="Birth", audience=Audience.PERSON
    )
    startup = Theme.objects.create(
        code="startup", name="开办企业", name_en="Starting a business", audience=Audience.ENTERPRISE
    )
    licence = make_item(
        department_a,
        "IMPL-A-001",
        name="食品经营许可",
        name_en="Food business licence",
        item_type="01",
        handling_type="2",
        promised_limit=5,
        legal_limit=20,
        online_depth=["1", "2", "3", "4", "5", "6"],
        service_objects=["1"],
        handling_forms=["window", "online"],
        exercise_level="municipal",
        scope="city",
        visits_on_site=0,
        consult_phone="0760-89817133",
        has_fee=True,
        fee_basis="粤价〔2020〕1号",
    )
    licence.themes.add(birth)
    licence.regions.add(city["town"])
    Material.objects.create(
        item=licence,
        code="M-ID",
        name="身份证",
        form="original",
        necessity=MaterialNecessity.REQUIRED,
        sort_order=1,
    )
    Material.objects.create(
        item=licence,
        code="M-FORM",
        name="申请表",
        form="original",
        necessity=MaterialNecessity.OPTIONAL,
        sort_order=2,
        copies=1,
    )
    FeeItem.objects.create(
        item=licence, name="工本费", standard="每证10元", amount_fen=1000, basis="粤价〔2020〕1号"
    )
    ProcessStep.objects.create(item=licence, seq=1, name="受理")
    ProcessStep.objects.create(item=licence, seq=2, name="审批")
    FAQ.objects.create(item=licence, question="多久办结？", answer="5个工作日。")

    record = make_item(
        department_b,
        "IMPL-B-001",
        name="印章刻制备案",
        name_en="Seal engraving record",
        item_type="07",
        handling_type="1",
        online_depth=["1"],
        service_objects=["2"],
    )
    record.themes.add(startup)
    Material.objects.create(
        item=record,
        code="M-FORM",
        name="申请表",
        form="copy",
        necessity=MaterialNecessity.REQUIRED,
        copies=2,
    )
    draft = make_item(
        department_a,
        "IMPL-A-DRAFT",
        name="草稿事项",
        status=ItemStatus.DRAFT,
        item_type="01",
        service_objects=["1"],
    )

    bundle = Bundle.objects.create(
        code="open-restaurant",
        name="开办餐饮店一件事",
        name_en="Opening a restaurant",
        audience=Audience.ENTERPRISE,
        lead_department=department_a,
        promised_limit=3,
        status=ItemStatus.PUBLISHED,
    )
    bundle.partner_departments.add(department_b)
    bundle.themes.add(startup)
    BundleMember.objects.create(bundle=bundle, item=licence, sort_order=1)
    BundleMember.objects.create(bundle=bundle, item=record, sort_order=2)
    draft_bundle = Bundle.objects.create(
        code="draft-bundle",
        name="草稿一件事",
        audience=Audience.PERSON,
        lead_department=department_b,
        promised_limit=5,
        status=ItemStatus.DRAFT,
    )
    return Catalogue(
        licence=licence,
        record=record,
        draft=draft,
        bundle=bundle,
        draft_bundle=draft_bundle,
        birth=birth,
        startup=startup,
        department_a=department_a,
        department_b=department_b,
        town=city["town"],
    )


@pytest.fixture
def api_client() -> Client:
    return Client(HTTP_HOST="localhost")


def get_json(client: Client, url: str, lang: str = "zh-hans", status: int = 200) -> dict:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == status, response.content
    return response.json()
