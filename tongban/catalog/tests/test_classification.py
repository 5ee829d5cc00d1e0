"""Data classification of service items and identity assurance for online applications.

Search index, queries and exports: an INTERNAL item never reaches the public; exports are
classified at their highest level and refused (audited) to lower clearances. Identity
assurance: ``assurance_gap`` in both languages, bundles take their highest member.
"""

from __future__ import annotations

import io
import json

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Permission
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tongban.catalog import queries, search, services
from tongban.catalog.io import xlsx_format
from tongban.catalog.io.exporter import export_catalogue_data, write_json
from tongban.catalog.io.importer import CatalogImportError, import_catalogue_data
from tongban.catalog.io.json_format import load_json
from tongban.catalog.models import (
    Bundle,
    BundleMember,
    CatalogExport,
    ItemStatus,
    RequiredAssurance,
    ServiceItem,
)
from tongban.catalog.search.backends import backend
from tongban.catalog.tests.factories import document, item_data
from tongban.core.models import AuditRecord, ClassificationLevel

INTERNAL = ClassificationLevel.INTERNAL


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def items(department_a, admin_user):
    public = services.save_item(
        item_data(name="营业执照办理", status="published"), actor=admin_user
    ).item
    internal = services.save_item(
        item_data(name="营业执照内部协查", status="published", classification=INTERNAL),
        actor=admin_user,
    ).item
    search.reindex_all()
    return {"public": public, "internal": internal}


@pytest.fixture
def cleared(official_a):
    official_a.clearance = INTERNAL
    official_a.save(update_fields=["clearance"])
    return type(official_a).objects.get(pk=official_a.pk)


def _manager(user):
    user.user_permissions.add(
        Permission.objects.get(codename="add_serviceitem", content_type__app_label="catalog")
    )
    return type(user).objects.get(pk=user.pk)


# --- Queries and search -------------------------------------------------------------------


def test_internal_items_are_hidden_from_public_queries(items, citizen, official_b, cleared):
    internal = items["internal"]
    for reader in (None, AnonymousUser(), citizen, official_b):
        assert internal not in queries.published_items(reader)
        assert internal not in queries.filter_items(queries.ItemFilter(), reader)
        with pytest.raises(ServiceItem.DoesNotExist):
            queries.get_published_item(internal.implementation_code, reader)
        counts = {d.code: d.item_count for d in queries.departments_with_counts(reader)}
        assert counts["scjg"] == 1
    assert internal in queries.published_items(cleared)
    assert queries.get_published_item(internal.implementation_code, cleared) == internal
    counts = {d.code: d.item_count for d in queries.departments_with_counts(cleared)}
    assert counts["scjg"] == 2


def test_the_search_index_never_returns_internal_items_to_the_public(
    items, citizen, official_b, cleared
):
    internal, public = items["internal"], items["public"]
    # The item is in the index (officials search it) ...
    assert internal.pk in backend().indexed_ids()
    # ... but neither the ranked page nor the id list gives it to the public.
    for reader in (None, AnonymousUser(), citizen, official_b):
        for words in ("营业执照", "内部协查", "yingyezhizhao", "nei bu"):
            result = search.search_items(words, user=reader)
            assert internal.pk not in result.ids
            assert internal.pk not in search.search_ids(words, user=reader)
        assert search.search_items("营业执照", user=reader).ids == [public.pk]
        # The OR fallback (no item has every word) is filtered too.
        assert internal.pk not in search.search_items("内部协查 不存在词", user=reader).ids
    assert set(search.search_items("营业执照", user=cleared).ids) == {public.pk, internal.pk}
    assert search.search_ids("内部协查", user=cleared) == [internal.pk]


def test_a_stale_index_row_cannot_leak_an_item_classified_later(items, admin_user):
    public = items["public"]
    # Classified without a reindex (a bulk update bypasses the signals).
    ServiceItem.objects.filter(pk=public.pk).update(classification=INTERNAL)
    assert public.pk in backend().indexed_ids()
    assert search.search_items("营业执照").ids == []


# --- Identity assurance ---------------------------------------------------------------------


def test_required_assurance_mirrors_the_account_levels():
    user_field = apps.get_model("accounts", "User")._meta.get_field("assurance_level")
    assert [c[0] for c in user_field.choices] == list(RequiredAssurance.values)
    assert ServiceItem._meta.get_field("required_assurance").default == RequiredAssurance.VERIFIED


@pytest.mark.parametrize(
    ("language", "verified_words", "in_person_words", "sign_in_words"),
    [
        ("en", "verified identity", "verified in person", "Sign in"),
        ("zh-hans", "实名认证", "窗口", "登录"),
    ],
)
def test_assurance_gap_names_the_level_needed(
    items, citizen, language, verified_words, in_person_words, sign_in_words
):
    item = items["public"]
    assert item.required_assurance == RequiredAssurance.VERIFIED
    citizen.assurance_level = RequiredAssurance.SELF_DECLARED
    with translation.override(language):
        gap = queries.assurance_gap(citizen, item)
        assert gap is not None and verified_words in gap
        assert sign_in_words in (queries.assurance_gap(AnonymousUser(), item) or "")
        citizen.assurance_level = RequiredAssurance.VERIFIED
        assert services.assurance_gap(citizen, item) is None
        item.required_assurance = RequiredAssurance.IN_PERSON
        gap = queries.assurance_gap(citizen, item)
        assert gap is not None and in_person_words in gap
        citizen.assurance_level = RequiredAssurance.IN_PERSON
        assert queries.assurance_gap(citizen, item) is None


def test_a_bundle_needs_the_highest_level_of_its_members(items, department_a, citizen):
    bundle = Bundle.objects.create(
        code="b1", name="一件事", audience="person", lead_department=department_a,
        promised_limit=5,
    )  # fmt: skip
    assert bundle.required_assurance == RequiredAssurance.VERIFIED  # no members yet
    BundleMember.objects.create(bundle=bundle, item=items["public"], sort_order=1)
    BundleMember.objects.create(bundle=bundle, item=items["internal"], sort_order=2)
    ServiceItem.objects.filter(pk=items["internal"].pk).update(
        required_assurance=RequiredAssurance.IN_PERSON
    )
    assert bundle.required_assurance == RequiredAssurance.IN_PERSON
    citizen.assurance_level = RequiredAssurance.VERIFIED
    with translation.override("en"):
        assert "in person" in (queries.assurance_gap(citizen, bundle) or "")


# --- Import and export format ---------------------------------------------------------------


def test_new_fields_round_trip_through_json_and_xlsx(items, admin_user):
    item = items["internal"]
    ServiceItem.objects.filter(pk=item.pk).update(required_assurance=RequiredAssurance.IN_PERSON)
    first = export_catalogue_data()
    record = next(i for i in first["items"] if i["implementation_code"] == item.implementation_code)
    assert (record["classification"], record["required_assurance"]) == (2, 3)
    buffer = io.BytesIO()
    write_json(first, buffer)
    buffer.seek(0)
    report = import_catalogue_data(load_json(buffer), actor=admin_user)
    assert report.counts["items"]["unchanged"] == 2
    workbook = io.BytesIO()
    xlsx_format.write_xlsx(first, workbook)
    headers = [c.value for c in load_workbook(io.BytesIO(workbook.getvalue()))["事项"][1]]
    assert "数据分级" in headers and "网上申办身份认证要求" in headers
    workbook.seek(0)
    report = import_catalogue_data(xlsx_format.read_xlsx(workbook), actor=admin_user)
    assert report.counts["items"]["unchanged"] == 2
    assert export_catalogue_data() == first


def test_an_old_file_without_the_new_keys_still_imports(items, admin_user):
    """Missing keys: a new item gets the defaults, a stored item keeps its values (an old
    file never declassifies an item or lowers the identity it needs)."""
    internal = items["internal"]
    ServiceItem.objects.filter(pk=internal.pk).update(
        required_assurance=RequiredAssurance.IN_PERSON
    )
    old_record = next(
        r for r in export_catalogue_data()["items"]
        if r["implementation_code"] == internal.implementation_code
    )  # fmt: skip
    del old_record["classification"], old_record["required_assurance"]
    old_record["summary"] = "改过的概述"
    fresh = item_data()
    import_catalogue_data(document(items=[old_record, fresh]), actor=admin_user)
    internal.refresh_from_db()
    assert internal.summary == "改过的概述"
    assert internal.classification == INTERNAL
    assert internal.required_assurance == RequiredAssurance.IN_PERSON
    created = ServiceItem.objects.get(implementation_code=fresh["implementation_code"])
    assert created.classification == ClassificationLevel.PUBLIC
    assert created.required_assurance == RequiredAssurance.VERIFIED


def test_unknown_levels_are_row_errors(department_a, admin_user):
    bad = item_data(classification=7, required_assurance="0")
    with pytest.raises(CatalogImportError) as caught:
        import_catalogue_data(document(items=[bad]), actor=admin_user)
    fields = {issue.field for issue in caught.value.report.errors}
    assert fields == {"classification", "required_assurance"}
    assert not ServiceItem.objects.filter(implementation_code=bad["implementation_code"]).exists()


# --- Exports --------------------------------------------------------------------------------


def _actions() -> list[str]:
    return list(AuditRecord.objects.order_by("pk").values_list("action", flat=True))


def test_an_export_records_its_highest_level(items, cleared):
    manager = _manager(cleared)
    full = services.create_catalog_export(file_format="json", public_only=False, actor=manager)
    assert (full.classification, full.item_count, full.public_only) == (INTERNAL, 2, False)
    public = services.create_catalog_export(file_format="xlsx", public_only=True, actor=manager)
    assert (public.classification, public.item_count) == (ClassificationLevel.PUBLIC, 1)
    assert _actions()[-2:] == ["catalog.export.create", "catalog.export.create"]


def test_a_lower_clearance_cannot_create_or_download_a_classified_export(
    client, items, cleared, official_b
):
    full = services.create_catalog_export(
        file_format="json", public_only=False, actor=_manager(cleared)
    )
    low = _manager(official_b)  # clearance PUBLIC
    with translation.override("en"), pytest.raises(services.CatalogExportRefused) as refused:
        services.create_catalog_export(file_format="json", public_only=False, actor=low)
    assert "“Internal”" in refused.value.message and "“Public”" in refused.value.message
    assert CatalogExport.objects.count() == 1
    refusal = AuditRecord.objects.filter(action="catalog.export.refused").get()
    assert refusal.meta["classification"] == INTERNAL and refusal.meta["clearance"] == 1

    client.force_login(low)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("catalog:export_download", args=[full.pk]))
    assert response.status_code == 403
    assert "attachment" not in response.get("Content-Disposition", "")
    assert "classified “Internal”" in response.content.decode()
    assert _actions()[-1] == "catalog.export.download_refused"
    # The quick links refuse the same way; public records only is allowed.
    assert client.get(reverse("catalog:export_json")).status_code == 403
    response = client.get(reverse("catalog:export_json") + "?public=1")
    assert response.status_code == 200
    codes = {i["implementation_code"] for i in json.loads(response.content)["items"]}
    assert codes == {items["public"].implementation_code}


def test_the_export_form_offers_public_records_only(client, items, official_b, cleared):
    low = _manager(official_b)
    client.force_login(low)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("catalog:export"))
    assert page.status_code == 200 and b'name="public_only"' in page.content
    refused = client.post(reverse("catalog:export"), {"file_format": "xlsx"})
    assert refused.status_code == 403 and "Public records only" in refused.content.decode()
    done = client.post(reverse("catalog:export"), {"file_format": "xlsx", "public_only": "on"})
    job = CatalogExport.objects.get()
    assert done.status_code == 302 and done["Location"].endswith(f"/export/{job.pk}/download/")
    download = client.get(done["Location"])
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content))["事项"]
    assert sheet.max_row == 2  # the header and the public item
    assert _actions()[-1] == "catalog.export.download"

    client.force_login(_manager(cleared))
    client.post(reverse("catalog:export"), {"file_format": "json"})
    full = CatalogExport.objects.get(public_only=False)
    client.force_login(low)
    listing = client.get(reverse("catalog:export")).content.decode()
    assert reverse("catalog:export_download", args=[job.pk]) in listing
    assert reverse("catalog:export_download", args=[full.pk]) not in listing
    assert "Needs a higher clearance" in listing


def test_items_status_and_admin_queryset_respect_clearance(client, items, official_b, cleared):
    """The admin lists only the items the administrator's clearance reaches."""
    assert items["internal"].status == ItemStatus.PUBLISHED
    admin_low = type(official_b).objects.get(pk=official_b.pk)
    admin_low.is_staff = True
    admin_low.save(update_fields=["is_staff"])
    admin_low.user_permissions.add(
        Permission.objects.get(codename="view_serviceitem", content_type__app_label="catalog")
    )
    client.force_login(admin_low)
    page = client.get("/admin/catalog/serviceitem/").content.decode()
    assert items["public"].name in page and items["internal"].name not in page
    url = f"/admin/catalog/serviceitem/{items['internal'].pk}/change/"
    assert client.get(url).status_code in (302, 404)


def test_the_export_pages_refuse_anonymous_and_unauthorised_users(client, items, official_b):
    job = services.create_catalog_export(file_format="json", public_only=True, actor=None)
    urls = (reverse("catalog:export"), reverse("catalog:export_download", args=[job.pk]))
    for url in urls:
        for response in (client.get(url), client.post(url, {"file_format": "json"})):
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))
    client.force_login(official_b)  # no catalogue permission
    assert all(client.get(url).status_code == 403 for url in urls)
    assert CatalogExport.objects.count() == 1
