"""Lock-out an attacker cannot aim at someone else: failures count by account and source
together, a ceiling across sources spares the owner's own devices and accounts with a
second factor, and administrators hear of it once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import PASSWORD
from tongban.accounts.models import TotpDevice
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ATTACKER = "203.0.113.5"
OWNER = "198.51.100.7"


def sign_in(client, identifier, password=PASSWORD, address=ATTACKER):
    return client.post(LOGIN, {"username": identifier, "password": password}, REMOTE_ADDR=address)


def fail(client, identifier, times, address):
    for _attempt in range(times):
        sign_in(client, identifier, "not-the-password", address)


def test_an_attacker_locks_only_themselves_not_the_owner_elsewhere(client, citizen):
    fail(client, citizen.phone, 5, ATTACKER)
    # The attacker's address is locked, even with the right password.
    assert sign_in(client, citizen.phone, PASSWORD, ATTACKER).status_code == 429
    # The owner, from their own address, gets in.
    owner = type(client)()
    response = sign_in(owner, citizen.phone, PASSWORD, OWNER)
    assert response.status_code == 302
    assert owner.session.get("_auth_user_id") == str(citizen.pk)


def test_the_lockout_alert_is_raised_once_per_burst(client, citizen):
    fail(client, citizen.phone, 5, ATTACKER)
    assert AuditRecord.objects.filter(action="alert.security.lockout").count() == 1
    fail(client, citizen.phone, 7, ATTACKER)  # keeps trying while locked
    fail(client, citizen.phone, 5, "203.0.113.6")  # and from a second address
    assert AuditRecord.objects.filter(action="alert.security.lockout").count() == 1


def test_guesses_from_many_addresses_meet_a_ceiling_that_spares_the_owners_device(
    client, citizen, settings
):
    settings.TONGBAN_LOGIN_ACCOUNT_CEILING = 10
    owner = type(client)()
    assert sign_in(owner, citizen.phone, PASSWORD, OWNER).status_code == 302  # a known device
    fail(client, citizen.phone, 4, "203.0.113.1")
    fail(client, citizen.phone, 4, "203.0.113.2")
    # 8 failures: under the ceiling, a new address still gets in with the right password.
    assert sign_in(type(client)(), citizen.phone, PASSWORD, "203.0.113.3").status_code == 302
    fail(client, citizen.phone, 4, "203.0.113.4")
    fail(client, citizen.phone, 4, "203.0.113.5")
    # 16 failures, 4 per address: no address reached 5, but the account's ceiling is past.
    assert sign_in(type(client)(), citizen.phone, PASSWORD, "203.0.113.9").status_code == 429
    # The owner's own device is not aimed at.
    again = type(client)()
    assert sign_in(again, citizen.phone, PASSWORD, OWNER).status_code == 302
    assert again.session.get("_auth_user_id") == str(citizen.pk)


def test_the_ceiling_spares_an_account_with_a_second_factor(client, official_a, settings):
    settings.TONGBAN_LOGIN_ACCOUNT_CEILING = 6
    TotpDevice.objects.create(user=official_a, encrypted_secret="x", confirmed=True)
    fail(client, official_a.username, 4, "203.0.113.1")
    fail(client, official_a.username, 4, "203.0.113.2")
    response = sign_in(type(client)(), official_a.username, PASSWORD, "203.0.113.3")
    # The password step passes; the second factor is still asked for.
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:second_factor")
