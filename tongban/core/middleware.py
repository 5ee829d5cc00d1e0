"""Request guards that apply to every page and API call."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _


class RejectNulBytesMiddleware:
    """Refuse a request whose parameters contain a NUL character, naming the parameter.

    No legitimate form or query carries U+0000, and PostgreSQL refuses it in text
    (a 500 later on); answering 400 here keeps every view from handling it.
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
            return self.get_response(request)
        message = _("The value of %(field)s contains a character that is not allowed.") % {
            "field": field
        }
        return self._bad_request(request, field, message, "nul_character")

    @staticmethod
    def _bad_request(request: HttpRequest, field: str, message: str, code: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            body = {
                "type": "urn:tongban:problem:bad-request",
                "title": _("Bad request"),
                "status": 400,
                "detail": message,
                "errors": [{"field": field, "message": message, "code": code}],
            }
            return HttpResponse(
                json.dumps(body, ensure_ascii=False),
                status=400,
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


def _form(request: HttpRequest):  # type: ignore[no-untyped-def]
    if request.method != "POST" or request.content_type not in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return request.GET.__class__()  # an empty QueryDict
    return request.POST
