"""Catalogue exports: the national core metadata (mapping table and override file), DCAT
JSON-LD (vendored context, nothing fetched), the public open-data pages and the officials'
full export."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import urllib.request
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tongban.core.models import AuditRecord
from tongban.exchange import exports
from tongban.exchange.models import DataItem, DataResource, ResourceStatus, ShareClass

BASE = "https://zwfw.example.gov.cn"


@pytest.fixture
def open_world(world):
    """The population resource stays for departments only; a second, open resource of the
    provider holds a conditional and a withheld item, and a draft open one is not listed."""
    opened = DataResource.objects.create(
        department=world.provider,
        code="zs.ga.stations",
        name="派出所名录",
        name_en="Police stations",
        description="全市派出所的名称、地址和办公时间。",
        description_en="The city's police stations.",
        source_system="警务信息系统",
        open_to_public=True,
        status=ResourceStatus.PUBLISHED,
        data_format="file",
        update_frequency="monthly",
    )
    DataItem.objects.create(
        resource=opened, code="station.name", name="派出所名称", name_en="Station",
        share_class=ShareClass.UNCONDITIONAL, grade=1, sort_order=1,
    )  # fmt: skip
    DataItem.objects.create(
        resource=opened, code="station.duty", name="值班民警", name_en="Officer on duty",
        share_class=ShareClass.CONDITIONAL, grade=2, legal_basis="《警务公开规定》第五条",
        sort_order=2,
    )  # fmt: skip
    DataItem.objects.create(
        resource=opened, code="station.secret", name="警力部署", name_en="Deployment",
        share_class=ShareClass.NOT_SHARED, grade=4, legal_basis="《保密法》第十三条",
        sort_order=3,
    )  # fmt: skip
    DataResource.objects.create(
        department=world.provider, code="zs.ga.draft", name="草稿资源", source_system="x",
        open_to_public=True, status=ResourceStatus.DRAFT,
    )  # fmt: skip
    world.opened = opened
    return world


def _all() -> list[DataResource]:
    return list(exports.with_export_data(DataResource.objects.all()))


# --- national core metadata -------------------------------------------------------------------


def test_national_rows_follow_the_default_mapping(open_world):
    rows = {r["resource_code"]: r for r in exports.national_catalogue(_all())}
    population = rows["zs.ga.population"]
    assert [f.identifier for f in exports.NATIONAL_FIELDS] == list(population)
    assert population["resource_name"] == "人口基础信息"
    assert population["provider"] == open_world.provider.name
    assert population["provider_code"] == open_world.provider.uscc
    assert population["share_type"] == "有条件共享"
    assert population["open_attribute"] == "不予开放"
    assert "个人信息保护法" in population["share_condition"]
    assert population["update_cycle"] == "每日"
    assert population["resource_format"] == "数据库"
    stations = rows["zs.ga.stations"]
    assert stations["open_attribute"] == "向社会开放"
    assert stations["resource_format"] == "电子文件"
    assert stations["item_info"].startswith("派出所名称（字符型C）；值班民警")


def test_public_national_export_holds_open_resources_and_no_legal_basis(open_world):
    rows = exports.national_catalogue(_all(), public=True)
    assert [r["resource_code"] for r in rows] == ["zs.ga.stations"]
    assert "share_condition" not in rows[0]
    assert "警力部署" not in rows[0]["item_info"]  # a withheld item is never public
    text = exports.national_csv(rows, public=True)
    assert text.startswith("\ufeff")
    header, line = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert line[header.index("信息资源名称")] == "派出所名录"
    assert "共享条件" not in header and header[0] == "信息资源分类"
    assert "保密法" not in text and "警务公开规定" not in text


def test_spreadsheet_cells_never_become_formulas(open_world):
    open_world.opened.description = '=HYPERLINK("http://x.example","点击")'
    open_world.opened.save()
    rows = exports.national_catalogue(_all())
    text = exports.national_csv(rows)
    assert "'=HYPERLINK" in text
    sheet = load_workbook(io.BytesIO(exports.national_xlsx(rows))).active
    cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPER")]
    assert cells and all(c.data_type == "s" for c in cells)


def _mapping(tmp_path, rows: Any, settings) -> None:
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    settings.TONGBAN_EXCHANGE_NATIONAL_MAPPING = str(path)


def test_a_mapping_file_replaces_the_table(open_world, tmp_path, settings):
    _mapping(
        tmp_path,
        [
            {"identifier": "code", "name": "信息资源代码", "source": "code"},
            {"identifier": "phone", "name": "提供方电话", "source": "department.phone"},
            {"identifier": "cycle", "name": "更新周期", "source": "update_frequency"},
            {"identifier": "basis", "name": "共享条件", "source": "share_condition",
             "public": False},
        ],
        settings,
    )  # fmt: skip
    rows = exports.national_catalogue(_all())
    assert list(rows[0]) == ["code", "phone", "cycle", "basis"]
    by_code = {r["code"]: r for r in rows}
    assert by_code["zs.ga.stations"]["cycle"] == "每月"  # a choice's Chinese label
    public = exports.national_catalogue(_all(), public=True)
    assert list(public[0]) == ["code", "phone", "cycle"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"identifier": "x"}, "non-empty JSON list"),
        ([{"identifier": "x", "name": "名称"}], "“source” must be a non-empty text"),
        ([{"identifier": "x", "name": "名称", "source": "nope"}], "“nope” is neither"),
        ([{"identifier": "x", "name": "名称", "source": "department"}], "related row"),
        ([{"identifier": "x", "name": "名称", "source": "items"}], "list of rows"),
        ([{"identifier": "x", "name": "名称", "source": "code.upper"}], "no attributes"),
        ([{"identifier": "x", "name": "名称", "source": "_state"}], "dotted attribute path"),
        ([{"identifier": "X-1", "name": "名称", "source": "code"}], "lower-case"),
        ([{"identifier": "x", "name": "名称", "source": "code", "public": "yes"}], "true or false"),
        ([{"identifier": "x", "name": "名称", "source": "code", "colour": 1}], "unknown key"),
        (
            [{"identifier": "x", "name": "a", "source": "code"},
             {"identifier": "x", "name": "b", "source": "name"}],
            "appears twice",
        ),
    ],
)  # fmt: skip
def test_a_bad_mapping_file_is_refused_naming_row_and_key(tmp_path, settings, rows, message):
    _mapping(tmp_path, rows, settings)
    with pytest.raises(exports.MappingError) as caught:
        exports.national_fields()
    assert message in str(caught.value)
    assert "mapping.json" in str(caught.value)


def test_a_mapping_file_that_is_not_json_or_missing_is_refused(tmp_path, settings):
    path = tmp_path / "mapping.json"
    path.write_text("[{", encoding="utf-8")
    settings.TONGBAN_EXCHANGE_NATIONAL_MAPPING = str(path)
    with pytest.raises(exports.MappingError, match="not JSON"):
        exports.national_fields()
    settings.TONGBAN_EXCHANGE_NATIONAL_MAPPING = str(tmp_path / "absent.json")
    with pytest.raises(exports.MappingError, match="cannot read it"):
        exports.national_fields()


def test_the_default_table_is_valid():
    rows = [
        {"identifier": f.identifier, "name": f.name, "source": f.source, "note": f.note,
         "public": f.public}
        for f in exports.NATIONAL_FIELDS
    ]  # fmt: skip
    assert exports.validate_fields(rows) == exports.NATIONAL_FIELDS


# --- DCAT JSON-LD ----------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a network fetch was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def _terms(node: Any, found: set[str], values: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                values.add(value)
            elif not key.startswith("@"):
                found.add(key)
            if key != "@context":
                _terms(value, found, values)
    elif isinstance(node, list):
        for value in node:
            _terms(value, found, values)


def _compact_iris(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "@context":
                _compact_iris(value, out)
    elif isinstance(node, list):
        for value in node:
            _compact_iris(value, out)
    elif isinstance(node, str) and re.fullmatch(r"[a-z]+:[A-Za-z_]+", node):
        out.add(node.split(":", 1)[0])


def _languages(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        if "@language" in node:
            out.add(node["@language"])
        for value in node.values():
            _languages(value, out)
    elif isinstance(node, list):
        for value in node:
            _languages(value, out)


def test_full_catalogue_defines_every_term_and_fetches_nothing(open_world, no_network):
    document = exports.dcat_catalogue(_all(), base_url=BASE + "/", full=True)
    text = json.dumps(document, ensure_ascii=False)
    parsed = json.loads(text)
    context = parsed["@context"]
    assert context == json.loads(exports.CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]
    terms: set[str] = set()
    types: set[str] = set()
    _terms(parsed, terms, types)
    assert terms and terms <= set(context), sorted(terms - set(context))
    assert types <= set(context) | {"xsd:dateTime"}
    prefixes: set[str] = set()
    _compact_iris(parsed, prefixes)
    # Every compact IRI (freq:daily, access:PUBLIC, xsd:dateTime) has its prefix defined.
    assert prefixes and prefixes <= set(context), sorted(prefixes - set(context))
    # Every term maps to an absolute IRI through a defined prefix.
    for term, definition in context.items():
        iri = definition if isinstance(definition, str) else definition["@id"]
        prefix = iri.split(":", 1)[0]
        assert iri.startswith(("http://", "https://", "urn:")) or prefix in context, term
    codes = {d["identifier"]: d for d in parsed["dataset"]}
    assert set(codes) == {"zs.ga.population", "zs.ga.stations", "zs.ga.draft"}
    population = codes["zs.ga.population"]
    assert population["accessRights"] == "access:RESTRICTED"
    assert population["accrualPeriodicity"] == "freq:daily"
    assert population["publisher"]["@id"] == f"{BASE}/departments/{open_world.provider.code}/"
    record = next(i for i in population["item"] if i["identifier"] == "person.record")
    assert record["shareClass"] == "not_shared" and record["grade"] == 4
    assert "个人信息保护法" in record["legalBasis"]["@value"]
    languages: set[str] = set()
    _languages(population, languages)
    assert languages == {"zh-Hans", "en"}
    assert {t["@language"] for t in population["title"]} == {"zh-Hans", "en"}


def test_public_catalogue_holds_open_resources_without_non_public_details(open_world, no_network):
    document = exports.dcat_catalogue(_all(), base_url=BASE, full=False)
    [dataset] = document["dataset"]
    assert dataset["identifier"] == "zs.ga.stations"
    assert dataset["accessRights"] == "access:PUBLIC"
    assert dataset["accrualPeriodicity"] == "freq:monthly"
    assert dataset["landingPage"] == f"{BASE}/open-data/zs.ga.stations/"
    assert [i["identifier"] for i in dataset["item"]] == ["station.name", "station.duty"]
    body = {k: v for k, v in document.items() if k != "@context"}
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("shareClass", "grade", "legalBasis", "警务公开规定", "警力部署", "人口"):
        assert secret not in text


def test_the_vendored_context_is_served_as_a_static_file():
    data = json.loads(exports.CONTEXT_PATH.read_text(encoding="utf-8"))
    assert set(data) == {"@context"}
    assert data["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"


# --- pages and downloads ---------------------------------------------------------------------


def test_public_pages_list_open_resources_with_item_names_only(client, open_world):
    page = client.get("/open-data/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "派出所名录" in body and "派出所名称" in body and "值班民警" in body
    for hidden in ("人口基础信息", "草稿资源", "警力部署", "警务公开规定"):
        assert hidden not in body
    assert client.get("/open-data/?q=派出所").status_code == 200
    detail = client.get("/open-data/zs.ga.stations/").content.decode()
    assert "派出所名称" in detail and "警务公开规定" not in detail and "警力部署" not in detail
    assert client.get("/open-data/zs.ga.population/").status_code == 404
    assert client.get("/open-data/zs.ga.draft/").status_code == 404


def test_public_downloads_hold_open_resources_only(client, open_world, no_network):
    answer = client.get("/open-data/catalogue.jsonld")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/ld+json")
    document = json.loads(answer.content)
    assert "@context" in document and isinstance(document["@context"], dict)
    assert "exchange/dcat-context.jsonld" in answer["Link"]
    assert [d["identifier"] for d in document["dataset"]] == ["zs.ga.stations"]
    national = client.get("/open-data/catalogue-national.csv")
    assert national.status_code == 200
    text = national.content.decode("utf-8-sig")
    assert "派出所名录" in text and "人口基础信息" not in text and "警务公开规定" not in text


def test_a_broken_mapping_answers_503_not_500(client, open_world, tmp_path, settings):
    _mapping(tmp_path, [{"identifier": "x", "name": "名称", "source": "nope"}], settings)
    answer = client.get("/open-data/catalogue-national.csv")
    assert answer.status_code == 503


def test_full_export_only_for_officials(client, open_world, citizen):
    for name in ("exchange:export_national_csv", "exchange:export_national_xlsx"):
        url = reverse(name)
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "login" in anonymous["Location"]
        client.force_login(citizen)
        assert client.get(url).status_code == 403
        client.logout()


def test_full_export_for_an_official_is_complete_and_audited(client, open_world):
    client.force_login(open_world.requester_official)
    before = AuditRecord.objects.filter(action="exchange.export").count()
    answer = client.get(reverse("exchange:export_national_csv"))
    assert answer.status_code == 200
    text = answer.content.decode("utf-8-sig")
    assert "人口基础信息" in text and "派出所名录" in text
    assert "个人信息保护法" in text  # the share conditions are in the full export
    assert "草稿资源" not in text  # only published resources
    workbook = client.get(reverse("exchange:export_national_xlsx"))
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet.cell(row=1, column=2).value == "信息资源名称"
    assert sheet.max_row == 3
    assert AuditRecord.objects.filter(action="exchange.export").count() == before + 2


def test_the_office_catalogue_links_the_exports_and_the_footer_the_open_data(client, open_world):
    client.force_login(open_world.requester_official)
    body = client.get(reverse("exchange:catalogue")).content.decode()
    assert reverse("exchange:export_national_csv") in body
    assert reverse("exchange:export_national_xlsx") in body
    client.logout()
    assert 'href="/open-data/"' in client.get("/").content.decode()
