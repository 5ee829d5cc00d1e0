"""Service functions: save, publish and withdraw items and bundles; audit and reindexing."""

from __future__ import annotations

import pytest

from tongban.catalog import search, services
from tongban.catalog.models import FAQ, Bundle, ItemStatus, Material, ServiceItem, Theme
from tongban.catalog.services import CatalogValidationError
from tongban.catalog.tests.factories import bundle_data, item_data
from tongban.core.models import AuditRecord


@pytest.fixture
def themes(db):
    Theme.objects.create(code="birth", name="出生", audience="person")
    Theme.objects.create(code="kaiban", name="开办企业", audience="enterprise")


def test_save_item_creates_with_children_and_audit(department_a, admin_user, themes) -> None:
    data = item_data(themes=["birth"], regions=["442000111000"])
    result = services.save_item(data, actor=admin_user)
    assert result.created and result.changed
    item = ServiceItem.objects.get(implementation_code=data["implementation_code"])
    assert item.department == department_a
    assert list(item.materials.values_list("code", flat=True)) == ["M001"]
    assert item.steps.count() == 5
    assert list(item.themes.values_list("code", flat=True)) == ["birth"]
    assert list(item.regions.values_list("code", flat=True)) == ["442000111000"]
    record = AuditRecord.objects.get(action="catalog.item.create")
    assert record.object_id == str(item.pk)
    assert "consult_phone" in record.meta["fields"]
    assert "0760" not in str(record.meta)  # metadata only, no values


def test_save_item_update_replaces_children(department_a, admin_user) -> None:
    data = item_data()
    services.save_item(data, actor=admin_user)
    data["materials"] = [{"code": "M002", "name": "身份证"}, {"code": "M003", "name": "照片"}]
    data["faqs"] = []
    data["name"] = "改名后的事项"
    result = services.save_item(data, actor=admin_user)
    assert not result.created and result.changed
    assert ServiceItem.objects.count() == 1
    assert sorted(Material.objects.values_list("code", flat=True)) == ["M002", "M003"]
    assert FAQ.objects.count() == 0
    record = AuditRecord.objects.get(action="catalog.item.update")
    assert record.meta["fields"] == ["faqs", "materials", "name"]


def test_saving_the_same_data_changes_nothing(department_a, admin_user) -> None:
    data = item_data()
    services.save_item(data, actor=admin_user)
    stamp = ServiceItem.objects.get().updated_at
    result = services.save_item(data, actor=admin_user)
    assert not result.changed
    assert ServiceItem.objects.get().updated_at == stamp
    assert AuditRecord.objects.filter(action__startswith="catalog.item.").count() == 1


def test_field_errors_raise_and_write_nothing(department_a, admin_user) -> None:
    data = item_data(item_type="77", department="nope", materials=[{"code": "M1"}])
    with pytest.raises(CatalogValidationError) as exc:
        services.save_item(data, actor=admin_user)
    fields = {f for f, _m in exc.value.findings}
    assert {"item_type", "department", "materials[1].name"} <= fields
    assert ServiceItem.objects.count() == 0
    assert not AuditRecord.objects.exists()


def test_quality_error_raises_and_warning_is_returned(department_a, admin_user) -> None:
    with pytest.raises(CatalogValidationError) as exc:
        services.save_item(item_data(consult_phone="89817133"), actor=admin_user)
    assert [f for f, _m in exc.value.findings] == ["consult_phone"]
    result = services.save_item(item_data(result_name="执照"), actor=admin_user)
    assert [w.code for w in result.warnings] == ["Q14"]


def test_saving_as_published_requires_the_guide_elements(department_a, admin_user) -> None:
    with pytest.raises(CatalogValidationError) as exc:
        services.save_item(item_data(status="published", hours=""), actor=admin_user)
    assert "hours" in [f for f, _m in exc.value.findings]
    item = services.save_item(item_data(status="published"), actor=admin_user).item
    assert item.published_at is not None


def test_publish_and_withdraw_item(department_a, admin_user) -> None:
    item = services.save_item(item_data(), actor=admin_user).item
    services.publish_item(item, actor=admin_user)
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.published_at is not None
    services.withdraw_item(item, actor=admin_user)
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN
    actions = list(AuditRecord.objects.values_list("action", flat=True))
    assert actions[-2:] == ["catalog.item.publish", "catalog.item.withdraw"]


def test_publish_item_refuses_a_missing_guide_element(department_a, admin_user) -> None:
    item = services.save_item(item_data(legal_basis=""), actor=admin_user).item
    with pytest.raises(CatalogValidationError) as exc:
        services.publish_item(item, actor=admin_user)
    assert "legal_basis" in [f for f, _m in exc.value.findings]
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT


def test_bundle_save_publish_and_member_rules(department_a, department_b, admin_user) -> None:
    a = services.save_item(item_data(), actor=admin_user).item
    b = services.save_item(item_data(department="ga"), actor=admin_user).item
    data = bundle_data([b.implementation_code, a.implementation_code], partner_departments=["ga"])
    bundle = services.save_bundle(data, actor=admin_user).bundle
    assert [m.item for m in bundle.memberships.all()] == [b, a]
    with pytest.raises(CatalogValidationError):
        services.publish_bundle(bundle, actor=admin_user)  # members are drafts
    services.publish_item(a, actor=admin_user)
    services.publish_item(b, actor=admin_user)
    services.publish_bundle(bundle, actor=admin_user)
    assert Bundle.objects.get().status == ItemStatus.PUBLISHED
    with pytest.raises(CatalogValidationError) as exc:
        services.withdraw_item(a, actor=admin_user)
    assert bundle.code in exc.value.findings[0][1]


def test_bundle_with_unknown_member_is_refused(department_a, admin_user) -> None:
    with pytest.raises(CatalogValidationError) as exc:
        services.save_bundle(bundle_data(["no-such-item"]), actor=admin_user)
    assert [f for f, _m in exc.value.findings] == ["members"]
    assert not Bundle.objects.exists()


def test_set_rule_severity(admin_user) -> None:
    services.set_rule_severity("Q07", "warning", actor=admin_user)
    with pytest.raises(CatalogValidationError):
        services.set_rule_severity("Q99", "warning", actor=admin_user)
    with pytest.raises(CatalogValidationError):
        services.set_rule_severity("Q07", "fatal", actor=admin_user)


@pytest.mark.django_db(transaction=True)
def test_changed_items_are_reindexed_after_commit(department_a, admin_user, monkeypatch) -> None:
    calls: list[list[int]] = []
    monkeypatch.setattr(search, "reindex_items", lambda ids: calls.append(list(ids)),
                        raising=False)  # fmt: skip
    item = services.save_item(item_data(), actor=admin_user).item  # commits
    assert calls == [[item.pk]]  # once, however many rows of the item were written


@pytest.mark.parametrize("status", ["withdrawn", "draft"])
def test_save_item_cannot_unpublish_a_member_of_a_published_bundle(
    department_a, admin_user, status: str
) -> None:
    data = item_data(status="published")
    item = services.save_item(data, actor=admin_user).item
    bundle = services.save_bundle(
        bundle_data([item.implementation_code], status="published"), actor=admin_user
    ).bundle
    with pytest.raises(CatalogValidationError) as exc:
        services.save_item({**data, "status": status}, actor=admin_user)
    assert [f for f, _m in exc.value.findings] == ["status"]
    assert bundle.code in exc.value.findings[0][1]
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    services.withdraw_bundle(bundle, actor=admin_user)
    services.save_item({**data, "status": status}, actor=admin_user)
    item.refresh_from_db()
    assert item.status == status


def test_save_item_refuses_out_of_range_numbers(department_a, admin_user) -> None:
    data = item_data(promised_limit=10**20, visits_on_site="²",
                     materials=[{"code": "M1", "name": "表", "copies": 40000}])  # fmt: skip
    with pytest.raises(CatalogValidationError) as exc:
        services.save_item(data, actor=admin_user)
    assert {f for f, _m in exc.value.findings} == {
        "promised_limit",
        "visits_on_site",
        "materials[1].copies",
    }
    assert "2147483647" in dict(exc.value.findings)["promised_limit"]
    assert "32767" in dict(exc.value.findings)["materials[1].copies"]
    assert not ServiceItem.objects.exists()
