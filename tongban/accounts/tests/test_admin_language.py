"""The admin names things in the user's language, not with raw codes (issue 10)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import translation

from tongban.core.admin import schedule_words


def test_a_schedule_is_told_in_words_of_the_language():
    with translation.override("en"):
        assert schedule_words(timedelta(days=1), time(2, 30)) == "every day at 02:30"
        assert schedule_words(timedelta(days=7), time(4, 0)) == "every 7 days at 04:00"
        assert schedule_words(timedelta(minutes=5), None) == "every 5 minutes"
        assert schedule_words(timedelta(hours=1), None) == "every hour"


@pytest.mark.django_db
def test_the_sign_in_protection_models_are_named_for_people(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign-in protection" in html and ">Axes<" not in html
    jobs = client.get("/admin/core/periodicjob/", HTTP_ACCEPT_LANGUAGE="en")
    assert jobs.status_code == 200
