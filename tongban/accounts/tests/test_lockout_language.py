"""The lock-out screens speak the visitor's language (Chinese by default) and say when to
try again and whom to call (issue 10)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from tongban.accounts import second_factor as sf
from tongban.accounts import totp
from tongban.accounts.models import TotpDevice

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hashing")]

LOGIN = reverse("accounts:login")
SECRET = b"12345678901234567890"


def lock_out(client, user, **extra):
    for _ in range(5):
        response = client.post(LOGIN, {"username": user.phone, "password": "wrong"}, **extra)
    return response


def retry_times(settings) -> set[str]:
    soon = timezone.localtime() + settings.AXES_COOLOFF_TIME
    return {(soon - timedelta(minutes=m)).strftime("%H:%M") for m in (0, 1)}


def test_the_lockout_page_is_in_chinese_by_default(client, citizen, settings):
    response = lock_out(client, citizen)
    assert response.status_code == 429
    html = response.content.decode()
    assert '<html lang="zh-Hans"' in html
    assert "登录已暂停" in html and "Signing in is paused" not in html
    assert any(f"您可在 {t} 之后再次尝试登录" in html for t in retry_times(settings))
    assert "12345" in html and reverse("accounts:sms_sign_in") in html


def test_the_lockout_page_follows_the_language_chosen_on_the_site(client, citizen, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = lock_out(client, citizen).content.decode()
    assert "Signing in is paused" in html and "登录已暂停" not in html
    assert any(f"You can try again after {t}." in html for t in retry_times(settings))


def test_the_admin_sign_in_locks_out_with_the_same_page(client, citizen):
    for _ in range(5):
        response = client.post(
            reverse("admin:login"), {"username": citizen.phone, "password": "wrong"}
        )
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()
    again = client.post(reverse("admin:login"), {"username": citizen.phone, "password": PASSWORD})
    assert again.status_code == 429


@pytest.mark.real_second_factor
def test_the_second_factor_lock_is_in_chinese_with_the_time_and_whom_to_call(
    session_rules, client, official_a
):
    TotpDevice.objects.create(
        user=official_a,
        encrypted_secret=sf.encrypt_totp_secret(official_a.pk, SECRET),
        confirmed=True,
    )
    client.post(LOGIN, {"username": official_a.username, "password": PASSWORD})
    verify = reverse("accounts:second_factor")
    for _ in range(5):
        client.post(verify, {"code": "000000"})
    response = client.post(verify, {"code": totp.code_at(SECRET, time.time())})
    assert response.status_code == 429
    html = response.content.decode()
    assert "第二因子验证已暂停" in html and "Second factor paused" not in html
    assert "之后再次尝试登录" in html
    assert "12345" in html
