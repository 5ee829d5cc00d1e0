"""/api/bundles and /api/bundles/{code}."""

from __future__ import annotations

import pytest

from tongban.api.tests.conftest import get_json
from tongban.catalog.models import Audience, Bundle, ItemStatus

pytestmark = pytest.mark.django_db


def test_list_shows_published_bundles(api_client, catalogue):
    body = get_json(api_client, "/api/bundles", lang="en")
    assert body["total"] == 1
    assert body["page"] == 1
    row = body["items"][0]
    assert row["code"] == "open-restaurant"
    assert row["name"] == "Opening a restaurant"
    assert row["name_zh"] == "开办餐饮店一件事"
    assert row["member_count"] == 2
    assert row["audience"] == {"code": "enterprise", "label": "Businesses"}
    assert row["lead_department"]["code"] == "scjg"
    assert row["url"] == "/api/bundles/open-restaurant"


def test_list_filters_and_paginates(api_client, catalogue, department_a):
    for n in range(3):
        Bundle.objects.create(
            code=f"b-{n}",
            name=f"一件事{n}",
            audience=Audience.PERSON,
            lead_department=department_a,
            promised_limit=1,
            status=ItemStatus.PUBLISHED,
        )
    body = get_json(api_client, "/api/bundles?audience=person&page_size=2&page=2")
    assert body["total"] == 3
    assert [b["code"] for b in body["items"]] == ["b-2"]
    assert [b["code"] for b in get_json(api_client, "/api/bundles?theme=startup")["items"]] == [
        "open-restaurant"
    ]
    assert (
        get_json(api_client, "/api/bundles?page_size=101", status=422)["errors"][0]["field"]
        == "query.page_size"
    )


def test_detail_has_members_departments_and_merged_materials(api_client, catalogue):
    body = get_json(api_client, "/api/bundles/open-restaurant", lang="en")
    assert [m["item"]["implementation_code"] for m in body["members"]] == [
        "IMPL-A-001",
        "IMPL-B-001",
    ]
    assert [m["sort_order"] for m in body["members"]] == [1, 2]
    assert [d["code"] for d in body["departments"]] == ["scjg", "ga"]
    assert [d["code"] for d in body["partner_departments"]] == ["ga"]
    assert body["themes"][0]["code"] == "startup"
    materials = {m["code"]: m for m in body["materials"]}
    # the application form is asked for by both members: listed once, required, 2 copies
    assert sorted(materials) == ["M-FORM", "M-ID"]
    form = materials["M-FORM"]
    assert form["necessity"]["code"] == "required"
    assert form["copies"] == 2
    # in the request's language, in this bundle's member order
    assert form["item_names"] == ["Food business licence", "Seal engraving record"]
    assert body["member_count"] == 2
    chinese = get_json(api_client, "/api/bundles/open-restaurant")
    form = {m["code"]: m for m in chinese["materials"]}["M-FORM"]
    assert form["item_names"] == ["食品经营许可", "印章刻制备案"]


@pytest.mark.parametrize("code", ["no-such-bundle", "draft-bundle"])
def test_unknown_or_unpublished_bundle_is_a_404_problem(api_client, catalogue, code):
    response = api_client.get(f"/api/bundles/{code}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert code in response.json()["detail"]
    assert "bundle" in response.json()["detail"]


def test_query_counts(api_client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(2):  # count + page
        get_json(api_client, "/api/bundles")
    # bundle + partners, themes, memberships (with items and departments) + materials
    with django_assert_num_queries(5):
        get_json(api_client, "/api/bundles/open-restaurant")
