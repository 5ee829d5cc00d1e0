"""Every error is RFC 9457 problem+json; bad parameters are named, in the user's language."""

from __future__ import annotations

import pytest

from tongban.api.errors import validation_message

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def problem(client, url: str, status: int, lang: str = "en", method: str = "get") -> dict:
    response = getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:tongban:problem:")
    assert body["title"]
    assert body["detail"]
    return body


def fields(body: dict) -> dict[str, str]:
    return {e["field"]: e["message"] for e in body["errors"]}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/items?page=abc", "query.page"),
        ("/api/items?page=-1", "query.page"),
        ("/api/items?page=0", "query.page"),
        ("/api/items?page=1.5", "query.page"),
        ("/api/items?page=99999999999999999999999", "query.page"),
        ("/api/items?page_size=10000", "query.page_size"),
        ("/api/items?page_size=0", "query.page_size"),
        ("/api/items?item_type=99", "query.item_type"),
        ("/api/items?online_level=5", "query.online_level"),
        ("/api/items?online_level=high", "query.online_level"),
        ("/api/items?handling_type=3", "query.handling_type"),
        ("/api/items?audience=aliens", "query.audience"),
        ("/api/items?theme=" + "x" * 41, "query.theme"),
        ("/api/bundles?page=abc", "query.page"),
        ("/api/bundles?audience=x", "query.audience"),
        ("/api/themes?audience=x", "query.audience"),
        ("/api/regions?level=galaxy", "query.level"),
        ("/api/regions?format=xml", "query.format"),
        ("/api/search", "query.q"),
        ("/api/search?q=", "query.q"),
        ("/api/search?q=%20%20%20", "query.q"),
        ("/api/search?q=" + "x" * 501, "query.q"),
        ("/api/search?q=a&page_size=101", "query.page_size"),
    ],
)
def test_bad_parameter_is_a_422_naming_the_field(api_client, url, field):
    body = problem(api_client, url, 422)
    assert body["type"] == "urn:tongban:problem:validation-error"
    assert field in fields(body)
    assert field in body["detail"]


def test_each_bad_parameter_is_listed(api_client):
    body = problem(api_client, "/api/items?page=abc&page_size=10000&item_type=99", 422)
    assert set(fields(body)) == {"query.page", "query.page_size", "query.item_type"}
    assert {e["code"] for e in body["errors"]} == {"int_parsing", "less_than_equal", "enum"}


def test_messages_in_english(api_client):
    body = problem(api_client, "/api/items?page=abc&page_size=10000&item_type=99", 422)
    assert body["title"] == "Invalid request parameters"
    messages = fields(body)
    assert messages["query.page"] == "Enter a whole number."
    assert messages["query.page_size"] == "Enter a number less than or equal to 100."
    assert messages["query.item_type"].startswith("Choose one of: 01, 02")


def test_messages_in_chinese_by_default(api_client):
    response = api_client.get("/api/items?page=abc&page_size=10000&item_type=99")
    body = response.json()
    assert response["Content-Language"] == "zh-hans"
    assert body["title"] == "请求参数有误"
    messages = fields(body)
    assert messages["query.page"] == "请输入整数。"
    assert messages["query.page_size"] == "请输入小于或等于 100 的数。"
    assert messages["query.item_type"].startswith("请从以下值中选择：01、02")
    assert "query.page" in body["detail"]


@pytest.mark.parametrize(
    ("url", "resource"),
    [
        ("/api/items/NOPE", "政务服务事项"),
        ("/api/bundles/NOPE", "一件事"),
        ("/api/departments/NOPE", "部门"),
    ],
)
def test_not_found_names_the_resource_in_chinese(api_client, url, resource):
    body = problem(api_client, url, 404, lang="zh-hans")
    assert body["title"] == "未找到"
    assert body["detail"] == f"未找到编码为“NOPE”的{resource}。"


def test_every_validation_message_is_translated():
    """Each message we produce has a Chinese translation (none falls back to English)."""
    from django.utils import translation

    samples = [
        {"type": "missing"},
        {"type": "int_parsing"},
        {"type": "greater_than_equal", "ctx": {"ge": 1}},
        {"type": "greater_than", "ctx": {"gt": 1}},
        {"type": "less_than_equal", "ctx": {"le": 1}},
        {"type": "less_than", "ctx": {"lt": 1}},
        {"type": "string_too_short", "ctx": {"min_length": 1}},
        {"type": "string_too_short", "ctx": {"min_length": 3}},
        {"type": "string_too_long", "ctx": {"max_length": 3}},
        {"type": "enum", "ctx": {"expected": "'a' or 'b'"}},
        {"type": "bool_parsing"},
        {"type": "something_new"},
    ]
    for sample in samples:
        with translation.override("en"):
            english = validation_message(sample)
        with translation.override("zh-hans"):
            chinese = validation_message(sample)
        assert english != chinese, sample
        assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), chinese


def test_unknown_endpoint_is_a_404_problem(api_client):
    body = problem(api_client, "/api/no-such-thing", 404)
    assert body["type"] == "urn:tongban:problem:not-found"
    problem(api_client, "/api/items/", 404)  # a trailing slash is another address


def test_wrong_method_is_a_405_problem(api_client):
    for method in ("post", "put", "delete", "patch"):
        response = getattr(api_client, method)("/api/items", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 405
        assert response["Content-Type"] == PROBLEM
        assert response["Allow"] == "GET"
        assert response.json()["type"] == "urn:tongban:problem:method-not-allowed"
    problem(api_client, "/api/items/X", 405, method="post")


def test_head_is_answered_like_get(api_client, catalogue):
    assert api_client.head("/api/items").status_code == 200


def test_unexpected_error_is_a_500_problem_without_internals(api_client, monkeypatch, caplog):
    from tongban.catalog import queries

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(queries, "themes_with_counts", broken)
    body = problem(api_client, "/api/themes", 500)
    assert body["type"] == "urn:tongban:problem:server-error"
    text = str(body)
    assert "secret internal detail" not in text
    assert "Traceback" not in text
    assert "secret internal detail" in caplog.text  # but it is logged


def test_malformed_requests_never_give_a_500(api_client, catalogue):
    urls = [
        "/api/items?page=&page_size=",
        "/api/items?page=1&page=2",
        "/api/items?page=%FF",
        "/api/items?theme=%00",
        "/api/items?department[]=x",
        "/api/items/%00",
        "/api/items/%E2%80%AE",
        "/api/bundles/" + "x" * 500,
        "/api/departments/%20",
        "/api/regions?parent=%00",
        "/api/search?q=%FF%FE",
        "/api/search?q=1&page=%2B1",
    ]
    for url in urls:
        response = api_client.get(url)
        assert response.status_code < 500, url
