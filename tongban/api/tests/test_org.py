"""/api/departments, /api/regions and /api/themes."""

from __future__ import annotations

import pytest

from tongban.api.tests.conftest import get_json
from tongban.org.models import Department, Region, RegionLevel

pytestmark = pytest.mark.django_db


def test_departments_list_with_published_item_counts(api_client, catalogue):
    body = get_json(api_client, "/api/departments", lang="en")
    assert [d["code"] for d in body["items"]] == ["scjg", "ga"]
    assert body["total"] == 2
    scjg = body["items"][0]
    assert scjg["item_count"] == 1  # the draft is not counted
    assert scjg["name"] == "Market Regulation Bureau"
    assert scjg["name_zh"] == "中山市市场监督管理局"
    assert scjg["region"] == "442000"
    assert scjg["kind"] == {"code": "government", "label": "Government department"}


def test_inactive_departments_are_hidden(api_client, catalogue, department_b):
    department_b.is_active = False
    department_b.save()
    assert [d["code"] for d in get_json(api_client, "/api/departments")["items"]] == ["scjg"]
    get_json(api_client, "/api/departments/ga", status=404)


def test_department_detail(api_client, catalogue, department_a):
    child = Department.objects.create(
        code="scjg-xl",
        name="小榄市场监管所",
        uscc="11442000MB2C3333X0",
        parent=department_a,
        region=catalogue.town,
    )
    body = get_json(api_client, f"/api/departments/{child.code}", lang="en")
    assert body["parent"] == "scjg"
    assert body["region_name"] == "Xiaolan"
    assert body["item_count"] == 0
    assert body["items_url"] == "/api/items?department=scjg-xl"


def test_unknown_department_is_a_404_problem(api_client, catalogue):
    response = api_client.get("/api/departments/nope", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert "department" in response.json()["detail"]
    assert "nope" in response.json()["detail"]


@pytest.fixture
def second_town(city):
    return Region.objects.create(
        code="442000112000",
        name="东凤镇",
        level=RegionLevel.TOWN,
        parent=city["city"],
        sort_order=5,
    )


def test_regions_flat_with_parent_and_level_filters(api_client, city, second_town):
    body = get_json(api_client, "/api/regions", lang="en")
    assert body["total"] == 4
    by_code = {r["code"]: r for r in body["items"]}
    assert by_code["442000"]["parent"] == "440000"
    assert by_code["442000"]["name"] == "Zhongshan"
    assert by_code["442000"]["level"] == {"code": "prefecture", "label": "Prefecture-level city"}
    towns = get_json(api_client, "/api/regions?parent=442000")
    assert [r["code"] for r in towns["items"]] == ["442000111000", "442000112000"]
    level = get_json(api_client, "/api/regions?level=province")
    assert [r["code"] for r in level["items"]] == ["440000"]


def test_regions_tree(api_client, city, second_town):
    body = get_json(api_client, "/api/regions?format=tree")
    assert body["total"] == 4
    [province] = body["items"]
    assert province["code"] == "440000"
    [prefecture] = province["children"]
    assert [t["code"] for t in prefecture["children"]] == ["442000111000", "442000112000"]
    below = get_json(api_client, "/api/regions?format=tree&parent=440000&level=town")
    # the subtree below the province, towns only: the towns become the roots
    assert [t["code"] for t in below["items"]] == ["442000111000", "442000112000"]
    assert get_json(api_client, "/api/regions?format=tree&parent=nowhere")["items"] == []


def test_region_query_counts(api_client, city, second_town, django_assert_num_queries):
    with django_assert_num_queries(1):
        get_json(api_client, "/api/regions?format=tree")
    with django_assert_num_queries(1):
        get_json(api_client, "/api/regions")


def test_themes_with_counts_and_audience_filter(api_client, catalogue):
    body = get_json(api_client, "/api/themes", lang="en")
    # ordered by audience (enterprise, person), then order and code
    assert [t["code"] for t in body["items"]] == ["startup", "birth"]
    birth = body["items"][1]
    assert birth["name"] == "Birth"
    assert birth["item_count"] == 1
    assert birth["audience"] == {"code": "person", "label": "Individuals"}
    only = get_json(api_client, "/api/themes?audience=enterprise")
    assert [t["code"] for t in only["items"]] == ["startup"]


def test_list_query_counts(api_client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(1):
        get_json(api_client, "/api/departments")
    with django_assert_num_queries(1):
        get_json(api_client, "/api/departments/scjg")
    with django_assert_num_queries(1):
        get_json(api_client, "/api/themes")
