"""The exchange gateway's HTTP interface: a second NinjaAPI instance, for member systems.

Separate from the public API (``tongban.api``): other clients, other rules. Every operation
but the documentation is signed (RFC 9421, ``signing``) and answered by the pipeline in
``gateway``; the views here only hand the request over. The request body is documented in
OpenAPI but **not** parsed by ninja: the signature must be checked before anything of the
body is read (P2), so ``gateway.parse_query`` validates it after verification.

No cookies, no session: the gateway authenticates every call by its signature, so CSRF does
not apply (ninja's operations are CSRF-exempt and no cookie authentication is declared).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Schema
from ninja.openapi.docs import DocsBase
from ninja.openapi.schema import OpenAPISchema
from pydantic import Field

from . import gateway

logger = logging.getLogger(__name__)

DESCRIPTION = """\
The data-sharing exchange (共享交换) for member systems of government departments.

Every call is signed with HTTP Message Signatures (RFC 9421) by a key registered for the
member system (`tongban exchange member-key`): one signature labelled `tongban`, tag
`tongban-request`, covering `@method`, `@authority`, `@path`, `@query`, `content-digest`
(RFC 9530, sha-256) and `x-tongban-originator` (`dept="<department code>",
official="<username>"`), with the parameters `created`, `nonce`, `keyid` and `alg`
(`ed25519` or `sm2-sm3`). Every answer to a signed call is signed by the gateway (tag
`tongban-response`) and bound to the call (`;req`), and carries `X-Tongban-Exchange-Id`.

Errors are RFC 9457 problem details with a stable `code`: 401 (the signature, the key or the
member), 403 (the share decision or the originator), 404 `unknown_resource`, 413
`too_large`, 422 `malformed` (the `field` is named), 429 `rate_limited` (`Retry-After`),
503 `audit_unavailable` / `seal_stale` (no exchange while the audit trail cannot be
trusted). See docs/exchange.md.
"""

PROBLEM = "application/problem+json"


class QueryOut(Schema):
    """The answer to a query: exactly the released fields, personal numbers masked unless
    the grant names them in full."""

    exchange_id: str = Field(description="This exchange's id (also in X-Tongban-Exchange-Id).")
    resource: str
    found: bool = Field(description="Whether the resource holds a record with this key.")
    record: dict[str, Any] = Field(description="Item code → value, the released fields only.")
    masked: list[str] = Field(description="The released fields whose values are masked.")


class ExchangeProblem(Schema):
    """An error as RFC 9457 problem details (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="A stable code, e.g. bad_signature, grant_revoked.")
    field: str = Field(description="The field the problem is about, or empty.")
    exchange_id: str


class OfflineDocs(DocsBase):
    """Swagger UI from our own static files (no CDN on a government intranet)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        context = {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)}
        return render(request, "api/docs.html", context)


SIGNED: list[dict[str, list[str]]] = [{"tongbanSignature": []}]
_ERRORS = {
    "401": "Not authenticated: the signature, its key or the member system is refused.",
    "403": "Not allowed: the share decision or the originator (code names which).",
    "413": "The body is larger than the gateway accepts.",
    "422": "The body is malformed; `field` names the field.",
    "429": "Over the grant's calls per minute or per day; see Retry-After.",
    "503": "The audit trail cannot be written or is not sealed: no exchange until repaired.",
}


class GatewayAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})["tongbanSignature"] = {
            "type": "apiKey",
            "in": "header",
            "name": "Signature",
            "description": "RFC 9421 HTTP Message Signature with Signature-Input (see above).",
        }
        problem_ref = {PROBLEM: {"schema": {"$ref": "#/components/schemas/ExchangeProblem"}}}
        components.setdefault("schemas", {})["ExchangeProblem"] = ExchangeProblem.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation["security"] = SIGNED
                responses = operation.setdefault("responses", {})
                for status, text in _ERRORS.items():
                    responses.setdefault(status, {"description": text, "content": problem_ref})
        return schema


api = GatewayAPI(
    title="tongban exchange gateway",
    version="1",
    description=DESCRIPTION,
    urls_namespace="exchange_gateway",
    docs=OfflineDocs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)

_QUERY_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": gateway.QueryIn.model_json_schema()}},
    }
}


@api.post(
    "/query",
    response={200: QueryOut},
    summary="Read fields of one record of a resource",
    openapi_extra=_QUERY_BODY,
    operation_id="exchange_query",
)
def query(request: HttpRequest) -> HttpResponse:
    """Ask for fields of the record with `key` in `resource`, for `purpose`: answered
    after the signature, the originator, the share decision and the grant's rate limits."""
    return gateway.answer_query(request)


@api.get(
    "/catalogue",
    response={200: dict[str, Any]},
    summary="The full catalogue as DCAT JSON-LD",
    operation_id="exchange_catalogue",
)
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every published resource with its items, for members (signed, empty body)."""
    return gateway.answer_catalogue(request)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """500 without internals: the traceback goes to the log, never to the caller."""
    logger.exception("Unhandled error in exchange gateway %s %s", request.method, request.path)
    return HttpResponse(
        b'{"type":"urn:tongban:exchange:server_error","title":"Internal server error",'
        b'"status":500,"detail":"","code":"server_error","field":"","exchange_id":""}',
        status=500,
        content_type=PROBLEM,
    )
