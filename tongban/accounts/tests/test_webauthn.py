"""WebAuthn / FIDO2 security keys, server side, against a software authenticator."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from conftest import PASSWORD
from tongban.accounts import second_factor as sf
from tongban.accounts import services_security as security
from tongban.accounts.models import RecoveryCode, SecurityKey
from tongban.accounts.testing import verified_login
from tongban.accounts.tests.webauthn_fake import SoftAuthenticator

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fast_hashing"),
    pytest.mark.real_second_factor,
]
ORIGIN = "http://localhost:8000"
HOST = {"HTTP_HOST": "localhost:8000", "HTTP_ACCEPT_LANGUAGE": "en"}


def _register(user, authenticator, *, origin=ORIGIN, rp_id=None):
    challenge = sf.registration_challenge(user, rp_id="localhost")
    response = authenticator.register(challenge.public["options"], origin=origin, rp_id=rp_id)
    return sf.check_registration(response, state=challenge.state, rp_id="localhost", origin=origin)


def _store(user, authenticator):
    new_key = _register(user, authenticator)
    assert new_key is not None
    key, codes = security.add_security_key(
        user, name="blue key", key=new_key, actor=user, session_verified=True
    )
    return key, codes


def _assertion(user, authenticator, **kwargs):
    challenge = sf.get_provider("webauthn").challenge(user, rp_id="localhost")
    response = authenticator.assert_(challenge.public["options"], **kwargs)
    return challenge.state, response


def test_registration_stores_the_credential_and_first_codes(official_a):
    authenticator = SoftAuthenticator()
    key, codes = _store(official_a, authenticator)
    assert key.sign_count == 0 and key.transports == "usb"
    assert len(codes) == 10 and RecoveryCode.objects.filter(user=official_a).count() == 10
    assert sf.factor_summary(official_a).keys == 1


@pytest.mark.parametrize(
    "tamper",
    [
        {"origin": "http://evil.example:8000"},
        {"rp_id": "evil.example"},
        {"origin": "http://127.0.0.1:8000"},
    ],
    ids=["foreign-origin", "foreign-rp-id", "ip-address-origin"],
)
def test_a_registration_for_another_site_is_refused(official_a, tamper):
    assert _register(official_a, SoftAuthenticator(), **tamper) is None


def test_a_registration_with_a_stale_or_missing_challenge_is_refused(official_a):
    challenge = sf.registration_challenge(official_a, rp_id="localhost")
    response = SoftAuthenticator().register(challenge.public["options"])
    stale = {**challenge.state, "at": challenge.state["at"] - sf.CHALLENGE_SECONDS - 1}
    assert sf.check_registration(response, state=stale, rp_id="localhost", origin=ORIGIN) is None
    assert sf.check_registration(response, state=None, rp_id="localhost", origin=ORIGIN) is None
    assert sf.check_registration("{not json", state=challenge.state, rp_id="localhost",
                                 origin=ORIGIN) is None  # fmt: skip


def test_the_same_key_cannot_be_registered_twice(official_a, english):
    authenticator = SoftAuthenticator()
    _store(official_a, authenticator)
    again = _register(official_a, authenticator)
    with pytest.raises(security.ServiceError) as caught:
        security.add_security_key(
            official_a, name="again", key=again, actor=official_a, session_verified=True
        )
    assert "already registered" in str(caught.value.message_dict["name"][0])


def test_an_assertion_signs_in_and_advances_the_counter(official_a):
    authenticator = SoftAuthenticator()
    key, _codes = _store(official_a, authenticator)
    state, response = _assertion(official_a, authenticator)
    assert security.verify_second_factor(
        official_a, "webauthn", {"credential": response}, state=state,
        rp_id="localhost", origin=ORIGIN,
    )  # fmt: skip
    key.refresh_from_db()
    assert key.sign_count == 1 and key.last_used_at is not None


@pytest.mark.parametrize("case", ["replayed", "counter-went-back", "other-key", "wrong-origin"])
def test_bad_assertions_are_refused_and_counted(official_a, case):
    authenticator = SoftAuthenticator()
    _store(official_a, authenticator)
    state, response = _assertion(official_a, authenticator)
    origin = ORIGIN
    if case == "replayed":
        assert security.verify_second_factor(
            official_a, "webauthn", {"credential": response}, state=state,
            rp_id="localhost", origin=ORIGIN,
        )  # fmt: skip
        # the same response again: the counter did not move, so it is refused
    elif case == "counter-went-back":
        authenticator.sign_count = 5
        state, first = _assertion(official_a, authenticator, count=5)
        security.verify_second_factor(official_a, "webauthn", {"credential": first}, state=state,
                                      rp_id="localhost", origin=ORIGIN)  # fmt: skip
        state, response = _assertion(official_a, authenticator, count=3)  # a cloned key
    elif case == "other-key":
        intruder = SoftAuthenticator(credential_id=authenticator.credential_id)
        state, response = _assertion(official_a, intruder)
    else:
        origin = "http://evil.localhost.example:8000"
    assert not security.verify_second_factor(
        official_a, "webauthn", {"credential": response}, state=state,
        rp_id="localhost", origin=origin,
    )  # fmt: skip
    assert security.SecondFactorLock.objects.get(user=official_a).failures == 1


def test_allowed_origins():
    assert sf.allowed_origin("http://localhost:8000", "localhost")
    assert sf.allowed_origin("https://zwfw.zs.gov.cn", "zs.gov.cn")
    assert not sf.allowed_origin("http://zwfw.zs.gov.cn", "zs.gov.cn")  # https only
    assert not sf.allowed_origin("https://zs.gov.cn.evil.cn", "zs.gov.cn")
    with override_settings(TONGBAN_WEBAUTHN_ORIGINS=["https://a.example"]):
        assert sf.allowed_origin("https://a.example", "a.example")
        assert not sf.allowed_origin("https://b.a.example", "a.example")


# --- the pages -----------------------------------------------------------------------------------


def _options(html: str) -> dict:
    start = html.index('id="webauthn-options"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


def test_pages_register_a_key_and_then_sign_in_with_it(session_rules, client, official_a):
    client.post(reverse("accounts:login"), {"username": official_a.username,
                                            "password": PASSWORD})  # fmt: skip
    page = client.get(reverse("accounts:add_security_key"), **HOST)
    html = page.content.decode()
    assert page.status_code == 200 and 'src="/static/accounts/webauthn.js"' in html
    assert "<script>" not in html  # only the JSON data block and the external file
    authenticator = SoftAuthenticator()
    credential = authenticator.register(_options(html))
    response = client.post(reverse("accounts:add_security_key"),
                           {"name": "blue key", "credential": credential}, **HOST)  # fmt: skip
    assert response.status_code == 200 and "recovery codes" in response.content.decode().lower()
    assert SecurityKey.objects.filter(user=official_a).count() == 1
    client.post(reverse("accounts:logout"))

    client.post(reverse("accounts:login"), {"username": official_a.username,
                                            "password": PASSWORD})  # fmt: skip
    html = client.get(reverse("accounts:second_factor"), **HOST).content.decode()
    assertion = authenticator.assert_(_options(html))
    response = client.post(reverse("accounts:second_factor_key"), {"credential": assertion},
                           **HOST)  # fmt: skip
    assert response.status_code == 302 and response["Location"] == reverse("portal:landing")
    assert client.get(reverse("accounts:me"), **HOST).status_code == 200


def test_a_key_page_on_an_ip_address_is_refused_with_a_message(session_rules, client, citizen):
    verified_login(client, citizen)
    page = client.get(reverse("accounts:add_security_key"), HTTP_HOST="127.0.0.1:8000")
    credential = SoftAuthenticator(origin="http://127.0.0.1:8000").register(
        _options(page.content.decode())
    )
    response = client.post(
        reverse("accounts:add_security_key"),
        {"name": "blue key", "credential": credential},
        HTTP_HOST="127.0.0.1:8000",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "not an IP address" in response.content.decode()
    assert not SecurityKey.objects.exists()
