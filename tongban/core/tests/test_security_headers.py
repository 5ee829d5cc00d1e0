"""Security headers on every response, HSTS and secure cookies under HTTPS, and a strict
Content-Security-Policy (tests/browser/test_csp.py proves real pages keep it in Chromium)."""

from __future__ import annotations

import runpy

import pytest

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
PATHS = ["/", "/search/?q=x", "/accounts/login/", "/api/", "/api/docs", "/no-such-page/"]


def _directives(policy: str) -> dict[str, str]:
    parts = (p.strip().split(" ", 1) for p in policy.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client, path) -> None:
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert response["Content-Security-Policy"] == STRICT_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions
    assert "Strict-Transport-Security" not in response  # plain HTTP: no HSTS


@pytest.mark.django_db
def test_error_answers_of_the_middleware_carry_them_too(client, settings) -> None:
    settings.TONGBAN_MAX_REQUEST_BYTES = 10
    response = client.post("/search/", {"q": "x" * 50})
    assert response.status_code == 413
    assert response["Content-Security-Policy"] == STRICT_CSP
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_admin_gets_the_same_strict_policy(client) -> None:
    policy = _directives(client.get("/admin/login/")["Content-Security-Policy"])
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"


@pytest.mark.filterwarnings("ignore:'tongban.config.settings' found in sys.modules")
def test_https_setting_turns_on_hsts_and_secure_cookies(monkeypatch) -> None:
    monkeypatch.setenv("HTTPS", "1")
    values = runpy.run_module("tongban.config.settings")
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.delenv("HTTPS")
    plain = runpy.run_module("tongban.config.settings")
    assert plain["SECURE_HSTS_SECONDS"] == 0 and plain["SESSION_COOKIE_SECURE"] is False


@pytest.mark.django_db
def test_under_https_responses_send_hsts_and_secure_cookies(client, settings) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    insecure = client.get("/accounts/login/")
    assert insecure.status_code == 301 and insecure["Location"].startswith("https://")
    secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
    csrf = secure.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] is True and csrf["samesite"] == "Lax"
