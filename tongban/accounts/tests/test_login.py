"""Signing in with any identifier, throttling and lock-out (django-axes), signing out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def sign_in(client, identifier, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": identifier, "password": password}, **extra)


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_login_page_has_one_identifier_field_and_csrf(client):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "ID number, mobile number or username" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'autocomplete="current-password"' in html


@pytest.mark.parametrize(
    "identifier",
    [
        lambda u: u.id_number,
        lambda u: u.id_number.lower(),
        lambda u: u.phone,
        lambda u: f"  {u.phone} ",
        lambda u: u.username,
    ],
    ids=["id-number", "id-number-lowercase-x", "phone", "phone-with-spaces", "username"],
)
def test_login_by_each_identifier(client, citizen, identifier):
    response = sign_in(client, identifier(citizen))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:landing")
    assert signed_in_user_id(client) == str(citizen.pk)


def test_login_follows_a_safe_next_but_not_another_site(client, citizen):
    me = reverse("accounts:me")
    response = client.post(
        LOGIN, {"username": citizen.phone, "password": PASSWORD, "next": me + "#my-businesses"}
    )
    assert response["Location"] == me + "#my-businesses"
    client.logout()
    response = client.post(
        LOGIN, {"username": citizen.phone, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("portal:landing")


def test_wrong_password_shows_error_and_keeps_identifier(client, citizen):
    response = sign_in(client, citizen.phone, "wrong-password", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "do not match an account" in html
    assert f'value="{citizen.phone}"' in html
    assert "wrong-password" not in html  # the password is never echoed
    assert signed_in_user_id(client) is None


def test_wrong_password_message_in_chinese_by_default(client, citizen):
    html = sign_in(client, citizen.phone, "wrong-password").content.decode()
    assert "与账号不匹配" in html
    assert "do not match an account" not in html


def test_unknown_identifier_gets_the_same_message(client, citizen):
    known = sign_in(client, citizen.phone, "wrong", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    unknown = sign_in(client, "13000000000", "wrong", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "do not match an account" in known and "do not match an account" in unknown


def test_lock_out_after_five_failures_even_with_right_password(client, citizen):
    for _ in range(4):
        assert sign_in(client, citizen.phone, "wrong").status_code == 200
    locked = sign_in(client, citizen.phone, "wrong", HTTP_ACCEPT_LANGUAGE="en")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "12345" in html
    assert "You can try again" in html
    response = sign_in(client, citizen.phone, PASSWORD)
    assert response.status_code == 429
    assert signed_in_user_id(client) is None

    call_command("axes_reset")
    assert AccessAttempt.objects.count() == 0
    response = sign_in(client, citizen.phone, PASSWORD)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(citizen.pk)


def test_failures_count_per_account_whichever_identifier_is_used(client, citizen):
    for identifier in [citizen.id_number, citizen.phone, citizen.username, citizen.phone]:
        assert sign_in(client, identifier, "wrong").status_code == 200
    assert sign_in(client, citizen.id_number.lower(), "wrong").status_code == 429
    assert sign_in(client, citizen.username, PASSWORD).status_code == 429


def test_lock_out_of_one_account_leaves_another_alone(client, citizen, other_citizen):
    for _ in range(5):
        sign_in(client, citizen.phone, "wrong")
    assert sign_in(client, other_citizen.phone, PASSWORD).status_code == 302


def test_success_resets_the_failure_count(client, citizen):
    for _ in range(4):
        sign_in(client, citizen.phone, "wrong")
    assert sign_in(client, citizen.phone, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert sign_in(client, citizen.phone, "wrong").status_code == 200


def test_logout_is_post_only(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in_user_id(client) == str(citizen.pk)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert signed_in_user_id(client) is None


def test_logout_needs_csrf_token(citizen):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert signed_in_user_id(client) == str(citizen.pk)


def test_lockout_page_says_when_to_try_again(client, citizen, settings):
    settings.AXES_LOCKOUT_CALLABLE = None  # axes' own template path
    settings.AXES_COOLOFF_TIME = timedelta(minutes=45)
    for _ in range(5):
        response = sign_in(client, citizen.phone, "wrong", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "You can try again in 45 minutes." in response.content.decode()


def test_lockout_callable_names_the_local_time(client, citizen, settings):
    settings.AXES_LOCKOUT_CALLABLE = "tongban.accounts.views.lockout_response"
    for _ in range(5):
        response = sign_in(client, citizen.phone, "wrong", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    html = response.content.decode()
    soon = timezone.localtime() + settings.AXES_COOLOFF_TIME
    times = {(soon - timedelta(minutes=m)).strftime("%H:%M") for m in (0, 1)}
    assert any(f"You can try again after {t}." in html for t in times)
    assert "12345" in html
