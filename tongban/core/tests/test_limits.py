"""Request size cap (413) and rate limits (429 with Retry-After), pages and API."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.core.security import route_group

pytestmark = pytest.mark.django_db

IMPORT_URL = "/manage/catalog/import/"


# --- Request size ------------------------------------------------------------------------


def test_global_cap_sits_above_the_catalogue_import_limit(settings) -> None:
    # Room for the multipart envelope around a file of exactly the import limit.
    assert settings.TONGBAN_MAX_REQUEST_BYTES >= settings.CATALOG_IMPORT_MAX_BYTES + 1024 * 1024


def test_declared_oversize_body_gets_413_before_it_is_read(client, settings) -> None:
    declared = settings.TONGBAN_MAX_REQUEST_BYTES + 1
    # The body is tiny but claims to be huge: the answer comes from Content-Length alone.
    response = client.generic(
        "POST",
        "/accounts/register/",
        b"x=1",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(declared),
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "25" in html and "MB" in html and "<h1" in html
    assert "过大" in html  # the page is in the user's language (zh-Hans by default)


def test_oversize_page_in_english(client, settings) -> None:
    client.cookies["django_language"] = "en"
    settings.TONGBAN_MAX_REQUEST_BYTES = 1000
    response = client.post("/search/", {"q": "x" * 2000})
    assert response.status_code == 413
    assert b"too large" in response.content


def test_oversize_api_request_is_a_problem(client, settings) -> None:
    settings.TONGBAN_MAX_REQUEST_BYTES = 1000
    response = client.post("/api/search", "x" * 1001, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == 413 and body["type"].endswith("request-too-large")


def test_requests_within_the_cap_pass(client, settings) -> None:
    settings.TONGBAN_MAX_REQUEST_BYTES = 1000
    assert client.get("/search/", {"q": "营业执照"}).status_code == 200
    assert client.post("/api/", "x" * 999, content_type="application/json").status_code == 405


@pytest.fixture
def catalogue_manager(official_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    official_a.user_permissions.add(
        Permission.objects.get(codename="add_serviceitem", content_type__app_label="catalog")
    )
    return official_a


def test_import_just_over_its_own_limit_gets_the_forms_message(
    client, catalogue_manager, settings
) -> None:
    # With the real limits: a file one byte over the import limit still reaches the form.
    client.force_login(catalogue_manager)
    body = b" " * (settings.CATALOG_IMPORT_MAX_BYTES + 1)
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("catalogue.json", body)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "tb-error-summary" in html and "20.0 MB" in html


def test_import_over_the_global_cap_gets_413(client, catalogue_manager, settings) -> None:
    settings.CATALOG_IMPORT_MAX_BYTES = 1000
    settings.TONGBAN_MAX_REQUEST_BYTES = 5000
    client.force_login(catalogue_manager)
    small = client.post(IMPORT_URL, {"file": SimpleUploadedFile("c.json", b" " * 2000)})
    assert small.status_code == 200 and "tb-error-summary" in small.content.decode()
    large = client.post(IMPORT_URL, {"file": SimpleUploadedFile("c.json", b" " * 6000)})
    assert large.status_code == 413


# --- Rate limits ---------------------------------------------------------------------------


def test_route_groups() -> None:
    assert route_group("/api/items") == "api"
    assert route_group("/search/") == "search"
    assert route_group("/accounts/login/") == "login"
    assert route_group("/accounts/register/business/") == "register"
    assert route_group("/accounts/me/") == "accounts"
    assert route_group("/services/x/") == "portal"


def test_search_is_limited_per_address_with_retry_after(client, settings) -> None:
    settings.TONGBAN_RATE_LIMITS = {**settings.TONGBAN_RATE_LIMITS, "search": 3}
    for _ in range(3):
        assert client.get("/search/", {"q": "护照"}).status_code == 200
    refused = client.get("/search/", {"q": "护照"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "<h1" in refused.content.decode()
    # Another address has its own budget; other groups are not affected.
    assert client.get("/search/", {"q": "护照"}, REMOTE_ADDR="198.51.100.20").status_code == 200
    assert client.get("/").status_code == 200


def test_api_limit_answers_problem_json(client, settings) -> None:
    settings.TONGBAN_RATE_LIMITS = {**settings.TONGBAN_RATE_LIMITS, "api": 2}
    assert client.get("/api/").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200
    refused = client.get("/api/")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert int(refused["Retry-After"]) >= 1
    body = json.loads(refused.content)
    assert body["status"] == 429 and body["type"].endswith("too-many-requests")
    assert refused["Retry-After"] in body["detail"]


def test_login_limit_counts_form_posts_only(client, settings) -> None:
    settings.TONGBAN_RATE_LIMITS = {**settings.TONGBAN_RATE_LIMITS, "login": 2}
    for _ in range(5):
        assert client.get("/accounts/login/").status_code == 200
    for _ in range(2):
        assert (
            client.post("/accounts/login/", {"username": "u", "password": "p"}).status_code == 200
        )
    assert client.post("/accounts/login/", {"username": "u", "password": "p"}).status_code == 429


def test_registration_limit(client, settings) -> None:
    settings.TONGBAN_RATE_LIMITS = {**settings.TONGBAN_RATE_LIMITS, "register": 1}
    assert client.post("/accounts/register/", {}).status_code == 200
    assert client.post("/accounts/register/business/", {}).status_code == 429


def test_forwarded_header_is_ignored_unless_trusted(client, settings) -> None:
    settings.TONGBAN_RATE_LIMITS = {**settings.TONGBAN_RATE_LIMITS, "search": 1}
    assert client.get("/search/", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 200
    # Without trust, a made-up header cannot buy a fresh budget.
    assert client.get("/search/", HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 429
    settings.TONGBAN_TRUST_X_FORWARDED_FOR = True
    assert client.get("/search/", HTTP_X_FORWARDED_FOR="192.0.2.3").status_code == 200


def test_zero_turns_a_limit_off(client, settings) -> None:
    settings.TONGBAN_RATE_LIMITS = {**settings.TONGBAN_RATE_LIMITS, "search": 0}
    for _ in range(5):
        assert client.get("/search/").status_code == 200


def test_counters_live_in_the_cache_shared_by_processes(client, settings) -> None:
    """A second process sharing the cache sees the same counter (simulated by a second
    client: the counter is keyed by address and window, never held in the process)."""
    from django.core.cache import cache
    from django.test import Client

    settings.TONGBAN_RATE_LIMITS = {**settings.TONGBAN_RATE_LIMITS, "search": 2}
    assert client.get("/search/").status_code == 200
    assert Client().get("/search/").status_code == 200
    assert Client().get("/search/").status_code == 429
    cache.clear()  # a new window (or a flushed cache) starts the count again
    assert client.get("/search/").status_code == 200
