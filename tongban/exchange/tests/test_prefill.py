"""The platform's own member system against the real gateway, in process: materials fetched
from the population and legal-person registries with the applicant's identity checked, a
record of another person refused, an expired grant and a gateway down told apart, the
agent's and the parent's relations, prefill marked with its source and a corrected value
reported as a data correction."""

from __future__ import annotations

import json
import stat
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from conftest import _user, make_resident_id, make_uscc
from tongban.accounts.models import MemberRole, Organisation, OrganisationMember
from tongban.cases import sharing
from tongban.cases.materials import RequiredMaterial
from tongban.cases.models import SharedStatus
from tongban.core.models import AuditRecord
from tongban.exchange import prefill
from tongban.exchange.client import DjangoTransport, TransportError
from tongban.exchange.models import (
    DataCorrection,
    DataItem,
    DataRecord,
    DataResource,
    ExchangeEvidence,
    Grant,
    ResourceStatus,
    ShareClass,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked by their English text (the UI's zh-Hans is checked in pages)."""
    with translation.override("en"):
        yield


PARENT_ID = make_resident_id(seq=311)
CHILD_ID = make_resident_id(birth="20261101", seq=312)
STRANGER_ID = make_resident_id(seq=313)
USCC = make_uscc("91442000MA4X5555")
ID_CARD = RequiredMaterial("M-ID-CARD", "居民身份证", True, True)
HOUSEHOLD = RequiredMaterial("M-HOUSEHOLD-BOOK", "居民户口簿", True, True)
BIZ = RequiredMaterial("M-BIZ-LICENCE", "营业执照", True, True)


def _record(resource, key: str, **values: str) -> None:
    DataRecord(
        resource=resource, key=key.strip().upper(), values=json.dumps(values), fingerprint="f"
    ).save()


@pytest.fixture
def platform(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    population = world.resource
    for order, code in enumerate(("household.number", "household.relationship"), 10):
        DataItem.objects.create(
            resource=population,
            code=code,
            name=code,
            share_class=ShareClass.CONDITIONAL,
            grade=3,
            legal_basis="《户口登记条例》",
            sort_order=order,
        )
    legal = DataResource.objects.create(
        department=world.requester_dept,
        code=prefill.LEGAL_PERSONS,
        name="法人基础信息",
        status=ResourceStatus.PUBLISHED,
    )
    for order, code in enumerate(prefill.LEGAL_PERSON_FIELDS):
        DataItem.objects.create(
            resource=legal,
            code=code,
            name=code,
            share_class=ShareClass.UNCONDITIONAL,
            grade=1,
            sort_order=order,
        )
    member = prefill.load_platform_member()
    assert member is not None and member.code == prefill.MEMBER_CODE
    parent = _user("parent", real_name="林小雨", id_number=PARENT_ID, assurance_level=2)
    _record(
        population,
        PARENT_ID,
        **{
            "person.name": "林小雨",
            "person.id_number": PARENT_ID,
            "household.address": "中山市东区博爱六路1号",
            "household.number": "H-0001",
            "household.relationship": "户主",
        },
    )
    _record(
        population,
        CHILD_ID,
        **{"person.name": "林小宝", "person.id_number": CHILD_ID, "household.number": "H-0001"},
    )
    _record(
        population,
        STRANGER_ID,
        **{"person.name": "王五", "person.id_number": STRANGER_ID, "household.number": "H-0999"},
    )
    _record(
        legal,
        USCC,
        **{
            "enterprise.uscc": USCC,
            "enterprise.name": "中山市小雨餐饮有限公司",
            "enterprise.address": "中山市石岐区民生路2号",
            "enterprise.registration_status": "存续",
        },
    )
    return {"world": world, "parent": parent, "population": population, "legal": legal}


def _fetch(source, material, user, organisation=None):
    return source.fetch(None, material, sharing.Applicant(user, organisation))


def test_the_platform_member_is_created_once_with_its_key_file_private(platform, settings):
    path = prefill._key_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_text()
    prefill.load_platform_member()
    assert path.read_text() == first  # idempotent: the key is not replaced
    grant = Grant.objects.get(member__code=prefill.MEMBER_CODE, resource=platform["population"])
    assert grant.purpose == prefill.PURPOSE and "国发〔2018〕27号" in grant.legal_basis
    assert set(grant.fields.values_list("code", flat=True)) >= {"person.name", "household.number"}


def test_the_id_card_is_obtained_through_the_gateway_with_evidence(platform):
    result = _fetch(prefill.PopulationSource(), ID_CARD, platform["parent"])
    assert result.status == SharedStatus.OBTAINED, result.reason
    assert result.exchange_id.startswith("ex-") and "match" in result.verification
    assert ExchangeEvidence.objects.filter(side="requester", exchange_id=result.exchange_id)
    audit = AuditRecord.objects.filter(action="exchange.query").latest("pk")
    assert audit.meta["member"] == prefill.MEMBER_CODE and audit.meta["outcome"] == "allow"
    assert audit.meta["official"] == prefill.SYSTEM_ACCOUNT
    assert PARENT_ID not in json.dumps(audit.meta)


def test_the_household_register_needs_a_household(platform):
    assert _fetch(prefill.PopulationSource(), HOUSEHOLD, platform["parent"]).obtained
    loner = _user("loner", real_name="王五", id_number=STRANGER_ID)
    DataRecord.objects.filter(resource=platform["population"]).delete()
    _record(
        platform["population"],
        STRANGER_ID,
        **{"person.name": "王五", "person.id_number": STRANGER_ID},
    )
    result = _fetch(prefill.PopulationSource(), HOUSEHOLD, loner)
    assert result.status == SharedStatus.UNAVAILABLE and "household" in result.reason


def test_a_record_of_another_person_is_refused(platform):
    # The registry answers for the key with a record that names someone else.
    impostor = _user("impostor", real_name="张三", id_number=PARENT_ID.replace("311", "314"))
    _record(
        platform["population"],
        impostor.id_number,
        **{"person.name": "林小雨", "person.id_number": PARENT_ID},
    )
    result = _fetch(prefill.PopulationSource(), ID_CARD, impostor)
    assert result.status == SharedStatus.MISMATCH and result.exchange_id


def test_no_record_is_unavailable(platform):
    nobody = _user("nobody", real_name="赵六", id_number=make_resident_id(seq=399))
    result = _fetch(prefill.PopulationSource(), ID_CARD, nobody)
    assert result.status == SharedStatus.UNAVAILABLE and "no record" in result.reason


def test_an_expired_grant_is_unavailable_and_told_clearly(platform):
    Grant.objects.filter(member__code=prefill.MEMBER_CODE).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    result = _fetch(prefill.PopulationSource(), ID_CARD, platform["parent"])
    assert result.status == SharedStatus.UNAVAILABLE
    assert "expired" in result.reason


def test_the_callers_language_survives_the_in_process_gateway_call(platform):
    with translation.override("en"):
        result = _fetch(prefill.PopulationSource(), ID_CARD, platform["parent"])
        assert translation.get_language() == "en"
    assert result.verification == "name and ID number match the applicant"


def test_the_gateway_down_is_pending(platform, monkeypatch):
    def down(self, *args):
        raise TransportError("timeout", "timed out")

    monkeypatch.setattr(DjangoTransport, "send", down)
    result = _fetch(prefill.PopulationSource(), ID_CARD, platform["parent"])
    assert result.status == SharedStatus.PENDING


def test_without_the_platform_key_nothing_is_offered(platform):
    prefill._key_path().unlink()
    assert not prefill.PopulationSource().provides("M-ID-CARD")


def test_an_agent_reads_the_business_record_only_as_its_member(platform):
    agent = _user("agent", real_name="钱七", id_number=make_resident_id(seq=320))
    business = Organisation.objects.create(
        name="中山市小雨餐饮有限公司", uscc=USCC, legal_representative="林小雨"
    )
    source = prefill.LegalPersonSource()
    refused = _fetch(source, BIZ, agent, business)
    assert refused.status == SharedStatus.UNAVAILABLE and "acting for" in refused.reason
    OrganisationMember.objects.create(organisation=business, user=agent, role=MemberRole.AGENT)
    result = _fetch(source, BIZ, agent, business)
    assert result.status == SharedStatus.OBTAINED and "存续" in result.verification
    assert _fetch(source, BIZ, agent, None).status == SharedStatus.UNAVAILABLE


def test_a_business_record_for_another_credit_code_is_refused(platform):
    agent = _user("agent", real_name="钱七", id_number=make_resident_id(seq=321))
    other = make_uscc("91442000MA4X6666")
    business = Organisation.objects.create(name="别家", uscc=other, legal_representative="某")
    OrganisationMember.objects.create(organisation=business, user=agent, role=MemberRole.AGENT)
    _record(platform["legal"], other, **{"enterprise.uscc": USCC, "enterprise.name": "别家"})
    result = _fetch(prefill.LegalPersonSource(), BIZ, agent, business)
    assert result.status == SharedStatus.MISMATCH


def test_a_parent_reads_the_newborn_only_through_the_household(platform):
    found = prefill.household_member(platform["parent"], CHILD_ID)
    assert found.status == SharedStatus.OBTAINED and found.record["person.name"] == "林小宝"
    stranger = prefill.household_member(platform["parent"], STRANGER_ID)
    assert stranger.status == SharedStatus.MISMATCH and stranger.record == {}


def test_prefill_marks_the_source_and_a_correction_reaches_the_provider(platform):
    provider = prefill.RegistryPrefill()
    applicant = sharing.Applicant(platform["parent"])
    with sharing.sources_override(providers=[provider]):
        values = sharing.prefilled_values(["household.address", "applicant.phone"], applicant)
        assert set(values) == {"household.address"}
        given = values["household.address"]
        assert given.value == "中山市东区博爱六路1号" and given.source_code == "exchange.population"
        reported = sharing.report_corrections(
            values, {"household.address": "中山市东区博爱六路3号"}, applicant
        )
    assert reported == ["household.address"]
    correction = DataCorrection.objects.get()
    assert correction.resource == platform["population"]
    assert correction.item.code == "household.address"


def test_register_fills_the_cases_registries():
    with sharing.sources_override():
        prefill.register()
        assert {s.code for s in sharing.material_sources()} == {
            "exchange.population",
            "exchange.legal-persons",
        }
        assert [p.code for p in sharing.prefill_providers()] == ["exchange.registries"]
