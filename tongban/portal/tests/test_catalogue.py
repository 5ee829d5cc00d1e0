"""The catalogue page: filters, counts, pagination, search combined with filters."""

from __future__ import annotations

import pytest

from tongban.catalog.search import reindex_all
from tongban.portal.tests.factories import make_item

pytestmark = pytest.mark.django_db


def names(response) -> str:
    return response.content.decode()


def test_without_filters_lists_all_published(client, catalogue):
    html = names(client.get("/services/"))
    assert "共 2 项" in html
    assert "个体工商户设立登记" in html and "出生登记" in html
    assert "未发布事项" not in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("theme=birth", "出生登记", "个体工商户设立登记"),
        ("department=scjg", "个体工商户设立登记", "出生登记"),
        ("town=442000111000", "个体工商户设立登记", "出生登记"),
        ("online=on", "个体工商户设立登记", "出生登记"),
        ("handling_type=1", "个体工商户设立登记", "出生登记"),
        ("handling_type=2", "出生登记", "个体工商户设立登记"),
        ("audience=enterprise", "个体工商户设立登记", "出生登记"),
    ],
)
def test_each_filter_narrows(client, catalogue, query, shown, hidden):
    html = names(client.get(f"/services/?{query}"))
    assert "共 1 项" in html
    assert shown in html
    assert f">{hidden}<" not in html


def test_filters_combine(client, catalogue):
    html = names(client.get("/services/?department=scjg&theme=birth"))
    assert "共 0 项" in html
    assert "12345" in html  # the empty state points to the hotline


def test_invalid_filter_value_is_reported_and_ignored(client, catalogue):
    response = client.get("/services/?department=nope&theme=birth")
    assert response.status_code == 200
    html = response.content.decode()
    assert "出现问题" in html and 'href="#id_department"' in html
    assert "共 1 项" in html  # the valid theme filter still applies


def test_pagination_twenty_per_page_keeps_the_query_string(client, department_a):
    for i in range(45):
        make_item(department_a, name=f"分页事项{i:02d}", item_type="20")
    make_item(department_a, name="另一类事项", item_type="01")
    first = names(client.get("/services/?item_type=20"))
    assert "共 45 项" in first
    assert first.count('class="tb-result"') == 20
    assert "第 1 页，共 3 页" in first
    assert "?item_type=20&amp;page=2" in first
    third = names(client.get("/services/?item_type=20&page=3"))
    assert third.count('class="tb-result"') == 5
    assert "page=2" in third and "page=4" not in third
    # Out-of-range and junk page numbers do not fail.
    assert client.get("/services/?page=999").status_code == 200
    assert client.get("/services/?page=abc").status_code == 200


def test_words_combine_with_filters(client, catalogue, department_b):
    make_item(department_b, name="个体户变更登记", name_en="Sole trader change")
    reindex_all()
    html = names(client.get("/services/?q=登记&department=ga"))
    assert "出生登记" in html and "个体户变更登记" in html
    assert "个体工商户设立登记" not in html
