"""The register offers "record from the paper register" only to whom the issue page lets in."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_paper_register_link_only_for_issuing_roles(lw, client):
    issue = reverse("licences:office_issue")
    link = f'href="{issue}"'
    client.force_login(lw.clerk_a)
    page = client.get(reverse("licences:office_list"))
    assert page.status_code == 200 and link not in page.content.decode()
    assert client.get(issue).status_code == 403  # the link it no longer offers would refuse
    for issuer in (lw.reviewer_a, lw.leader_a):
        client.force_login(issuer)
        assert link in client.get(reverse("licences:office_list")).content.decode()
        assert client.get(issue).status_code == 200
