"""The OpenAPI document and the offline documentation page."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/items",
    "/api/items/{implementation_code}",
    "/api/bundles",
    "/api/bundles/{code}",
    "/api/departments",
    "/api/departments/{code}",
    "/api/regions",
    "/api/themes",
    "/api/search",
}


@pytest.fixture
def schema(api_client) -> dict:
    response = api_client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _refs(node, found: list[str]) -> list[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.append(value)
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def test_schema_is_openapi_3_with_our_info(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "tongban API"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", schema["info"]["version"])
    assert "problem" in schema["info"]["description"]
    assert {t["name"] for t in schema["tags"]} == {
        "items",
        "bundles",
        "departments",
        "regions",
        "themes",
        "search",
        "licences",
    }


# The one operation that is not a read: licence verification takes the scanned payload in a
# POST body (it can be longer than a URL should carry) and changes nothing.
POST_ENDPOINTS = {"/api/licences/verify"}


def _method(path: str) -> str:
    return "post" if path in POST_ENDPOINTS else "get"


def test_every_endpoint_is_documented_get_only_and_tagged(schema):
    assert set(schema["paths"]) == ENDPOINTS | POST_ENDPOINTS
    operation_ids = []
    tag_names = {t["name"] for t in schema["tags"]}
    for path, operations in schema["paths"].items():
        assert set(operations) == {_method(path)}, path
        operation = operations[_method(path)]
        operation_ids.append(operation["operationId"])
        assert operation["tags"] and set(operation["tags"]) <= tag_names
        assert operation["summary"]
        for name in re.findall(r"{(\w+)}", path):
            params = [p for p in operation["parameters"] if p["in"] == "path"]
            assert name in {p["name"] for p in params}, path
    assert len(operation_ids) == len(set(operation_ids))


def test_every_response_is_documented_with_a_schema(schema):
    for path, operations in schema["paths"].items():
        operation = operations[_method(path)]
        responses = operation["responses"]
        assert "200" in responses
        assert "500" in responses
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in responses, path
        if "{" in path:
            assert "404" in responses, path
        for status, response in responses.items():
            assert response["description"], (path, status)
            [(media_type, content)] = response["content"].items()
            expected = "application/json" if status == "200" else "application/problem+json"
            assert media_type == expected, (path, status)
            assert content["schema"], (path, status)


def test_problem_schema_is_documented(schema):
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert "errors" in problem["properties"]


def test_every_reference_resolves(schema):
    components = schema["components"]["schemas"]
    refs = _refs(schema, [])
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in components, ref


def test_docs_page_loads_without_any_outside_address(api_client):
    response = api_client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-openapi-url="/api/openapi.json"' in html
    assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", html)
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        served = api_client.get(asset)
        assert served.status_code == 200, asset
        if asset.endswith("swagger-init.js"):
            body = b"".join(served.streaming_content).decode()
            assert "validatorUrl: null" in body  # no call to the online validator
            assert "http" not in body


def test_vendored_swagger_ui_carries_its_licence():
    from django.contrib.staticfiles import finders

    for name in ("LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt"):
        assert finders.find(f"vendor/swagger-ui/{name}"), name


def test_api_index_points_to_the_docs(api_client):
    body = api_client.get("/api/").json()
    assert body["title"] == "tongban API"
    assert body["docs"].endswith("/api/docs")
    assert body["openapi"].endswith("/api/openapi.json")
