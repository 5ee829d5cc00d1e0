"""The one SMS-code service (短信验证码) and signing in with it: the abuse cases of issues 10
and 12 (enumeration, SMS bombing, code reuse, brute force, expiry), and the locked-out
owner getting in while the attacker's address stays locked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock
from urllib.parse import quote, urlencode

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from tongban.accounts import smscodes
from tongban.accounts.models import (
    AssuranceLevel,
    Role,
    RoleAssignment,
    SmsCode,
    SmsCodePurpose,
    TotpDevice,
)
from tongban.core.errors import ServiceError
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db

SIGN_IN = SmsCodePurpose.SIGN_IN
UNKNOWN = "13900009999"
LOGIN = reverse("accounts:login")
SMS_LOGIN = reverse("accounts:sms_sign_in")
SMS_CODE = reverse("accounts:sms_sign_in_code")
ATTACKER = "203.0.113.5"
OWNER = "198.51.100.7"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


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
    """A citizen whose mobile number was verified at registration."""
    citizen.assurance_level = AssuranceLevel.VERIFIED
    citizen.save(update_fields=["assurance_level"])
    return citizen


@contextmanager
def freeze(moment: datetime) -> Iterator[None]:
    """Make ``timezone.now`` (which the pages' services read) return ``moment``."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def code_in(message: dict[str, str]) -> str:
    match = re.search(r"\b(\d{6})\b", message["text"])
    assert match is not None
    return match.group(1)


def wrong_for(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def refusal(call) -> str:
    with pytest.raises(ServiceError) as caught:
        call()
    (messages,) = caught.value.message_dict.values()
    return messages[0]


# --- the service ------------------------------------------------------------------------------


def test_a_code_is_six_digits_in_the_citys_wording_and_stored_only_hashed(outbox, owner, english):
    row = smscodes.send_code(SIGN_IN, owner.phone, source=OWNER)
    (message,) = outbox()
    assert message["phone"] == owner.phone
    assert message["text"].startswith("【示例市】")
    assert "Do not give it to anyone" in message["text"]
    code = code_in(message)
    row.refresh_from_db()
    assert row.delivered and row.expires_at - row.created_at == timedelta(minutes=5)
    stored = " ".join(str(v) for v in SmsCode.objects.values_list().get())
    assert code not in stored and owner.phone not in stored and OWNER not in stored
    record = AuditRecord.objects.get(action="accounts.sms_code.send")
    assert owner.phone not in json.dumps(record.meta) and record.meta == {"purpose": "sign_in"}


def test_enumeration_an_unknown_number_gets_the_same_answer_and_no_message(outbox, owner):
    known = smscodes.send_code(SIGN_IN, owner.phone, source=OWNER)
    unknown = smscodes.send_code(SIGN_IN, UNKNOWN, source=OWNER)
    assert [m["phone"] for m in outbox()] == [owner.phone]
    assert unknown.expires_at - unknown.created_at == known.expires_at - known.created_at
    # The pages say the same for both numbers, apart from the masked number itself.
    pages = []
    for number in (owner.phone, "13800000009"):
        client = Client()
        later = timezone.now() + timedelta(minutes=2)  # past the first codes' send interval
        with freeze(later):
            response = client.post(SMS_LOGIN, {"mobile": number}, REMOTE_ADDR=OWNER, **EN)
        assert response.status_code == 302 and response["Location"] == SMS_CODE
        html = client.get(SMS_CODE, **EN).content.decode()
        html = re.sub(r'csrfmiddlewaretoken" value="[^"]*"', "CSRF", html)
        pages.append(html.replace(f"{number[:3]}****{number[-4:]}", "MASKED"))
    assert pages[0] == pages[1] and "If MASKED is the verified mobile number" in pages[0]
    assert [m["phone"] for m in outbox()] == [owner.phone, owner.phone]


def test_self_declared_and_role_holding_accounts_get_no_code(outbox, citizen, department_a):
    smscodes.send_code(SIGN_IN, citizen.phone, source=OWNER)  # mobile never verified
    citizen.assurance_level = AssuranceLevel.VERIFIED
    citizen.save(update_fields=["assurance_level"])
    RoleAssignment.objects.create(user=citizen, role=Role.REVIEWER, department=department_a)
    later = timezone.now() + timedelta(minutes=2)
    smscodes.send_code(SIGN_IN, citizen.phone, source=OWNER, now=later)
    assert outbox() == [] and SmsCode.objects.filter(delivered=False).count() == 2


def test_sms_bombing_one_a_minute_and_five_an_hour_per_number(outbox, owner, english):
    start = timezone.now()
    smscodes.send_code(SIGN_IN, owner.phone, source="192.0.2.1", now=start)
    too_soon = refusal(
        lambda: smscodes.send_code(
            SIGN_IN, owner.phone, source="192.0.2.2", now=start + timedelta(seconds=30)
        )
    )
    assert too_soon == "Wait 30 seconds before asking for a new code."
    for minute in range(1, 5):
        smscodes.send_code(
            SIGN_IN, owner.phone, source=f"192.0.2.{minute}", now=start + timedelta(minutes=minute)
        )
    sixth = refusal(
        lambda: smscodes.send_code(
            SIGN_IN, owner.phone, source="192.0.2.9", now=start + timedelta(minutes=10)
        )
    )
    assert "Too many codes were asked for this number" in sixth
    assert len(outbox()) == 5
    smscodes.send_code(SIGN_IN, owner.phone, now=start + timedelta(minutes=61))
    assert len(outbox()) == 6


def test_sms_bombing_twenty_an_hour_per_source(outbox, english):
    start = timezone.now()
    for n in range(20):
        smscodes.send_code(SIGN_IN, f"139000{n:05d}", source=ATTACKER, now=start)
    message = refusal(
        lambda: smscodes.send_code(SIGN_IN, "13900100000", source=ATTACKER, now=start)
    )
    assert "Too many codes were asked from this network" in message
    smscodes.send_code(SIGN_IN, "13900100000", source="192.0.2.77", now=start)
    assert SmsCode.objects.count() == 21


def test_code_reuse_a_code_works_once_and_a_new_code_replaces_the_old(outbox, owner, english):
    start = timezone.now()
    smscodes.send_code(SIGN_IN, owner.phone, now=start)
    smscodes.send_code(SIGN_IN, owner.phone, now=start + timedelta(seconds=61))
    first, second = (code_in(m) for m in outbox())
    if first != second:
        assert "not right" in refusal(lambda: smscodes.check_code(SIGN_IN, owner.phone, first))
    smscodes.check_code(SIGN_IN, owner.phone, second)
    again = refusal(lambda: smscodes.check_code(SIGN_IN, owner.phone, second))
    assert again == "There is no code to check for this number. Ask for a new code."
    # A code of one purpose never serves another.
    smscodes.send_code(SmsCodePurpose.PASSWORD_RESET, owner.phone, now=start + timedelta(minutes=3))
    reset_code = code_in(outbox()[-1])
    assert refusal(lambda: smscodes.check_code(SIGN_IN, owner.phone, reset_code))


def test_brute_force_five_wrong_tries_kill_the_code(outbox, owner, english):
    smscodes.send_code(SIGN_IN, owner.phone)
    right = code_in(outbox()[0])
    for left in (4, 3, 2, 1):
        message = refusal(lambda: smscodes.check_code(SIGN_IN, owner.phone, wrong_for(right)))
        assert f"{left} attempts left" in message
    message = refusal(lambda: smscodes.check_code(SIGN_IN, owner.phone, wrong_for(right)))
    assert "too many times" in message
    assert "too many times" in refusal(lambda: smscodes.check_code(SIGN_IN, owner.phone, right))
    assert SmsCode.objects.get().attempts == 5 and SmsCode.objects.get().used_at is None


def test_expiry_at_five_minutes(outbox, owner, english):
    start = timezone.now()
    smscodes.send_code(SIGN_IN, owner.phone, now=start)
    code = code_in(outbox()[0])
    late = start + timedelta(minutes=5)
    assert "expired" in refusal(lambda: smscodes.check_code(SIGN_IN, owner.phone, code, now=late))
    row = smscodes.check_code(
        SIGN_IN, owner.phone, code, now=start + timedelta(minutes=4, seconds=59)
    )
    assert row.used_at is not None


# --- signing in by SMS code -------------------------------------------------------------------


def test_the_locked_out_owner_signs_in_by_code_while_the_attacker_stays_locked(
    client, outbox, owner
):
    for _attempt in range(5):
        client.post(LOGIN, {"username": owner.phone, "password": "wrong"}, REMOTE_ADDR=ATTACKER)
    locked = client.post(
        LOGIN, {"username": owner.phone, "password": PASSWORD}, REMOTE_ADDR=ATTACKER, **EN
    )
    assert locked.status_code == 429
    assert SMS_LOGIN in locked.content.decode()  # the locked-out page offers the way in
    assert SMS_LOGIN in client.get(LOGIN).content.decode()

    device = Client()
    device.post(SMS_LOGIN, {"mobile": owner.phone}, REMOTE_ADDR=OWNER)
    stored = Session.objects.get(session_key=device.session.session_key).session_data
    assert owner.phone not in json.dumps(device.session.load()) and owner.phone not in stored
    response = device.post(SMS_CODE, {"code": code_in(outbox()[0])}, REMOTE_ADDR=OWNER)
    assert response.status_code == 302 and response["Location"] == reverse("portal:landing")
    assert device.session["_auth_user_id"] == str(owner.pk)
    record = AuditRecord.objects.get(action="accounts.sign_in.sms_code")
    assert owner.phone not in json.dumps(record.meta)
    # The attacker's address is still locked for the password.
    again = client.post(
        LOGIN, {"username": owner.phone, "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    assert again.status_code == 429


def test_a_staff_account_is_refused_with_the_neutral_answer(client, outbox, official_a):
    official_a.phone = "13800000077"
    official_a.assurance_level = AssuranceLevel.VERIFIED
    official_a.save(update_fields=["phone", "assurance_level"])
    response = client.post(SMS_LOGIN, {"mobile": official_a.phone}, REMOTE_ADDR=OWNER)
    assert response.status_code == 302 and response["Location"] == SMS_CODE
    assert outbox() == []
    html = client.post(SMS_CODE, {"code": "123456"}, REMOTE_ADDR=OWNER, **EN).content.decode()
    assert "The code is not right" in html and "4 attempts left" in html
    assert "_auth_user_id" not in client.session


def test_the_code_page_without_a_number_goes_back_to_step_one(client):
    response = client.post(SMS_CODE, {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == SMS_LOGIN


def test_a_citizen_with_a_second_factor_still_gives_it_after_the_code(client, outbox, owner):
    TotpDevice.objects.create(user=owner, encrypted_secret="x", confirmed=True)
    client.post(SMS_LOGIN, {"mobile": owner.phone}, REMOTE_ADDR=OWNER)
    response = client.post(SMS_CODE, {"code": code_in(outbox()[0])}, REMOTE_ADDR=OWNER)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:second_factor")
    assert client.get(reverse("accounts:me")).status_code == 302  # not yet past the factor


def test_signing_in_by_code_returns_to_a_safe_next_only(outbox, owner):
    """在线办理 → sign in by SMS code → back at the form; another site's address is ignored."""
    form = "/apply/item/X1/"
    login_page = Client().get(LOGIN + "?" + urlencode({"next": form})).content.decode()
    assert SMS_LOGIN + "?next=" + quote(form) in login_page
    later = timezone.now() + timedelta(minutes=2)  # one code a minute per number
    for moment, target, expected in (
        (timezone.now(), form, form),
        (later, "https://evil.example/", reverse("portal:landing")),
    ):
        with freeze(moment):
            device = Client()
            device.get(SMS_LOGIN + "?" + urlencode({"next": target}))
            device.post(SMS_LOGIN, {"mobile": owner.phone}, REMOTE_ADDR=OWNER)
            response = device.post(SMS_CODE, {"code": code_in(outbox()[-1])}, REMOTE_ADDR=OWNER)
        assert response.status_code == 302 and response["Location"] == expected
