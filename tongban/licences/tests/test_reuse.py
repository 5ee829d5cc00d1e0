"""Reuse (免提交): only valid licences of the same holder satisfy a material."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.accounts.models import MemberRole, Organisation, OrganisationMember
from tongban.licences import reuse, services
from tongban.licences.models import HolderKind, Licence, LicenceType, MaterialLicence

from .conftest import issue_direct

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(lw):
    MaterialLicence.objects.create(material_code="M-PERMIT", licence_type=lw.type_a)
    return lw


def test_offers_valid_licences_of_the_same_holder_only(linked, other_citizen):
    lw = linked
    mine = issue_direct(lw)
    theirs = issue_direct(lw, holder=other_citizen)
    offers = reuse.offers(lw.applicant, ["M-PERMIT", "M-OTHER"])
    assert offers == [
        reuse.Offer("M-PERMIT", mine.number, f"{lw.type_a.display_name} {mine.number}")
    ]
    assert [o.licence_number for o in reuse.offers(other_citizen, ["M-PERMIT"])] == [theirs.number]


def test_revoked_suspended_and_expired_licences_are_not_offered(linked):
    lw = linked
    revoked, suspended, expired = issue_direct(lw), issue_direct(lw), issue_direct(lw)
    services.revoke(revoked, "吊销", actor=lw.leader_a)
    services.suspend(suspended, "暂停", actor=lw.leader_a)
    Licence.objects.filter(pk=expired.pk).update(valid_until=dt.date.today() - dt.timedelta(days=1))
    assert reuse.offers(lw.applicant, ["M-PERMIT"]) == []
    valid = issue_direct(lw)
    assert [o.licence_number for o in reuse.offers(lw.applicant, ["M-PERMIT"])] == [valid.number]


def test_no_mapping_no_user_no_offer(linked, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    issue_direct(linked)
    assert reuse.offers(linked.applicant, ["M-UNMAPPED"]) == []
    assert reuse.offers(AnonymousUser(), ["M-PERMIT"]) == []
    assert reuse.offers(linked.applicant, []) == []


def test_a_business_licence_is_offered_to_its_representatives_for_that_business(
    linked, stranger, other_citizen, department_a
):
    citizen = stranger
    from conftest import make_uscc

    lw = linked
    biz_type = LicenceType.objects.create(
        code="11100000MB09", name="营业执照", department=department_a,
        holder_kind=HolderKind.ORGANISATION,
        face_fields=[{"key": "name", "label": "名称", "element": "enterprise.name"}],
    )  # fmt: skip
    MaterialLicence.objects.create(material_code="M-BIZ-LICENCE", licence_type=biz_type)
    org = Organisation.objects.create(
        name="中山市甲公司", uscc=make_uscc("91442000MA4X1111"), legal_representative="陈小明"
    )
    other_org = Organisation.objects.create(
        name="中山市乙公司", uscc=make_uscc("91442000MA4X2222"), legal_representative="李华"
    )
    OrganisationMember.objects.create(organisation=org, user=citizen, role=MemberRole.AGENT)
    OrganisationMember.objects.create(
        organisation=other_org, user=citizen, role=MemberRole.AGENT, is_active=False
    )
    lic = services.issue_licence(
        biz_type, services.organisation_holder(org.uscc, org.name), {"name": org.name},
        actor=lw.leader_a,
    )  # fmt: skip
    services.issue_licence(
        biz_type, services.organisation_holder(other_org.uscc, other_org.name),
        {"name": other_org.name}, actor=lw.leader_a,
    )  # fmt: skip
    assert [o.licence_number for o in reuse.offers(citizen, ["M-BIZ-LICENCE"])] == [lic.number]
    assert [
        o.licence_number for o in reuse.offers(citizen, ["M-BIZ-LICENCE"], organisation=org)
    ] == [lic.number]
    assert reuse.offers(citizen, ["M-BIZ-LICENCE"], organisation=other_org) == []
    assert reuse.offers(other_citizen, ["M-BIZ-LICENCE"]) == []
