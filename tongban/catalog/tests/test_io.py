"""Import and export: golden workbook, round trips, all-or-nothing, idempotence, file errors."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tongban.catalog.io import xlsx_format
from tongban.catalog.io.exporter import export_catalogue_data, write_json
from tongban.catalog.io.importer import CatalogImportError, import_catalogue_data
from tongban.catalog.io.json_format import CatalogueFormatError, load_json
from tongban.catalog.models import FAQ, Bundle, Material, ProcessStep, ServiceItem, Theme
from tongban.catalog.tests.factories import bundle_data, document, item_data, theme_data
from tongban.core.models import AuditRecord

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def catalogue(department_a, department_b) -> dict[str, Any]:
    a = item_data(themes=["kaiban"], service_objects=["2"], item_type="01",
                  has_fee=True, fee_basis="粤价〔2020〕1号", supports_online_payment=True,
                  fees=[{"name": "工本费", "standard": "10元", "amount_fen": 1000,
                         "basis": "粤价〔2020〕1号", "can_reduce": True}],
                  regions=["442000111000"], status="published")  # fmt: skip
    b = item_data(department="ga", themes=["birth"], legal_limit=None, result_name="户口簿",
                  result_sample="样本.pdf", materials=[
                      {"code": "M1", "name": "出生医学证明", "form": "original_and_copy",
                       "copies": 2, "can_be_waived": True},
                      {"code": "M2", "name": "父母身份证"}])  # fmt: skip
    return document(
        themes=[theme_data("kaiban", "enterprise"), theme_data("birth", "person", name_en="Birth")],
        items=[a, b],
        bundles=[bundle_data([b["implementation_code"], a["implementation_code"]],
                             partner_departments=["ga"], themes=["kaiban"])],
    )  # fmt: skip


def _wipe() -> None:
    Bundle.objects.all().delete()
    ServiceItem.objects.all().delete()
    Theme.objects.all().delete()


def test_golden_workbook_imports_as_expected(department_a, department_b, admin_user) -> None:
    with (GOLDEN / "golden.xlsx").open("rb") as f:
        data = xlsx_format.read_xlsx(f)
    report = import_catalogue_data(data, actor=admin_user)
    assert report.counts["items"]["created"] == 2
    assert report.errors == []
    expected = json.loads((GOLDEN / "golden_expected.json").read_text(encoding="utf-8"))
    exported = export_catalogue_data()
    assert exported["themes"] == expected["themes"]
    assert exported["items"] == expected["items"]
    assert exported["bundles"] == expected["bundles"]
    assert Material.objects.count() == 3
    assert ServiceItem.objects.get(implementation_code="442000-SCJG-XK-0001").published_at


def test_json_round_trip(catalogue, admin_user) -> None:
    import_catalogue_data(catalogue, actor=admin_user)
    first = export_catalogue_data()
    buffer = io.BytesIO()
    write_json(first, buffer)
    _wipe()
    buffer.seek(0)
    import_catalogue_data(load_json(buffer), actor=admin_user)
    assert export_catalogue_data() == first
    assert len(first["items"]) == 2 and len(first["bundles"]) == 1


def test_xlsx_round_trip(catalogue, admin_user) -> None:
    import_catalogue_data(catalogue, actor=admin_user)
    first = export_catalogue_data()
    buffer = io.BytesIO()
    xlsx_format.export_xlsx(buffer)
    _wipe()
    buffer.seek(0)
    import_catalogue_data(xlsx_format.read_xlsx(buffer), actor=admin_user)
    assert export_catalogue_data() == first


def test_workbook_uses_national_conventions(catalogue, admin_user) -> None:
    import_catalogue_data(catalogue, actor=admin_user)
    buffer = io.BytesIO()
    xlsx_format.export_xlsx(buffer)
    buffer.seek(0)
    wb = load_workbook(buffer)
    ws = wb["事项"]
    headers = [c.value for c in ws[1]]
    row = {h: c.value for h, c in zip(headers, ws[2], strict=True)}
    assert row["网上办理深度"] == "1^2^3^4^5^6"
    assert row["是否收费"] in ("是", "否")
    assert row["事项类型"] in ("01", "20")
    bundles = wb["一件事"]
    bundle_row = {c.value: v.value for c, v in zip(bundles[1], bundles[2], strict=True)}
    assert bundle_row["成员事项实施编码"].count("^") == 1
    assert {"材料", "收费", "流程", "常见问题", "主题", "代码表"} <= set(wb.sheetnames)


def _with_english(catalogue: dict[str, Any]) -> dict[str, Any]:
    item = catalogue["items"][0]
    item.update(summary="经营食品", summary_en="Selling food", location="C区",
                location_en="Zone C", hours="周一", hours_en="Mondays", result_name="许可证",
                result_name_en="Permit")  # fmt: skip
    item["materials"] = [{"code": "M1", "name": "申请书", "name_en": "Application form",
                          "requirements": "签名", "requirements_en": "Signed"}]  # fmt: skip
    item["fees"][0].update(name_en="Fee for the certificate", standard_en="10 yuan",
                           basis_en="Guangdong Price Notice [2020] No. 1")  # fmt: skip
    item["steps"] = [{"seq": 1, "name": "受理", "name_en": "Acceptance", "time_limit": "即时",
                      "time_limit_en": "At once"}]  # fmt: skip
    item["faqs"] = [{"question": "能网办吗？", "question_en": "Can I apply online?",
                     "answer": "能。", "answer_en": "Yes."}]  # fmt: skip
    catalogue["bundles"][0].update(summary="一次办", summary_en="Apply once",
                                   location="C10窗口", location_en="Window C10")  # fmt: skip
    return catalogue


ENGLISH_OF_ITEM = {
    "summary_en": "Selling food", "location_en": "Zone C", "hours_en": "Mondays",
    "result_name_en": "Permit",
}  # fmt: skip


@pytest.mark.parametrize("file_format", ["json", "xlsx"])
def test_english_fields_survive_export_and_import(catalogue, admin_user, file_format) -> None:
    import_catalogue_data(_with_english(catalogue), actor=admin_user)
    buffer = io.BytesIO()
    if file_format == "json":
        write_json(export_catalogue_data(), buffer)
        buffer.seek(0)
        data = load_json(buffer)
    else:
        xlsx_format.export_xlsx(buffer)
        buffer.seek(0)
        data = xlsx_format.read_xlsx(buffer)
    _wipe()
    import_catalogue_data(data, actor=admin_user)
    item = ServiceItem.objects.get(implementation_code=catalogue["items"][0]["implementation_code"])
    assert {k: getattr(item, k) for k in ENGLISH_OF_ITEM} == ENGLISH_OF_ITEM
    material = item.materials.get()
    assert (material.name_en, material.requirements_en) == ("Application form", "Signed")
    fee = item.fees.get()
    assert (fee.name_en, fee.standard_en, fee.basis_en) == (
        "Fee for the certificate", "10 yuan", "Guangdong Price Notice [2020] No. 1",
    )  # fmt: skip
    step = item.steps.get()
    assert (step.name_en, step.time_limit_en) == ("Acceptance", "At once")
    faq = item.faqs.get()
    assert (faq.question_en, faq.answer_en) == ("Can I apply online?", "Yes.")
    bundle = Bundle.objects.get()
    assert (bundle.summary_en, bundle.location_en) == ("Apply once", "Window C10")


def test_workbook_has_an_english_column_beside_each_text(catalogue, admin_user) -> None:
    import_catalogue_data(_with_english(catalogue), actor=admin_user)
    buffer = io.BytesIO()
    xlsx_format.export_xlsx(buffer)
    buffer.seek(0)
    wb = load_workbook(buffer)
    headers = [c.value for c in wb["事项"][1]]
    assert headers.index("事项概述（英文）") == headers.index("事项概述") + 1
    assert headers.index("办理地点（英文）") == headers.index("办理地点") + 1
    material_headers = [c.value for c in wb["材料"][1]]
    assert "材料名称（英文）" in material_headers and "受理标准（英文）" in material_headers


def test_reimport_is_idempotent(catalogue, admin_user) -> None:
    import_catalogue_data(catalogue, actor=admin_user)
    stamps = dict(ServiceItem.objects.values_list("implementation_code", "updated_at"))
    material_ids = sorted(Material.objects.values_list("id", flat=True))
    report = import_catalogue_data(catalogue, actor=admin_user)
    assert report.counts["items"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert report.counts["bundles"]["unchanged"] == 1
    assert report.counts["themes"]["unchanged"] == 2
    assert dict(ServiceItem.objects.values_list("implementation_code", "updated_at")) == stamps
    assert sorted(Material.objects.values_list("id", flat=True)) == material_ids
    assert ServiceItem.objects.count() == 2 and Bundle.objects.count() == 1


def test_changed_item_is_updated_with_children_replaced(catalogue, admin_user) -> None:
    import_catalogue_data(catalogue, actor=admin_user)
    catalogue["items"][1]["materials"] = [{"code": "M9", "name": "新材料"}]
    report = import_catalogue_data(catalogue, actor=admin_user)
    assert report.counts["items"] == {"created": 0, "updated": 1, "unchanged": 1}
    item = ServiceItem.objects.get(implementation_code=catalogue["items"][1]["implementation_code"])
    assert list(item.materials.values_list("code", flat=True)) == ["M9"]


def test_bad_row_imports_nothing_and_names_the_place(catalogue, admin_user) -> None:
    catalogue["items"].append(item_data(consult_phone="89817133", item_type="99"))
    with pytest.raises(CatalogImportError) as exc:
        import_catalogue_data(catalogue, actor=admin_user)
    errors = exc.value.report.errors
    assert {(e.sheet, e.row, e.field) for e in errors} == {("items", 3, "item_type")}
    assert not ServiceItem.objects.exists() and not Theme.objects.exists()
    assert not AuditRecord.objects.exists()


def test_quality_error_in_json_names_list_row_and_field(catalogue, admin_user) -> None:
    catalogue["items"][0]["complaint_phone"] = catalogue["items"][0]["consult_phone"]
    catalogue["items"][0]["materials"].append({"code": "M001", "name": "重复"})
    with pytest.raises(CatalogImportError) as exc:
        import_catalogue_data(catalogue, actor=admin_user)
    located = {(e.sheet, e.row, e.field) for e in exc.value.report.errors}
    assert located == {("items", 1, "materials[2].code")}
    catalogue["items"][0]["materials"].pop()
    with pytest.raises(CatalogImportError) as exc:
        import_catalogue_data(catalogue, actor=admin_user)
    assert [(e.sheet, e.row, e.field) for e in exc.value.report.errors] == [
        ("items", 1, "complaint_phone")
    ]


def test_bad_xlsx_row_names_sheet_row_and_header(catalogue, admin_user) -> None:
    import_catalogue_data(catalogue, actor=admin_user)
    buffer = io.BytesIO()
    xlsx_format.export_xlsx(buffer)
    buffer.seek(0)
    wb = load_workbook(buffer)
    items, materials = wb["事项"], wb["材料"]
    headers = [c.value for c in items[1]]
    items.cell(row=3, column=headers.index("咨询电话") + 1, value="89817133")
    mat_headers = [c.value for c in materials[1]]
    materials.cell(row=2, column=mat_headers.index("纸质材料份数") + 1, value="two")
    materials.append(["NO-SUCH-ITEM", "X1", "孤儿材料"])
    out = io.BytesIO()
    wb.save(out)
    _wipe()
    out.seek(0)
    with pytest.raises(CatalogImportError) as exc:
        import_catalogue_data(xlsx_format.read_xlsx(out), actor=admin_user)
    texts = [str(e) for e in exc.value.report.errors]
    located = {(e.sheet, e.row, e.field) for e in exc.value.report.errors}
    assert ("事项", 3, "咨询电话") in located
    assert ("材料", 2, "纸质材料份数") in located
    assert ("材料", materials.max_row, "实施编码") in located
    assert any(t.startswith("事项") and "3" in t and "咨询电话" in t for t in texts)
    assert not ServiceItem.objects.exists()


def test_warnings_do_not_block(catalogue, admin_user) -> None:
    catalogue["items"][1]["result_sample"] = ""
    report = import_catalogue_data(catalogue, actor=admin_user)
    assert [(w.sheet, w.row, w.field) for w in report.warnings] == [("items", 2, "result_sample")]
    assert ServiceItem.objects.count() == 2


def test_published_bundle_needs_published_members(catalogue, admin_user) -> None:
    catalogue["bundles"][0]["status"] = "published"
    with pytest.raises(CatalogImportError) as exc:
        import_catalogue_data(catalogue, actor=admin_user)
    assert [(e.sheet, e.field) for e in exc.value.report.errors] == [("bundles", "members")]


def test_progress_is_reported(catalogue, admin_user) -> None:
    seen: list[tuple[int, int]] = []
    import_catalogue_data(catalogue, actor=admin_user, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (5, 5) and seen[0] == (1, 5)


def test_wrong_document_format(db, admin_user) -> None:
    with pytest.raises(CatalogImportError) as exc:
        import_catalogue_data({"format": "other", "items": []}, actor=admin_user)
    assert "tongban-catalogue" in str(exc.value.report.errors[0])
    with pytest.raises(CatalogueFormatError):
        load_json(io.BytesIO(b"{not json"))


def test_not_an_xlsx_file(db) -> None:
    with pytest.raises(CatalogueFormatError) as exc:
        xlsx_format.read_xlsx(io.BytesIO(b"just some text, not a workbook"))
    assert ".xlsx" in str(exc.value.message)


def test_missing_sheets_are_named(db) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "事项"
    wb.active.append(["实施编码", "事项名称"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    with pytest.raises(CatalogueFormatError) as exc:
        xlsx_format.read_xlsx(buffer)
    assert "材料" in str(exc.value.message) and "一件事" in str(exc.value.message)


def test_too_large_file(db, settings) -> None:
    settings.CATALOG_IMPORT_MAX_BYTES = 100
    with pytest.raises(CatalogueFormatError):
        xlsx_format.read_xlsx(io.BytesIO(b"x" * 200))


def test_command_export_and_import(catalogue, admin_user, tmp_path) -> None:
    import_catalogue_data(catalogue, actor=admin_user)
    first = export_catalogue_data()
    for name in ("cat.json", "cat.xlsx"):
        path = tmp_path / name
        call_command("catalog", "export", str(path))
        _wipe()
        out = io.StringIO()
        call_command("catalog", "import", str(path), stdout=out)
        assert "items: 2 created" in out.getvalue()
        assert export_catalogue_data() == first
    assert FAQ.objects.count() == 2 and ProcessStep.objects.count() == 10


def test_command_import_failure_prints_errors(catalogue, tmp_path) -> None:
    catalogue["items"][0]["item_type"] = "99"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(catalogue, ensure_ascii=False), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("catalog", "import", str(path), stderr=err)
    assert "item_type" in err.getvalue()
    assert not ServiceItem.objects.exists()


# --- Review fixes: numbers, bundle guard, races, JSON limits, failure audit -------------------


@pytest.mark.parametrize(
    ("where", "overrides"),
    [
        ("promised_limit", {"promised_limit": "²"}),
        ("item_type", {"item_type": "²"}),
        ("promised_limit", {"promised_limit": 10**20, "legal_limit": None}),
        ("promised_limit", {"promised_limit": "2147483648", "legal_limit": None}),
        ("visits_on_site", {"visits_on_site": 32768}),
        ("materials[1].copies", {"materials": [{"code": "M1", "name": "表", "copies": 10**20}]}),
        ("fees[1].amount_fen", {"has_fee": True, "fee_basis": "x",
                                "fees": [{"name": "费", "standard": "1元", "basis": "x",
                                          "amount_fen": "9" * 5000}]}),
    ],
)  # fmt: skip
def test_bad_numbers_are_field_errors(
    department_a, admin_user, where: str, overrides: dict[str, Any]
) -> None:
    doc = document(items=[item_data(**overrides)])
    with pytest.raises(CatalogImportError) as exc:
        import_catalogue_data(doc, actor=admin_user)
    assert [(e.sheet, e.row, e.field) for e in exc.value.report.errors] == [("items", 1, where)]
    assert not ServiceItem.objects.exists()


def test_numbers_at_the_field_limit_and_fullwidth_digits_are_accepted(
    department_a, admin_user
) -> None:
    data = item_data(
        promised_limit="１５", legal_limit=2147483647, visits_on_site=32767,
        on_site_reason="核验原件", online_depth=["1"], item_type="２０",
        materials=[{"code": "M1", "name": "表", "copies": "３"}],
    )  # fmt: skip
    import_catalogue_data(document(items=[data]), actor=admin_user)
    item = ServiceItem.objects.get()
    assert (item.promised_limit, item.legal_limit, item.visits_on_site) == (15, 2147483647, 32767)
    assert item.item_type == "20"
    assert item.materials.get().copies == 3


@pytest.fixture
def published_bundle(department_a, admin_user) -> tuple[dict[str, Any], dict[str, Any]]:
    """A stored published bundle with one published member; returns (item, bundle) records."""
    item = item_data(status="published")
    bundle = bundle_data([item["implementation_code"]], status="published")
    import_catalogue_data(document(items=[item], bundles=[bundle]), actor=admin_user)
    return item, bundle


@pytest.mark.parametrize("status", ["withdrawn", "draft"])
def test_import_cannot_unpublish_a_member_of_a_published_bundle(
    published_bundle, admin_user, status: str
) -> None:
    item, bundle = published_bundle
    with pytest.raises(CatalogImportError) as exc:
        import_catalogue_data(document(items=[{**item, "status": status}]), actor=admin_user)
    errors = exc.value.report.errors
    assert [(e.sheet, e.row, e.field) for e in errors] == [("items", 1, "status")]
    assert bundle["code"] in errors[0].message
    assert ServiceItem.objects.get().status == "published"


def test_import_may_withdraw_the_bundle_and_its_member_together(
    published_bundle, admin_user
) -> None:
    item, bundle = published_bundle
    doc = document(items=[{**item, "status": "withdrawn"}],
                   bundles=[{**bundle, "status": "withdrawn"}])  # fmt: skip
    import_catalogue_data(doc, actor=admin_user)
    assert ServiceItem.objects.get().status == "withdrawn"
    assert Bundle.objects.get().status == "withdrawn"


def test_department_removed_during_the_import_is_a_row_error(
    department_a, department_b, admin_user
) -> None:
    from tongban.org.models import Department

    doc = document(items=[item_data(), item_data(department="ga")])

    def remove_department(done: int, total: int) -> None:
        if done == total:  # validation has read the departments; the write has not started
            Department.objects.filter(code="ga").delete()

    with pytest.raises(CatalogImportError) as exc:
        import_catalogue_data(doc, actor=admin_user, progress=remove_department)
    assert [(e.sheet, e.row, e.field) for e in exc.value.report.errors] == [
        ("items", 2, "department")
    ]
    assert not ServiceItem.objects.exists()
    assert not AuditRecord.objects.filter(action="catalog.catalogue.import").exists()


def test_deeply_nested_json_is_not_valid_json(db) -> None:
    with pytest.raises(CatalogueFormatError) as exc:
        load_json(io.BytesIO(b"[" * 100_000 + b"]" * 100_000))
    assert "JSON" in str(exc.value.message)
    nested = '{"format": "tongban-catalogue", "version": 1, "items": [%s]}' % (
        "[" * 500 + "]" * 500
    )
    with pytest.raises(CatalogueFormatError) as exc:
        load_json(io.BytesIO(nested.encode()))
    assert "JSON" in str(exc.value.message)


def test_overlong_integer_literal_is_not_valid_json(db) -> None:
    body = b'{"format": "tongban-catalogue", "version": 1, "n": ' + b"9" * 5000 + b"}"
    with pytest.raises(CatalogueFormatError) as exc:
        load_json(io.BytesIO(body))
    assert "JSON" in str(exc.value.message)


@pytest.mark.parametrize(("version", "shown"), [("1", '"1"'), (True, "true"), (2, "2")])
def test_wrong_version_says_what_is_wrong(db, version: Any, shown: str) -> None:
    from django.utils import translation

    body = json.dumps({"format": "tongban-catalogue", "version": version}).encode()
    messages = {}
    for language in ("en", "zh-hans"):
        with translation.override(language), pytest.raises(CatalogueFormatError) as exc:
            load_json(io.BytesIO(body))
        messages[language] = str(exc.value.message)
    assert "number 1" in messages["en"] and shown in messages["en"]
    assert "数字 1" in messages["zh-hans"] and shown in messages["zh-hans"]


def test_missing_version_is_named(db) -> None:
    with pytest.raises(CatalogueFormatError) as exc:
        load_json(io.BytesIO(b'{"format": "tongban-catalogue"}'))
    assert '"version"' in str(exc.value.message)


def test_field_path_names_nested_fields_once_for_everyone() -> None:
    from tongban.catalog.io.importer import JsonLayout
    from tongban.catalog.io.json_format import field_path

    assert field_path(("materials", 1, "name")) == "materials[2].name"
    assert field_path(("materials", 0, "")) == "materials[1]"
    assert field_path(("consult_phone",)) == "consult_phone"
    path = ("fees", 2, "amount_fen")
    assert JsonLayout().locate("items", 0, {}, path) == ("items", 1, field_path(path))


def test_text_that_looks_like_a_formula_stays_text(department_a):
    """A material named "=HYPERLINK(…)" is written as text: never a formula that Excel
    would run on the administrator's machine, and read back unchanged."""
    item = item_data(department=department_a.code)
    item["materials"][0]["name"] = '=HYPERLINK("http://x.example","点击")'
    out = io.BytesIO()
    xlsx_format.write_xlsx(document(items=[item]), out)
    sheet = load_workbook(io.BytesIO(out.getvalue()))["材料"]
    cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPER")]
    assert cells and all(c.data_type == "s" for c in cells)
    out.seek(0)
    read = xlsx_format.read_xlsx(out)
    assert read["items"][0]["materials"][0]["name"] == item["materials"][0]["name"]
