"""The public JSON API: one NinjaAPI instance, the domain routers, problem+json errors,
and OpenAPI documentation served without any network access.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.openapi.schema import OpenAPISchema

from tongban.api import errors
from tongban.api.schemas import PROBLEM_MEDIA_TYPE, ProblemOut
from tongban.catalog.api import router as catalog_router
from tongban.licences.api import router as licences_router
from tongban.org.api import router as org_router

try:
    API_VERSION = version("tongban")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    API_VERSION = "0.0.0"

DESCRIPTION = """\
Read-only access to the public service catalogue of this city: service items (政务服务事项)
with their full guides (办事指南), bundles (一件事), departments, regions and themes, and
full-text search; and verification of electronic licences (电子证照) for other systems
(`POST /api/licences/verify` with the scanned QR payload: it changes nothing).

* Labels follow the `Accept-Language` header: Simplified Chinese by default, `en` for English.
  Coded values come as `{"code", "label"}`.
* Lists are paginated with `page` (from 1) and `page_size` (at most 100) and say the `total`.
* Errors are RFC 9457 problem details (`application/problem+json`); a bad parameter gives
  422 with one entry per parameter in `errors`, naming it (e.g. `query.page_size`).
"""

TAGS = [
    {"name": "items", "description": "Service items and their guides."},
    {"name": "bundles", "description": "Bundles (一件事): several items applied for at once."},
    {"name": "departments", "description": "Departments that implement items."},
    {"name": "regions", "description": "The region tree (GB/T 2260 and statistical codes)."},
    {"name": "themes", "description": "Life events and enterprise stages."},
    {"name": "search", "description": "Ranked full-text search over published items."},
    {"name": "licences", "description": "Verification of electronic licences (电子证照)."},
]

_ERROR_DESCRIPTIONS = {
    "400": "A parameter contains a character that is never accepted (NUL) (problem details).",
    "404": "Not found (problem details).",
    "422": "Invalid parameters; `errors` names each one (problem details).",
    "500": "Unexpected server error (problem details).",
}


class OfflineSwagger(DocsBase):
    """Swagger UI from our own static files (ninja's default loads it from a CDN)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        context = {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)}
        return render(request, "api/docs.html", context)


def _problem_component() -> tuple[dict[str, Any], dict[str, Any]]:
    schema = ProblemOut.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})
    return schema, definitions


# No parameter may carry U+0000: core.middleware answers 400 before any view runs.
NO_NUL_PATTERN = "^[^\\u0000]*$"
EMPTY_MEANS_NOT_GIVEN = "An empty value (`name=`) is the same as leaving the parameter out."


def _forbid_nul(schema: dict[str, Any]) -> None:
    """Declare the NUL rule on every string (also inside ``anyOf``) of a parameter."""
    if schema.get("type") == "string" and "enum" not in schema:
        schema.setdefault("pattern", NO_NUL_PATTERN)
    for option in schema.get("anyOf", []):
        _forbid_nul(option)


def document_parameters(operation: dict[str, Any]) -> None:
    """State what ``org.api.QueryParams`` and the NUL guard do, so the document matches:
    an optional query parameter given as an empty string means "not given" (a form sends
    ``?level=`` for "any"), and no parameter may contain NUL."""
    for parameter in operation.get("parameters", []):
        schema = parameter.setdefault("schema", {})
        _forbid_nul(schema)
        if parameter.get("in") != "query" or parameter.get("required"):
            continue
        empty = {"type": "string", "maxLength": 0}
        if "anyOf" in schema:
            schema["anyOf"].append(empty)
        else:
            keep = {k: schema.pop(k) for k in list(schema) if k not in ("title", "description")}
            schema["anyOf"] = [keep, empty]
            if "default" in keep:
                schema["default"] = keep.pop("default")
        note = parameter.get("description", "")
        parameter["description"] = f"{note} {EMPTY_MEANS_NOT_GIVEN}".strip()


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the Problem schema and the error responses every operation can give."""
    problem, definitions = _problem_component()
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(definitions)
    components["Problem"] = problem
    ref = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            document_parameters(operation)
            responses = operation.setdefault("responses", {})
            statuses = ["500"]
            if operation.get("parameters"):
                statuses.extend(["400", "422"])
            if "{" in path:
                statuses.append("404")
            for status in statuses:
                responses.setdefault(
                    status, {"description": _ERROR_DESCRIPTIONS[status], "content": ref}
                )
    schema["tags"] = TAGS
    return schema


class TongbanAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_problems(schema)
        return schema


api = TongbanAPI(
    title="tongban API",
    version=API_VERSION,
    description=DESCRIPTION,
    urls_namespace="api",
    docs=OfflineSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.exception_handler(ValidationError)(errors.handle_validation_error)
api.exception_handler(ObjectDoesNotExist)(errors.handle_does_not_exist)
api.exception_handler(Http404)(errors.handle_http404)
api.exception_handler(HttpError)(errors.handle_http_error)
api.exception_handler(Exception)(errors.handle_unexpected)
api.add_router("/", catalog_router)
api.add_router("/", org_router)
api.add_router("/", licences_router)
