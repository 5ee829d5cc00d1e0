"""Registration of citizens and businesses, and agents, through the service layer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from conftest import PASSWORD, make_resident_id, make_uscc
from tongban.accounts import services
from tongban.accounts.models import (
    AssuranceLevel,
    MemberRole,
    Organisation,
    OrganisationMember,
    User,
)
from tongban.core.identifiers import resident_id_check_char
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English here; pages check both languages."""
    with translation.override("en"):
        yield


ID = make_resident_id(seq=357)


class CapturedSms:
    """An SMS gateway that keeps the messages in memory (the code is read from them)."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


@pytest.fixture(autouse=True)
def captured_sms(settings):
    settings.TONGBAN_SMS_GATEWAY = f"{__name__}.CapturedSms"
    CapturedSms.sent = []
    return CapturedSms.sent


def register(**overrides):
    """Register in two steps: identity and details, then the code sent by text message."""
    values = {
        "real_name": "张三",
        "id_number": ID,
        "phone": "13912345678",
        "password": PASSWORD,
    }
    values.update(overrides)
    pending = services.start_citizen_registration(**values)
    phone, text = CapturedSms.sent[-1]
    assert phone == pending.phone
    code = re.search(r"\b(\d{6})\b", text).group(1)
    return services.confirm_citizen_registration(token=pending.token, code=code)


def test_valid_registration_creates_verified_citizen_with_audit(captured_sms):
    user = register(id_number=ID.lower(), phone="+86 139-1234-5678")
    user.refresh_from_db()
    assert user.id_number == ID.upper()
    assert user.phone == "13912345678"
    assert user.kind == "citizen"
    assert user.assurance_level == AssuranceLevel.VERIFIED
    assert len(captured_sms) == 1
    assert user.username not in (ID, user.phone)
    assert not user.username.isdigit()
    assert user.check_password(PASSWORD)
    record = AuditRecord.objects.get(action="accounts.citizen.register")
    assert record.object_id == str(user.pk)
    for record in AuditRecord.objects.filter(action__startswith="accounts."):
        flat = repr(record.meta)
        assert ID not in flat and "13912345678" not in flat and "张三" not in flat


def test_self_declared_registration_without_proofing_still_exists():
    """``register_citizen`` (no identity proofing) creates a self-declared account."""
    user = services.register_citizen(
        real_name="张三", id_number=ID, phone="13912345678", password=PASSWORD
    )
    assert user.assurance_level == AssuranceLevel.SELF_DECLARED
    assert CapturedSms.sent == []


def test_generated_usernames_differ():
    first = register()
    second = register(id_number=make_resident_id(seq=359), phone="13912345679")
    assert first.username != second.username


def _bad_checksum(number: str) -> str:
    good = number[17]
    return number[:17] + ("0" if good != "0" else "1")


def _future_birth_id() -> str:
    birth = (timezone.localdate() + timedelta(days=30)).strftime("%Y%m%d")
    first17 = f"442000{birth}123"
    return first17 + resident_id_check_char(first17)


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"id_number": _bad_checksum(ID)}, "id_number", "checksum"),
        ({"id_number": _future_birth_id()}, "id_number", "birth_date"),
        ({"phone": "12345678901"}, "phone", "mobile"),
        ({"phone": "1391234567"}, "phone", "mobile"),
        ({"password": "12345678"}, "password", None),
        ({"password": "short"}, "password", None),
        ({"real_name": "   "}, "real_name", None),
    ],
)
def test_bad_field_names_the_field_and_writes_nothing(overrides, field, code):
    users, audits = User.objects.count(), AuditRecord.objects.count()
    with pytest.raises(services.ServiceError) as caught:
        register(**overrides)
    errors = caught.value.error_dict
    assert list(errors) == [field]
    if code:
        assert errors[field][0].code == code
    assert User.objects.count() == users
    assert AuditRecord.objects.count() == audits


def test_duplicate_id_number_and_phone_are_field_errors(citizen):
    users = User.objects.count()
    with pytest.raises(services.ServiceError) as caught:
        register(id_number=citizen.id_number.lower(), phone=citizen.phone)
    assert set(caught.value.message_dict) == {"id_number", "phone"}
    assert "cannot be used to register" in caught.value.message_dict["id_number"][0]
    assert User.objects.count() == users


def test_every_problem_is_reported_at_once():
    with pytest.raises(services.ServiceError) as caught:
        register(real_name="", id_number="123", phone="abc", password="1")
    assert set(caught.value.message_dict) == {"real_name", "id_number", "phone", "password"}


def register_org(user, **overrides):
    values = {
        "user": user,
        "name": "中山市示例科技有限公司",
        "uscc": make_uscc("91442000MA5X1234"),
        "org_type": "2",
        "legal_representative": user.real_name,
        "address": "中山市石岐街道",
    }
    values.update(overrides)
    return services.register_organisation(**values)


def test_register_organisation_makes_user_legal_representative(citizen):
    org = register_org(citizen, uscc=make_uscc("91442000MA5X1234").lower())
    assert org.uscc == make_uscc("91442000MA5X1234")
    member = OrganisationMember.objects.get(organisation=org)
    assert (member.user, member.role) == (citizen, MemberRole.LEGAL_REPRESENTATIVE)
    assert AuditRecord.objects.filter(
        action="accounts.organisation.register", object_id=str(org.pk)
    ).exists()


def test_legal_representative_name_must_match_own_name(citizen):
    with pytest.raises(services.ServiceError) as caught:
        register_org(citizen, legal_representative="别人")
    assert list(caught.value.message_dict) == ["legal_representative"]
    assert Organisation.objects.count() == 0


def _bad_uscc_checksum() -> str:
    good = make_uscc("91442000MA5X1234")
    return good[:17] + ("0" if good[17] != "0" else "1")


@pytest.mark.parametrize("uscc", [_bad_uscc_checksum(), "91442000MA5X12", "I1442000MA5X12345"])
def test_bad_uscc_is_rejected_and_nothing_written(citizen, uscc):
    orgs, members = Organisation.objects.count(), OrganisationMember.objects.count()
    with pytest.raises(services.ServiceError) as caught:
        register_org(citizen, uscc=uscc)
    assert list(caught.value.message_dict) == ["uscc"]
    assert Organisation.objects.count() == orgs
    assert OrganisationMember.objects.count() == members


def test_duplicate_uscc_is_rejected(citizen, other_citizen):
    register_org(citizen)
    orgs, members = Organisation.objects.count(), OrganisationMember.objects.count()
    with pytest.raises(services.ServiceError) as caught:
        register_org(other_citizen)
    assert "already registered" in caught.value.message_dict["uscc"][0]
    assert (Organisation.objects.count(), OrganisationMember.objects.count()) == (orgs, members)


def test_officials_cannot_register_a_business(official_a):
    with pytest.raises(PermissionDenied):
        register_org(official_a)
    assert Organisation.objects.count() == 0


def test_only_the_legal_representative_adds_agents(citizen, other_citizen):
    org = register_org(citizen)
    third = register(id_number=make_resident_id(seq=361), phone="13912340000")
    member = services.add_agent(org, id_number=other_citizen.id_number, actor=citizen)
    assert (member.user, member.role, member.is_active) == (other_citizen, "agent", True)
    audits = AuditRecord.objects.count()
    with pytest.raises(PermissionDenied):
        services.add_agent(org, id_number=third.id_number, actor=other_citizen)
    with pytest.raises(PermissionDenied):
        services.add_agent(org, id_number=third.id_number, actor=third)
    assert not OrganisationMember.objects.filter(user=third).exists()
    assert AuditRecord.objects.count() == audits


def test_agent_must_be_a_registered_citizen_and_not_already_a_member(citizen, other_citizen):
    org = register_org(citizen)
    with pytest.raises(services.ServiceError) as caught:
        services.add_agent(org, id_number=make_resident_id(seq=999), actor=citizen)
    assert "cannot be added as an agent" in caught.value.message_dict["id_number"][0]
    with pytest.raises(services.ServiceError):
        services.add_agent(org, id_number="not-a-number", actor=citizen)
    with pytest.raises(services.ServiceError) as caught:
        services.add_agent(org, id_number=citizen.id_number, actor=citizen)
    assert "is the legal representative" in caught.value.message_dict["id_number"][0]
    services.add_agent(org, id_number=other_citizen.id_number, actor=citizen)
    with pytest.raises(services.ServiceError):
        services.add_agent(org, id_number=other_citizen.id_number, actor=citizen)


def test_remove_agent_and_add_again(citizen, other_citizen):
    org = register_org(citizen)
    services.add_agent(org, id_number=other_citizen.id_number, actor=citizen)
    with pytest.raises(PermissionDenied):
        services.remove_agent(org, agent=other_citizen, actor=other_citizen)
    member = services.remove_agent(org, agent=other_citizen, actor=citizen)
    assert member.is_active is False
    with pytest.raises(services.ServiceError):
        services.remove_agent(org, agent=citizen, actor=citizen)  # not an agent
    again = services.add_agent(org, id_number=other_citizen.id_number, actor=citizen)
    assert again.pk == member.pk and again.is_active
    actions = list(
        AuditRecord.objects.filter(action__startswith="accounts.organisation.agent")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "accounts.organisation.agent_add",
        "accounts.organisation.agent_remove",
        "accounts.organisation.agent_add",
    ]


def test_errors_are_in_the_active_language(citizen):
    with translation.override("zh-hans"):
        with pytest.raises(services.ServiceError) as caught:
            register(id_number=citizen.id_number)
        assert caught.value.message_dict["id_number"] == [
            "该公民身份号码无法用于注册。如您已有账号，请直接登录，或到政务服务大厅、拨打12345热线重置账号。"
        ]
