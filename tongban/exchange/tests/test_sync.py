"""Provider adapters and sync: every kind of source, change detection, refused rows named by
row and field, paths kept under the source root, and sources that cannot write."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from conftest import make_resident_id, make_uscc
from tongban.cases.models import DataElement, DataType
from tongban.core.models import AuditRecord
from tongban.exchange import adapters, sync
from tongban.exchange.models import (
    DataItem,
    DataRecord,
    DataResource,
    DataSource,
    ResourceStatus,
    ShareClass,
    SourceKind,
    SyncRun,
    SyncStatus,
)

pytestmark = pytest.mark.django_db

ID1 = make_resident_id(birth="19880315", seq=135)
ID2 = make_resident_id(birth="19920708", seq=246)
ID3 = make_resident_id(birth="19791123", seq=317)
BAD_ID = ID1[:17] + ("0" if ID1[17] != "0" else "1")  # wrong check character
HEADER = "公民身份号码,姓名,出生日期,户籍地址\r\n"
MAPPING = {
    "公民身份号码": "person.id_number",
    "姓名": "person.name",
    "出生日期": "person.birth_date",
    "户籍地址": "household.address",
}


@pytest.fixture
def root(settings, tmp_path) -> Path:
    path = tmp_path / "sources"
    path.mkdir()
    settings.TONGBAN_EXCHANGE_SOURCE_ROOT = str(path)
    return path


@pytest.fixture
def resource(department_b) -> DataResource:
    res = DataResource.objects.create(
        department=department_b,
        code="zs.ga.population",
        name="人口基础信息",
        source_system="人口管理信息系统",
        status=ResourceStatus.PUBLISHED,
    )
    birth = DataElement.objects.create(
        code="person.birth_date", name="出生日期", name_en="Date of birth", data_type=DataType.DATE
    )
    law = "《个人信息保护法》第三十四条"
    for order, (code, element, share, basis) in enumerate(
        [
            ("person.id_number", None, ShareClass.CONDITIONAL, law),
            ("person.name", None, ShareClass.UNCONDITIONAL, ""),
            ("person.birth_date", birth, ShareClass.UNCONDITIONAL, ""),
            ("household.address", None, ShareClass.CONDITIONAL, law),
        ]
    ):
        DataItem.objects.create(
            resource=res,
            code=code,
            element=element,
            name=code,
            share_class=share,
            grade=3,
            legal_basis=basis,
            sort_order=order,
        )
    return res


def _source(resource, kind=SourceKind.CSV, location="population.csv", **extra) -> DataSource:
    fields = {"selector": "", "key_column": "公民身份号码", "mapping": MAPPING, **extra}
    return DataSource.objects.create(
        resource=resource, code=f"ga.{kind}", kind=kind, location=location, **fields
    )


def _csv(root: Path, rows: list[str], encoding: str = "utf-8-sig", name="population.csv") -> None:
    (root / name).write_bytes((HEADER + "".join(r + "\r\n" for r in rows)).encode(encoding))


def _record(resource, key: str) -> DataRecord | None:
    return DataRecord.objects.filter(resource=resource, key_digest=sync.key_digest(key)).first()


def _values(resource, key: str) -> dict[str, str]:
    record = _record(resource, key)
    assert record is not None, key
    return json.loads(str(record.values))


ROWS = [
    f"{ID1},陈小明,1988-03-15,中山市石岐街道悦来南路10号",
    f"{ID2},李芳,1992-07-08,中山市东区街道兴中道12号",
    f"{ID3},黄志强,1979-11-23,中山市小榄镇升平路14号",
]


# --- CSV and change detection -------------------------------------------------------------


def test_csv_with_bom_syncs_every_row_and_is_found_by_digest(root, resource):
    _csv(root, ROWS)
    run = sync.sync_source(_source(resource))
    assert (run.status, run.rows_read, run.added, run.refused) == (SyncStatus.OK, 3, 3, 0)
    assert _values(resource, ID2) == {
        "person.id_number": ID2,
        "person.name": "李芳",
        "person.birth_date": "1992-07-08",
        "household.address": "中山市东区街道兴中道12号",
    }
    # the gateway normalises keys the same way: spaces and a lower-case x still find it
    assert _record(resource, f"  {ID1.lower()} ") is not None


def test_csv_in_gb18030_is_detected(root, resource):
    _csv(root, ROWS, encoding="gb18030")
    run = sync.sync_source(_source(resource))
    assert run.status == SyncStatus.OK
    assert _values(resource, ID3)["person.name"] == "黄志强"


def test_second_sync_unchanged_then_changed_removed_and_back(root, resource):
    source = _source(resource)
    _csv(root, ROWS)
    sync.sync_source(source)
    again = sync.sync_source(source)
    assert again.status == SyncStatus.UNCHANGED
    assert (again.rows_read, again.added, again.changed) == (0, 0, 0)

    changed = [ROWS[0], ROWS[1].replace("兴中道12号", "兴中道88号")]  # ID3's row gone
    _csv(root, changed)
    run = sync.sync_source(source)
    assert (run.status, run.added, run.changed, run.unchanged, run.removed) == (
        SyncStatus.OK, 0, 1, 1, 1,
    )  # fmt: skip
    assert _values(resource, ID2)["household.address"].endswith("兴中道88号")
    gone = _record(resource, ID3)
    assert gone is not None and gone.removed_at is not None
    assert DataRecord.objects.filter(removed_at__isnull=True).count() == 2

    _csv(root, ROWS)
    back = sync.sync_source(source)
    assert (back.added, back.changed, back.unchanged, back.removed) == (0, 2, 1, 0)
    returned = _record(resource, ID3)
    assert returned is not None and returned.removed_at is None


def test_changed_mapping_syncs_in_full_even_if_the_file_is_the_same(root, resource):
    source = _source(resource)
    _csv(root, ROWS)
    sync.sync_source(source)
    source.mapping = {k: v for k, v in MAPPING.items() if k != "户籍地址"}
    source.save()
    run = sync.sync_source(source)
    assert (run.status, run.changed) == (SyncStatus.OK, 3)
    assert "household.address" not in _values(resource, ID1)


# --- refused rows -------------------------------------------------------------------------


def test_bad_rows_are_refused_by_row_and_field_and_the_rest_synced(root, resource):
    _csv(
        root,
        [
            ROWS[0],  # row 2
            f"{BAD_ID},错号,1988-03-15,中山市",  # row 3: wrong check character
            ",无号,1990-01-01,中山市",  # row 4: no key
            f"{ID2},李芳,1992-13-40,中山市",  # row 5: not a date
            f"{ID3},黄志强,1979-11-23,甲",  # row 6: the same key as row 7
            f"{ID3},黄志强,1979-11-23,乙",  # row 7
        ],
    )
    run = sync.sync_source(_source(resource))
    assert (run.status, run.rows_read, run.added, run.refused) == (SyncStatus.PARTIAL, 6, 1, 5)
    by_row = {(e["row"], e["field"]) for e in run.errors}
    assert by_row == {
        (3, "公民身份号码"),
        (4, "公民身份号码"),
        (5, "出生日期"),
        (6, "公民身份号码"),
        (7, "公民身份号码"),
    }
    messages = {e["row"]: e["message"] for e in run.errors}
    assert "7" in messages[6] and "6" in messages[7]
    assert _record(resource, ID3) is None and _record(resource, ID2) is None
    assert _record(resource, ID1) is not None
    audit = AuditRecord.objects.filter(action="exchange.sync").latest("seq")
    assert audit.meta["refused"] == 5 and audit.meta["added"] == 1
    assert ID1 not in json.dumps(audit.meta, ensure_ascii=False)
    assert "陈小明" not in json.dumps(audit.meta, ensure_ascii=False)


def test_a_refused_row_keeps_the_last_good_record(root, resource):
    source = _source(resource)
    _csv(root, ROWS)
    sync.sync_source(source)
    _csv(root, [ROWS[0], ROWS[1], f"{ID3},黄志强,not-a-date,中山市"])
    run = sync.sync_source(source)
    assert (run.status, run.removed, run.refused) == (SyncStatus.PARTIAL, 0, 1)
    kept = _record(resource, ID3)
    assert kept is not None and kept.removed_at is None
    assert _values(resource, ID3)["person.birth_date"] == "1979-11-23"


# --- mapping ------------------------------------------------------------------------------


def test_mapping_to_an_item_of_another_resource_fails_naming_the_source(root, resource):
    _csv(root, ROWS)
    source = _source(resource, mapping={**MAPPING, "户籍地址": "enterprise.name"})
    run = sync.sync_source(source)
    assert run.status == SyncStatus.FAILED
    assert source.code in run.message and "enterprise.name" in run.message
    assert DataRecord.objects.count() == 0


def test_key_column_must_be_mapped_and_mapped_columns_must_exist(root, resource):
    _csv(root, ROWS)
    unmapped = _source(resource, key_column="编号")
    run = sync.sync_source(unmapped)
    assert run.status == SyncStatus.FAILED and "编号" in run.message
    unmapped.delete()
    missing = _source(resource, mapping={**MAPPING, "户号": "person.name"})
    missing.mapping = {k: v for k, v in MAPPING.items() if k != "姓名"} | {"名字": "person.name"}
    missing.save()
    run = sync.sync_source(missing)
    assert run.status == SyncStatus.FAILED and "名字" in run.message


# --- other kinds of file ------------------------------------------------------------------


def test_excel_sheet_by_name(root, resource):
    from openpyxl import Workbook

    book = Workbook()
    assert book.active is not None
    book.active.title = "说明"
    sheet = book.create_sheet("人口")
    sheet.append(list(MAPPING))
    sheet.append([ID1, "陈小明", "1988-03-15", "中山市"])
    sheet.append([None, None, None, None])  # blank rows are skipped
    sheet.append([ID2, "李芳", "1992-07-08", "中山市"])
    book.save(root / "population.xlsx")
    source = _source(resource, SourceKind.EXCEL, "population.xlsx", selector="人口")
    run = sync.sync_source(source)
    assert (run.status, run.added) == (SyncStatus.OK, 2)
    assert _values(resource, ID2)["person.name"] == "李芳"
    source.selector = "不存在"
    source.save()
    failed = sync.sync_source(source)
    assert failed.status == SyncStatus.FAILED and "不存在" in failed.message


def test_json_list_at_a_dotted_path(root, resource):
    records = [dict(zip(MAPPING, row.split(","), strict=True)) for row in ROWS]
    (root / "population.json").write_text(
        json.dumps({"data": {"people": records}}, ensure_ascii=False), encoding="utf-8"
    )
    source = _source(resource, SourceKind.JSON, "population.json", selector="data.people")
    run = sync.sync_source(source)
    assert (run.status, run.added) == (SyncStatus.OK, 3)
    source.selector = "data"
    source.save()
    failed = sync.sync_source(source)
    assert failed.status == SyncStatus.FAILED and "JSON" in failed.message


XML = """<?xml version="1.0" encoding="UTF-8"?>
<registry><people>
  <person id="{id1}"><name>陈小明</name><birth>1988-03-15</birth><address>中山市</address></person>
  <person id="{id2}"><name>李芳</name><birth>1992-07-08</birth><address>中山市</address></person>
</people></registry>
"""
XML_MAPPING = {
    "id": "person.id_number",
    "name": "person.name",
    "birth": "person.birth_date",
    "address": "household.address",
}


def test_xml_fields_from_attributes_and_children(root, resource):
    (root / "people.xml").write_text(XML.format(id1=ID1, id2=ID2), encoding="utf-8")
    source = _source(
        resource, SourceKind.XML, "people.xml", selector="//person", key_column="id",
        mapping=XML_MAPPING,
    )  # fmt: skip
    run = sync.sync_source(source)
    assert (run.status, run.added) == (SyncStatus.OK, 2)
    assert _values(resource, ID1)["person.birth_date"] == "1988-03-15"


def test_xml_with_entities_is_refused_and_nothing_is_read_from_outside(root, resource, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    (root / "people.xml").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        f'<r><person id="{ID1}"><name>&x;</name></person></r>',
        encoding="utf-8",
    )
    source = _source(
        resource, SourceKind.XML, "people.xml", selector="//person", key_column="id",
        mapping={"id": "person.id_number", "name": "person.name"},
    )  # fmt: skip
    run = sync.sync_source(source)
    assert run.status == SyncStatus.FAILED and "DOCTYPE" in run.message
    assert DataRecord.objects.count() == 0
    assert "TOP-SECRET" not in run.message


# --- paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("location", ["../outside.csv", "sub/../../outside.csv", "ABSOLUTE"])
def test_paths_outside_the_source_root_are_refused(root, resource, location):
    outside = root.parent / "outside.csv"
    outside.write_text(HEADER + ROWS[0], encoding="utf-8")
    location = str(outside) if location == "ABSOLUTE" else location
    run = sync.sync_source(_source(resource, location=location))
    assert run.status == SyncStatus.FAILED
    assert "ga.csv" in run.message and DataRecord.objects.count() == 0


def test_a_symbolic_link_out_of_the_root_is_refused(root, resource):
    outside = root.parent / "outside.csv"
    outside.write_text(HEADER + ROWS[0], encoding="utf-8")
    os.symlink(outside, root / "population.csv")
    run = sync.sync_source(_source(resource))
    assert run.status == SyncStatus.FAILED and DataRecord.objects.count() == 0


def test_a_file_over_the_size_cap_is_refused(root, resource, settings):
    settings.TONGBAN_EXCHANGE_SOURCE_MAX_BYTES = 100
    _csv(root, ROWS)
    run = sync.sync_source(_source(resource))
    assert run.status == SyncStatus.FAILED and "100" in run.message


# --- SQL ----------------------------------------------------------------------------------


def _sqlite(root: Path) -> Path:
    path = root / "people.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE person (id_number TEXT, name TEXT, birth TEXT, address TEXT)")
    conn.executemany("INSERT INTO person VALUES (?, ?, ?, ?)", [r.split(",") for r in ROWS])
    conn.commit()
    conn.close()
    return path


SQL_MAPPING = {
    "id_number": "person.id_number",
    "name": "person.name",
    "birth": "person.birth_date",
    "address": "household.address",
}


def _sql_source(resource, location: str, query: str) -> DataSource:
    return _source(
        resource, SourceKind.SQL, location, selector=query, key_column="id_number",
        mapping=SQL_MAPPING,
    )  # fmt: skip


def test_sqlite_source_reads_and_detects_changes(root, resource):
    path = _sqlite(root)
    source = _sql_source(resource, "sqlite:///people.sqlite3", "SELECT * FROM person;")
    run = sync.sync_source(source)
    assert (run.status, run.added) == (SyncStatus.OK, 3)
    assert sync.sync_source(source).status == SyncStatus.UNCHANGED
    conn = sqlite3.connect(path)
    conn.execute("UPDATE person SET name = '李芳芳' WHERE id_number = ?", (ID2,))
    conn.commit()
    conn.close()
    run = sync.sync_source(source)
    assert (run.changed, run.unchanged) == (1, 2)
    assert _values(resource, ID2)["person.name"] == "李芳芳"


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM person",
        "UPDATE person SET name = 'x'",
        "SELECT 1; DELETE FROM person",
        "INSERT INTO person SELECT * FROM person",
    ],
)
def test_a_mapping_that_writes_is_refused_naming_the_source(root, resource, query):
    path = _sqlite(root)
    run = sync.sync_source(_sql_source(resource, "sqlite:///people.sqlite3", query))
    assert run.status == SyncStatus.FAILED and "ga.sql" in run.message
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == 3
    conn.close()


def test_sqlite_is_opened_read_only_even_past_the_statement_check(root):
    path = _sqlite(root)
    for statement in ("DELETE FROM person", "CREATE TABLE t (x)", "PRAGMA user_version = 7"):
        with translation.override("en"), pytest.raises(adapters.SourceError) as caught:
            adapters.sqlite_query("demo.sql", path, statement)
        assert "demo.sql" in str(caught.value) and "read only" in str(caught.value)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == 3
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()


def test_sqlite_url_outside_the_root_is_refused(root, resource, tmp_path):
    outside = tmp_path / "elsewhere.sqlite3"
    sqlite3.connect(outside).close()
    source = _sql_source(resource, f"sqlite:///{outside}", "SELECT * FROM person")
    run = sync.sync_source(source)
    assert run.status == SyncStatus.FAILED and "ga.sql" in run.message


ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _test_database_url() -> str:
    d = connection.settings_dict
    return (
        f"postgresql://{d['USER']}:{d['PASSWORD'] or ''}@{d['HOST'] or '127.0.0.1'}:"
        f"{d['PORT'] or 5432}/{d['NAME']}"
    )


if ON_POSTGRES:  # defined only when the suite runs on PostgreSQL (DATABASE_URL)

    def test_postgres_source_reads_in_a_read_only_transaction(resource, root):
        """A plain SELECT reads; a statement or a SELECT that writes is refused by the READ
        ONLY transaction, with an error naming the source."""
        url = _test_database_url()
        # the ID number is assembled by the query: no personal number in the mapping
        query = (
            f"SELECT '{ID1[:9]}' || '{ID1[9:]}' AS id_number, '陈小明' AS name, "
            "'1988-03-15' AS birth, '' AS address"
        )
        ok = sync.sync_source(_sql_source(resource, url, query))
        assert (ok.status, ok.added) == (SyncStatus.OK, 1), ok.message
        with connection.cursor() as cursor:
            cursor.execute("CREATE SEQUENCE IF NOT EXISTS src_probe_seq")
        for statement in ("CREATE TABLE src_probe (x int)", "SELECT nextval('src_probe_seq')"):
            with pytest.raises(adapters.SourceError) as caught:
                adapters.postgres_query("pg.demo", url, statement)
            assert "pg.demo" in str(caught.value), statement


# --- due, command, summary ----------------------------------------------------------------


def test_sync_due_runs_only_sources_whose_interval_passed(root, resource):
    _csv(root, ROWS)
    fresh = _source(resource, interval_minutes=60)
    stale = DataSource.objects.create(
        resource=resource, code="ga.stale", kind=SourceKind.CSV, location="population.csv",
        key_column="公民身份号码", mapping=MAPPING, interval_minutes=60,
        last_synced_at=timezone.now() - timedelta(minutes=61),
    )  # fmt: skip
    fresh.last_synced_at = timezone.now() - timedelta(minutes=59)
    fresh.save()
    DataSource.objects.create(
        resource=resource, code="ga.off", kind=SourceKind.CSV, location="population.csv",
        key_column="公民身份号码", mapping=MAPPING, enabled=False,
    )  # fmt: skip
    runs = sync.sync_due()
    assert [r.source_id for r in runs] == [stale.pk]


def test_the_periodic_job_is_registered():
    from tongban.core.scheduling import autodiscover, get_job

    autodiscover()
    job = get_job("exchange.sync")
    assert job is not None and job.every == timedelta(minutes=5)


def test_command_syncs_named_sources_and_refuses_unknown(root, resource, capsys):
    _csv(root, [ROWS[0], f"{BAD_ID},错号,1988-03-15,中山市"])
    source = _source(resource)
    call_command("exchange", "sync", source.code)
    out = capsys.readouterr().out
    assert "ga.csv: partial" in out and "row 3, 公民身份号码" in out and BAD_ID not in out
    with pytest.raises(CommandError, match="no-such"):
        call_command("exchange", "sync", "no-such")
    assert SyncRun.objects.count() == 1


def test_summary_and_partial_show_the_last_full_run_and_its_refused_rows(root, resource):
    _csv(root, [ROWS[0], f"{BAD_ID},错号,1988-03-15,中山市"])
    source = _source(resource)
    sync.sync_source(source)
    sync.sync_source(source)  # unchanged: the refused rows are still shown
    [summary] = sync.sources_summary(resource)
    assert summary.last_run is not None and summary.last_run.status == SyncStatus.UNCHANGED
    assert summary.last_full_run is not None and summary.last_full_run.refused == 1
    assert summary.records == 1 and summary.errors[0]["row"] == 3
    html = render_to_string("exchange/_sources.html", {"sources": [summary]})
    assert "ga.csv" in html and "公民身份号码" in html and BAD_ID not in html


def test_redacted_location_hides_a_database_password():
    assert adapters.redact_url("postgresql://u:s3cret@db:5432/x") == "postgresql://u:***@db:5432/x"


def test_admin_record_pages_show_no_key_or_value(root, resource, admin_user, client):
    _csv(root, ROWS)
    sync.sync_source(_source(resource))
    client.force_login(admin_user)
    record = DataRecord.objects.first()
    assert record is not None
    for url in (
        "/admin/exchange/datarecord/",
        f"/admin/exchange/datarecord/{record.pk}/change/",
        "/admin/exchange/datasource/",
        "/admin/exchange/syncrun/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert ID1 not in text and "陈小明" not in text


def test_admin_sync_now_action(root, resource, admin_user, client):
    _csv(root, ROWS)
    source = _source(resource)
    client.force_login(admin_user)
    page = client.post(
        "/admin/exchange/datasource/",
        {"action": "sync_now", "_selected_action": [source.pk]},
        follow=True,
    )
    assert page.status_code == 200
    assert SyncRun.objects.filter(source=source, status=SyncStatus.OK).count() == 1
    assert DataRecord.objects.count() == 3


def test_admin_form_refuses_a_path_outside_and_a_bad_mapping(root, resource):
    from tongban.exchange.admin import DataSourceForm

    base = {
        "code": "ga.form",
        "resource": resource.pk,
        "kind": SourceKind.CSV,
        "location": "../x.csv",
        "selector": "",
        "key_column": "公民身份号码",
        "mapping": json.dumps({**MAPPING, "x": "no.such"}),
        "interval_minutes": 60,
        "enabled": True,
    }
    form = DataSourceForm(data=base)
    assert not form.is_valid()
    assert "mapping" in form.errors
    form = DataSourceForm(data={**base, "mapping": json.dumps(MAPPING)})
    assert not form.is_valid() and "location" in form.errors
    form = DataSourceForm(data={**base, "mapping": json.dumps(MAPPING), "location": "p.csv"})
    assert form.is_valid(), form.errors


def test_uscc_items_off_the_dictionary_are_checked(department_a, root):
    res = DataResource.objects.create(
        department=department_a, code="zs.scjg.lp", name="法人", source_system="x",
        status=ResourceStatus.PUBLISHED,
    )  # fmt: skip
    DataItem.objects.create(
        resource=res, code="enterprise.uscc", name="代码", share_class=ShareClass.UNCONDITIONAL,
        grade=1,
    )  # fmt: skip
    good = make_uscc("91442000MA4X1234")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    (root / "lp.csv").write_text(f"代码\n{good}\n{bad}\n", encoding="utf-8")
    source = DataSource.objects.create(
        resource=res, code="scjg.lp", kind=SourceKind.CSV, location="lp.csv",
        key_column="代码", mapping={"代码": "enterprise.uscc"},
    )  # fmt: skip
    run = sync.sync_source(source)
    assert (run.added, run.refused) == (1, 1) and run.errors[0]["row"] == 3
