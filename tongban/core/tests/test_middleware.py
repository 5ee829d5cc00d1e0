"""A NUL character in any parameter is refused with 400 naming it, never a 500."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/services/?theme=%00", "query.theme"),
        ("/search/?q=a%00b", "query.q"),
        ("/api/items?department=x%00", "query.department"),
    ],
)
def test_nul_in_a_query_parameter_is_refused_and_named(client, url, field):
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response["Content-Type"] == "application/problem+json"
        assert json.loads(response.content)["errors"][0]["field"] == field
    else:
        assert field in response.content.decode()


def test_nul_in_a_form_field_is_refused_and_changes_nothing(client):

    User = get_user_model()
    before = User.objects.count()
    response = client.post("/accounts/register/", {"real_name": "张\x00三"})
    assert response.status_code == 400
    assert "form.real_name" in response.content.decode()
    assert User.objects.count() == before


def test_english_message(client):
    client.cookies["django_language"] = "en"
    html = client.get("/search/?q=%00").content.decode()
    assert "contains a character that is not allowed" in html


def test_ordinary_requests_pass(client):
    assert client.get("/search/?q=%E8%90%A5%E4%B8%9A").status_code == 200
