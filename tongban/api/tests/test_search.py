"""/api/search: ranked, paginated, tokens echoed, bundles beside items, any input answered."""

from __future__ import annotations

import pytest

from tongban.api.tests.conftest import get_json, make_item
from tongban.catalog import search
from tongban.catalog.models import ItemStatus, ServiceItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(catalogue, department_a):
    for n in range(3):
        make_item(department_a, f"IMPL-S-{n}", name=f"营业执照变更登记{n}")
    search.reindex_all()
    return catalogue


def test_search_finds_a_word_inside_a_name(api_client, indexed):
    body = get_json(api_client, "/api/search?q=许可")
    assert body["query"] == "许可"
    assert body["tokens"]
    assert body["total"] == 1
    assert [i["implementation_code"] for i in body["items"]] == ["IMPL-A-001"]
    assert body["items"][0]["name"] == "食品经营许可"


def test_search_is_paginated_without_overlap(api_client, indexed):
    first = get_json(api_client, "/api/search?q=营业执照&page_size=2")
    second = get_json(api_client, "/api/search?q=营业执照&page_size=2&page=2")
    assert first["total"] == second["total"] == 3
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    found = [i["implementation_code"] for i in first["items"] + second["items"]]
    assert sorted(found) == ["IMPL-S-0", "IMPL-S-1", "IMPL-S-2"]


def test_search_never_shows_unpublished_items(api_client, indexed):
    ServiceItem.objects.filter(implementation_code="IMPL-A-001").update(status=ItemStatus.WITHDRAWN)
    body = get_json(api_client, "/api/search?q=许可")
    assert body["items"] == []


def test_search_trims_and_echoes_the_query(api_client, indexed):
    body = get_json(api_client, "/api/search?q=%20%20许可%20")
    assert body["query"] == "许可"


@pytest.mark.parametrize("q", ["%22*()", "AND OR NOT", "%27%3B--", "x" * 100])
def test_odd_queries_are_answered_not_crashed(api_client, indexed, q):
    body = get_json(api_client, f"/api/search?q={q}")
    assert isinstance(body["tokens"], list)
    assert body["total"] >= len(body["items"])


def test_a_nul_character_is_a_400_naming_the_parameter(api_client, indexed):
    response = api_client.get("/api/search?q=a%00b")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "query.q"


def test_search_query_count_is_bounded(api_client, indexed, django_assert_max_num_queries):
    get_json(api_client, "/api/search?q=许可")  # the synonym list is now cached
    # generation (synonyms' cache key), items match, items, bundles match, bundles
    with django_assert_max_num_queries(5):
        get_json(api_client, "/api/search?q=营业执照")


def test_matching_bundles_are_listed_beside_the_items(api_client, indexed):
    body = get_json(api_client, "/api/search?q=开办餐饮店")
    assert [b["code"] for b in body["bundles"]] == ["open-restaurant"]
    assert body["bundles"][0]["name_zh"] == "开办餐饮店一件事"
    assert body["bundles"][0]["member_count"] == 2
    # A member's name also finds the bundle; the item list is unchanged.
    body = get_json(api_client, "/api/search?q=食品经营许可")
    assert [b["code"] for b in body["bundles"]] == ["open-restaurant"]
    assert body["items"][0]["implementation_code"] == "IMPL-A-001"


def test_draft_bundles_are_not_found(api_client, indexed):
    body = get_json(api_client, "/api/search?q=一件事")
    assert "open-restaurant" in [b["code"] for b in body["bundles"]]
    assert all(b["name_zh"] != "草稿一件事" for b in body["bundles"])
    assert len(body["bundles"]) == 1


def test_traditional_characters_find_the_simplified_name(api_client, indexed):
    body = get_json(api_client, "/api/search?q=食品經營許可")
    assert [i["implementation_code"] for i in body["items"]][:1] == ["IMPL-A-001"]


BAD_INPUT = [
    '"',
    "*",
    "NEAR(",
    "-",
    "^",
    "OR",
    '" * NEAR( - ^ OR',
    "营业执照 OR 许可 NOT",
    "许可*",
    "-许可",
    "^许可",
    "，。！？、；：",
    "!!!???...",
    "许可" * 250,  # 500 characters
    "x" * 500,
    "食品license经营ライセンス许可",  # mixed scripts
    "ｌｉｃｅｎｃｅ",  # full-width letters
    "ＹＹＺＺ",
]


@pytest.mark.parametrize("q", BAD_INPUT)
def test_bad_input_is_answered_not_crashed(api_client, indexed, q):
    response = api_client.get("/api/search", {"q": q})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] >= len(body["items"])
    assert isinstance(body["bundles"], list)


@pytest.mark.parametrize(
    ("q", "first"),
    [("许可*", "IMPL-A-001"), ("-许可", "IMPL-A-001"), ("许可" * 250, "IMPL-A-001")],
)
def test_bad_input_still_finds_the_words_in_it(api_client, indexed, q, first):
    body = get_json(api_client, f"/api/search?q={q}")
    assert body["items"][0]["implementation_code"] == first


def test_a_query_over_500_characters_is_a_422_naming_the_parameter(api_client, indexed):
    response = api_client.get("/api/search", {"q": "x" * 501})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.q"
