"""URLs of the exchange gateway (``/exchange/v1/``), for member systems: ``query`` and
``catalogue`` (signed), ``openapi.json`` and ``docs`` (public, the reviewed allow-list),
under the namespace ``exchange_gateway``. The root and every wrong method answer in
problem+json like the operations; the root, unsigned, is 401 like every signed route."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext as _

from .gateway import PROBLEM_MEDIA_TYPE, problem_type
from .gateway_api import api


def _problem(status: int, code: str, title: str, detail: str, **headers: str) -> HttpResponse:
    body = {"type": problem_type(code), "title": title, "status": status, "detail": detail,
            "code": code, "field": "", "exchange_id": ""}  # fmt: skip
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False).encode(),
        status=status,
        content_type=PROBLEM_MEDIA_TYPE,
    )
    for name, value in headers.items():
        response[name] = value
    return response


def root(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """No operation lives here: unsigned, 401 like the operations; signed, 404."""
    if not request.headers.get("Signature"):
        return _problem(
            401,
            "unsigned",
            _("Not authenticated"),
            _("The message carries no signature (RFC 9421)."),
        )
    return _problem(404, "unknown_endpoint", _("Not found"), _("There is no operation here."))


def _problem_on_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        content_type = response.get("Content-Type", "").split(";")[0]
        if response.status_code == 405 and content_type != PROBLEM_MEDIA_TYPE:
            allow = response.get("Allow", "")
            return _problem(
                405, "method_not_allowed", _("Method not allowed"),
                _("Use %(methods)s here.") % {"methods": allow}, Allow=allow,
            )  # fmt: skip
        return response

    return wrapped


def _patterns() -> list[URLPattern | URLResolver]:
    ninja_patterns, _app, _namespace = api.urls
    result: list[URLPattern | URLResolver] = []
    for pattern in ninja_patterns:
        if not isinstance(pattern, URLPattern):
            result.append(pattern)
            continue
        # ninja's root view only raises Http404; it keeps its name (ninja reverses it).
        view = root if pattern.name == "api-root" else pattern.callback
        result.append(
            URLPattern(pattern.pattern, _problem_on_405(view), pattern.default_args, pattern.name)
        )
    return result


urlpatterns: list[URLPattern | URLResolver] = [
    path("", include((_patterns(), "ninja"), namespace="exchange_gateway"))
]
