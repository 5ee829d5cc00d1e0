"""Whole-page caching of catalogue pages for anonymous visitors.

Guide, bundle and list pages change only when the catalogue does, yet rendering one costs
~20 ms of CPU. For a visitor without a session (anonymous, no pending messages) the page is
served from the cache, keyed by the catalogue generation (``tongban.catalog.changes``), the
language, elder mode and the full path: any catalogue write, in any process, moves the
generation and so retires every cached page at once. Signed-in users are never served a
cached page, and a response that set a cookie or used a CSRF token is never stored.

Data classification: pages are stored only when rendered for an anonymous reader (no
session cookie *and* ``request.user`` not authenticated), whose clearance is PUBLIC
(``core.classification``), so an INTERNAL item an official sees can never land in the cache
and be served to someone else. ``classification_ceiling`` is part of the key as a second
guard: a page rendered for a higher clearance would never share a key with a public one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from tongban.catalog.changes import GENERATION
from tongban.core import generations
from tongban.core.classification import ClassificationLevel, clearance_of
from tongban.portal.context_processors import ELDER_COOKIE

PAGE_TIMEOUT = 3600
View = Callable[..., HttpResponse]


def _anonymous(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and _anonymous(request)
        and classification_ceiling(request) == ClassificationLevel.PUBLIC
    )


def classification_ceiling(request: HttpRequest) -> int:
    """The highest classification the page may show to this request's reader."""
    return clearance_of(getattr(request, "user", None))


def page_cache_key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    elder = "e" if request.COOKIES.get(ELDER_COOKIE) == "1" else "s"
    level = classification_ceiling(request)
    return f"page:{generations.current(GENERATION)}:{get_language()}:{elder}:c{level}:{path}"


def public_page(timeout: int = PAGE_TIMEOUT) -> Callable[[View], View]:
    """Cache a catalogue page for anonymous visitors until the catalogue changes."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            key = page_cache_key(request)
            hit = cache.get(key)
            if hit is not None:
                body, content_type = hit
                return HttpResponse(body, content_type=content_type)
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            ):
                cache.set(key, (response.content, response["Content-Type"]), timeout)
            return response

        return wrapper

    return decorator
