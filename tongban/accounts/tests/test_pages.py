"""Registration pages, the business pages and the personal space, in both languages."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from conftest import PASSWORD, make_resident_id, make_uscc
from tongban.accounts import services
from tongban.accounts.models import (
    AssuranceLevel,
    MemberRole,
    Organisation,
    OrganisationMember,
    User,
)

pytestmark = pytest.mark.django_db

REGISTER = reverse("accounts:register")
REGISTER_BUSINESS = reverse("accounts:register_business")
ME = reverse("accounts:me")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def sent_sms(var_dir):
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((var_dir / "outbox" / "sms").glob("*.json"))
    ]


def citizen_data(**overrides):
    data = {
        "real_name": "张三",
        "id_number": make_resident_id(seq=357),
        "phone": "13912345678",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def test_register_page_in_english_has_english_labels_and_says_identity_is_checked(client):
    html = client.get(REGISTER, **EN).content.decode()
    for label in ("Full name", "Resident ID number", "Mobile number", "Create a password"):
        assert label in html
    assert "public identity service" in html and "Step 1 of 2" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_register_page_in_chinese_by_default(client):
    html = client.get(REGISTER).content.decode()
    assert 'lang="zh-Hans"' in html
    assert "公民身份号码" in html
    assert "Resident ID number" not in html


def test_language_cookie_selects_english(client):
    client.cookies["django_language"] = "en"
    assert "Resident ID number" in client.get(REGISTER).content.decode()


def test_register_creates_account_signs_in_and_shows_masked_space(client, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the fake SMS gateway's outbox
    response = client.post(REGISTER, citizen_data(), **EN)
    assert response.status_code == 302 and response["Location"] == REGISTER
    assert not User.objects.exists()  # not before the code from the text message
    (message,) = sent_sms(tmp_path)
    code = re.search(r"\b(\d{6})\b", message["text"]).group(1)
    response = client.post(REGISTER, {"code": code}, **EN)
    assert response.status_code == 302 and response["Location"] == reverse("portal:landing")
    user = User.objects.by_phone("13912345678").get()
    assert user.assurance_level == AssuranceLevel.VERIFIED
    assert client.session["_auth_user_id"] == str(user.pk)
    html = client.get(ME, **EN).content.decode()
    assert user.username in html  # the message tells the generated username
    assert user.masked_id_number in html
    assert user.id_number not in html


def test_register_errors_in_english_keep_values_and_write_nothing(client, citizen):
    bad_id = make_resident_id(seq=357)
    bad_id = bad_id[:17] + ("0" if bad_id[17] != "0" else "1")
    before = User.objects.count()
    response = client.post(
        REGISTER,
        citizen_data(id_number=bad_id, phone=citizen.phone, password_confirm="different-42"),
        **EN,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert User.objects.count() == before
    assert "There is a problem" in html
    # every problem at once: the form's own check and the service's rules
    for field in ("id_number", "phone", "password_confirm"):
        assert f'href="#id_{field}"' in html
    assert "The two passwords are not the same." in html
    assert "The check character of the ID number is wrong" in html
    assert 'aria-describedby="id_id_number_helptext id_id_number-error"' in html
    assert 'id="id_id_number-error"' in html
    assert f'value="{bad_id}"' in html and 'value="张三"' in html
    assert PASSWORD not in html  # passwords are not sent back


def test_service_errors_appear_beside_their_fields(client, citizen):
    bad_id = make_resident_id(seq=357)
    bad_id = bad_id[:17] + ("0" if bad_id[17] != "0" else "1")
    html = client.post(
        REGISTER, citizen_data(id_number=bad_id, phone=citizen.phone), **EN
    ).content.decode()
    assert 'href="#id_id_number"' in html and 'href="#id_phone"' in html
    assert "The check character of the ID number is wrong" in html
    assert "This mobile number cannot be used to register" in html
    assert html.count("tb-form-group--error") == 2


def test_weak_password_error_in_english(client):
    html = client.post(
        REGISTER, citizen_data(password="12345678", password_confirm="12345678"), **EN
    ).content.decode()
    assert 'href="#id_password"' in html
    assert "entirely numeric" in html
    assert not User.objects.exists()


def test_register_errors_in_chinese(client):
    html = client.post(REGISTER, citizen_data(phone="123", password_confirm="x")).content.decode()
    assert "两次输入的密码不一致" in html
    assert "The two passwords are not the same." not in html


def test_personal_space_requires_login(client):
    response = client.get(ME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_personal_space_shows_only_masked_identifiers_and_empty_states(client, citizen):
    client.force_login(citizen)
    html = client.get(ME, **EN).content.decode()
    assert citizen.id_number not in html
    assert citizen.phone not in html
    assert citizen.masked_id_number in html and citizen.masked_phone in html
    for section in ("My applications", "My licences", "My messages", "My businesses"):
        assert section in html
    assert "When you apply for a service, your applications" in html
    assert 'href="/"' in html


def test_personal_space_is_the_viewers_own(client, citizen, other_citizen):
    client.force_login(other_citizen)
    html = client.get(ME).content.decode()
    assert other_citizen.masked_id_number in html
    assert citizen.masked_id_number not in html
    assert citizen.real_name not in html


def business_data(user, **overrides):
    data = {
        "uscc": make_uscc("91442000MA5X1234"),
        "name": "中山市示例科技有限公司",
        "org_type": "2",
        "legal_representative": user.real_name,
        "address": "",
    }
    data.update(overrides)
    return data


def test_register_business_requires_login(client):
    response = client.get(REGISTER_BUSINESS)
    assert response.status_code == 302


def test_register_business_page_and_success(client, citizen):
    client.force_login(citizen)
    html = client.get(REGISTER_BUSINESS, **EN).content.decode()
    assert "Unified social credit code" in html and "Name of the legal representative" in html
    response = client.post(REGISTER_BUSINESS, business_data(citizen))
    org = Organisation.objects.get()
    assert response["Location"] == reverse("accounts:business", args=[org.pk])
    html = client.get(ME).content.decode()
    assert org.name in html


def test_register_business_bad_uscc_in_english(client, citizen):
    client.force_login(citizen)
    html = client.post(
        REGISTER_BUSINESS, business_data(citizen, uscc="91442000MA5X12"), **EN
    ).content.decode()
    assert 'href="#id_uscc"' in html
    assert "A unified social credit code has 18 characters" in html
    assert 'value="91442000MA5X12"' in html
    assert not Organisation.objects.exists()


def test_register_business_missing_name_links_to_its_field(client, citizen):
    client.force_login(citizen)
    data = business_data(citizen, legal_representative="")
    html = client.post(REGISTER_BUSINESS, data, **EN).content.decode()
    assert 'href="#id_legal_representative"' in html
    assert "Enter the name of the legal representative." in html
    assert not Organisation.objects.exists()


def test_officials_cannot_register_a_business(client, official_a):
    client.force_login(official_a)
    assert client.get(REGISTER_BUSINESS).status_code == 403


@pytest.fixture
def business(citizen):
    return services.register_organisation(**business_data(citizen), user=citizen)


def test_legal_representative_adds_and_removes_an_agent_through_pages(
    client, citizen, other_citizen, business
):
    client.force_login(citizen)
    url = reverse("accounts:add_agent", args=[business.pk])
    response = client.post(url, {"id_number": other_citizen.id_number})
    assert response.status_code == 302
    member = OrganisationMember.objects.get(organisation=business, user=other_citizen)
    assert member.role == MemberRole.AGENT and member.is_active
    html = client.get(reverse("accounts:business", args=[business.pk])).content.decode()
    assert other_citizen.masked_id_number in html and other_citizen.id_number not in html
    remove = reverse("accounts:remove_agent", args=[business.pk, other_citizen.pk])
    assert client.post(remove).status_code == 302
    member.refresh_from_db()
    assert member.is_active is False


def test_add_agent_unknown_person_shows_field_error(client, citizen, business):
    client.force_login(citizen)
    url = reverse("accounts:add_agent", args=[business.pk])
    html = client.post(url, {"id_number": make_resident_id(seq=999)}, **EN).content.decode()
    assert 'href="#id_id_number"' in html and "cannot be added as an agent" in html


def test_agent_cannot_add_agents_through_pages(client, citizen, other_citizen, business):
    services.add_agent(business, id_number=other_citizen.id_number, actor=citizen)
    third = services.register_citizen(
        real_name="王五",
        id_number=make_resident_id(seq=361),
        phone="13912340000",
        password=PASSWORD,
    )
    client.force_login(other_citizen)
    html = client.get(reverse("accounts:business", args=[business.pk]), **EN).content.decode()
    assert "Add an agent" not in html
    url = reverse("accounts:add_agent", args=[business.pk])
    assert client.post(url, {"id_number": third.id_number}).status_code == 403
    remove = reverse("accounts:remove_agent", args=[business.pk, citizen.pk])
    assert client.post(remove).status_code == 403
    assert not OrganisationMember.objects.filter(user=third).exists()


def test_outsider_cannot_see_a_business(client, other_citizen, business):
    client.force_login(other_citizen)
    assert client.get(reverse("accounts:business", args=[business.pk])).status_code == 404
    url = reverse("accounts:add_agent", args=[business.pk])
    assert client.post(url, {"id_number": other_citizen.id_number}).status_code == 404
