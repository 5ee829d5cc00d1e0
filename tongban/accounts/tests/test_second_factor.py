"""Two factors: TOTP (RFC 6238), enrolment, the verify step, recovery codes, lock-out, and
the middleware that confines a half-signed-in session (promise P16)."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse

from conftest import PASSWORD
from tongban.accounts import second_factor as sf
from tongban.accounts import services_security as security
from tongban.accounts import totp
from tongban.accounts.models import RecoveryCode, SecondFactorLock, TotpDevice
from tongban.accounts.testing import verified_login
from tongban.core.models import AuditRecord

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fast_hashing"),
    pytest.mark.real_second_factor,
]
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:second_factor")
ENROL = reverse("accounts:enrol_totp")
SECRET = b"12345678901234567890"


# --- RFC 6238 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "code"), [(59, "287082"), (1111111109, "081804"), (2000000000, "279037")]
)
def test_rfc6238_sha1_vectors_truncated_to_six_digits(when, code):
    # RFC 6238 appendix B gives 8 digits (94287082 …); 6-digit codes are their last 6.
    assert totp.code_at(SECRET, when) == code


def test_a_code_matches_its_step_and_neighbours_but_never_twice():
    now = 1_700_000_000
    code = totp.code_at(SECRET, now)
    found = totp.match(SECRET, code, after_step=0, now=now)
    assert found is not None and found.step == now // 30
    assert totp.match(SECRET, code, after_step=found.step, now=now) is None  # replay
    assert totp.match(SECRET, totp.code_at(SECRET, now - 30), after_step=0, now=now)
    assert totp.match(SECRET, totp.code_at(SECRET, now - 90), after_step=0, now=now) is None
    assert totp.match(SECRET, "１２３", after_step=0, now=now) is None
    spaced = f"{code[:3]} {code[3:]}"
    assert totp.match(SECRET, spaced, after_step=0, now=now) is not None


def test_qr_code_is_inline_svg_and_the_secret_is_typeable():
    uri = totp.provisioning_uri(SECRET, account="official-a", issuer="Zhongshan")
    assert uri.startswith("otpauth://totp/") and "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" in uri
    svg = totp.qr_svg(uri)
    assert svg.startswith("<svg") and "<script" not in svg
    assert totp.secret_text(SECRET) == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"


# --- enrolment through the pages --------------------------------------------------------------


def _sign_in(client, user):
    return client.post(LOGIN, {"username": user.username, "password": PASSWORD})


def _pending_secret(client, user):
    token = client.session[sf.SESSION_TOTP_ENROLMENT]
    return sf.crypto.decrypt(
        "field-encryption", token, aad=f"accounts.totp-enrolment:{user.pk}".encode()
    )


def _enrol(client, user):
    page = client.get(ENROL, **EN)
    assert page.status_code == 200
    secret = _pending_secret(client, user)
    response = client.post(ENROL, {"code": totp.code_at(secret, time.time())}, **EN)
    return secret, response


def test_an_official_is_sent_to_enrol_and_can_reach_nothing_else(session_rules, client, official_a):
    response = _sign_in(client, official_a)
    assert response.status_code == 302 and response["Location"] == ENROL
    for path in (reverse("accounts:me"), "/admin/", "/manage/catalog/import/", "/"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked["Location"].startswith(ENROL), path
    api = client.get("/api/items")
    assert api.status_code == 401 and api["Content-Type"] == "application/problem+json"
    page = client.get(ENROL, **EN).content.decode()
    assert "<svg" in page and "Set up an authenticator app" in page
    assert re.search(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", page)  # the secret for typing
    assert "<script>" not in page  # no inline script (CSP script-src 'self')


def test_enrolment_with_a_first_code_gives_ten_recovery_codes_once(
    session_rules, client, official_a
):
    _sign_in(client, official_a)
    secret, response = _enrol(client, official_a)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    codes = re.findall(
        r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", response.content.decode()
    )
    assert len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=official_a).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashed, never in clear
    device = TotpDevice.objects.get(user=official_a)
    assert device.confirmed and SECRET.hex() not in device.encrypted_secret
    assert sf.decrypt_totp_secret(device) == secret
    assert client.get(reverse("accounts:me")).status_code == 200  # verified now
    record = AuditRecord.objects.get(action="accounts.second_factor.enrol")
    assert record.meta == {"kind": "totp", "recovery_codes": 10}


def test_a_wrong_first_code_is_refused_and_names_the_field(session_rules, client, official_a):
    _sign_in(client, official_a)
    client.get(ENROL)
    response = client.post(ENROL, {"code": "000000"}, **EN)
    assert response.status_code == 400
    assert 'href="#id_code"' in response.content.decode()
    assert not TotpDevice.objects.filter(user=official_a).exists()


def _enrolled(user, secret=SECRET):
    TotpDevice.objects.create(
        user=user, encrypted_secret=sf.encrypt_totp_secret(user.pk, secret), confirmed=True
    )


def test_with_a_factor_the_password_leads_to_the_verify_step(session_rules, client, official_a):
    _enrolled(official_a)
    response = client.post(
        LOGIN, {"username": official_a.username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == VERIFY
    assert client.get(ENROL)["Location"] == VERIFY  # no second enrolment with a password only
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    response = client.post(VERIFY, {"code": totp.code_at(SECRET, time.time())})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get(reverse("accounts:me")).status_code == 200
    assert AuditRecord.objects.filter(action="accounts.second_factor.verify").count() == 1


def test_the_session_key_changes_at_the_second_factor(session_rules, client, official_a):
    _enrolled(official_a)
    _sign_in(client, official_a)
    before = client.session.session_key
    client.post(VERIFY, {"code": totp.code_at(SECRET, time.time())})
    after = client.session.session_key
    assert after != before
    assert list(official_a.account_sessions.values_list("session_key", flat=True)) == [after]


def test_five_wrong_codes_lock_the_second_factor_for_fifteen_minutes(
    session_rules, client, official_a
):
    _enrolled(official_a)
    _sign_in(client, official_a)
    for _ in range(4):
        assert client.post(VERIFY, {"code": "000000"}, **EN).status_code == 400
    locked = client.post(VERIFY, {"code": "000000"}, **EN)
    assert locked.status_code == 400  # the fifth is still answered as wrong …
    right = totp.code_at(SECRET, time.time())
    refused = client.post(VERIFY, {"code": right}, **EN)  # … then even a right code waits
    assert refused.status_code == 429 and "Second factor paused" in refused.content.decode()
    lock = SecondFactorLock.objects.get(user=official_a)
    assert lock.failures == 5
    assert 14 * 60 < (lock.locked_until - lock.last_failure_at).total_seconds() <= 15 * 60
    assert client.get(reverse("accounts:me"))["Location"].startswith(VERIFY)
    fails = AuditRecord.objects.filter(action="accounts.second_factor.fail")
    assert fails.count() == 5 and fails.order_by("seq").last().meta["locked_minutes"] == 15


def test_a_lock_expires_and_success_resets_the_count(official_a):
    _enrolled(official_a)
    for _ in range(5):
        security.verify_second_factor(official_a, "totp", {"code": "000000"})
    SecondFactorLock.objects.filter(user=official_a).update(locked_until=time_ago(1))
    code = totp.code_at(SECRET, time.time())
    assert security.verify_second_factor(official_a, "totp", {"code": code})
    assert SecondFactorLock.objects.get(user=official_a).failures == 0


def time_ago(seconds: int):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() - timedelta(seconds=seconds)


def test_the_security_administrator_can_unlock(official_a, official_b):
    from tongban.accounts.models import Role, RoleAssignment, User

    _enrolled(official_a)
    for _ in range(5):
        security.verify_second_factor(official_a, "totp", {"code": "000000"})
    with pytest.raises(security.SecondFactorLocked):
        security.verify_second_factor(official_a, "totp", {"code": "000000"})
    with pytest.raises(security.PermissionDenied):
        security.unlock_second_factor(official_a, actor=official_b)
    RoleAssignment.objects.create(user=official_b, role=Role.SECURITY_ADMIN)
    security.unlock_second_factor(official_a, actor=User.objects.get(pk=official_b.pk))
    assert security.locked_until(official_a) is None


def test_a_recovery_code_works_once(session_rules, client, official_a):
    _enrolled(official_a)
    codes = security._new_recovery_codes(official_a)
    _sign_in(client, official_a)
    url = reverse("accounts:second_factor_recovery")
    response = client.post(url, {"code": codes[0].upper().replace("-", " ")})
    assert response.status_code == 302
    assert client.get(reverse("accounts:me")).status_code == 200
    client.post(reverse("accounts:logout"))
    _sign_in(client, official_a)
    assert client.post(url, {"code": codes[0]}, **EN).status_code == 400
    assert client.post(url, {"code": codes[1]}).status_code == 302
    assert RecoveryCode.objects.filter(user=official_a, used_at__isnull=True).count() == 8


def test_citizens_without_a_factor_go_straight_in(session_rules, client, citizen):
    response = _sign_in(client, citizen)
    assert response["Location"] == reverse("portal:landing")
    assert client.get(reverse("accounts:me")).status_code == 200


def test_a_citizen_may_turn_two_factors_on_and_off(session_rules, client, citizen):
    _sign_in(client, citizen)
    assert (
        "Two-factor sign-in is off"
        in client.get(reverse("accounts:security"), **EN).content.decode()
    )
    _secret, response = _enrol(client, citizen)
    assert response.status_code == 200  # the recovery codes
    client.post(reverse("accounts:logout"))
    assert _sign_in(client, citizen)["Location"] == VERIFY  # now asked for the code
    verified_login(client, citizen)
    response = client.post(reverse("accounts:remove_totp"))
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(user=citizen).exists()
    assert not RecoveryCode.objects.filter(user=citizen).exists()


def test_an_official_cannot_remove_the_last_factor(official_a, english):
    _enrolled(official_a)
    with pytest.raises(security.ServiceError) as caught:
        security.remove_totp(official_a, actor=official_a)
    assert "at least one second factor" in str(caught.value.message_dict["factor"][0])
    assert TotpDevice.objects.filter(user=official_a).exists()


def test_enrolling_over_a_factor_needs_that_factor_first(official_a):
    _enrolled(official_a)
    code = totp.code_at(b"x" * 20, time.time())
    with pytest.raises(security.PermissionDenied):
        security.enrol_totp(
            official_a, secret=b"x" * 20, code=code, actor=official_a, session_verified=False
        )


def test_the_admin_login_also_needs_the_second_factor(session_rules, client, admin_user):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin_user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/admin/")["Location"].startswith(ENROL)
    verified_login(client, admin_user)
    assert client.get("/admin/").status_code == 200


def test_a_password_sign_in_asks_again_even_in_a_verified_session(
    session_rules, client, official_a
):
    _enrolled(official_a)
    verified_login(client, official_a)
    assert client.get(reverse("accounts:me")).status_code == 200
    client.force_login(official_a)  # any password sign-in (admin's, ours) clears the mark
    assert client.get(reverse("accounts:me"))["Location"].startswith(VERIFY)


def test_the_sm2_ukey_provider_is_a_documented_stub():
    provider = sf.Sm2CertificateProvider()
    assert provider.cryptographic and "sm2-certificate" not in sf.PROVIDERS
    with pytest.raises(NotImplementedError):
        provider.verify(None, {})  # type: ignore[arg-type]
    assert sf.PROVIDERS["webauthn"].cryptographic and not sf.PROVIDERS["totp"].cryptographic
