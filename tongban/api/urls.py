"""URLs of the public API, mounted at /api/: the ninja operations, /api/docs and
/api/openapi.json, an index at /api/, and problem+json for every address or method that
does not exist (ninja itself answers those in plain text, Django in HTML).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, re_path, reverse
from django.urls.resolvers import URLResolver
from django.views.decorators.http import require_safe

from tongban.api import errors
from tongban.api.api import api
from tongban.api.schemas import PROBLEM_MEDIA_TYPE

app_name = "api"


def _problem_on_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer HEAD like GET, and a wrong method with a 405 problem."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "HEAD":
            request.method = "GET"  # the WSGI server drops the body of a HEAD response
        response = view(request, *args, **kwargs)
        content_type = response.get("Content-Type", "").split(";")[0]
        if response.status_code == 405 and content_type != PROBLEM_MEDIA_TYPE:
            return errors.method_not_allowed_response(response.get("Allow", "GET"))
        return response

    return wrapped


@require_safe
def index(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return JsonResponse(
        {
            "title": api.title,
            "version": api.version,
            "docs": reverse("api:openapi-view"),
            "openapi": reverse("api:openapi-json"),
        }
    )


def unknown_endpoint(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return errors.not_found_response()


def _patterns() -> list[URLPattern | URLResolver]:
    ninja_patterns, _app, _namespace = api.urls
    result: list[URLPattern | URLResolver] = []
    for pattern in ninja_patterns:
        if not isinstance(pattern, URLPattern):
            result.append(pattern)
            continue
        # ninja's root view only raises Http404; it must keep its name (used for paths).
        view = index if pattern.name == "api-root" else pattern.callback
        result.append(
            URLPattern(pattern.pattern, _problem_on_405(view), pattern.default_args, pattern.name)
        )
    result.append(re_path(r"^", unknown_endpoint, name="unknown-endpoint"))
    return result


urlpatterns = _patterns()
