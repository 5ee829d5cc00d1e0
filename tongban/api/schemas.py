"""Schemas of the API's own documents: problem details (RFC 9457) and the API index."""

from __future__ import annotations

from ninja import Field, Schema

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemType:
    """``type`` URIs of our problems; URNs, so nothing outside the site is referenced."""

    VALIDATION = "urn:tongban:problem:validation-error"
    NOT_FOUND = "urn:tongban:problem:not-found"
    METHOD_NOT_ALLOWED = "urn:tongban:problem:method-not-allowed"
    HTTP_ERROR = "urn:tongban:problem:http-error"
    SERVER_ERROR = "urn:tongban:problem:server-error"


class FieldErrorOut(Schema):
    field: str = Field(description="Dotted location of the bad value, e.g. query.page_size.")
    message: str = Field(description="What is wrong, in the request language.")
    code: str = Field(description="Machine-readable reason, e.g. less_than_equal.")


class ProblemOut(Schema):
    """An error, as RFC 9457 problem details (media type application/problem+json)."""

    type: str = Field(description="URI identifying the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem, translated.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this request, translated.")
    errors: list[FieldErrorOut] | None = Field(
        None, description="For validation errors: one entry per bad parameter."
    )


class ApiIndexOut(Schema):
    title: str
    version: str
    docs: str
    openapi: str
