"""The PII scanner itself: its detector, and that it can fail a session (planted canaries).

The sub-sessions run in a subprocess so that their canaries never reach this session's own
scanner, with a private TONGBAN_VAR_DIR and without migrations (fast).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.pii_scanner import (
    ALLOWED_TESTS,
    Collector,
    _columns_of,
    check_char,
    find_id_numbers,
    mask,
)

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]


def make_id(first17: str) -> str:
    return first17 + check_char(first17)


# Built at run time so that no full number sits in the source tree either.
CANARY = make_id("11010119491001007")  # a canary: Beijing Dongcheng, 1949-10-01


def test_check_char_matches_gb11643_published_example() -> None:
    # GB 11643-1999 annex example: 11010519491231002X
    assert check_char("11010519491231002") == "X"
    assert find_id_numbers("id 11010519491231002x.") == ["11010519491231002X"]


def test_detector_ignores_masked_wrong_checksum_and_longer_digit_runs() -> None:
    wrong = CANARY[:17] + ("0" if CANARY[17] != "0" else "1")
    assert find_id_numbers(f"<td>{CANARY}</td>") == [CANARY]
    assert find_id_numbers(wrong) == []
    assert find_id_numbers(mask(CANARY)) == []
    assert find_id_numbers("1" + CANARY) == []
    assert find_id_numbers(CANARY + "5") == []
    assert find_id_numbers(CANARY[:6] + "17" + CANARY[8:]) == []  # 17xx is no birth year
    assert mask(CANARY).startswith("110") and CANARY[4:15] not in mask(CANARY)


def test_collector_sorts_known_leaks_and_planted_tests_apart(monkeypatch) -> None:
    import tests.pii_scanner as scanner

    collector = Collector()
    collector.current_test = "tongban/x/tests/test_y.py::test_z"
    # Registration no longer refills the ID number: that page is an ordinary finding now.
    collector.scan("http-body", "HTTP GET /accounts/register/ -> 200", CANARY)
    assert [f["where"] for f in collector.findings] == ["HTTP GET /accounts/register/ -> 200"]
    collector.findings.clear()
    # A reviewed known leak is printed, not failed on.
    monkeypatch.setattr(scanner, "KNOWN_LEAKS", {r"HTTP GET /legacy/ -> 200": "reviewed"})
    collector.scan("http-body", "HTTP GET /legacy/ -> 200", CANARY)
    assert collector.findings == [] and collector.known[0]["value"] == mask(CANARY)
    # An audited reveal is allowed; the change page itself is no longer a known leak.
    collector.scan("http-body", "HTTP POST /admin/accounts/user/7/reveal/id_number/ -> 200", CANARY)
    assert collector.findings == [] and len(collector.known) == 1
    collector.scan("http-body", "HTTP GET /admin/accounts/user/7/change/ -> 200", CANARY)
    assert [f["where"] for f in collector.findings] == [
        "HTTP GET /admin/accounts/user/7/change/ -> 200"
    ]
    collector.findings.clear()
    collector.scan("http-body", "HTTP GET /cases/ -> 200", f"<td>{CANARY}</td>")
    collector.scan("http-body", "HTTP GET /cases/ -> 200", f"<td>{CANARY}</td>")  # deduplicated
    collector.scan("http-body", "HTTP POST /cases/ -> 200", CANARY, echo=frozenset({CANARY}))
    collector.scan("db-write", "DB write core_auditrecord.meta", CANARY)
    assert [f["where"] for f in collector.findings] == [
        "HTTP GET /cases/ -> 200",
        "DB write core_auditrecord.meta",
    ]
    (test, where), _reason = next(iter(ALLOWED_TESTS.items()))
    collector.current_test = test + "[id-number]"
    collector.scan("db-write", where, CANARY)
    assert len(collector.findings) == 2


def test_write_statements_name_their_column() -> None:
    assert _columns_of('INSERT INTO "t" ("a", "b") VALUES (%s, %s)') == ("t", ["a", "b"])
    assert _columns_of('UPDATE "t" SET "a" = %s, "b" = %s WHERE "t"."id" = %s') == ("t", ["a", "b"])
    assert _columns_of('SELECT "a" FROM "t"') is None


SUB_CONFTEST = """
import pytest
pytest_plugins = ["tests.pii_scanner"]

@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    import os
    from django.db import connection
    if os.environ.get("PLANT_DB_CANARY"):
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("CREATE TABLE canary_note (body TEXT)")
            note = "note " + os.environ["PLANT_DB_CANARY"]
            cursor.execute("INSERT INTO canary_note (body) VALUES (%s)", [note])
    yield
"""

SUB_TESTS = """
import logging
import pytest
from django.http import HttpResponse
from django.urls import path

CANARY = {canary!r}
LOG_LINE = {log_line!r}
ECHOED = {echoed!r}

def page(request):
    return HttpResponse("<p>" + CANARY + "</p>", content_type="text/html; charset=utf-8")

def echo(request):
    return HttpResponse("<input value=" + request.POST["q"] + ">", content_type="text/html")

urlpatterns = [path("canary/", page), path("echo/", echo)]

@pytest.mark.urls("test_sub")
def test_renders_page(client, db):
    assert client.get("/canary/").status_code == 200

@pytest.mark.urls("test_sub")
def test_echo_of_own_input(client, db):
    assert ECHOED in client.post("/echo/", {{"q": ECHOED}}).content.decode()

def test_logs(db, monkeypatch):
    # A bug in the log masker: whatever reaches the log must still be caught.
    monkeypatch.setattr("tongban.core.observability.logs.redact", lambda text: text)
    logging.getLogger("tongban.canary").warning(LOG_LINE, CANARY)
"""


def _run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, canary: str, log_line: str, db: str
) -> pytest.RunResult:
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_ADDOPTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TONGBAN_VAR_DIR", str(pytester.path / "var"))
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "tongban.config.settings")
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("PLANT_DB_CANARY", db)
    pytester.makeconftest(SUB_CONFTEST)
    pytester.makepyfile(test_sub=SUB_TESTS.format(canary=canary, log_line=log_line, echoed=CANARY))
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "--nomigrations", "-q")


def test_planted_canaries_fail_the_session_and_are_named(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The project's log formatter masks a number standing alone, but not one glued to letters
    # ("ID110..."); the scanner only requires that no digit touches it, so it catches this.
    result = _run(pytester, monkeypatch, CANARY, log_line="looked up ID%s", db=CANARY)
    out = result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED, out
    result.stdout.fnmatch_lines(["*3 passed*"])  # the tests pass; the scanner fails the run
    assert CANARY not in out  # the report masks what it found
    findings = json.loads((pytester.path / "test-artifacts" / "pii-findings.json").read_text())
    places = {(f["kind"], f["where"], f["test"], f["value"]) for f in findings["findings"]}
    assert (
        "http-body",
        "HTTP GET /canary/ -> 200",
        "test_sub.py::test_renders_page",
        mask(CANARY),
    ) in places
    assert any(k == "log" and t == "test_sub.py::test_logs" for k, _, t, _ in places)
    assert ("db-dump", "DB canary_note.body") in {(k, w) for k, w, _, _ in places}
    assert "HTTP GET /canary/ -> 200" in out and "test_sub.py::test_renders_page" in out


def test_clean_session_passes(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    # The bare number in a log message is fine: the scanner sees the line as the project's
    # handler formats it, masked.
    result = _run(pytester, monkeypatch, mask(CANARY), log_line="looked up %s", db="")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    findings = json.loads((pytester.path / "test-artifacts" / "pii-findings.json").read_text())
    assert findings["findings"] == []  # not even the echoed form value
    assert findings["scanned"]["responses"] >= 1 and findings["scanned"]["log_records"] >= 1
