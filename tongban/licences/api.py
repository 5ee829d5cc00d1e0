"""Verification API for other systems: ``POST /api/licences/verify``.

Mounted by ``tongban.api.api``. Public (a bank or an inspector's system has no account
here), rate-limited with the rest of the API by the middleware. A request whose body is
not a JSON object with a string ``payload`` (at most 2048 characters) is refused with
problem+json 422; any payload string gets 200 with its ``status`` (``invalid`` and a
``reason`` for a forged, altered or unreadable one). docs/licences.md.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pydantic
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import ValidationError

from . import services
from .payload import MAX_PAYLOAD_CHARS

router = Router(tags=["licences"])


class VerifyIn(Schema):
    payload: str = Field(
        "",
        max_length=MAX_PAYLOAD_CHARS,
        description="The licence code: the text after `p=` in the QR code's address. "
        "An empty or missing payload is answered with status `invalid`.",
    )


class FaceFieldOut(Schema):
    key: str
    label: str
    value: str = Field(description="Sensitive values are masked.")


class IssuerOut(Schema):
    code: str
    name: str


class LicenceTypeOut(Schema):
    code: str
    name: str


class VerifyOut(Schema):
    status: str = Field(description="valid, suspended, revoked, expired or invalid")
    message: str
    reason: str = Field("", description="Why invalid, or the reason for a suspension/revocation.")
    reason_code: str = Field("", description="Stable code of the reason (e.g. bad-signature).")
    licence_number: str | None = None
    licence_type: LicenceTypeOut | None = None
    issuer: IssuerOut | None = None
    issued_on: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    status_changed_at: dt.datetime | None = None
    key_id: str | None = None
    algorithm: str | None = None
    face: list[FaceFieldOut] = Field(default_factory=list)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def read_body(request: HttpRequest) -> VerifyIn:
    """The request body as ``VerifyIn``: JSON, or a form post with a ``payload`` field.

    Read here rather than by ninja so that a form post (whose stream the NUL-guard
    middleware has already read) is answered too. Raises ninja's ``ValidationError``
    (problem+json 422) for a body that is not a JSON object with a string ``payload``."""
    data: Any
    if request.content_type in FORM_TYPES:
        data = {"payload": request.POST.get("payload", "")}
    else:
        raw = request.body
        try:
            data = json.loads(raw) if raw.strip() else {}
        except (ValueError, UnicodeDecodeError):
            raise ValidationError([{"loc": ("body",), "type": "json_invalid"}]) from None
    if not isinstance(data, dict):
        raise ValidationError([{"loc": ("body",), "type": "model_type"}])
    try:
        return VerifyIn.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = [
            {"loc": ("body", *e["loc"]), "type": e["type"], "ctx": e.get("ctx") or {}}
            for e in exc.errors(include_url=False)
        ]
        raise ValidationError(errors) from None


REQUEST_BODY = {
    "required": False,
    "content": {
        "application/json": {"schema": VerifyIn.model_json_schema()},
        "application/x-www-form-urlencoded": {"schema": VerifyIn.model_json_schema()},
    },
}


_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
ERROR_RESPONSES = {
    "400": {"description": "The body contains NUL (problem details).", "content": _PROBLEM},
    "422": {
        "description": "The body is not a JSON object with a string `payload` of at most "
        f"{MAX_PAYLOAD_CHARS} characters (problem details).",
        "content": _PROBLEM,
    },
}


@router.post(
    "/licences/verify",
    response=VerifyOut,
    summary="Verify a licence code",
    openapi_extra={"requestBody": REQUEST_BODY, "responses": ERROR_RESPONSES},
)
def verify(request: HttpRequest) -> VerifyOut:
    """Check the signature with the issuing department's published key, then the register
    (revoked, suspended, expired). Only the face fields marked public are returned."""
    data = read_body(request)
    result = services.check(data.payload)
    out = VerifyOut(
        status=result.outcome,
        message=result.message,
        reason=str(result.reason or ""),
        reason_code=result.code,
    )
    if result.claims is not None:
        c = result.claims
        out.licence_number = c.number
        out.issued_on, out.valid_from, out.valid_until = c.issued_on, c.valid_from, c.valid_until
        out.key_id, out.algorithm = c.key_id, c.alg
    lic = result.licence
    if lic is not None:
        out.licence_type = LicenceTypeOut(
            code=lic.licence_type.code, name=lic.licence_type.display_name
        )
        out.issuer = IssuerOut(code=lic.department.code, name=lic.department.name)
        out.status_changed_at = result.changed_at
        out.face = [
            FaceFieldOut(key=r.key, label=r.label, value=r.value) for r in result.public_face
        ]
    return out
