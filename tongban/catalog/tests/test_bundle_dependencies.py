"""A bundle's member waits (``BundleMember.depends_on``) in the catalogue files."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils.translation import override

from tongban.catalog.io import xlsx_format
from tongban.catalog.io.exporter import export_catalogue_data
from tongban.catalog.io.importer import CatalogImportError, import_catalogue_data
from tongban.catalog.models import Bundle, BundleMember, ServiceItem, Theme
from tongban.catalog.tests.factories import bundle_data, document, item_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes(department_a, department_b) -> list[str]:
    return [f"442000-T-{n}" for n in range(3)]


def _catalogue(codes: list[str], **bundle: Any) -> dict[str, Any]:
    items = [
        item_data(implementation_code=code, department="ga" if n else "scjg")
        for n, code in enumerate(codes)
    ]
    return document(items=items, bundles=[bundle_data(codes, code="newborn", **bundle)])


def _waits() -> set[tuple[str, str]]:
    return {
        (m.depends_on.item.implementation_code, m.item.implementation_code)
        for m in BundleMember.objects.filter(depends_on__isnull=False).select_related(
            "item", "depends_on__item"
        )
    }


def test_waits_are_imported_exported_and_survive_a_workbook_round_trip(codes, admin_user):
    a, b, c = codes
    data = _catalogue(codes, dependencies=[f"{a}->{b}", f"{b} → {c}"])
    import_catalogue_data(data, actor=admin_user)
    assert _waits() == {(a, b), (b, c)}
    exported = export_catalogue_data()
    assert exported["bundles"][0]["dependencies"] == [f"{a}->{b}", f"{b}->{c}"]
    # The same file again changes nothing.
    report = import_catalogue_data(data, actor=admin_user)
    assert report.counts["bundles"]["unchanged"] == 1

    buffer = io.BytesIO()
    xlsx_format.export_xlsx(buffer)
    Bundle.objects.all().delete()
    ServiceItem.objects.all().delete()
    Theme.objects.all().delete()
    buffer.seek(0)
    import_catalogue_data(xlsx_format.read_xlsx(buffer), actor=admin_user)
    assert _waits() == {(a, b), (b, c)}
    assert export_catalogue_data() == exported


def test_a_file_without_the_key_keeps_the_waits_and_an_empty_list_removes_them(codes, admin_user):
    a, b, _c = codes
    import_catalogue_data(_catalogue(codes, dependencies=[f"{a}->{b}"]), actor=admin_user)
    report = import_catalogue_data(_catalogue(codes), actor=admin_user)
    assert _waits() == {(a, b)}
    assert report.counts["bundles"]["unchanged"] == 1
    import_catalogue_data(_catalogue(codes, dependencies=[]), actor=admin_user)
    assert _waits() == set()


@pytest.mark.parametrize(
    ("waits", "words"),
    [
        (["{a}->{a}"], "itself"),
        (["{a}->442000-NOPE"], "not a member"),
        (["{a}->{c}", "{b}->{c}"], "at most one"),
        (["{a}->{b}", "{b}->{c}", "{c}->{a}"], "circle"),
        (["{a}"], "prerequisite code->member code"),
    ],
    ids=["itself", "stranger", "two-prerequisites", "circle", "no-arrow"],
)
def test_bad_waits_import_nothing_and_name_the_field(codes, admin_user, waits, words):
    a, b, c = codes
    data = _catalogue(codes, dependencies=[w.format(a=a, b=b, c=c) for w in waits])
    with override("en"), pytest.raises(CatalogImportError) as exc:
        import_catalogue_data(data, actor=admin_user)
    errors = exc.value.report.errors
    assert [e.field for e in errors] == ["dependencies"]
    assert words in errors[0].message
    assert not Bundle.objects.exists() and not ServiceItem.objects.exists()
