"""Names that read differently on screen than they are stored are refused: bidi overrides,
zero-width and control characters in real names, business names and legal
representatives. Identifiers typed in fullwidth digits or pasted with invisible characters
are accepted in their one normalised spelling on the registration pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from conftest import PASSWORD, make_resident_id, make_uscc
from tongban.accounts import services
from tongban.accounts.models import Organisation

pytestmark = pytest.mark.django_db

HIDDEN = (
    "The name contains an invisible or text-direction control character (often copied "
    "with the text from a web page or a chat): type the name again instead of pasting it."
)
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "name",
    ["张\u202e三", "\u202dJohn", "张\u200b三", "李\u2066四\u2069", "王\u061c五", "赵\x07六"],
)
def test_a_real_name_with_hidden_characters_is_refused(name):
    with pytest.raises(services.ServiceError) as caught:
        services.check_citizen_registration(
            real_name=name,
            id_number=make_resident_id(seq=301),
            phone="13912345601",
            password=PASSWORD,
        )
    assert caught.value.message_dict == {"real_name": [HIDDEN]}


def test_an_ordinary_name_with_a_middle_dot_passes():
    services.check_citizen_registration(
        real_name="阿卜杜·热合曼",
        id_number=make_resident_id(seq=303),
        phone="13912345603",
        password=PASSWORD,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "中山市示例\u202e司公限有技科"), ("legal_representative", "\u202e")],
)
def test_business_names_with_bidi_overrides_are_refused(citizen, field, value):
    values = {
        "user": citizen,
        "name": "中山市示例科技有限公司",
        "uscc": make_uscc("91442000MA5X1234"),
        "org_type": "2",
        "legal_representative": citizen.real_name,
        "address": "中山市石岐街道",
        field: value,
    }
    with pytest.raises(services.ServiceError) as caught:
        services.register_organisation(**values)
    assert caught.value.message_dict[field][0] == HIDDEN
    assert not Organisation.objects.exists()


def test_the_registration_page_reads_fullwidth_and_pasted_identifiers(client):
    number = make_resident_id(seq=305)
    response = client.post(
        reverse("accounts:register"),
        {
            "real_name": "张\u202e三",  # refused, so the page comes back with the errors
            "id_number": "\u200b" + number.translate(FULLWIDTH),  # 19 characters as typed
            "phone": "１３９１２３４５６０５",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    form = response.context["form"]
    assert form.errors == {"real_name": [HIDDEN]}
    assert (form.cleaned_data["id_number"], form.cleaned_data["phone"]) == (number, "13912345605")
