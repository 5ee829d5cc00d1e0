"""/healthz (public, JSON) and /metrics (Prometheus text, allowed addresses only)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from tongban.core.observability.health import health_report
from tongban.core.observability.metrics import CONTENT_TYPE, exposition
from tongban.core.security import address_allowed, client_address


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    ok, report = health_report()
    response = JsonResponse(report, status=200 if ok else 503)
    add_never_cache_headers(response)
    return response


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not address_allowed(client_address(request), settings.TONGBAN_METRICS_ALLOWED):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE)
    add_never_cache_headers(response)
    return response
