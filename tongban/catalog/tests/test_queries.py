"""Read queries: the bundle's merged material list and its members."""

from __future__ import annotations

import pytest

from tongban.catalog import queries
from tongban.catalog.models import Bundle, BundleMember, ItemStatus, Material, ServiceItem
from tongban.catalog.transitions import Action, move_item

pytestmark = pytest.mark.django_db


def make_item(department, code: str, name: str) -> ServiceItem:
    return ServiceItem.objects.create(
        name=name, basic_code="B", implementation_code=code, item_type="01",
        department=department, status=ItemStatus.PUBLISHED,
    )  # fmt: skip


def make_bundle(department, code: str, items: list[ServiceItem]) -> Bundle:
    bundle = Bundle.objects.create(
        code=code, name=code, audience="enterprise", lead_department=department,
        promised_limit=5, status=ItemStatus.PUBLISHED,
    )  # fmt: skip
    for n, item in enumerate(items, start=1):
        BundleMember.objects.create(bundle=bundle, item=item, sort_order=n)
    return bundle


def test_materials_follow_this_bundles_member_order(department_a):
    first, second = make_item(department_a, "I-1", "甲"), make_item(department_a, "I-2", "乙")
    Material.objects.create(item=first, code="M-A", name="材料甲")
    Material.objects.create(item=second, code="M-B", name="材料乙")
    # In another bundle the order is reversed: that must not leak into this one.
    make_bundle(department_a, "other", [second, first])
    bundle = queries.get_published_bundle(make_bundle(department_a, "this", [first, second]).code)
    assert [m.code for m in queries.merged_materials(bundle)] == ["M-A", "M-B"]


def test_shared_material_is_listed_once_with_the_strictest_terms(department_a):
    first, second = make_item(department_a, "I-1", "甲"), make_item(department_a, "I-2", "乙")
    Material.objects.create(item=first, code="M-ID", name="身份证", necessity="optional")
    Material.objects.create(item=second, code="M-ID", name="身份证", copies=2)
    bundle = queries.get_published_bundle(make_bundle(department_a, "b", [first, second]).code)
    (merged,) = queries.merged_materials(bundle)
    assert (merged.necessity, merged.copies, merged.item_names) == ("required", 2, ["甲", "乙"])


def test_a_withdrawn_member_is_not_offered(department_a):
    kept, gone = make_item(department_a, "I-1", "甲"), make_item(department_a, "I-2", "乙")
    Material.objects.create(item=gone, code="M-X", name="只有乙要的材料")
    code = make_bundle(department_a, "b", [kept, gone]).code
    move_item(gone, Action.WITHDRAW, actor=None)
    bundle = queries.get_published_bundle(code)
    assert [m.item for m in bundle.memberships.all()] == [kept]
    assert queries.merged_materials(bundle) == []
