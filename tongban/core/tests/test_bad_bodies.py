"""A form body that cannot be parsed is refused with 400, problem+json under /api/."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_multipart_without_boundary_is_a_problem_400_on_the_api(client):
    response = client.generic(
        "POST", "/api/licences/verify", b"x", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "body"


def test_multipart_without_boundary_is_a_page_400_elsewhere(client):
    response = client.generic("POST", "/accounts/login/", b"x", content_type="multipart/form-data")
    assert response.status_code == 400 and "text/html" in response["Content-Type"]
