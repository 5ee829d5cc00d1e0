"""Password recovery by SMS code (issue 10): the journey from the sign-in page, and its
abuse cases — enumeration, SMS bombing, code reuse, brute force, expiry, a code of another
purpose — plus the purge of old code rows."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from tongban.accounts import services_recovery, smscodes
from tongban.accounts.models import AccountSession, AssuranceLevel, SmsCode, SmsCodePurpose
from tongban.core import outbox as core_outbox
from tongban.core.models import AuditRecord
from tongban.core.scheduling import get_job

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
FORGOT = reverse("accounts:password_forgot")
RESET = reverse("accounts:password_reset")
NEW_PASSWORD = "Quiet-Lantern-7391"
SOURCE = "198.51.100.7"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
RESET_PURPOSE = SmsCodePurpose.PASSWORD_RESET


@pytest.fixture
def outbox(settings, tmp_path, fast_hashing):
    """The fake SMS gateway's messages, in a private var dir."""
    settings.VAR_DIR = tmp_path
    settings.TONGBAN_CITY_NAME = "示例市"

    def messages() -> list[dict[str, str]]:
        folder = tmp_path / "outbox" / "sms"
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]

    return messages


@pytest.fixture
def owner(citizen):
    citizen.assurance_level = AssuranceLevel.VERIFIED
    citizen.save(update_fields=["assurance_level"])
    return citizen


def code_in(message: dict[str, str]) -> str:
    match = re.search(r"\b(\d{6})\b", message["text"])
    assert match is not None
    return match.group(1)


def wrong_for(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def ask(client: Client, mobile: str, **extra):
    return client.post(FORGOT, {"mobile": mobile}, REMOTE_ADDR=SOURCE, **extra)


def reset(client: Client, code: str, password: str = NEW_PASSWORD, confirm: str = "", **extra):
    data = {"code": code, "password": password, "password_confirm": confirm or password}
    return client.post(RESET, data, REMOTE_ADDR=SOURCE, **extra)


def neutral(html: str, number: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", html)
    return html.replace(f"{number[:3]}****{number[-4:]}", "MASKED")


# --- the journey ------------------------------------------------------------------------------


def test_forgotten_password_from_the_sign_in_page_to_signed_in_again(client, outbox, owner):
    login_page = client.get(LOGIN).content.decode()
    assert f'href="{FORGOT}"' in login_page and "忘记密码" in login_page

    elsewhere = Client()  # the same account, signed in on another device
    elsewhere.post(LOGIN, {"username": owner.phone, "password": PASSWORD}, REMOTE_ADDR=SOURCE)
    assert elsewhere.session["_auth_user_id"] == str(owner.pk)

    response = ask(client, owner.phone)
    assert response.status_code == 302 and response["Location"] == RESET
    stored = Session.objects.get(session_key=client.session.session_key).session_data
    assert owner.phone not in stored  # the number is kept encrypted between the steps
    (message,) = outbox()
    assert message["phone"] == owner.phone and message["text"].startswith("【示例市】")

    response = reset(client, code_in(message))
    assert response.status_code == 302 and response["Location"] == LOGIN
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD) and not owner.check_password(PASSWORD)
    # Signed out everywhere else: the other device's session is gone.
    assert elsewhere.get(reverse("accounts:me")).status_code == 302
    assert not AccountSession.objects.filter(user=owner).exists()
    record = AuditRecord.objects.get(action="accounts.password.reset")
    assert record.actor_id == owner.pk and record.meta == {"method": "sms_code", "sessions": 1}
    assert owner.phone not in json.dumps(record.meta)

    follow = client.get(LOGIN).content.decode()
    assert "密码已修改" in follow or "password has been changed" in follow.lower()
    signed_in = client.post(LOGIN, {"username": owner.phone, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302

    # "Your password was changed", by text message after commit, once.
    core_outbox.sweep()
    core_outbox.sweep()
    notices = [m for m in outbox() if "12345" in m["text"]]
    assert len(notices) == 1 and notices[0]["phone"] == owner.phone
    assert notices[0]["text"].startswith("【示例市】")
    assert timezone.localtime().strftime("%Y-%m-%d") in notices[0]["text"]
    assert AuditRecord.objects.filter(action="accounts.password.notice").count() == 1


def test_the_new_password_is_checked_by_the_validators_without_costing_the_code(
    client, outbox, owner
):
    ask(client, owner.phone)
    code = code_in(outbox()[0])
    html = reset(client, code, "12345678", **EN).content.decode()
    assert "This password is entirely numeric." in html or "too common" in html
    assert 'href="#id_password"' in html  # the message names the field
    html = reset(client, "", owner.phone + "Ab!", **EN).content.decode()
    assert "must not contain your ID number" in html
    assert 'name="code"' not in html  # the code was right: only the password is asked
    html = reset(client, "", NEW_PASSWORD, "Other-Lantern-1", **EN).content.decode()
    assert "The two passwords are not the same." in html
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert reset(client, "", NEW_PASSWORD).status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)


def test_a_grant_works_once(outbox, owner):
    services_recovery.request_reset(owner.phone, source=SOURCE)
    grant = services_recovery.check_reset_code(owner.phone, code_in(outbox()[0]), source=SOURCE)
    services_recovery.reset_password(grant, NEW_PASSWORD)
    with pytest.raises(services_recovery.ServiceError) as caught:
        services_recovery.reset_password(grant, "Another-Lantern-55")
    assert "code" in caught.value.message_dict
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)


# --- abuse --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["unregistered", "unverified", "staff"])
def test_enumeration_every_number_gets_the_same_answer(outbox, owner, other_citizen, official_a,
                                                       who):  # fmt: skip
    if who == "unregistered":
        other = "13900009999"
    elif who == "unverified":
        other = other_citizen.phone  # a self-declared mobile number
    else:
        official_a.phone = "13800000077"
        official_a.assurance_level = AssuranceLevel.VERIFIED
        official_a.save(update_fields=["phone", "assurance_level"])
        other = official_a.phone
    answers = []
    for number in (owner.phone, other):
        client = Client()
        first = ask(client, number, **EN)
        page = client.get(RESET, **EN)
        wrong = reset(client, wrong_for(code_in(outbox()[0])), **EN)
        answers.append(
            (
                first.status_code,
                first["Location"],
                page.status_code,
                neutral(page.content.decode(), number),
                wrong.status_code,
                neutral(wrong.content.decode(), number),
            )
        )
    assert answers[0][:3] == answers[1][:3] == (302, RESET, 200)
    assert answers[0][3] == answers[1][3]
    assert "If MASKED is the verified mobile number" in answers[0][3]
    assert answers[0][4:] == answers[1][4:]  # a wrong code reads the same too
    assert "4 attempts left" in answers[0][5]
    assert [m["phone"] for m in outbox()] == [owner.phone]  # only the eligible one got it
    assert SmsCode.objects.filter(purpose=RESET_PURPOSE).count() == 2


def test_sms_bombing_per_number_and_per_source(outbox, owner, english):
    start = timezone.now()
    services_recovery.request_reset(owner.phone, source="192.0.2.1", now=start)
    soon = start + timedelta(seconds=30)
    with pytest.raises(services_recovery.ServiceError) as caught:
        services_recovery.request_reset(owner.phone, source="192.0.2.2", now=soon)
    assert "Wait 30 seconds" in caught.value.message_dict["mobile"][0]
    for minute in range(1, 5):
        at = start + timedelta(minutes=2 * minute)
        services_recovery.request_reset(owner.phone, source=f"192.0.2.{minute + 2}", now=at)
    with pytest.raises(services_recovery.ServiceError) as caught:
        services_recovery.request_reset(owner.phone, source="192.0.2.9", now=start + HOUR_LESS)
    assert "Too many codes were asked for this number" in caught.value.message_dict["mobile"][0]
    assert len(outbox()) == 5

    # One source asking for many numbers is stopped after twenty in an hour.
    for n in range(smscodes.SOURCE_PER_HOUR):
        services_recovery.request_reset(f"139{n:08d}", source="203.0.113.9", now=start)
    with pytest.raises(services_recovery.ServiceError) as caught:
        services_recovery.request_reset("13700000000", source="203.0.113.9", now=start)
    assert "from this network" in caught.value.message_dict["mobile"][0]


HOUR_LESS = timedelta(minutes=59)


def test_sms_bombing_through_the_page_names_the_field(client, outbox, owner):
    ask(client, owner.phone)
    html = ask(client, owner.phone, **EN).content.decode()
    assert "Wait" in html and 'href="#id_mobile"' in html
    html = client.post(RESET, {"resend": "1"}, REMOTE_ADDR=SOURCE, **EN).content.decode()
    assert "Wait" in html
    assert len(outbox()) == 1


def test_code_reuse_a_code_works_once(client, outbox, owner, english):
    services_recovery.request_reset(owner.phone, source=SOURCE)
    code = code_in(outbox()[0])
    services_recovery.check_reset_code(owner.phone, code, source=SOURCE)
    with pytest.raises(services_recovery.ServiceError) as caught:
        services_recovery.check_reset_code(owner.phone, code, source=SOURCE)
    assert "no code to check" in caught.value.message_dict["code"][0]


def test_brute_force_five_wrong_tries_then_dead(client, outbox, owner):
    ask(client, owner.phone)
    code = code_in(outbox()[0])
    for left in (4, 3, 2, 1):
        html = reset(client, wrong_for(code), **EN).content.decode()
        assert f"{left} attempts left" in html
    html = reset(client, wrong_for(code), **EN).content.decode()
    assert "entered wrongly too many times" in html
    html = reset(client, code, **EN).content.decode()  # even the right code now
    assert "entered wrongly too many times" in html
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert AuditRecord.objects.filter(action="accounts.sms_code.wrong").count() == 5


def test_expiry_after_five_minutes(outbox, owner, english):
    start = timezone.now()
    services_recovery.request_reset(owner.phone, source=SOURCE, now=start)
    code = code_in(outbox()[0])
    late = start + timedelta(minutes=5)
    with pytest.raises(services_recovery.ServiceError) as caught:
        services_recovery.check_reset_code(owner.phone, code, source=SOURCE, now=late)
    assert "has expired" in caught.value.message_dict["code"][0]


def test_a_code_for_another_purpose_is_refused(client, outbox, owner):
    smscodes.send_code(SmsCodePurpose.SIGN_IN, owner.phone, source=SOURCE)
    sign_in_code = code_in(outbox()[0])
    later = timezone.now() + timedelta(minutes=2)
    services_recovery.request_reset(owner.phone, source=SOURCE, now=later)
    with pytest.raises(services_recovery.ServiceError):
        services_recovery.check_reset_code(owner.phone, sign_in_code, source=SOURCE, now=later)
    # … and the other way round: a reset code does not sign in.
    reset_code = code_in(outbox()[1])
    with pytest.raises(services_recovery.ServiceError):
        smscodes.sign_in_with_code(owner.phone, reset_code, source=SOURCE, now=later)
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_the_reset_page_without_a_number_goes_back_to_step_one(client):
    response = reset(client, "123456")
    assert response.status_code == 302 and response["Location"] == FORGOT
    assert get_user_model().objects.count() == 0


# --- housekeeping --------------------------------------------------------------------------------


def test_old_code_rows_are_purged_daily(outbox, owner):
    now = timezone.now()
    smscodes.send_code(RESET_PURPOSE, owner.phone, source=SOURCE, now=now - timedelta(days=2))
    fresh = smscodes.send_code(RESET_PURPOSE, owner.phone, source=SOURCE, now=now)
    job = get_job("accounts.sms_codes")
    assert job is not None and job.every == timedelta(days=1)
    job.func()
    assert list(SmsCode.objects.values_list("pk", flat=True)) == [fresh.pk]
