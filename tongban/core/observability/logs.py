"""Request ids and structured logs.

``RequestIdMiddleware`` takes a well-formed ``X-Request-ID`` from the request or makes one,
returns it on the response, and writes one access line per request (logger
``tongban.request``). ``RequestIdFilter`` puts the id on every log record of that request;
``JsonFormatter`` writes JSON lines (``LOG_FORMAT=json``), ``PlainFormatter`` plain lines;
both mask resident ID numbers and mobile numbers in whatever a log line says.

Query strings are logged by parameter name only, and not at all under /accounts/: they may
hold personal data (an ID number typed as a login name, a search for a person).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

from tongban.core.security import route_group

REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")
_current_request_id: ContextVar[str] = ContextVar("tongban_request_id", default="-")

access_log = logging.getLogger("tongban.request")

# An 18-character resident ID (17 digits + digit/X) or a mainland mobile number standing
# alone (not inside a longer run of digits).
# Only neighbouring digits stop a match: "ID110101…" glued to letters is still masked.
_RESIDENT_ID = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")
_SENSITIVE_PATH_PREFIXES = ("/accounts/",)


def current_request_id() -> str:
    """The id of the request being served in this thread/task ("-" outside a request)."""
    return _current_request_id.get()


def redact(text: str) -> str:
    """``text`` with resident ID numbers and mobile numbers masked."""
    text = _RESIDENT_ID.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


def loggable_query(path: str, query_string: str) -> str:
    """What the logs may say about a query string: its parameter names, or nothing."""
    if not query_string or path.startswith(_SENSITIVE_PATH_PREFIXES):
        return ""
    names = []
    for part in query_string.split("&"):
        name = part.split("=", 1)[0]
        if name and name not in names:
            names.append(name)
    return "?" + ",".join(names[:20]) if names else ""


class RequestIdMiddleware:
    """Give every request an id, echo it on the response, and log one access line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _WELL_FORMED.match(offered) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            access_log.info(
                "%s %s%s %s %.1fms",
                request.method,
                request.path,
                loggable_query(request.path, request.META.get("QUERY_STRING", "")),
                response.status_code,
                (time.perf_counter() - started) * 1000,
                extra={
                    "http_method": request.method,
                    "http_status": response.status_code,
                    "route_group": route_group(request.path),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _current_request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (for the plain format and the JSON lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # django.request logs after the middleware has returned: read the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True


class SensitiveQueryFilter(logging.Filter):
    """Drops the query strings of /accounts/ (and keeps only parameter names elsewhere) from
    the development server's request lines (logger ``django.server``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.server":
            record.msg, record.args = _strip_sensitive_query(record.getMessage()), None
        return True


class PlainFormatter(logging.Formatter):
    """The plain format, with ID and mobile numbers masked in the whole line."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


_REQUEST_LINE = re.compile(r'^"(?P<method>[A-Z]+) (?P<target>\S+) (?P<proto>HTTP/[\d.]+)"')


def _strip_sensitive_query(message: str) -> str:
    match = _REQUEST_LINE.match(message)
    if not match:
        return message
    path, _sep, query = match["target"].partition("?")
    target = path + loggable_query(path, query)
    return f'"{match["method"]} {target} {match["proto"]}"' + message[match.end() :]


_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    any ``extra`` fields, and the exception text when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", current_request_id()),
        }
        for key, value in vars(record).items():
            # Only simple extras: objects such as a request would print its query string.
            if key in _STANDARD_ATTRS or key in entry:
                continue
            if isinstance(value, str):
                entry[key] = redact(value)
            elif isinstance(value, int | float | bool | None):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
