"""Request ids on responses and log lines; JSON lines; no personal data in the logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.conf import settings

from conftest import PASSWORD, make_resident_id
from tongban.core.observability.logs import (
    JsonFormatter,
    PlainFormatter,
    RequestIdFilter,
    SensitiveQueryFilter,
    loggable_query,
    redact,
)

pytestmark = pytest.mark.django_db

ID_NUMBER = make_resident_id(seq=777)
MOBILE = "13912345678"


def _capture(formatter: logging.Formatter) -> Iterator[io.StringIO]:
    """The console handler as settings.LOGGING builds it, writing into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(SensitiveQueryFilter())
    handler.setFormatter(formatter)
    handler.setLevel(logging.DEBUG)
    root, server = logging.getLogger(), logging.getLogger("django.server")  # no propagation
    old_level = root.level
    root.addHandler(handler)
    server.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        server.removeHandler(handler)
        root.setLevel(old_level)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    yield from _capture(JsonFormatter())


@pytest.fixture
def plain_log() -> Iterator[io.StringIO]:
    fmt = settings.LOGGING["formatters"]["plain"]["format"]
    yield from _capture(PlainFormatter(fmt))


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_a_request_id_is_made_and_returned(client) -> None:
    first, second = client.get("/"), client.get("/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_well_formed_request_id_is_kept(client) -> None:
    response = client.get("/", HTTP_X_REQUEST_ID="lb-4f1c2a9e-0001")
    assert response["X-Request-ID"] == "lb-4f1c2a9e-0001"


@pytest.mark.parametrize("offered", ["short", "a b c d e f g h", "x" * 200, "<script>alert</s>"])
def test_a_malformed_request_id_is_replaced(client, offered) -> None:
    response = client.get("/", HTTP_X_REQUEST_ID=offered)
    assert response["X-Request-ID"] != offered and len(response["X-Request-ID"]) == 32


def test_every_line_of_a_request_carries_its_id_as_json(client, json_log) -> None:
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-test-000123")
    assert response.status_code == 404
    lines = _lines(json_log)
    # The access line and Django's own "Not Found" warning (logged after the middleware).
    assert {line["logger"] for line in lines} >= {"tongban.request", "django.request"}
    assert all(line["request_id"] == "req-test-000123" for line in lines)
    access = next(line for line in lines if line["logger"] == "tongban.request")
    assert access["http_status"] == 404 and access["route_group"] == "portal"
    assert access["level"] == "INFO" and access["time"].endswith("+00:00")


def test_plain_lines_carry_the_id(client, plain_log) -> None:
    client.get("/", HTTP_X_REQUEST_ID="req-plain-0042")
    assert "[req-plain-0042] GET / 200" in plain_log.getvalue()


def test_logs_outside_a_request_say_dash(json_log) -> None:
    logging.getLogger("tongban.test").warning("outside")
    assert _lines(json_log)[-1]["request_id"] == "-"


def test_an_id_number_in_a_request_never_reaches_the_logs(client, citizen, json_log) -> None:
    client.get("/accounts/login/", {"username": ID_NUMBER, "next": "/accounts/me/"})
    client.post("/accounts/login/", {"username": ID_NUMBER, "password": "wrong"})
    client.post("/accounts/login/", {"username": citizen.id_number, "password": PASSWORD})
    client.get("/search/", {"q": ID_NUMBER})
    client.get(f"/no-such-page/{ID_NUMBER}/", {"phone": MOBILE})
    client.post("/accounts/register/", {"id_number": ID_NUMBER, "phone": MOBILE})
    logging.getLogger("tongban.test").info("looked up %s / %s", ID_NUMBER, MOBILE)
    text = json_log.getvalue()
    assert "/search/?q" in text and "/accounts/login/ " in text.replace('"', " ")
    assert ID_NUMBER[:6] + "********" + ID_NUMBER[-4:] in text  # masked, not dropped
    for secret in (ID_NUMBER, citizen.id_number, MOBILE, ID_NUMBER[6:14]):
        assert secret not in text


def test_account_query_strings_are_not_logged_at_all() -> None:
    assert loggable_query("/accounts/login/", "next=/x&username=abc") == ""
    assert loggable_query("/search/", "q=abc&page=2&q=d") == "?q,page"
    assert loggable_query("/search/", "") == ""


def test_development_server_lines_lose_account_queries(plain_log) -> None:
    server = logging.getLogger("django.server")
    server.info('"%s" %s %s', f"GET /accounts/login/?username={ID_NUMBER} HTTP/1.1", 200, 512)
    server.info('"%s" %s %s', "GET /search/?q=secret-words&page=2 HTTP/1.1", 200, 512)
    text = plain_log.getvalue()
    assert '"GET /accounts/login/ HTTP/1.1" 200 512' in text
    assert '"GET /search/?q,page HTTP/1.1" 200 512' in text
    assert ID_NUMBER not in text and "secret-words" not in text


def test_redact_masks_ids_and_mobiles_but_not_other_numbers() -> None:
    assert redact(f"id={ID_NUMBER}.") == f"id={ID_NUMBER[:6]}********{ID_NUMBER[-4:]}."
    assert redact(f"tel {MOBILE}") == "tel 139****5678"
    unchanged = "order 2026112812345 took 12345678901234567890 ms; code 402J0001000000"
    assert redact(unchanged) == unchanged


def test_exceptions_are_logged_masked_in_json(json_log) -> None:
    try:
        raise ValueError(f"bad id {ID_NUMBER}")
    except ValueError:
        logging.getLogger("tongban.test").exception("failed")
    line = _lines(json_log)[-1]
    assert "ValueError" in line["exception"] and ID_NUMBER not in line["exception"]


def test_log_format_setting_picks_the_formatter() -> None:
    assert settings.LOGGING["handlers"]["console"]["formatter"] in {"plain", "json"}
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["request_id", "sensitive_query"]


def test_numbers_glued_to_letters_are_masked_too():
    number = "11010519491231002X"
    assert number not in redact(f"looked up ID{number} for 13907601001x")
    assert "139****1001" in redact("tel:13907601001")
