"""Chinese full-text search over the catalogue: the behaviour the portal relies on.

Runs on SQLite (FTS5) and, with DATABASE_URL set, on PostgreSQL (tsvector).
"""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.db import connection

from tongban.catalog import search
from tongban.catalog.models import Audience, ItemStatus, ItemType, Material, ServiceItem, Theme
from tongban.catalog.search.backends import backend
from tongban.catalog.transitions import Action, move_item

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)


def make_item(department, name: str, *, status: str = ItemStatus.PUBLISHED, **fields):
    n = next(_codes)
    return ServiceItem.objects.create(
        name=name,
        basic_code=f"B{n:05d}",
        implementation_code=f"11442000MB2C1111X-{n:05d}",
        item_type=ItemType.LICENSING,
        department=department,
        status=status,
        **fields,
    )


def add_material(item, name: str) -> Material:
    return Material.objects.create(item=item, code=f"M{next(_codes):05d}", name=name)


@pytest.fixture
def catalogue(department_a, department_b):
    """A licence item, an item that only needs the licence as a material, and others."""
    # The material-only item is created first: a lower id must not win the ranking.
    seal = make_item(department_b, "刻制公章备案", name_en="Registration of company seal")
    add_material(seal, "营业执照副本复印件")
    add_material(seal, "法定代表人身份证")
    licence = make_item(
        department_a,
        "申领营业执照",
        name_en="Application for a business licence",
        summary="个体工商户和企业办理营业执照。",
    )
    add_material(licence, "申请书")
    residence = make_item(department_b, "居住证签注", name_en="Renewal of residence permit")
    add_material(residence, "居民身份证")
    search.reindex_items([licence.id, seal.id, residence.id])
    return {"licence": licence, "seal": seal, "residence": residence}


def test_word_inside_a_longer_name_and_in_a_material_is_found(catalogue):
    result = search.search_items("营业执照")
    assert set(result.ids) == {catalogue["licence"].id, catalogue["seal"].id}
    assert result.total == 2
    assert "营业执照" in result.tokens
    assert not result.partial


def test_name_match_ranks_above_material_only_match(catalogue):
    ids = search.search_ids("营业执照")
    assert ids == [catalogue["licence"].id, catalogue["seal"].id]


def test_name_match_beats_many_material_mentions(department_a, catalogue):
    crowded = make_item(department_a, "变更登记")
    for name in ("营业执照正本", "营业执照副本", "营业执照复印件", "原营业执照"):
        add_material(crowded, name)
    search.reindex_items([crowded.id])
    ids = search.search_ids("营业执照")
    assert ids[0] == catalogue["licence"].id
    assert set(ids[1:]) == {catalogue["seal"].id, crowded.id}


@pytest.mark.parametrize("query", ["yyzz", "yingyezhizhao", "YingYe", "ying ye zhi zhao"])
def test_pinyin_finds_what_the_chinese_finds_name_first(catalogue, query):
    result = search.search_items(query)
    # Pinyin is indexed for names, results, themes and materials, ranked like the Han.
    assert result.ids == [catalogue["licence"].id, catalogue["seal"].id]


def test_pinyin_of_the_whole_name_is_indexed(catalogue):
    assert search.search_ids("shenlingyingyezhizhao") == [catalogue["licence"].id]
    assert search.search_ids("slyyzz") == [catalogue["licence"].id]


@pytest.mark.parametrize("query", ["business licence", "Business Licence", "licen", "SEAL"])
def test_english_name_search(catalogue, query):
    ids = search.search_ids(query)
    expected = "seal" if query == "SEAL" else "licence"
    assert ids == [catalogue[expected].id]


def test_fullwidth_and_mixed_queries_are_normalised(catalogue):
    assert search.search_ids("ＹＹＺＺ") == search.search_ids("yyzz")
    assert search.search_ids("  营业执照，") == search.search_ids("营业执照")


def test_unpublished_items_never_appear(department_a, catalogue):
    draft = make_item(department_a, "营业执照遗失补领", status=ItemStatus.DRAFT)
    search.reindex_items([draft.id])
    assert draft.id not in search.search_ids("营业执照")
    assert draft.id not in backend().indexed_ids()

    licence = catalogue["licence"]
    move_item(licence, Action.WITHDRAW, actor=None)
    # Even before the reindex the withdrawn item is hidden ...
    assert licence.id not in search.search_ids("营业执照")
    # ... and the reindex drops its row.
    search.reindex_items([licence.id])
    assert licence.id not in backend().indexed_ids()
    assert search.search_ids("yyzz") == [catalogue["seal"].id]


def test_reindex_after_rename(catalogue):
    licence = catalogue["licence"]
    licence.name = "食品经营许可证核发"
    licence.name_en = "Food business permit"
    licence.summary = ""
    licence.save()
    assert licence.id in search.search_ids("yyzz")  # stale until reindexed
    search.reindex_items([licence.id])
    assert search.search_ids("yyzz") == [catalogue["seal"].id]
    assert search.search_ids("营业执照") == [catalogue["seal"].id]
    assert search.search_ids("许可证") == [licence.id]
    assert search.search_ids("xkz") == [licence.id]  # initials of a word
    assert search.search_ids("spjy") == [licence.id]  # start of the name's initials
    assert search.search_ids("shipin") == [licence.id]


def test_reindex_drops_rows_of_deleted_items(catalogue):
    residence = catalogue["residence"]
    residence_id = residence.id
    residence.delete()
    search.reindex_items([residence_id, 987654])
    assert residence_id not in backend().indexed_ids()
    assert set(backend().indexed_ids()) == {catalogue["licence"].id, catalogue["seal"].id}


def test_reindex_is_idempotent(catalogue):
    ids = [item.id for item in catalogue.values()]
    search.reindex_items(ids)
    search.reindex_items(ids)
    assert sorted(backend().indexed_ids()) == sorted(ids)
    assert search.search_items("营业执照").total == 2


def test_reindex_items_query_count_does_not_grow_with_items(
    department_a, django_assert_max_num_queries
):
    items = [make_item(department_a, f"营业执照事项{n}") for n in range(30)]
    for item in items:
        add_material(item, "身份证")
    with django_assert_max_num_queries(9):  # + the exact keys' delete
        search.reindex_items([item.id for item in items])
    assert len(search.search_ids("营业执照")) == 30


def test_reindex_all_rebuilds_from_published_items(department_a, catalogue):
    draft = make_item(department_a, "营业执照注销", status=ItemStatus.DRAFT)
    unindexed = make_item(department_a, "出生医学证明申领")
    assert search.search_ids("出生医学证明") == []
    assert search.reindex_all() == 4
    assert search.search_ids("出生医学证明") == [unindexed.id]
    assert draft.id not in backend().indexed_ids()


def test_reindex_search_command(department_a, capsys):
    item = make_item(department_a, "不动产登记资料查询")
    call_command("reindex_search")
    assert "1" in capsys.readouterr().out
    assert search.search_ids("不动产") == [item.id]


def test_other_fields_are_searchable(department_a):
    theme = Theme.objects.create(
        code="birth", audience=Audience.PERSON, name="出生", name_en="Having a baby"
    )
    item = make_item(
        department_a,
        "新生儿落户",
        result_name="户口簿",
        acceptance_conditions="父母一方为本市户籍人员",
    )
    item.themes.add(theme)
    search.reindex_items([item.id])
    assert search.search_ids("户口簿") == [item.id]  # result name
    assert search.search_ids("户籍") == [item.id]  # acceptance conditions
    assert search.search_ids("出生") == [item.id]  # theme
    assert search.search_ids("baby") == [item.id]  # theme, English
    assert search.search_ids("市场监督管理局") == [item.id]  # department


def test_all_words_required_then_falls_back_to_any(catalogue):
    both = search.search_items("营业执照 身份证")
    assert both.ids == [catalogue["seal"].id]
    assert not both.partial

    some = search.search_items("营业执照 公积金")
    assert some.partial
    assert set(some.ids) == {catalogue["licence"].id, catalogue["seal"].id}


def test_paging_and_item_filter(department_a, catalogue):
    extra = [make_item(department_a, f"营业执照变更{n}") for n in range(5)]
    search.reindex_items([item.id for item in extra])
    everything = search.search_ids("营业执照")
    assert len(everything) == 7

    first = search.search_items("营业执照", limit=3)
    second = search.search_items("营业执照", limit=3, offset=3)
    assert first.total == second.total == 7
    assert first.ids + second.ids == everything[:6]

    allowed = {catalogue["seal"].id, extra[0].id, catalogue["residence"].id}
    filtered = search.search_items("营业执照", item_ids=allowed)
    assert filtered.ids == [i for i in everything if i in allowed]
    assert filtered.total == 2
    assert search.search_items("营业执照", item_ids=set()).ids == []


HOSTILE = [
    "",
    "   ",
    "，。！？",
    '"',
    '"营业执照',
    "*",
    "营业*",
    "AND",
    "营业执照 AND",
    "OR NOT",
    ")(",
    "NEAR(",
    "NEAR(营业 执照, 2)",
    "a:营业执照",
    "-营业执照",
    "^营业",
    "'",
    "营业' | '执照",
    "\\",
    "!&|:*",
    "\x00营业执照",
    "😀",
    "营业执照😀🏢",
    "a" * 10_000,
    "营业执照" * 2_500,
    "%s %(x)s {0}",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(catalogue, query):
    result = search.search_items(query)
    assert isinstance(result, search.SearchResult)
    assert isinstance(search.search_ids(query), list)
    assert result.total == len(search.search_ids(query))


@pytest.mark.parametrize("query", ["", "   ", "，。！？", ")(", '"', "*", "😀", "\x00"])
def test_empty_queries_find_nothing(catalogue, query):
    assert search.search_items(query) == search.SearchResult()
    assert search.search_ids(query) == []


def test_syntax_characters_are_ordinary_text(catalogue):
    assert search.search_ids('"营业执照"') == search.search_ids("营业执照")
    assert search.search_ids("营业执照*") == search.search_ids("营业执照")
    assert search.search_ids("(营业执照)") == search.search_ids("营业执照")


def test_long_query_is_truncated_not_rejected(catalogue):
    result = search.search_items("营业执照" * 2_500)
    assert result.ids[0] == catalogue["licence"].id


def test_store_matches_the_database_vendor():
    expected = {"sqlite": "SQLiteBackend", "postgresql": "PostgreSQLBackend"}
    assert type(backend()).__name__ == expected[connection.vendor]


@pytest.mark.django_db
def test_pinyin_initials_find_items_by_result_and_material(department_a):
    issuer = ServiceItem.objects.create(
        name="企业设立登记",
        basic_code="B1",
        implementation_code="PY-RESULT",
        item_type="01",
        department=department_a,
        status=ItemStatus.PUBLISHED,
        result_name="营业执照",
    )
    needs = ServiceItem.objects.create(
        name="食品经营许可",
        basic_code="B2",
        implementation_code="PY-MATERIAL",
        item_type="01",
        department=department_a,
        status=ItemStatus.PUBLISHED,
    )
    Material.objects.create(item=needs, code="M-BIZ", name="营业执照副本")
    ServiceItem.objects.create(
        name="结婚登记",
        basic_code="B3",
        implementation_code="PY-OTHER",
        item_type="07",
        department=department_a,
        status=ItemStatus.PUBLISHED,
    )
    search.reindex_all()
    ids = search.search_ids("yyzz")
    assert ids[:2] == [issuer.pk, needs.pk]  # result (B) ranks above material (C)
    assert len(ids) == 2
