"""Registration with identity proofing: the identity provider, then a code by text message."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, make_resident_id
from tongban.accounts import services
from tongban.accounts.identity import (
    FakeIdentityProvider,
    RefusalReason,
    Verdict,
    get_identity_provider,
)
from tongban.accounts.models import (
    AssuranceLevel,
    PendingRegistration,
    SmsCode,
    SmsCodePurpose,
    User,
)
from tongban.accounts.sms import FakeSmsGateway, get_sms_gateway
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db

ID = make_resident_id(seq=371)
PHONE = "13800138000"
DECEASED = next(iter(FakeIdentityProvider.DECEASED_NUMBERS))
MISMATCH = next(iter(FakeIdentityProvider.MISMATCH_NUMBERS))
REGISTER = reverse("accounts:register")
CHANGE = REGISTER + "?change=1"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def outbox(settings, tmp_path, fast_hashing):
    """The fake SMS gateway's messages, in a private var dir."""
    settings.VAR_DIR = tmp_path

    def messages() -> list[dict[str, str]]:
        folder = tmp_path / "outbox" / "sms"
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]

    return messages


def code_in(message: dict[str, str]) -> str:
    match = re.search(r"\b(\d{6})\b", message["text"])
    assert match is not None
    return match.group(1)


def start(**overrides: Any) -> PendingRegistration:
    values = {"real_name": "陈小明", "id_number": ID, "phone": PHONE, "password": PASSWORD}
    values.update(overrides)
    return services.start_citizen_registration(**values)


# --- the adapters ---------------------------------------------------------------------------


def test_fake_provider_accepts_valid_numbers_and_refuses_the_documented_ones():
    fake = FakeIdentityProvider()
    assert fake.verify("陈小明", ID) == Verdict(True)
    assert fake.verify("陈小明", DECEASED) == Verdict(False, RefusalReason.DECEASED)
    assert fake.verify("陈小明", MISMATCH) == Verdict(False, RefusalReason.MISMATCH)
    assert fake.verify("  ", ID) == Verdict(False, RefusalReason.NO_NAME)
    wrong_check = ID[:17] + ("0" if ID[17] != "0" else "1")
    assert fake.verify("陈小明", wrong_check) == Verdict(False, RefusalReason.INVALID_NUMBER)
    assert DECEASED in FakeIdentityProvider.__doc__ and MISMATCH in FakeIdentityProvider.__doc__


class RefuseAll:
    def verify(self, real_name: str, id_number: str) -> Verdict:
        return Verdict(False, RefusalReason.MISMATCH)


class Broken:
    def verify(self, real_name: str, id_number: str) -> Verdict:
        raise ConnectionError("down")


def test_adapters_are_chosen_by_settings(settings):
    assert isinstance(get_identity_provider(), FakeIdentityProvider)
    assert isinstance(get_sms_gateway(), FakeSmsGateway)
    settings.TONGBAN_IDENTITY_PROVIDER = f"{__name__}.RefuseAll"
    assert isinstance(get_identity_provider(), RefuseAll)


def test_fake_sms_writes_the_outbox_and_logs_the_phone_masked(outbox, caplog):
    with caplog.at_level(logging.INFO, logger="tongban.accounts.sms"):
        FakeSmsGateway().send(PHONE, "hello 123456")
    assert outbox() == [{"phone": PHONE, "text": "hello 123456", "sent_at": outbox()[0]["sent_at"]}]
    assert "138****8000" in caplog.text and PHONE not in caplog.text


# --- the services ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", [DECEASED, MISMATCH])
def test_identity_refusal_writes_and_sends_nothing(outbox, english, number):
    audits = AuditRecord.objects.count()
    with pytest.raises(services.ServiceError) as caught:
        start(id_number=number)
    errors = caught.value.message_dict
    assert "identity service could not confirm" in errors["id_number"][0]
    assert "exactly as on your resident ID card" in errors["real_name"][0]
    assert not PendingRegistration.objects.exists() and not User.objects.exists()
    assert AuditRecord.objects.count() == audits
    assert outbox() == []


def test_identity_provider_failure_is_a_field_error_not_a_crash(outbox, settings, english):
    settings.TONGBAN_IDENTITY_PROVIDER = f"{__name__}.Broken"
    with pytest.raises(services.ServiceError) as caught:
        start()
    assert "cannot be reached" in caught.value.message_dict["id_number"][0]
    assert not PendingRegistration.objects.exists() and outbox() == []


def test_start_sends_exactly_one_code_and_stores_only_hashes(outbox):
    pending = start()
    (message,) = outbox()
    code = code_in(message)
    assert message["phone"] == PHONE
    sent = SmsCode.objects.get()  # the one SMS-code service (test_sms_codes.py)
    assert sent.purpose == SmsCodePurpose.REGISTRATION and sent.delivered
    assert code not in sent.code_hash and PASSWORD not in pending.password_hash
    assert sent.expires_at - sent.created_at == timedelta(minutes=5)
    assert not User.objects.exists()


def test_correct_code_creates_a_verified_account_once(outbox):
    pending = start()
    user = services.confirm_citizen_registration(token=pending.token, code=code_in(outbox()[0]))
    assert user.assurance_level == AssuranceLevel.VERIFIED
    assert (user.real_name, user.id_number, user.phone) == ("陈小明", ID, PHONE)
    assert user.check_password(PASSWORD)
    assert not PendingRegistration.objects.exists()
    record = AuditRecord.objects.get(action="accounts.citizen.register")
    assert record.meta["identity_proofed"] is True
    assert record.meta["assurance_level"] == int(AssuranceLevel.VERIFIED)
    with pytest.raises(services.ServiceError):  # the code cannot be used twice
        services.confirm_citizen_registration(token=pending.token, code=code_in(outbox()[0]))


def test_five_wrong_codes_kill_the_code(outbox, english):
    pending = start()
    right = code_in(outbox()[0])
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(services.ServiceError) as caught:
            services.confirm_citizen_registration(token=pending.token, code=wrong)
        assert f"{left} attempts left" in caught.value.message_dict["code"][0]
    with pytest.raises(services.ServiceError) as caught:
        services.confirm_citizen_registration(token=pending.token, code=wrong)
    assert "too many times" in caught.value.message_dict["code"][0]
    with pytest.raises(services.ServiceError) as caught:  # now even the right code
        services.confirm_citizen_registration(token=pending.token, code=right)
    assert "too many times" in caught.value.message_dict["code"][0]
    assert not User.objects.exists()
    assert SmsCode.objects.get().attempts == 5
    # A new code (within the per-number send limits) gets five tries of its own.
    services.resend_registration_code(
        token=pending.token, now=timezone.now() + timedelta(minutes=2)
    )
    assert SmsCode.objects.latest("created_at").attempts == 0 and len(outbox()) == 2


def test_expired_code_is_refused(outbox, english):
    sent_at = timezone.now()
    pending = start(now=sent_at)
    later = sent_at + timedelta(minutes=5, seconds=1)
    with pytest.raises(services.ServiceError) as caught:
        services.confirm_citizen_registration(
            token=pending.token, code=code_in(outbox()[0]), now=later
        )
    assert "expired" in caught.value.message_dict["code"][0]
    assert not User.objects.exists()


def test_resend_once_a_minute_and_the_old_code_stops_working(outbox, english):
    sent_at = timezone.now()
    pending = start(now=sent_at)
    soon = sent_at + timedelta(seconds=30)
    with pytest.raises(services.ServiceError) as caught:
        services.resend_registration_code(token=pending.token, now=soon)
    assert "Wait 30 seconds" in caught.value.message_dict["code"][0]
    assert len(outbox()) == 1
    later = sent_at + timedelta(seconds=61)
    services.resend_registration_code(token=pending.token, now=later)
    first, second = (code_in(m) for m in outbox())
    if first != second:
        with pytest.raises(services.ServiceError):
            services.confirm_citizen_registration(token=pending.token, code=first, now=later)
    user = services.confirm_citizen_registration(token=pending.token, code=second, now=later)
    assert user.assurance_level == AssuranceLevel.VERIFIED


def test_number_registered_meanwhile_is_refused_at_confirmation(outbox, citizen, english):
    pending = start()
    citizen.phone = PHONE
    citizen.save(update_fields=["phone"])
    with pytest.raises(services.ServiceError) as caught:
        services.confirm_citizen_registration(token=pending.token, code=code_in(outbox()[0]))
    assert "cannot be used to register" in caught.value.message_dict["id_number"][0]
    assert not User.objects.by_id_number(ID).exists()


# --- the pages ------------------------------------------------------------------------------


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "real_name": "陈小明",
        "id_number": ID,
        "phone": PHONE,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def test_pages_end_to_end_in_english(client, outbox):
    response = client.post(REGISTER, form_data(), **EN)
    assert response.status_code == 302 and response["Location"] == REGISTER
    html = client.get(REGISTER, **EN).content.decode()
    assert "138****8000" in html and PHONE not in html
    assert (
        "Enter the code from the text message" in html
        and "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    )
    # back to step 1: name and mobile are kept; the ID number is typed again (a page never
    # carries a full ID number from storage), and never the password
    html = client.get(CHANGE, **EN).content.decode()
    assert 'value="陈小明"' in html and PASSWORD not in html and ID not in html
    html = client.post(REGISTER, {"code": "12"}, **EN).content.decode()
    assert "The code is 6 digits" in html and 'href="#id_code"' in html
    right = code_in(outbox()[0])
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    html = client.post(REGISTER, {"code": wrong}, **EN).content.decode()
    assert "The code is not right" in html and "4 attempts left" in html
    html = client.post(REGISTER, {"resend": "1"}, **EN).content.decode()
    assert "seconds before asking for a new code" in html and len(outbox()) == 1
    assert not User.objects.exists()
    response = client.post(REGISTER, {"code": right}, **EN)
    assert response.status_code == 302 and response["Location"] == reverse("portal:landing")
    user = User.objects.by_id_number(ID).get()
    assert user.assurance_level == AssuranceLevel.VERIFIED
    assert client.session["_auth_user_id"] == str(user.pk)
    assert "identity is verified" in client.get(reverse("accounts:me"), **EN).content.decode()


def test_page_identity_refusal_shows_field_errors_and_writes_nothing(client, outbox):
    response = client.post(REGISTER, form_data(id_number=MISMATCH), **EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_id_number"' in html and 'href="#id_real_name"' in html
    assert "The identity service could not confirm this name and ID number" in html
    assert not PendingRegistration.objects.exists() and outbox() == []


def test_page_refusal_in_chinese(client, outbox):
    html = client.post(REGISTER, form_data(id_number=DECEASED)).content.decode()
    assert "The identity service" not in html
    assert 'href="#id_id_number"' in html


def test_a_code_without_a_pending_registration_goes_back_to_step_one(client):
    html = client.get(REGISTER, **EN).content.decode()
    assert 'name="real_name"' in html and 'name="code"' not in html
    for data in ({"code": "123456"}, {"resend": "1"}):
        response = client.post(REGISTER, data)
        assert response.status_code == 302 and response["Location"] == REGISTER
    assert not User.objects.exists()


def test_starting_again_replaces_the_earlier_registration_and_purges_stale_ones(outbox):
    first = start()
    stale = start(id_number=make_resident_id(seq=372), phone="13800138001")
    PendingRegistration.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    second = start(now=timezone.now() + timedelta(seconds=61))  # past the send interval
    assert list(PendingRegistration.objects.values_list("pk", flat=True)) == [second.pk]
    with pytest.raises(services.ServiceError):  # the first one's code no longer works
        services.confirm_citizen_registration(token=first.token, code=code_in(outbox()[0]))
