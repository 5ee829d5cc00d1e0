"""Request guards that apply to every page and API call."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _


class RejectNulBytesMiddleware:
    """Refuse a request whose parameters contain a NUL character, naming the parameter.

    No legitimate form, query or JSON body carries U+0000, and PostgreSQL refuses it in
    text (a 500 later on); answering here keeps every view from handling it. A query or
    form parameter gets 400; a string inside a JSON body gets the API's validation answer,
    422 problem+json naming the field as ``body.<key>…`` (what ninja names body fields).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            field = self._offending_field(request)
        except MultiPartParserError:
            # A multipart body without a boundary, or otherwise unreadable: say so plainly
            # (problem+json under /api/) instead of Django's bare HTML 400.
            return self._bad_request(
                request, "body", _("The request body is not valid form data."), "bad_body"
            )
        if field is None:
            field = _offending_json_field(request)
            if field is not None:
                return self._bad_request(
                    request, field, _nul_message(field), "nul_character", status=422
                )
            return self.get_response(request)
        return self._bad_request(request, field, _nul_message(field), "nul_character")

    @staticmethod
    def _bad_request(
        request: HttpRequest, field: str, message: str, code: str, status: int = 400
    ) -> HttpResponse:
        if request.path.startswith("/api/"):
            if status == 422:
                # The same type and title as the API's own validation errors (api.errors).
                kind, title = (
                    "urn:tongban:problem:validation-error",
                    _("Invalid request parameters"),
                )
            else:
                kind, title = "urn:tongban:problem:bad-request", _("Bad request")
            body = {
                "type": kind,
                "title": title,
                "status": status,
                "detail": message,
                "errors": [{"field": field, "message": message, "code": code}],
            }
            return HttpResponse(
                json.dumps(body, ensure_ascii=False),
                status=status,
                content_type="application/problem+json",
            )
        return render(request, "400.html", {"message": message}, status=400)

    @staticmethod
    def _offending_field(request: HttpRequest) -> str | None:
        if "\x00" in request.path:
            return "path"
        for location, params in (("query", request.GET), ("form", _form(request))):
            for key, values in params.lists():
                if "\x00" in key or any("\x00" in v for v in values if isinstance(v, str)):
                    return f"{location}.{key.replace(chr(0), '')}"
        return None


def _nul_message(field: str) -> str:
    return _("The value of %(field)s contains a character that is not allowed.") % {"field": field}


JSON_TYPES = ("application/json", "application/problem+json")


def _offending_json_field(request: HttpRequest) -> str | None:
    """The path (``body.items.2.name``) of the first key or string holding NUL in a JSON
    body, or None. A body that is not JSON, or too large to read, is left to the view."""
    if request.method not in ("POST", "PUT", "PATCH") or request.content_type not in JSON_TYPES:
        return None
    try:
        raw = request.body
    except (RequestDataTooBig, OSError):
        return None
    # Cheap test first: JSON carries NUL only escaped (a raw NUL byte is invalid JSON, and
    # "\\U" is no JSON escape); most bodies stop here without being parsed twice.
    if b"\\u0000" not in raw:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    stack: list[tuple[Any, str]] = [(data, "body")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return path
        elif isinstance(value, dict):
            for key, child in reversed(list(value.items())):
                name = str(key)
                if "\x00" in name:
                    return f"{path}.{name.replace(chr(0), '')}"
                stack.append((child, f"{path}.{name}"))
        elif isinstance(value, list):
            stack.extend((child, f"{path}.{i}") for i, child in reversed(list(enumerate(value))))
    return None


def _form(request: HttpRequest):  # type: ignore[no-untyped-def]
    if request.method != "POST" or request.content_type not in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return request.GET.__class__()  # an empty QueryDict
    return request.POST
