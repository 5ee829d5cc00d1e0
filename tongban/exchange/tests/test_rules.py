"""The exchange's model rules and use cases: legal bases, assurance levels, keys, requests on
their working-day clock, decisions with reasons, disputes, grants and their revocation."""

from __future__ import annotations

import base64
import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.core.crypto.suites import get_suite
from tongban.core.errors import ServiceError
from tongban.core.models import StatusChange
from tongban.exchange import clocks, queries, services
from tongban.exchange.decision import Query, Reason, decide
from tongban.exchange.levels import KeyProtection, assurance_level
from tongban.exchange.models import (
    DataItem,
    Grant,
    MemberKey,
    MemberStatus,
    MemberSystem,
    RequestStatus,
    ShareClass,
    ShareRequest,
)
from tongban.workdays import calc
from tongban.workdays import clocks as registry

pytestmark = pytest.mark.django_db


# --- assurance levels ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "protection", "level"),
    [
        (1, KeyProtection.HSM, 1),
        (2, KeyProtection.SOFTWARE, 2),
        (2, KeyProtection.HSM, 2),
        (3, KeyProtection.SOFTWARE, 2),
        (3, KeyProtection.HARDWARE, 3),
        (3, KeyProtection.HSM, 4),
        (5, KeyProtection.HARDWARE, 3),
        (4, KeyProtection.HSM, 4),
    ],
)
def test_assurance_level_is_the_lower_of_the_grade_and_key_ceilings(grade, protection, level):
    assert assurance_level(grade, protection) == level


@pytest.mark.parametrize(("grade", "protection"), [(0, "hsm"), (6, "hsm"), (3, "paper")])
def test_assurance_level_refuses_what_does_not_exist(grade, protection):
    with pytest.raises(ValueError, match="no such"):
        assurance_level(grade, protection)


def test_a_member_systems_level_always_follows_its_grade_and_key(world):
    member = world.member
    assert member.assurance_level == 3
    member.key_protection = KeyProtection.SOFTWARE
    member.save()
    member.refresh_from_db()
    assert member.assurance_level == 2


# --- legal basis ----------------------------------------------------------------------------


@pytest.mark.parametrize("share_class", [ShareClass.CONDITIONAL, ShareClass.NOT_SHARED])
def test_conditional_and_withheld_items_need_a_legal_basis(world, share_class):
    item = DataItem(
        resource=world.resource, code="person.sex", name="性别", share_class=share_class, grade=2
    )
    item.legal_basis = "   "
    with pytest.raises(ValidationError) as caught:
        item.full_clean()
    assert "legal_basis" in caught.value.message_dict
    # The database refuses it too, whoever writes around the model.
    item.legal_basis = ""
    with pytest.raises(IntegrityError), transaction.atomic():
        item.save()
    assert not DataItem.objects.filter(code="person.sex").exists()


def test_unconditional_items_need_no_legal_basis(world):
    item = DataItem(
        resource=world.resource,
        code="person.sex",
        name="性别",
        share_class=ShareClass.UNCONDITIONAL,
        grade=2,
    )
    item.full_clean()
    item.save()


# --- member systems and keys ----------------------------------------------------------------


def test_only_the_data_authority_registers_members(world):
    with pytest.raises(PermissionDenied):
        services.register_member(
            department=world.requester_dept,
            code="scjg.other",
            name="另一个系统",
            dengbao_grade=3,
            key_protection=KeyProtection.HSM,
            actor=world.requester_official,
        )
    member = services.register_member(
        department=world.requester_dept,
        code="SCJG.Other",
        name="另一个系统",
        dengbao_grade=3,
        key_protection=KeyProtection.HSM,
        actor=world.authority_official,
    )
    assert (member.code, member.assurance_level) == ("scjg.other", 4)


def test_registration_names_each_bad_field_and_writes_nothing(world):
    with pytest.raises(ServiceError) as caught:
        services.register_member(
            department=world.requester_dept,
            code="scjg.registration",  # taken
            name=" ",
            dengbao_grade=7,
            key_protection="paper",
            actor=world.authority_official,
        )
    assert set(caught.value.message_dict) == {"code", "name", "dengbao_grade", "key_protection"}
    assert MemberSystem.objects.count() == 1


def test_a_member_key_is_issued_once_and_only_its_public_half_is_stored(world):
    issued = services.issue_member_key(world.member, actor=world.authority_official)
    key = MemberKey.objects.get(pk=issued.key.pk)
    suite = get_suite()
    assert key.algorithm == suite.signature_alg
    pem = issued.private_pem
    der = base64.b64decode("".join(line for line in pem.splitlines() if "-----" not in line))
    signature = suite.sign(der, b"hello", key_id=key.key_id)
    assert suite.verify(bytes(key.public_key), b"hello", signature)
    stored = b"".join(bytes(v) for v in MemberKey.objects.values_list("public_key", flat=True))
    assert der not in stored and pem.encode() not in stored


def test_rotation_adds_a_key_and_retires_the_old_one(world):
    first = services.issue_member_key(world.member, actor=world.authority_official).key
    now = timezone.now()
    second = services.issue_member_key(
        world.member, actor=world.authority_official, retire_others=True, now=now
    ).key
    first.refresh_from_db()
    later = now + dt.timedelta(seconds=1)
    assert not first.is_valid_at(later) and second.is_valid_at(later)
    services.revoke_member_key(second, actor=world.authority_official, now=later)
    second.refresh_from_db()
    assert not second.is_valid_at(later)


def test_member_key_command_prints_the_private_key_once(world):
    out = StringIO()
    call_command("exchange", "member-key", "scjg.registration", stdout=out)
    text = out.getvalue()
    assert "-----BEGIN PRIVATE KEY-----" in text
    key = MemberKey.objects.get(member=world.member)
    assert f"key id: {key.key_id}" in text


def test_suspension_moves_through_the_table_and_unauthenticates_the_member(world):
    services.suspend_member(world.member, actor=world.authority_official, reason="密钥泄露")
    world.member.refresh_from_db()
    assert world.member.status == MemberStatus.SUSPENDED
    requester = queries.decision_requester(world.member, authenticated=True)
    assert not requester.authenticated
    with pytest.raises(ServiceError):
        services.suspend_member(world.member, actor=world.authority_official, reason="again")
    services.reactivate_member(world.member, actor=world.authority_official)
    assert StatusChange.objects.filter(model="exchange.membersystem").count() == 2


# --- requests on their clock ----------------------------------------------------------------


def _input(
    world, *items, purpose="企业登记核验", basis="《市场主体登记管理条例》第十二条", days=365
):
    return services.RequestInput(
        member=world.member,
        fields=tuple(items),
        purpose=purpose,
        legal_basis=basis,
        duration_days=days,
    )


def _submit(world, *items, now=None):
    items = items or (world.name, world.id_number)
    return services.submit_request(
        world.resource, _input(world, *items), actor=world.requester_official, now=now
    )


def test_a_request_is_due_after_the_configured_working_days(world, settings):
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))  # a Monday
    request = _submit(world, now=start)
    assert request.status == RequestStatus.SUBMITTED
    assert request.due_on == calc.Clock(start, 10).due(start).date
    settings.TONGBAN_EXCHANGE_DECISION_DAYS = 3
    shorter = _submit(world, now=start)
    assert shorter.due_on == calc.Clock(start, 3).due(start).date
    assert shorter.due_on < request.due_on
    listed = {c.key: c for c in registry.running_clocks(["exchange.requests"])}
    assert f"exchange.request:{request.pk}" in listed
    assert listed[f"exchange.request:{request.pk}"].owner_id == world.provider.pk


def test_bad_requests_name_the_field_and_change_nothing(world):
    cases = {
        "fields": _input(world, world.record),  # not shared
        "purpose": _input(world, world.name, purpose="  "),
        "legal_basis": _input(world, world.name, basis=""),
        "duration_days": _input(world, world.name, days=0),
    }
    for field, data in cases.items():
        with pytest.raises(ServiceError) as caught:
            services.submit_request(world.resource, data, actor=world.requester_official)
        assert field in caught.value.message_dict, field
    unmasked_name = services.RequestInput(
        member=world.member,
        fields=(world.name,),
        full_fields=(world.name,),
        purpose="x",
        legal_basis="y",
        duration_days=1,
    )
    with pytest.raises(ServiceError) as caught:
        services.submit_request(world.resource, unmasked_name, actor=world.requester_official)
    assert "full_fields" in caught.value.message_dict
    assert not ShareRequest.objects.exists()


def test_only_officials_of_the_members_department_request(world, citizen):
    for outsider in (citizen, world.provider_official):
        with pytest.raises(PermissionDenied):
            services.submit_request(world.resource, _input(world, world.name), actor=outsider)
    assert not ShareRequest.objects.exists()


def test_the_provider_grants_exactly_what_was_asked(world):
    request = _submit(world)
    with pytest.raises(PermissionDenied):
        services.grant_request(request, actor=world.requester_official)
    now = timezone.now()
    grant = services.grant_request(
        request, actor=world.provider_official, rate_per_minute=10, rate_per_day=500, now=now
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED and request.decided_by == world.provider_official
    assert set(grant.fields.all()) == {world.name, world.id_number}
    assert grant.expires_at == services.grant_expiry(now, 365) and grant.expires_at > now
    with pytest.raises(ServiceError):  # answered already: the table has no second grant
        services.grant_request(request, actor=world.provider_official)
    assert Grant.objects.count() == 1


def test_grant_rates_are_checked(world):
    request = _submit(world)
    with pytest.raises(ServiceError) as caught:
        services.grant_request(
            request, actor=world.provider_official, rate_per_minute=100, rate_per_day=10
        )
    assert "rate_per_day" in caught.value.message_dict
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED and not Grant.objects.exists()


def test_a_refusal_needs_reasons(world):
    request = _submit(world)
    with pytest.raises(ServiceError) as caught:
        services.refuse_request(request, actor=world.provider_official, reasons="  ")
    assert "reasons" in caught.value.message_dict
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    services.refuse_request(request, actor=world.provider_official, reasons="超出法定用途")
    request.refresh_from_db()
    assert (request.status, request.refusal_reasons) == (RequestStatus.REFUSED, "超出法定用途")


def test_a_refused_request_goes_to_the_data_authority(world):
    request = _submit(world)
    services.refuse_request(request, actor=world.provider_official, reasons="无依据")
    services.dispute_request(request, actor=world.requester_official, reason="有法定依据")
    request.refresh_from_db()
    assert request.status == RequestStatus.DISPUTED
    assert list(queries.disputes(world.authority_official)) == [request]
    assert not queries.disputes(world.provider_official).exists()
    with pytest.raises(PermissionDenied):
        services.resolve_dispute(request, actor=world.provider_official, grant=True, note="x")
    grant = services.resolve_dispute(
        request, actor=world.authority_official, grant=True, note="依据充分，予以共享"
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED and grant is not None


def test_the_data_authority_may_uphold_a_refusal(world):
    request = _submit(world)
    services.refuse_request(request, actor=world.provider_official, reasons="无依据")
    services.dispute_request(request, actor=world.requester_official, reason="有依据")
    assert (
        services.resolve_dispute(request, actor=world.authority_official, grant=False, note="维持")
        is None
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSAL_UPHELD and not Grant.objects.exists()


def test_an_unanswered_request_is_disputed_only_after_its_due_day(world):
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
    request = _submit(world, now=start)
    with pytest.raises(ServiceError):
        services.dispute_request(
            request, actor=world.requester_official, reason="未答复", now=start
        )
    late = calc.Clock(start, 11).due(start).at
    services.dispute_request(request, actor=world.requester_official, reason="未答复", now=late)
    request.refresh_from_db()
    assert request.status == RequestStatus.DISPUTED


# --- revocation counts on the next call (P8) -------------------------------------------------


def _call(world, *codes, now):
    requester = queries.decision_requester(world.member, authenticated=True)
    query = Query(world.resource.code, codes, "企业登记核验", 3, now)
    grant = queries.decision_grant(world.member, world.resource, now=now)
    return decide(requester, query, queries.decision_items(world.resource), grant)


def test_p8_revocation_takes_effect_on_the_next_call(world):
    request = _submit(world)
    services.grant_request(request, actor=world.provider_official)
    now = timezone.now()
    allowed = _call(world, "person.name", "person.id_number", now=now)
    assert allowed.allowed and allowed.masked == {"person.id_number"}
    grant = Grant.objects.get(request=request)
    with pytest.raises(ServiceError):
        services.revoke_grant(grant, actor=world.provider_official, reason=" ")
    services.revoke_grant(grant, actor=world.provider_official, reason="用途已结束")
    denied = _call(world, "person.name", "person.id_number", now=now)
    assert (denied.allowed, denied.reason) == (False, Reason.GRANT_REVOKED)
    # Unconditional fields need no grant.
    assert _call(world, "person.name", now=now).allowed


def test_an_expired_grant_no_longer_allows(world):
    request = _submit(world)
    grant = services.grant_request(request, actor=world.provider_official)
    later = grant.expires_at
    assert _call(world, "person.id_number", now=later).reason == Reason.GRANT_EXPIRED


def test_the_answer_clock_reads_the_setting(settings):
    settings.TONGBAN_EXCHANGE_DECISION_DAYS = 5
    assert clocks.decision_days() == 5
    settings.TONGBAN_EXCHANGE_DECISION_DAYS = 0
    assert clocks.decision_days() == 1
