"""Hostile catalogue imports: NUL characters are refused with the record and field named,
an implementation code's embedded credit code must pass its check characters, and codes
are stored in their one normalised spelling."""

from __future__ import annotations

import pytest
from django.utils import translation

from conftest import make_uscc
from tongban.catalog.io.importer import CatalogImportError, import_catalogue_data
from tongban.catalog.models import Bundle, ServiceItem
from tongban.catalog.tests.factories import bundle_data, document, item_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The messages are compared in English (the source language)."""
    with translation.override("en"):
        yield


NUL_MESSAGE = "This value contains a NUL character (U+0000), which is not allowed."
USCC = make_uscc()  # a valid credit code


def national_code(credit_code: str, n: int = 1) -> str:
    """An implementation code in the national shape, embedding ``credit_code``."""
    return f"416A000{n}000000-442000000000-000-{credit_code}-1-00"


def wrong_check_character(code: str) -> str:
    return code[:17] + ("1" if code[17] != "1" else "2")


def errors_of(data, actor):
    with pytest.raises(CatalogImportError) as exc:
        import_catalogue_data(data, actor=actor)
    return [(e.sheet, e.row, e.field, e.message) for e in exc.value.report.errors]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "营业执照\x00办理"}, "name"),
        ({"summary": "\x00"}, "summary"),
        ({"materials": [{"code": "M1", "name": "身份证\x00"}]}, "materials[1].name"),
        ({"handling_forms": ["window", "on\x00line"]}, "handling_forms"),
    ],
)
def test_nul_in_any_field_is_refused_naming_record_and_field(
    department_a, admin_user, overrides, field
):
    good = item_data()
    bad = item_data(**overrides)
    errors = errors_of(document(items=[good, bad]), admin_user)
    assert errors == [("items", 2, field, NUL_MESSAGE)]
    assert not ServiceItem.objects.exists()


def test_an_embedded_credit_code_with_a_wrong_check_character_is_refused(department_a, admin_user):
    bad = wrong_check_character(USCC)
    errors = errors_of(
        document(items=[item_data(implementation_code=national_code(bad))]), admin_user
    )
    assert [(sheet, row, field) for sheet, row, field, _m in errors] == [
        ("items", 1, "implementation_code")
    ]
    assert errors[0][3].startswith(
        f"The credit code inside the implementation code ({bad}) is wrong"
    )
    assert not ServiceItem.objects.exists()


def test_a_valid_embedded_credit_code_imports(department_a, admin_user):
    report = import_catalogue_data(
        document(items=[item_data(implementation_code=national_code(USCC))]), actor=admin_user
    )
    assert report.errors == []
    assert ServiceItem.objects.filter(implementation_code=national_code(USCC)).exists()


def test_codes_are_stored_in_their_normalised_spelling(department_a, admin_user):
    plain = national_code(USCC, 2)
    # Fullwidth characters from a Chinese input method and a pasted zero-width space.
    typed = "\u200b" + plain.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    item = item_data(implementation_code=typed, consult_phone="０７６０-８９８１７１３３")
    bundle = bundle_data([plain])
    report = import_catalogue_data(document(items=[item], bundles=[bundle]), actor=admin_user)
    assert report.errors == []
    stored = ServiceItem.objects.get()
    assert (stored.implementation_code, stored.consult_phone) == (plain, "0760-89817133")
    assert list(Bundle.objects.get().members.values_list("implementation_code", flat=True)) == [
        plain
    ]
