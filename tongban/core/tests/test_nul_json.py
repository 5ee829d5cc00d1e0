"""A NUL character inside a JSON body is refused like one in a form: the API answers 422
problem+json naming the field, and nothing reaches the view."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

VERIFY = "/api/licences/verify"


def post_json(client, url, text, **extra):
    return client.post(url, text, content_type="application/json", **extra)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"payload": "abc\\u0000def"}', "body.payload"),
        ('{"payload": "x", "extra": {"list": ["ok", "bad\\u0000"]}}', "body.extra.list.1"),
        ('{"pay\\u0000load": "x"}', "body.payload"),
    ],
)
def test_nul_in_a_json_body_is_refused_with_422_naming_the_field(client, body, field):
    response = post_json(client, VERIFY, body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["type"] == "urn:tongban:problem:validation-error"
    assert problem["errors"] == [
        {
            "field": field,
            "message": f"The value of {field} contains a character that is not allowed.",
            "code": "nul_character",
        }
    ]


def test_an_escaped_backslash_before_u0000_is_not_nul(client):
    response = post_json(client, VERIFY, '{"payload": "\\\\u0000"}')
    assert response.status_code == 200
    assert json.loads(response.content)["status"] != ""


def test_a_json_body_without_nul_reaches_the_view(client):
    response = post_json(client, VERIFY, '{"payload": "not-a-licence-code"}')
    assert response.status_code == 200
