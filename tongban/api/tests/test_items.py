"""/api/items and /api/items/{implementation_code}."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.utils import translation

from tongban.api.tests.conftest import get_json, make_item
from tongban.catalog.models import ItemType, ProvincialLevel

pytestmark = pytest.mark.django_db


def codes(body: dict) -> list[str]:
    return [row["implementation_code"] for row in body["items"]]


def test_list_shows_published_items_only_in_stable_order(api_client, catalogue):
    body = get_json(api_client, "/api/items")
    assert body["total"] == 2
    assert body["page"] == 1
    assert body["page_size"] == 20
    # department A (sort 0) before department B (sort 2); the draft is not listed
    assert codes(body) == ["IMPL-A-001", "IMPL-B-001"]
    first = body["items"][0]
    assert first["item_type"]["code"] == "01"
    assert first["department"] == {
        "code": "scjg",
        "name": "中山市市场监督管理局",
        "name_zh": "中山市市场监督管理局",
    }
    assert first["online_level"]["code"] == ProvincialLevel.IV
    assert first["audience"][0]["code"] == "person"
    assert first["promised_limit"]["value"] == 5
    assert first["url"] == "/api/items/IMPL-A-001"


def test_list_labels_follow_the_request_language(api_client, catalogue):
    body = get_json(api_client, "/api/items", lang="en")
    first = body["items"][0]
    assert first["name"] == "Food business licence"
    assert first["name_zh"] == "食品经营许可"
    assert first["department"]["name"] == "Market Regulation Bureau"
    assert first["item_type"]["label"] == "Administrative licensing"
    zh = get_json(api_client, "/api/items")["items"][0]
    assert zh["name"] == "食品经营许可"
    with translation.override("zh-hans"):
        assert zh["item_type"]["label"] == str(ItemType.LICENSING.label)


def test_pagination_walks_every_row_once(api_client, catalogue, department_a):
    for n in range(5):
        make_item(department_a, f"IMPL-A-1{n}", basic_code="B-same")
    seen: list[str] = []
    for page in (1, 2, 3):
        body = get_json(api_client, f"/api/items?page={page}&page_size=3")
        assert body["total"] == 7
        assert body["page"] == page
        seen += codes(body)
    assert len(seen) == 7
    assert len(set(seen)) == 7


def test_page_past_the_end_is_empty_not_an_error(api_client, catalogue):
    body = get_json(api_client, "/api/items?page=50&page_size=100")
    assert body == {"total": 2, "page": 50, "page_size": 100, "items": []}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("theme=birth", ["IMPL-A-001"]),
        ("theme=startup", ["IMPL-B-001"]),
        ("theme=nothing", []),
        ("department=ga", ["IMPL-B-001"]),
        ("town=442000111000", ["IMPL-A-001"]),
        ("item_type=07", ["IMPL-B-001"]),
        ("online_level=4", ["IMPL-A-001"]),
        ("online_level=1", ["IMPL-A-001", "IMPL-B-001"]),
        ("handling_type=1", ["IMPL-B-001"]),
        ("audience=person", ["IMPL-A-001"]),
        ("audience=enterprise", ["IMPL-B-001"]),
        ("department=scjg&item_type=07", []),
        ("item_type=&theme=", ["IMPL-A-001", "IMPL-B-001"]),  # empty means "any"
    ],
)
def test_filters(api_client, catalogue, query, expected):
    body = get_json(api_client, f"/api/items?{query}")
    assert codes(body) == expected
    assert body["total"] == len(expected)


def test_detail_is_the_full_guide(api_client, catalogue):
    body = get_json(api_client, "/api/items/IMPL-A-001", lang="en")
    assert body["implementation_code"] == "IMPL-A-001"
    assert body["name"] == "Food business licence"
    assert body["item_type"] == {"code": "01", "label": "Administrative licensing"}
    assert body["handling_type"]["code"] == "2"
    assert body["online_level"] == {"code": 4, "label": "Level IV: fully online"}
    assert body["is_fully_online"] is True
    assert [d["code"] for d in body["online_depth"]] == ["1", "2", "3", "4", "5", "6"]
    assert body["online_depth"][0]["label"] == "Online consultation"
    assert body["handling_forms"] == [
        {"code": "window", "label": "At a service window"},
        {"code": "online", "label": "Online"},
    ]
    assert body["service_objects"] == [{"code": "1", "label": "Natural person"}]
    assert body["exercise_level"]["code"] == "municipal"
    assert body["scope"]["code"] == "city"
    assert body["legal_limit"]["value"] == 20
    assert body["legal_limit"]["unit"] == {"code": "working_days", "label": "working days"}
    assert [m["code"] for m in body["materials"]] == ["M-ID", "M-FORM"]
    assert body["materials"][1]["necessity"] == {"code": "optional", "label": "Optional"}
    assert body["fees"][0]["amount_fen"] == 1000
    assert [s["name"] for s in body["steps"]] == ["受理", "审批"]
    assert body["faqs"] == [{"question": "多久办结？", "answer": "5个工作日。"}]
    assert body["themes"][0]["code"] == "birth"
    assert body["themes"][0]["name"] == "Birth"
    assert body["regions"][0]["code"] == "442000111000"
    assert body["regions"][0]["name"] == "Xiaolan"
    assert body["department"]["code"] == "scjg"
    assert body["bundles"] == [
        {
            "code": "open-restaurant",
            "name": "Opening a restaurant",
            "name_zh": "开办餐饮店一件事",
            "url": "/api/bundles/open-restaurant",
        }
    ]
    assert body["consult_phone"] == "0760-89817133"
    assert body["has_fee"] is True


def test_detail_falls_back_to_the_code_for_an_unknown_coded_value(api_client, catalogue):
    catalogue.record.handling_forms = ["window", "carrier-pigeon"]
    catalogue.record.save()
    body = get_json(api_client, "/api/items/IMPL-B-001", lang="en")
    assert body["handling_forms"][1] == {"code": "carrier-pigeon", "label": "carrier-pigeon"}
    assert body["legal_limit"] is None


def test_detail_finds_a_pasted_or_full_width_code(api_client, catalogue):
    # A zero-width space pasted along, and the full-width forms a Chinese input method types.
    typed = "\u200b" + "IMPL-A-001".translate(str.maketrans("AIMPL-01", "ＡＩＭＰＬ－０１"))
    body = get_json(api_client, f"/api/items/{quote(typed)}", lang="en")
    assert body["implementation_code"] == "IMPL-A-001"


@pytest.mark.parametrize("code", ["NO-SUCH-ITEM", "IMPL-A-DRAFT"])
def test_unknown_or_unpublished_item_is_a_404_problem(api_client, catalogue, code):
    response = api_client.get(f"/api/items/{code}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["type"].endswith("not-found")
    assert code in body["detail"]
    assert "service item" in body["detail"]


def test_list_query_count_does_not_grow_with_rows(
    api_client, catalogue, department_a, django_assert_num_queries
):
    with django_assert_num_queries(2):  # count + page
        get_json(api_client, "/api/items?page_size=100")
    for n in range(10):
        make_item(department_a, f"IMPL-A-2{n:02d}", online_depth=["1"], service_objects=["1"])
    with django_assert_num_queries(2):
        body = get_json(api_client, "/api/items?page_size=100")
    assert body["total"] == 12


def test_detail_query_count_is_bounded(api_client, catalogue, django_assert_num_queries):
    # item + materials, fees, steps, faqs, themes, regions, bundles
    with django_assert_num_queries(8):
        get_json(api_client, "/api/items/IMPL-A-001")
