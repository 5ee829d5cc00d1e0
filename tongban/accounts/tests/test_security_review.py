"""Fixes from the security review of accounts: one identifier lookup, no personal data in
django-axes, no self-registration as agent, no account enumeration, races, id overflow."""

from __future__ import annotations

import threading

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import connections
from django.urls import reverse
from django.utils import translation

from conftest import PASSWORD, make_resident_id, make_uscc
from tongban.accounts import queries, services
from tongban.accounts.models import MemberRole, Organisation, OrganisationMember, User
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HUGE = "9999999999999999999999999"
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.fixture(autouse=True)
def english():
    """Service messages are checked in English here; pages ask for English with EN."""
    with translation.override("en"):
        yield


def sign_in(client, identifier, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": identifier, "password": password}, **extra)


@pytest.fixture
def registered():
    """A citizen registered the way people type: spaces in the mobile number."""
    return services.register_citizen(
        real_name="李四",
        id_number=make_resident_id(seq=457).lower(),
        phone="139 0760 1001",
        password=PASSWORD,
    )


# --- 1. One lookup, normalised as at registration ------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "139 0760 1001",
        "+86 13907601001",
        "+86 139-0760-1001",
        " 13907601001 ",
        "13907601001".translate(FULLWIDTH),
    ],
)
def test_sign_in_with_the_mobile_number_written_as_at_registration(client, registered, written):
    response = sign_in(client, written)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(registered.pk)


def test_sign_in_with_a_fullwidth_id_number(client, registered):
    response = sign_in(client, registered.id_number.translate(FULLWIDTH))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(registered.pk)


def test_find_account_precedence_id_number_then_mobile_then_username(citizen, other_citizen):
    # An account whose username is another person's mobile number or ID number never
    # captures their sign-in: ID number first, then mobile number, then username.
    User.objects.create_user(username=citizen.phone, password=PASSWORD)
    User.objects.create_user(username=other_citizen.id_number, password=PASSWORD)
    assert queries.find_account(citizen.phone) == citizen
    assert queries.find_account(other_citizen.id_number.lower()) == other_citizen
    assert queries.find_account(citizen.username) == citizen
    assert queries.find_account("+86 " + other_citizen.phone) == other_citizen
    assert queries.find_account("13000000000") is None
    assert queries.find_account("   ") is None
    # a username shaped like a mobile number still works when no one has that number
    lonely = User.objects.create_user(username="13600000000", password=PASSWORD)
    assert queries.find_account("13600000000") == lonely


def test_the_backend_uses_the_same_lookup(rf, registered):
    from django.contrib.auth import authenticate

    user = authenticate(rf.post(LOGIN), username="+86 139 0760 1001", password=PASSWORD)
    assert user == registered


def test_failures_with_differently_written_numbers_count_together(client, registered):
    for written in ["139 0760 1001", "+86 13907601001", "13907601001", registered.username]:
        assert sign_in(client, written, "wrong").status_code == 200
    assert sign_in(client, "139-0760-1001", "wrong").status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == 5


# --- 2. django-axes never stores an ID number or mobile number ------------------------------


def _axes_text() -> str:
    rows = [*AccessAttempt.objects.all(), *AccessLog.objects.all(), *AccessFailureLog.objects.all()]
    return "\n".join(
        str(getattr(row, field.attname)) for row in rows for field in row._meta.concrete_fields
    )


def test_no_id_number_or_mobile_number_in_axes_rows(client, citizen):
    unknown_id = make_resident_id(seq=777)
    tried = [
        unknown_id,
        unknown_id.lower(),
        "13000000000",
        "+86 130 0000 0001",
        citizen.id_number,
        citizen.phone,
        citizen.id_number[:17] + "0",  # a mistyped ID number is personal data too
    ]
    for identifier in tried:
        assert sign_in(client, identifier, "wrong").status_code == 200
    assert sign_in(client, citizen.phone, PASSWORD).status_code == 302  # AccessLog row
    text = _axes_text()
    assert AccessAttempt.objects.exists() and AccessLog.objects.exists()
    for identifier in [*tried, "13000000001", unknown_id.upper()]:
        assert identifier.strip() not in text
    assert citizen.phone[-8:] not in text and unknown_id[6:14] not in text
    names = set(AccessAttempt.objects.values_list("username", flat=True))
    assert citizen.username not in names  # reset on success
    assert all(name.startswith("unknown:") and len(name) == 24 for name in names)


def test_failures_for_one_unknown_identifier_still_count_together(client):
    unknown_id = make_resident_id(seq=779)
    for written in [unknown_id, unknown_id.lower(), unknown_id, unknown_id.translate(FULLWIDTH)]:
        assert sign_in(client, written, "wrong").status_code == 200
    assert sign_in(client, unknown_id, "wrong").status_code == 429
    assert AccessAttempt.objects.count() == 1
    # and another unknown identifier is counted apart
    assert sign_in(client, "13000000000", "wrong").status_code == 200


def test_the_stand_in_depends_on_the_secret_key(settings):
    # A real KEK: the development KEK derives from SECRET_KEY, and with it every key
    # (the digest key that looks accounts up included) would stop unwrapping.
    settings.TONGBAN_KEK = "8f" * 32
    first = queries.login_name_for("13000000000")
    assert first == queries.login_name_for("+86 130-0000-0000")
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert queries.login_name_for("13000000000") not in (first, "13000000000")


def test_axes_username_callable_masks_the_admin_login_too(client, citizen, settings):
    """With AXES_USERNAME_CALLABLE set (asked of the lead), every login form is covered."""
    settings.AXES_USERNAME_CALLABLE = "tongban.accounts.backends.axes_username"
    unknown_id = make_resident_id(seq=781)
    for identifier in [unknown_id, citizen.id_number]:
        response = client.post(
            reverse("admin:login"), {"username": identifier, "password": "wrong"}
        )
        assert response.status_code == 200
    text = _axes_text()
    assert unknown_id not in text and citizen.id_number not in text
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {
        citizen.username,
        queries.login_name_for(unknown_id),
    }


def test_recommended_lockout_also_per_account_across_addresses(client, citizen, settings):
    """Guesses spread over many addresses lock the account (the setting asked of the lead)."""
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["username"]]
    for n in range(5):
        sign_in(client, citizen.phone, "wrong", REMOTE_ADDR=f"203.0.113.{n + 1}")
    locked = sign_in(client, citizen.id_number, PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert locked.status_code == 429
    assert client.session.get("_auth_user_id") is None


def test_current_lockout_setting_lets_spread_guesses_through(client, citizen, settings):
    """Documents why the change is asked for: per username+address only, it does not lock."""
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
    for n in range(5):
        sign_in(client, citizen.phone, "wrong", REMOTE_ADDR=f"203.0.113.{n + 1}")
    assert sign_in(client, citizen.phone, PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


# --- 3. Self-registration of a business only as its legal representative -------------------


def business_data(user, **overrides):
    data = {
        "uscc": make_uscc("91442000MA5X7777"),
        "name": "中山市示例贸易有限公司",
        "org_type": "2",
        "legal_representative": user.real_name,
        "address": "",
    }
    data.update(overrides)
    return data


def test_cannot_claim_a_business_as_agent_through_the_page(client, citizen):
    client.force_login(citizen)
    data = business_data(citizen, legal_representative="别人", acting_as=MemberRole.AGENT)
    response = client.post(reverse("accounts:register_business"), data, **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_legal_representative"' in html
    assert "Only the legal representative can add a business" in html
    assert not Organisation.objects.exists() and not OrganisationMember.objects.exists()


def test_cannot_claim_a_business_as_agent_through_the_service(citizen):
    with pytest.raises(services.ServiceError) as caught:
        services.register_organisation(
            user=citizen, **business_data(citizen, legal_representative="别人")
        )
    assert list(caught.value.message_dict) == ["legal_representative"]
    assert not Organisation.objects.exists()


def test_self_registration_makes_the_legal_representative(client, citizen):
    client.force_login(citizen)
    html = client.get(reverse("accounts:register_business"), **EN).content.decode()
    assert 'name="acting_as"' not in html
    assert "legal representative" in html and "add you as an agent" in html
    response = client.post(reverse("accounts:register_business"), business_data(citizen))
    assert response.status_code == 302
    member = OrganisationMember.objects.get()
    assert (member.user, member.role) == (citizen, MemberRole.LEGAL_REPRESENTATIVE)
    audit = AuditRecord.objects.get(action="accounts.organisation.register")
    assert audit.meta["role"] == MemberRole.LEGAL_REPRESENTATIVE


# --- 4. No account enumeration --------------------------------------------------------------


def test_registration_refuses_a_taken_id_number_and_mobile_generically(citizen):
    with pytest.raises(services.ServiceError) as caught:
        services.register_citizen(
            real_name="张三", id_number=citizen.id_number, phone=citizen.phone, password=PASSWORD
        )
    messages = caught.value.message_dict
    assert messages["id_number"] == [
        "This ID number cannot be used to register. If you already have an account, sign in, "
        "or reset it at a service hall or through the 12345 hotline."
    ]
    assert messages["phone"] == [
        "This mobile number cannot be used to register. If you already have an account, "
        "sign in, or reset it at a service hall or through the 12345 hotline."
    ]


@pytest.fixture
def business(citizen):
    org = Organisation.objects.create(**business_data(citizen))
    OrganisationMember.objects.create(
        organisation=org, user=citizen, role=MemberRole.LEGAL_REPRESENTATIVE
    )
    return org


def test_add_agent_says_the_same_for_unregistered_and_unaddable_people(
    citizen, business, official_a
):
    official_a.id_number = make_resident_id(seq=901)
    official_a.save()
    gone = services.register_citizen(
        real_name="赵六",
        id_number=make_resident_id(seq=903),
        phone="13912340003",
        password=PASSWORD,
    )
    gone.is_active = False
    gone.save()
    said = set()
    for number in [make_resident_id(seq=999), official_a.id_number, gone.id_number]:
        with pytest.raises(services.ServiceError) as caught:
            services.add_agent(business, id_number=number, actor=citizen)
        said.add(tuple(caught.value.message_dict["id_number"]))
    assert len(said) == 1
    (message,) = said.pop()
    assert "cannot be added" in message and "register" not in message.lower()
    assert not OrganisationMember.objects.filter(role=MemberRole.AGENT).exists()


def test_add_agent_page_does_not_say_whether_someone_is_registered(client, citizen, business):
    client.force_login(citizen)
    url = reverse("accounts:add_agent", args=[business.pk])
    html = client.post(url, {"id_number": make_resident_id(seq=999)}, **EN).content.decode()
    assert 'href="#id_id_number"' in html and "cannot be added as an agent" in html
    assert "No registered citizen" not in html


# --- 5. Adding the same agent twice, also in a race ----------------------------------------


def test_adding_the_same_agent_twice_is_a_clear_error(citizen, other_citizen, business):
    services.add_agent(business, id_number=other_citizen.id_number, actor=citizen)
    audits = AuditRecord.objects.count()
    with pytest.raises(services.ServiceError) as caught:
        services.add_agent(business, id_number=other_citizen.id_number, actor=citizen)
    assert caught.value.message_dict["id_number"] == [
        "This person is already an agent of the business."
    ]
    assert AuditRecord.objects.count() == audits


def test_a_concurrent_add_of_the_same_agent_is_a_clear_error(
    client, citizen, other_citizen, business, monkeypatch
):
    services.add_agent(business, id_number=other_citizen.id_number, actor=citizen)
    # The second request checked before the first one committed: it sees no membership.
    monkeypatch.setattr(services, "_membership", lambda org, user: None)
    client.force_login(citizen)  # signing in is audited too: before counting
    audits = AuditRecord.objects.count()
    with pytest.raises(services.ServiceError) as caught:
        services.add_agent(business, id_number=other_citizen.id_number, actor=citizen)
    assert caught.value.message_dict["id_number"] == [
        "This person is already an agent of the business."
    ]
    url = reverse("accounts:add_agent", args=[business.pk])
    response = client.post(url, {"id_number": other_citizen.id_number}, **EN)
    assert response.status_code == 200
    assert "already an agent" in response.content.decode()
    assert AuditRecord.objects.count() == audits
    assert OrganisationMember.objects.filter(user=other_citizen).count() == 1


# --- 6. Ids out of range are 404, not 500 ---------------------------------------------------


def test_huge_business_ids_are_not_found(client, citizen, business):
    client.force_login(citizen)
    assert client.get(f"/accounts/business/{HUGE}/").status_code == 404
    assert client.post(f"/accounts/business/{HUGE}/agents/", {"id_number": "x"}).status_code == 404
    assert client.get(f"/accounts/business/{2**63}/").status_code == 404
    remove = f"/accounts/business/{business.pk}/agents/{HUGE}/remove/"
    assert client.post(remove).status_code == 404
    assert client.post(f"/accounts/business/{HUGE}/agents/{citizen.pk}/remove/").status_code == 404
    assert client.get(f"/accounts/business/{business.pk}/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_adds_of_the_same_agent(citizen, other_citizen, business, monkeypatch):
    """A real race on PostgreSQL: both requests pass the check before either inserts.

    SQLite takes the write lock at BEGIN (IMMEDIATE), so there the calls queue and the
    second sees the first one's row; either way one succeeds and the other is a clear error.
    """
    from django.db import connection

    racing = connection.vendor == "postgresql"
    barrier = threading.Barrier(2, timeout=10)
    real_membership = services._membership

    def membership_then_wait(org, user):
        found = real_membership(org, user)
        if racing:
            barrier.wait()
        return found

    monkeypatch.setattr(services, "_membership", membership_then_wait)
    outcomes: list[object] = []

    def add() -> None:
        with translation.override("en"):  # the active language is per thread
            try:
                services.add_agent(business, id_number=other_citizen.id_number, actor=citizen)
                outcomes.append("added")
            except services.ServiceError as error:
                outcomes.append(error.message_dict["id_number"])
            except Exception as error:  # the test reports any other outcome
                outcomes.append(error)
            finally:
                connections.close_all()

    threads = [threading.Thread(target=add) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=str) == [
        ["This person is already an agent of the business."],
        "added",
    ]
    assert OrganisationMember.objects.filter(user=other_citizen).count() == 1
    assert AuditRecord.objects.filter(action="accounts.organisation.agent_add").count() == 1
