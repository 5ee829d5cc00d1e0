"""/api/search: ranked, paginated, tokens echoed."""

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
    search.reindex_items(ServiceItem.objects.values_list("id", flat=True))
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
    with django_assert_max_num_queries(4):
        get_json(api_client, "/api/search?q=营业执照")
