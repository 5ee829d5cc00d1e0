"""Web hardening for every response: security headers, a request size cap, rate limits.

* ``SecurityHeadersMiddleware`` adds Content-Security-Policy (no inline script or style,
  the admin included: Django 5.2's admin needs none unless a ModelAdmin turns off both
  action bars) and Permissions-Policy. Django's ``SecurityMiddleware`` adds the rest
  (nosniff, Referrer-Policy, COOP, HSTS under HTTPS).
* ``RequestSizeLimitMiddleware`` answers 413 from ``Content-Length`` before the body is
  read. The cap sits above every per-form limit (the catalogue import's among them), so an
  upload a little too large still reaches its form and gets that form's friendly message.
* ``RateLimitMiddleware`` counts requests per client address and route group in fixed
  windows in the Django cache. Shared cache (Redis): one limit across all processes; the
  local-memory cache: one limit per process.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

PROBLEM_MEDIA_TYPE = "application/problem+json"
RATE_LIMIT_WINDOW_SECONDS = 60

# Route groups: metrics are labelled and rate limits chosen by these (first match wins).
_ROUTE_GROUPS: tuple[tuple[str, str], ...] = (
    ("/api/", "api"),
    ("/search/", "search"),
    ("/accounts/login/", "login"),
    ("/accounts/register/", "register"),
    ("/accounts/", "accounts"),
    ("/admin/", "admin"),
    ("/manage/", "manage"),
    ("/static/", "static"),
    ("/healthz", "health"),
    ("/metrics", "metrics"),
)
# Only these groups are limited, and login/registration only when a form is sent.
_POST_ONLY_GROUPS = frozenset({"login", "register"})


def route_group(path: str) -> str:
    """The coarse group a path belongs to ("api", "search", "login", ..., else "portal")."""
    for prefix, group in _ROUTE_GROUPS:
        if path.startswith(prefix):
            return group
    return "portal"


def client_address(request: HttpRequest) -> str:
    """The client's IP address.

    ``REMOTE_ADDR`` unless ``TONGBAN_TRUST_X_FORWARDED_FOR`` is on (behind our own reverse
    proxy): then the last ``X-Forwarded-For`` entry, the one our proxy appended. Never trust
    the header when clients reach the server directly: they could write any address in it.
    """
    address = request.META.get("REMOTE_ADDR", "") or ""
    if getattr(settings, "TONGBAN_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        entries = [part.strip() for part in forwarded.split(",") if part.strip()]
        if entries:
            address = entries[-1]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return "unknown"


def address_allowed(address: str, allowed: list[str] | tuple[str, ...]) -> bool:
    """Whether ``address`` is one of ``allowed`` (single addresses or CIDR networks)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if ip in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def problem(status: int, kind: str, title: str, detail: str, **headers: str) -> HttpResponse:
    """An RFC 9457 problem response (the API's error format) for the middleware layer."""
    body = {"type": f"urn:tongban:problem:{kind}", "title": title, "status": status}
    body["detail"] = detail
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type=PROBLEM_MEDIA_TYPE,
        headers=headers or None,
    )


# --- Security headers ----------------------------------------------------------------------


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response that lacks them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.TONGBAN_CSP
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        if settings.TONGBAN_PERMISSIONS_POLICY and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.TONGBAN_PERMISSIONS_POLICY
        return response


# --- Request size --------------------------------------------------------------------------


class RequestSizeLimitMiddleware:
    """Refuse with 413 a request whose declared body exceeds ``TONGBAN_MAX_REQUEST_BYTES``.

    Decided from Content-Length alone, so nothing of the body is read. Sits after the
    locale middleware (the page is in the user's language) and before anything that reads
    the body (CSRF, forms).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(settings.TONGBAN_MAX_REQUEST_BYTES)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit <= 0 or length <= limit:
            return self.get_response(request)
        mb = round(limit / 1024 / 1024, 1)
        detail = _("The request is larger than %(mb)s MB, the most this site accepts.") % {"mb": mb}
        if request.path.startswith("/api/"):
            return problem(413, "request-too-large", _("Request too large"), detail)
        return render(request, "core/413.html", {"limit_mb": mb}, status=413)


# --- Rate limits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int  # seconds until the window ends (0 when allowed)


def rate_limit_hit(group: str, address: str, limit: int, window: int) -> RateDecision:
    """Count one request of ``address`` in ``group``'s current fixed window.

    The counter lives in the Django cache under a key naming the window, so it expires by
    itself; ``incr`` is atomic on Redis and within one process on the local-memory cache.
    The address is stored as a digest only.
    """
    now = time.time()
    window_start = int(now // window) * window
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:24]
    key = f"tb:ratelimit:{group}:{digest}:{window_start}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    if count <= limit:
        return RateDecision(True, 0)
    return RateDecision(False, max(1, math.ceil(window_start + window - now)))


class RateLimitMiddleware:
    """429 with Retry-After once a client exceeds its group's limit (``TONGBAN_RATE_LIMITS``).

    Groups: login and registration (form posts only), search, API; the limits are requests
    per minute per client address, and 0 turns a group's limit off.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        group = route_group(request.path)
        limit = int(settings.TONGBAN_RATE_LIMITS.get(group, 0) or 0)
        if limit <= 0 or (group in _POST_ONLY_GROUPS and request.method != "POST"):
            return self.get_response(request)
        decision = rate_limit_hit(group, client_address(request), limit, RATE_LIMIT_WINDOW_SECONDS)
        if decision.allowed:
            return self.get_response(request)
        retry = str(decision.retry_after)
        if request.path.startswith("/api/"):
            detail = _("Too many requests; try again in %(seconds)s seconds.") % {"seconds": retry}
            return problem(
                429, "too-many-requests", _("Too many requests"), detail, **{"Retry-After": retry}
            )
        response = render(request, "core/429.html", {"retry_after": retry}, status=429)
        response["Retry-After"] = retry
        return response
