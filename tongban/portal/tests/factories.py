"""Rows for portal tests, created through the ORM."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tongban.catalog.models import (
    FAQ,
    Bundle,
    BundleMember,
    FeeItem,
    ItemStatus,
    Material,
    ProcessStep,
    ServiceItem,
    Theme,
)
from tongban.org.models import Department

_counter = {"n": 0}


def make_item(department: Department, **fields: Any) -> ServiceItem:
    _counter["n"] += 1
    n = _counter["n"]
    values: dict[str, Any] = {
        "name": f"测试事项{n}",
        "basic_code": f"44200000XK{n:05d}",
        "implementation_code": f"11442000MB2C1111-XK-{n:05d}",
        "item_type": "01",
        "department": department,
        "status": ItemStatus.PUBLISHED,
        "published_at": timezone.now(),
        "legal_limit": 20,
        "promised_limit": 5,
        "handling_type": "2",
        "visits_on_site": 1,
        "online_depth": ["1", "2"],
        "service_objects": ["1"],
        "consult_phone": "0760-89817133",
        "complaint_phone": "0760-89989215",
    }
    values.update(fields)
    return ServiceItem.objects.create(**values)


def add_materials(item: ServiceItem, count: int, **fields: Any) -> list[Material]:
    return [
        Material.objects.create(
            item=item,
            code=f"M{i:03d}",
            name=fields.get("name", f"材料{i}"),
            sort_order=i,
            requirements=fields.get("requirements", ""),
        )
        for i in range(count)
    ]


def add_guide_details(item: ServiceItem, *, english: bool = False) -> None:
    """Steps, a fee and a question, in English when ``english``."""
    step, answer = ("Acceptance", "Yes.") if english else ("受理", "可以。")
    item.has_fee = True
    item.save()
    ProcessStep.objects.create(item=item, seq=1, name=step)
    ProcessStep.objects.create(item=item, seq=2, name="Decision" if english else "决定")
    FeeItem.objects.create(
        item=item,
        name="Fee" if english else "工本费",
        standard="10" if english else "每本10元",
        amount_fen=1000,
        basis="Price notice" if english else "价格通知",
    )
    FAQ.objects.create(
        item=item, question="Can I apply online?" if english else "能否网上办理？", answer=answer
    )


def make_theme(code: str, name: str, audience: str = "person", **fields: Any) -> Theme:
    return Theme.objects.create(code=code, name=name, audience=audience, **fields)


def make_bundle(code: str, lead: Department, items: list[ServiceItem], **fields: Any) -> Bundle:
    values: dict[str, Any] = {
        "name": "开办企业一件事",
        "audience": "enterprise",
        "lead_department": lead,
        "promised_limit": 3,
        "status": ItemStatus.PUBLISHED,
    }
    values.update(fields)
    bundle = Bundle.objects.create(code=code, **values)
    for i, item in enumerate(items):
        BundleMember.objects.create(bundle=bundle, item=item, sort_order=i)
    return bundle
