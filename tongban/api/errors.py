"""Every API error as RFC 9457 problem details (``application/problem+json``).

Exception handlers for the NinjaAPI instance, and ``problem_response`` for the URL-level
cases ninja does not see (wrong method, unknown address). Messages follow the request
language; validation messages are ours, keyed by pydantic's error type, so they can be
translated (pydantic's own messages are English only).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from ninja.errors import HttpError, ValidationError

from tongban.api.schemas import PROBLEM_MEDIA_TYPE, ProblemType

logger = logging.getLogger(__name__)


def problem_response(
    status: int,
    type_: str,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )
    return response


# --- Validation --------------------------------------------------------------------------


def _allowed_values(ctx: dict[str, Any]) -> str:
    """pydantic's ``expected`` ("'01', '02' or '20'") as a list in the request language."""
    values = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
    return pgettext("list separator", ", ").join(values)


def validation_message(error: dict[str, Any]) -> str:
    """A translated message for one pydantic error."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This parameter is required.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind == "greater_than_equal":
        return _("Enter a number greater than or equal to %(limit)s.") % {"limit": ctx.get("ge")}
    if kind == "greater_than":
        return _("Enter a number greater than %(limit)s.") % {"limit": ctx.get("gt")}
    if kind == "less_than_equal":
        return _("Enter a number less than or equal to %(limit)s.") % {"limit": ctx.get("le")}
    if kind == "less_than":
        return _("Enter a number less than %(limit)s.") % {"limit": ctx.get("lt")}
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("Enter a value: this parameter must not be empty.")
        count = int(ctx.get("min_length", 0))
        return ngettext(
            "Enter at least %(count)d character.", "Enter at least %(count)d characters.", count
        ) % {"count": count}
    if kind == "string_too_long":
        count = int(ctx.get("max_length", 0))
        return ngettext(
            "Enter at most %(count)d character.", "Enter at most %(count)d characters.", count
        ) % {"count": count}
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(values)s.") % {"values": _allowed_values(ctx)}
    if kind == "bool_parsing":
        return _("Enter true or false.")
    return _("Enter a valid value.")


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {
            "field": ".".join(str(part) for part in e.get("loc", ())),
            "message": validation_message(e),
            "code": str(e.get("type", "")),
        }
        for e in errors
    ]


def handle_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = field_errors(exc.errors)
    fields = sorted({e["field"] for e in errors})
    detail = ngettext(
        "This parameter is invalid: %(fields)s.",
        "These parameters are invalid: %(fields)s.",
        len(fields),
    ) % {"fields": pgettext("list separator", ", ").join(fields)}
    return problem_response(
        422, ProblemType.VALIDATION, _("Invalid request parameters"), detail, errors=errors
    )


# --- Not found ---------------------------------------------------------------------------


# What a 404 names, in the user's language, by model label (the models' verbose names are
# translated by their own apps; these keep the API's messages complete on their own).
RESOURCE_NAMES = {
    "catalog.serviceitem": gettext_lazy("service item"),
    "catalog.bundle": gettext_lazy("bundle"),
    "catalog.theme": gettext_lazy("theme"),
    "org.department": gettext_lazy("department"),
    "org.region": gettext_lazy("region"),
}


def _model_of(exc: ObjectDoesNotExist) -> type[Model] | None:
    for model in apps.get_models():
        if type(exc) is model.DoesNotExist:  # type: ignore[attr-defined]
            return model
    return None


def handle_does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    """404 naming the kind of thing and the code asked for (from the URL)."""
    model = _model_of(exc)
    if model is None:
        resource = _("resource")
    else:
        resource = str(RESOURCE_NAMES.get(model._meta.label_lower, model._meta.verbose_name))
    match = getattr(request, "resolver_match", None)
    codes = [str(v) for v in (match.kwargs.values() if match else [])]
    if codes:
        detail = _("No %(resource)s with the code “%(code)s” was found.") % {
            "resource": resource,
            "code": codes[-1],
        }
    else:
        detail = _("The %(resource)s was not found.") % {"resource": resource}
    return problem_response(404, ProblemType.NOT_FOUND, _("Not found"), detail)


def not_found_response() -> HttpResponse:
    return problem_response(
        404,
        ProblemType.NOT_FOUND,
        _("Not found"),
        _("There is no API endpoint at this address. See /api/docs for the list."),
    )


def handle_http404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return not_found_response()


def method_not_allowed_response(allowed: str) -> HttpResponse:
    return problem_response(
        405,
        ProblemType.METHOD_NOT_ALLOWED,
        _("Method not allowed"),
        _("This address accepts only: %(methods)s.") % {"methods": allowed},
        headers={"Allow": allowed},
    )


# --- Everything else ---------------------------------------------------------------------


def handle_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(
        exc.status_code,
        ProblemType.HTTP_ERROR,
        _("Request failed"),
        _("The request could not be processed (HTTP %(status)s).") % {"status": exc.status_code},
    )


def handle_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """500 without internals: the traceback goes to the log, never to the client."""
    logger.exception("Unhandled error in API request %s %s", request.method, request.path)
    return problem_response(
        500,
        ProblemType.SERVER_ERROR,
        _("Internal server error"),
        _("Something went wrong on our side. The error has been logged; please try again later."),
    )
