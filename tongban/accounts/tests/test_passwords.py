"""Passwords: no ID number, birth date, mobile number or username part in them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import make_resident_id
from tongban.accounts.models import User
from tongban.accounts.passwords import PersonalDataPasswordValidator, password_validators

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hashing")]
ID = make_resident_id(birth="19880315", seq=135)
PHONE = "13907601009"


@pytest.mark.parametrize(
    "password",
    [f"Pw-{ID}", f"Pw-{ID.lower()}!", "Born-19880315!", f"x{ID[-6:]}-Secret", f"Tel{PHONE}!",
     "Zz-07601009-zz", "Chen-Xiaoming-9"],
    ids=["id", "id-lower", "birth-date", "id-tail", "phone", "phone-tail", "username-part"],
)  # fmt: skip
def test_personal_data_is_refused(password):
    user = User(username="chen.xiaoming", id_number=ID, phone=PHONE)
    with pytest.raises(ValidationError) as caught:
        PersonalDataPasswordValidator().validate(password, user)
    assert caught.value.error_list[0].code == "password_has_personal_data"


def test_other_passwords_pass():
    user = User(username="u1a2b3c4", id_number=ID, phone=PHONE)
    PersonalDataPasswordValidator().validate("Correct-Horse-42", user)
    PersonalDataPasswordValidator().validate("anything", None)


def test_the_validator_is_added_once():
    assert sum(isinstance(v, PersonalDataPasswordValidator) for v in password_validators()) == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (f"Pw-{ID}", "must not contain your ID number"),
        (f"Call-{PHONE}", "must not contain your ID number"),
        ("password123", "too common"),
    ],
    ids=["id-number", "phone", "common"],
)
def test_registration_refuses_such_passwords(client, password, message):
    data = {"real_name": "陈小明", "id_number": ID, "phone": PHONE, "password": password,
            "password_confirm": password}  # fmt: skip
    response = client.post(reverse("accounts:register"), data, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200 and message in html and 'href="#id_password"' in html
    assert not User.objects.by_id_number(ID).exists()
