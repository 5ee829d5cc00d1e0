"""PII scanner: fail the test session when a resident ID number escapes unmasked.

A pytest plugin (enabled by ``pytest_plugins`` in the root ``conftest.py``). While the suite
runs it looks at everything the platform wrote:

- every HTTP response Django produced (test client, live server, WSGI fuzzing: all go
  through ``BaseHandler.get_response``): HTML, plain text, CSV and JSON / problem+json
  bodies (first 200 kB) and the ``Location`` header;
- every log record, formatted by the project's own console handler (so the masking the real
  log line gets is applied first);
- every value written to the database (INSERT/UPDATE parameters; most tests roll back, so
  the end-of-session dump alone would see little), and at session end a dump of all text
  columns of all tables of the test database, before pytest-django destroys it.

A finding is an unmasked 18-character number with a valid GB 11643 check character that is
not part of a longer digit run, outside the reviewed ``ALLOWED_DB_COLUMNS``. Findings go to
``test-artifacts/pii-findings.json`` and make the session exit non-zero. Under xdist each
worker sends its findings to the controller, which reports them. See docs/pii-scanner.md.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# --- Detector ----------------------------------------------------------------------------
# Computed here on purpose: the scanner must not trust the code it checks.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
CANDIDATE = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[0-9]{3}[0-9Xx](?![0-9])"
)
_HAS_RUN = re.compile(r"[0-9]{17}")  # cheap pre-filter before the full pattern


def check_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def find_id_numbers(text: str) -> list[str]:
    """Every unmasked, checksum-valid resident ID number in ``text`` (upper-cased)."""
    if not _HAS_RUN.search(text):
        return []
    found = []
    for match in CANDIDATE.finditer(text):
        number = match.group(0).upper()
        if check_char(number[:17]) == number[17]:
            found.append(number)
    return found


def mask(number: str) -> str:
    return number[:3] + "*" * 12 + number[-3:]


# --- Allowed places (reviewed) -------------------------------------------------------------
# HTML, API bodies and logs allow nothing. Only these database columns may hold a full number.
# (accounts_user.id_number and accounts_pendingregistration.id_number hold ciphertext since
# field encryption, ADR 0005: they are scanned like every other column.)
ALLOWED_DB_COLUMNS: dict[str, str] = {
    "accounts_user.username": (
        "a login name is chosen, not derived: registration generates random ones, but an "
        "administrator (or a test of look-up precedence) may create an account whose "
        "username looks like an ID number; it is not personal data the platform stores"
    ),
}
# Responses that show a full number on purpose, each after an audited policy check.
ALLOWED_RESPONSES: dict[str, str] = {
    r"HTTP POST /admin/accounts/user/\d+/reveal/(id_number|phone)/ -> 200": (
        "the admin's reveal page: accounts.pii.reveal checked role and purpose and wrote a "
        "pii.reveal audit record before the value is shown"
    ),
}

# Findings in a response that only repeat what the same request sent (a form re-displayed with
# the user's own input after an error, a 404 page naming the path asked for) are echoes, not
# disclosures of stored data: they are skipped. Everything else in HTML, JSON and logs fails.

# Tests that plant a number on purpose: (test node id, where-prefix) -> reason.
ALLOWED_TESTS: dict[tuple[str, str], str] = {
    (
        "tests/test_audit_privacy.py::test_a_planted_canary_is_found",
        "DB write core_auditrecord.meta",
    ): "plants a canary in audit meta to prove the audit-privacy scan can fail",
    (
        "tongban/accounts/tests/test_pii.py::test_the_migration_encrypts_rows_of_an_existing_installation",
        "DB write accounts_user.id_number",
    ): "writes a row as an installation before field encryption stored it, to prove the "
    "migration encrypts it",
}

# Known leaks, reported on every run but not failing it, each waiting for a fix. Remove an
# entry when its fix lands; the scanner then guards against regressions.
KNOWN_LEAKS: dict[str, str] = {}

# Deliberately NOT allowed: axes_accessattempt / axes_accessfailurelog / axes_accesslog
# (login attempts by ID number must be stored masked or digested), core_auditrecord (meta
# holds metadata only), django_session (session data must not carry personal values).

MAX_BODY = 200_000
MAX_FINDINGS = 500
SCANNED_TYPES = ("text/html", "text/plain", "text/csv", "application/json")
FINDINGS_FILE = Path("test-artifacts") / "pii-findings.json"


class Collector:
    """Findings of this process, deduplicated by (where, number, test)."""

    def __init__(self) -> None:
        self.findings: list[dict[str, str]] = []
        self.known: list[dict[str, str]] = []
        self._seen: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()
        self.current_test = "<session setup>"
        self.scanned = {"responses": 0, "log_records": 0, "db_writes": 0, "db_cells": 0}

    def scan(self, kind: str, where: str, text: str, echo: frozenset[str] = frozenset()) -> None:
        for number in find_id_numbers(text):
            if number in echo:
                continue
            key = (where, number, self.current_test)
            with self._lock:
                if key in self._seen or len(self.findings) >= MAX_FINDINGS:
                    continue
                self._seen.add(key)
                test = self.current_test.split("[", 1)[0]  # all parametrisations
                if any(t == test and where.startswith(w) for t, w in ALLOWED_TESTS):
                    continue
                if any(re.fullmatch(p, where) for p in ALLOWED_RESPONSES):
                    continue
                finding = {
                    "kind": kind,
                    "where": where,
                    "test": self.current_test,
                    "value": mask(number),
                }
                known = next((p for p in KNOWN_LEAKS if re.fullmatch(p, where)), None)
                (self.known if known else self.findings).append(finding)


_collector: Collector | None = None


def _scannable(content_type: str) -> bool:
    ctype = content_type.split(";", 1)[0].strip().lower()
    return ctype in SCANNED_TYPES or (ctype.startswith("application/") and ctype.endswith("+json"))


def _scan_response(request: Any, response: Any) -> None:
    collector = _collector
    if collector is None:
        return
    collector.scanned["responses"] += 1
    where = f"HTTP {request.method} {request.path} -> {response.status_code}"
    echo = _request_input(request)
    location = response.get("Location") if hasattr(response, "get") else None
    if location:
        collector.scan("http-header", f"{where} Location", location, echo)
    if getattr(response, "streaming", False) or not _scannable(response.get("Content-Type", "")):
        return
    body = response.content[:MAX_BODY].decode("utf-8", "replace")
    collector.scan("http-body", where, body, echo)


def _request_input(request: Any) -> frozenset[str]:
    """Numbers the client itself sent in this request (path, query, form, JSON body)."""
    parts = [request.path, request.META.get("QUERY_STRING", "")]
    for data in (getattr(request, "_post", None), getattr(request, "GET", None)):
        if data:
            parts.extend(v for values in data.lists() for v in values[1] if isinstance(v, str))
    body = getattr(request, "_body", b"")
    if body and len(body) <= MAX_BODY:
        parts.append(body.decode("utf-8", "replace"))
    return frozenset(find_id_numbers("\n".join(parts)))


# --- Database writes -----------------------------------------------------------------------
_INSERT = re.compile(r'^\s*INSERT\s+INTO\s+"?(\w+)"?\s*\(([^)]*)\)', re.IGNORECASE)
_UPDATE = re.compile(r'^\s*UPDATE\s+"?(\w+)"?\s+SET\s+(.*?)(?:\s+WHERE\s|$)', re.I | re.S)
_SET_COLUMN = re.compile(r'"?(\w+)"?\s*=\s*%s')


def _columns_of(sql: str) -> tuple[str, list[str]] | None:
    if m := _INSERT.match(sql):
        return m.group(1), [c.strip().strip('"') for c in m.group(2).split(",")]
    if m := _UPDATE.match(sql):
        return m.group(1), _SET_COLUMN.findall(m.group(2))
    return None


def _scan_write(sql: str, params: Any) -> None:
    collector = _collector
    if collector is None or not params or not isinstance(params, list | tuple):
        return
    texts = [(i, p) for i, p in enumerate(params) if isinstance(p, str) and len(p) >= 18]
    if not texts or not any(_HAS_RUN.search(p) for _, p in texts):
        return
    parsed = _columns_of(sql)
    if parsed is None:
        return
    table, columns = parsed
    collector.scanned["db_writes"] += 1
    for index, value in texts:
        column = columns[index % len(columns)] if columns else "?"
        if f"{table}.{column}" not in ALLOWED_DB_COLUMNS:
            collector.scan("db-write", f"DB write {table}.{column}", value)


def _execute_wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    if isinstance(sql, str) and sql.lstrip()[:6].upper() in ("INSERT", "UPDATE"):
        for row in (params or []) if many else [params]:
            _scan_write(sql, row)
    return execute(sql, params, many, context)


def _install_write_hook(connection: Any) -> None:
    if _execute_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_execute_wrapper)


def dump_database(collector: Collector) -> None:
    """Scan every text value of every table of the default test database."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            # SELECT * and cursor.description: introspection chokes on SQLite FTS tables.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            names = [col[0] for col in cursor.description]
            for row in cursor.fetchall():
                for name, value in zip(names, row, strict=True):
                    if not isinstance(value, str) or len(value) < 18:
                        continue
                    collector.scanned["db_cells"] += 1
                    if f"{table}.{name}" not in ALLOWED_DB_COLUMNS:
                        collector.scan("db-dump", f"DB {table}.{name}", value)


# --- Log records ---------------------------------------------------------------------------
class ScanningHandler(logging.Handler):
    """Formats each record as the project's console handler would, then scans the line."""

    def __init__(self, template: logging.Handler | None) -> None:
        super().__init__(level=logging.NOTSET)
        self.template = template

    def emit(self, record: logging.LogRecord) -> None:
        collector = _collector
        if collector is None:
            return
        collector.scanned["log_records"] += 1
        try:
            template = self.template
            if template is not None and template.filter(record):
                line = template.format(record)
            else:
                line = logging.Formatter().format(record)
        except Exception:  # a broken record must not break the suite; scan what we have
            line = str(record.msg) + " " + repr(record.args)
        collector.scan("log", f"log {record.name} {record.levelname}", line)


# --- Plugin wiring -------------------------------------------------------------------------
def pytest_configure(config: pytest.Config) -> None:
    global _collector
    _collector = Collector()
    from django.core.handlers.base import BaseHandler

    original = BaseHandler.get_response
    if not getattr(original, "_pii_scanner", False):

        def get_response(self: Any, request: Any) -> Any:
            response = original(self, request)
            try:
                _scan_response(request, response)
            except Exception as exc:  # report, never break the request
                if _collector is not None:
                    _collector.findings.append(
                        {
                            "kind": "scanner-error",
                            "where": request.path,
                            "test": "",
                            "value": repr(exc),
                        }
                    )
            return response

        get_response._pii_scanner = True  # type: ignore[attr-defined]
        get_response._pii_original = original  # type: ignore[attr-defined]
        BaseHandler.get_response = get_response  # type: ignore[method-assign]

    from django.db.backends.signals import connection_created

    connection_created.connect(_on_connection, dispatch_uid="pii_scanner")


def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    _install_write_hook(connection)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _collector
    from django.core.handlers.base import BaseHandler

    original = getattr(BaseHandler.get_response, "_pii_original", None)
    if original is not None:
        BaseHandler.get_response = original  # type: ignore[method-assign]
    logging.getLogger().handlers[:] = [
        h for h in logging.getLogger().handlers if not isinstance(h, ScanningHandler)
    ]
    _collector = None


@pytest.fixture(scope="session", autouse=True)
def _pii_scan_logs() -> Iterator[None]:
    """Attach the scanning handler once Django has configured logging."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        _install_write_hook(conn)
    handlers: list[tuple[logging.Logger, ScanningHandler]] = []
    root = logging.getLogger()
    ours = [h for h in root.handlers if not type(h).__module__.startswith(("_pytest", __name__))]
    template = next((h for h in ours if h.get_name() == "console"), ours[0] if ours else None)
    for logger in [root] + [
        lg
        for lg in logging.Logger.manager.loggerDict.values()
        if isinstance(lg, logging.Logger) and not lg.propagate and lg.handlers
    ]:
        handler = ScanningHandler(template)
        logger.addHandler(handler)
        handlers.append((logger, handler))
    yield
    for logger, handler in handlers:
        logger.removeHandler(handler)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test databases, scanned just before they are destroyed."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        _install_write_hook(conn)
    yield
    if _collector is not None:
        previous, _collector.current_test = _collector.current_test, "<session end: database dump>"
        with django_db_blocker.unblock():
            dump_database(_collector)
        _collector.current_test = previous


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    if _collector is not None:
        _collector.current_test = item.nodeid
    yield


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: gather each worker's findings."""
    output = getattr(node, "workeroutput", {}) or {}
    if _collector is not None and output.get("pii_findings"):
        data = json.loads(output["pii_findings"])
        _collector.findings.extend(data["findings"])
        _collector.known.extend(data["known"])
        for name, count in data["scanned"].items():
            _collector.scanned[name] += count


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    collector = _collector
    if collector is None:
        return
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports
        workeroutput["pii_findings"] = json.dumps(
            {"findings": collector.findings, "known": collector.known, "scanned": collector.scanned}
        )
        return
    path = session.config.rootpath / FINDINGS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "findings": collector.findings,
                "known_leaks": collector.known,
                "scanned": collector.scanned,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    if collector.findings:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    collector = _collector
    if collector is None or getattr(config, "workeroutput", None) is not None:
        return
    if collector.known:
        places = sorted({f["where"] for f in collector.known})
        terminalreporter.line(
            f"PII scanner: {len(collector.known)} known leak(s) still open (KNOWN_LEAKS in "
            f"tests/pii_scanner.py): " + "; ".join(places),
            yellow=True,
        )
    if not collector.findings:
        return
    terminalreporter.section("PII scanner: unmasked resident ID numbers", red=True, bold=True)
    for f in collector.findings[:50]:
        terminalreporter.line(f"{f['value']}  {f['kind']}  {f['where']}  [{f['test']}]")
    more = len(collector.findings) - 50
    if more > 0:
        terminalreporter.line(f"... and {more} more")
    terminalreporter.line(
        f"PII scanner: {len(collector.findings)} finding(s); see {FINDINGS_FILE} "
        "and docs/pii-scanner.md",
        red=True,
    )
