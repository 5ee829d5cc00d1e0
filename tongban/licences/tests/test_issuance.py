"""Issuing licences: from an approved matter (bundles included), idempotently, legacy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from conftest import make_resident_id, make_uscc
from tongban.cases.actions import ActionInput
from tongban.cases.actions import act as case_act
from tongban.cases.models import WorkKind
from tongban.cases.transitions import Action
from tongban.core.errors import ServiceError
from tongban.core.identifiers import validate_uscc
from tongban.core.models import AuditRecord
from tongban.licences import services
from tongban.licences.models import HolderKind, Licence, LicenceStatus, LicenceType

from .conftest import approve, open_item

pytestmark = pytest.mark.django_db


def test_approval_issues_a_signed_licence_with_face_data_from_the_form(issued, lw):
    lic = issued
    assert lic.licence_type == lw.type_a and lic.department == lw.type_a.department
    assert lic.holder_kind == HolderKind.PERSON and lic.holder_user == lw.applicant
    assert lic.holder_digest == lw.applicant.id_number_digest
    assert services.valid_number(lic.number)
    assert lic.number.startswith(f"11100000MB01-{dt.date.today().year}-SCJG-000001-")
    assert lic.valid_until == lic.valid_from.replace(year=lic.valid_from.year + 5) - dt.timedelta(
        days=1
    )
    values = services.face_values(lic)
    assert values == {"name": "陈小明", "id_number": lw.applicant.id_number, "area": "45"}
    # The ID number is not stored in the clear: only in the encrypted part.
    assert "id_number" not in lic.face_data
    assert lw.applicant.id_number not in lic.face_sealed
    assert lic.signature and lic.key_id and lic.algorithm == "ed25519"
    assert services.check(services.payload_of(lic)).outcome == "valid"
    record = AuditRecord.objects.get(action="licences.licence.issued")
    assert record.meta["number"] == lic.number and record.meta["source"] == "case"


def test_issuing_is_idempotent_one_licence_per_subcase(issued):
    again = services.issue_for_subcase(issued.source_subcase)
    assert again.pk == issued.pk
    assert Licence.objects.count() == 1


def test_refused_or_open_matters_issue_nothing(lw, django_capture_on_commit_callbacks):
    case = lw.cases.submit(lw.item_a)
    sub = case.subcases.get()
    assert services.issue_for_subcase(sub) is None  # not decided yet
    case_act(open_item(case, WorkKind.ACCEPT, sub).pk, ActionInput(Action.ACCEPT), actor=lw.clerk_a)
    case_act(
        open_item(case, WorkKind.REVIEW, sub).pk, ActionInput(Action.FORWARD), actor=lw.reviewer_a
    )
    with django_capture_on_commit_callbacks(execute=True):
        case_act(
            open_item(case, WorkKind.DECIDE, sub).pk,
            ActionInput(Action.REJECT, note="不符合条件", legal_basis="《测试法》第一条"),
            actor=lw.leader_a,
        )
    assert not Licence.objects.exists()
    assert services.issue_for_subcase(sub) is None


def test_bundle_member_issues_its_licence_while_the_other_is_open_or_refused(
    lw, django_capture_on_commit_callbacks
):
    case = lw.cases.submit(lw.bundle, **{"applicant.address": "中山市东区中山四路88号"})
    sub_a, sub_b = case.subcases.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        approve(case, sub_a, lw.clerk_a, lw.reviewer_a, lw.leader_a)
    # B is still open: A's licence exists already.
    assert list(Licence.objects.values_list("source_subcase", flat=True)) == [sub_a.pk]
    case_act(open_item(case, WorkKind.ACCEPT, sub_b).pk, ActionInput(Action.ACCEPT), actor=lw.all_b)
    case_act(
        open_item(case, WorkKind.REVIEW, sub_b).pk, ActionInput(Action.FORWARD), actor=lw.all_b
    )
    with django_capture_on_commit_callbacks(execute=True):
        case_act(
            open_item(case, WorkKind.DECIDE, sub_b).pk,
            ActionInput(Action.REJECT, note="不符合", legal_basis="《测试法》第二条"),
            actor=lw.all_b,
        )
    assert Licence.objects.count() == 1
    assert Licence.objects.get().source_case == case


def test_both_bundle_members_approved_issue_two_licences_of_two_departments(
    lw, django_capture_on_commit_callbacks
):
    case = lw.cases.submit(lw.bundle, **{"applicant.address": "中山市东区中山四路88号"})
    sub_a, sub_b = case.subcases.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        approve(case, sub_b, lw.all_b, lw.all_b, lw.all_b)
        approve(case, sub_a, lw.clerk_a, lw.reviewer_a, lw.leader_a)
    a, b = Licence.objects.get(source_subcase=sub_a), Licence.objects.get(source_subcase=sub_b)
    assert (a.department.code, b.department.code) == ("scjg", "ga")
    assert a.key_id != b.key_id  # one key per department
    assert services.face_values(b)["address"] == "中山市东区中山四路88号"
    assert b.valid_until is None  # no time limit


def test_serial_numbers_count_per_type_year_and_department(lw):
    from .conftest import issue_direct

    numbers = [issue_direct(lw).number for _ in range(3)]
    assert [n.split("-")[3] for n in numbers] == ["000001", "000002", "000003"]
    assert len(set(numbers)) == 3 and all(services.valid_number(n) for n in numbers)


def test_check_character_catches_a_wrong_character_or_a_swap():
    number = "11100000MB01-2026-SCJG-000123-" + services.check_char("11100000MB012026SCJG000123")
    assert services.valid_number(number)
    assert not services.valid_number(number.replace("000123", "000124"))
    assert not services.valid_number(number.replace("000123", "000132"))
    assert not services.valid_number(number.replace("SCJG", "SCGJ"))
    assert not services.valid_number("not-a-number")


def test_validity_rule_in_months():
    t = LicenceType(validity_months=3)
    assert t.valid_until_for(dt.date(2026, 11, 30)) == dt.date(2027, 2, 27)
    assert t.valid_until_for(dt.date(2026, 1, 1)) == dt.date(2026, 3, 31)
    assert LicenceType(validity_months=None).valid_until_for(dt.date(2026, 1, 1)) is None


def test_expired_is_computed_from_the_dates(lw):
    from .conftest import issue_direct

    lic = issue_direct(lw)
    assert lic.current_status(lic.valid_until) == LicenceStatus.VALID
    assert lic.current_status(lic.valid_until + dt.timedelta(days=1)) == LicenceStatus.EXPIRED


def test_legacy_licence_by_an_official_of_the_issuing_department(lw, other_citizen, official_b):
    citizen = other_citizen
    lic = services.issue_legacy(
        lw.type_a,
        holder_id=citizen.id_number,
        holder_name="陈小明",
        face={"name": "陈小明", "id_number": citizen.id_number, "area": "20"},
        actor=lw.reviewer_a,
        issued_on=dt.date(2020, 5, 1),
    )
    assert lic.holder_user == citizen and lic.holder_digest == citizen.id_number_digest
    assert lic.issued_on == dt.date(2020, 5, 1) and lic.valid_until == dt.date(2025, 4, 30)
    assert services.check(services.payload_of(lic)).outcome == "expired"
    with pytest.raises(PermissionDenied):
        services.issue_legacy(
            lw.type_a, holder_id=citizen.id_number, holder_name="x", face={}, actor=official_b
        )
    with pytest.raises(ServiceError) as err:
        services.issue_legacy(
            lw.type_a, holder_id="123", holder_name="x", face={}, actor=lw.reviewer_a
        )
    assert "holder_id" in err.value.message_dict
    with pytest.raises(ServiceError) as err:
        services.issue_legacy(
            lw.type_a,
            holder_id=make_resident_id(seq=555),
            holder_name="x",
            face={"colour": "red"},
            actor=lw.reviewer_a,
        )
    assert "face" in err.value.message_dict
    assert Licence.objects.count() == 1


def test_organisation_licence_generates_a_credit_code_and_links_no_personal_id(lw, department_a):
    biz = LicenceType.objects.create(
        code="11100000MB03",
        name="营业执照",
        department=department_a,
        holder_kind=HolderKind.ORGANISATION,
        face_fields=[
            {"key": "name", "label": "名称", "element": "enterprise.name", "public": True},
            {"key": "uscc", "label": "统一社会信用代码", "element": "enterprise.uscc",
             "public": True, "generate": "uscc"},
        ],
    )  # fmt: skip
    face = services._face_from_case(biz, {"enterprise.name": "中山市甲公司"}, "442000")
    assert validate_uscc(face["uscc"]) == face["uscc"] and face["uscc"][2:8] == "442000"
    holder = services.organisation_holder(face["uscc"], "中山市甲公司", user=lw.applicant)
    lic = services.issue_licence(biz, holder, face, actor=lw.leader_a)
    assert lic.holder_kind == "organisation" and face["uscc"] not in lic.holder_digest
    assert lic.face_data["uscc"] == face["uscc"]  # a credit code is public information
    with pytest.raises(ServiceError):
        services.issue_licence(biz, services.person_holder(lw.applicant), face, actor=lw.leader_a)
    assert services.organisation_holder(make_uscc(), "x").organisation is None
