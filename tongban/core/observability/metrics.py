"""Prometheus metrics in the text exposition format (0.0.4), without extra dependencies.

Counters and the latency histogram live in this process: with several web processes each
has its own, and Prometheus sums them when every process is scraped (or use one process per
scrape target). Gauges are read from the database at scrape time, so they are the same
whichever process answers. Gauges come from ``TONGBAN_METRICS_GAUGES`` (name → help text and
the dotted path of a callable returning a number or a queryset to count), so the kernel
needs no import of a domain module.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from tongban.core.models import AuditStreamHead
from tongban.core.security import route_group

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Registry:
    """Request counters and a latency histogram per route group (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, str], int] = {}
        self.buckets: dict[str, list[int]] = {}
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def observe(self, method: str, status: int, group: str, seconds: float) -> None:
        method = method if method in _METHODS else "OTHER"
        status_class = f"{status // 100}xx"
        with self._lock:
            key = (method, status_class, group)
            self.requests[key] = self.requests.get(key, 0) + 1
            buckets = self.buckets.setdefault(group, [0] * len(LATENCY_BUCKETS))
            for i, bound in enumerate(LATENCY_BUCKETS):
                if seconds <= bound:
                    buckets[i] += 1
            self.sums[group] = self.sums.get(group, 0.0) + seconds
            self.counts[group] = self.counts.get(group, 0) + 1

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.buckets.clear()
            self.sums.clear()
            self.counts.clear()

    def render(self) -> list[str]:
        with self._lock:
            lines = [
                "# HELP tongban_http_requests_total HTTP requests served by this process.",
                "# TYPE tongban_http_requests_total counter",
            ]
            for (method, status_class, group), value in sorted(self.requests.items()):
                labels = _labels(method=method, status=status_class, route=group)
                lines.append(f"tongban_http_requests_total{labels} {value}")
            name = "tongban_http_request_duration_seconds"
            lines += [
                f"# HELP {name} Time to answer a request, by route group.",
                f"# TYPE {name} histogram",
            ]
            for group in sorted(self.buckets):
                for bound, value in zip(LATENCY_BUCKETS, self.buckets[group], strict=True):
                    labels = _labels(route=group, le=_number(bound))
                    lines.append(f"{name}_bucket{labels} {value}")
                inf = _labels(route=group, le="+Inf")
                lines.append(f"{name}_bucket{inf} {self.counts[group]}")
                lines.append(f"{name}_sum{_labels(route=group)} {_number(self.sums[group])}")
                lines.append(f"{name}_count{_labels(route=group)} {self.counts[group]}")
            return lines


REGISTRY = Registry()


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _number(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def audit_record_count() -> int:
    """Audit records written (the sum of every stream head's last sequence: no table scan)."""
    return int(AuditStreamHead.objects.aggregate(total=Sum("seq"))["total"] or 0)


def ready_task_count() -> int:
    """Background tasks waiting for a worker."""
    return DBTaskResult.objects.ready().count()


def _gauge_value(source: Callable[[], Any]) -> float:
    value = source()
    if isinstance(value, QuerySet):
        value = value.count()
    return float(value)


def render_gauges(specs: dict[str, tuple[str, str]]) -> list[str]:
    """One gauge per ``name: (help, dotted path)``; a failing source is skipped, not fatal."""
    lines: list[str] = []
    for name, (help_text, path) in sorted(specs.items()):
        try:
            value = _gauge_value(import_string(path))
        except Exception:  # one broken gauge must not hide the others
            logger.warning("metrics gauge %s could not be read", name, exc_info=True)
            continue
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {_number(value)}"]
    return lines


def exposition(extra: Iterable[str] = ()) -> str:
    """The whole /metrics document."""
    lines = [*REGISTRY.render(), *render_gauges(settings.TONGBAN_METRICS_GAUGES), *extra]
    return "\n".join(lines) + "\n"


class MetricsMiddleware:
    """Counts every request and its latency by method, status class and route group."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        REGISTRY.observe(
            request.method or "",
            response.status_code,
            route_group(request.path),
            time.perf_counter() - started,
        )
        return response
