"""Bundle messages (issue 10): one consolidated message per milestone, never one per step.

A bundle of six members in two departments, like 新生儿出生一件事 (18 department steps that
used to send 18 SMS), runs from submission to completion; the fake SMS gateway counts what
the applicant receives. Completion waits for the last decision and for the licences the
outbox issues, names them, and goes out exactly once.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import formats, timezone, translation

from tongban.cases import notices
from tongban.cases.actions import ActionInput, act, resubmit_correction
from tongban.cases.models import (
    CaseStatus,
    CorrectionNotice,
    DefinitionStatus,
    FormDefinition,
    WorkItem,
    WorkKind,
    WorkStatus,
)
from tongban.cases.tests import conftest as cases_fixtures
from tongban.cases.transitions import Action
from tongban.catalog.models import Bundle, BundleMember
from tongban.core import outbox
from tongban.core.models import OutboxEntry
from tongban.licences.models import HolderKind, ItemLicence, Licence, LicenceType
from tongban.notify.models import Delivery, Message, Preference

pytestmark = pytest.mark.django_db

world = cases_fixtures.world  # the cases fixture: two items, a bundle, their officials

SITE = "https://zwfw.example.gov.cn"
FACE = [
    {"key": "name", "label": "姓名", "label_en": "Name", "element": "applicant.name",
     "public": True},
]  # fmt: skip


@pytest.fixture
def sms(settings, tmp_path):
    """The SMS the fake gateway sent, oldest first."""
    settings.VAR_DIR = tmp_path
    settings.TONGBAN_SMS_GATEWAY = "tongban.accounts.sms.FakeSmsGateway"
    settings.TONGBAN_SITE_URL = SITE
    settings.TONGBAN_SMS_SIGNATURE = ""
    settings.TONGBAN_CITY_NAME = ""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def read() -> list[str]:
        folder = tmp_path / "outbox" / "sms"
        if not folder.exists():
            return []
        files = sorted(folder.iterdir())
        return [json.loads(p.read_text(encoding="utf-8"))["text"] for p in files]

    return read


@pytest.fixture
def english(world):
    """The applicant reads messages in English (the msgids: no catalogue needed)."""
    Preference.objects.create(user=world.applicant, language="en")
    return world


def _licence_type(code: str, department: Any, name: str, name_en: str) -> LicenceType:
    return LicenceType.objects.create(
        code=code, name=name, name_en=name_en, department=department,
        holder_kind=HolderKind.PERSON, validity_months=60, face_fields=FACE,
    )  # fmt: skip


@pytest.fixture
def newborn(world, admin_user):
    """A six-member bundle over departments A and B; four members issue a licence."""
    extra = []
    for department, material in (
        (world.item_a.department, "M-C"),
        (world.item_a.department, "M-D"),
        (world.item_b.department, "M-E"),
        (world.item_b.department, "M-F"),
    ):
        item = cases_fixtures._item(department, admin_user, material)
        FormDefinition.objects.create(
            item=item, version=1, status=DefinitionStatus.PUBLISHED,
            fields=[{"element": "applicant.name", "required": True}],
        )  # fmt: skip
        extra.append(item)
    bundle = Bundle.objects.create(
        code="newborn-test", name="新生儿出生一件事", name_en="Having a baby",
        audience="person", lead_department=world.item_a.department, promised_limit=5,
        status="published",
    )  # fmt: skip
    members = [world.item_a, world.item_b, *extra]
    for order, item in enumerate(members, start=1):
        BundleMember.objects.create(bundle=bundle, item=item, sort_order=order)
    names = [("出生医学证明", "Birth certificate"), ("预防接种证", "Vaccination card"),
             ("户口簿", "Household register"), ("社会保障卡", "Social security card")]  # fmt: skip
    for n, (item, (name, name_en)) in enumerate(zip(members[:4], names, strict=True)):
        licence_type = _licence_type(f"1110000{n}MB0{n}", item.department, name, name_en)
        ItemLicence.objects.create(item=item, licence_type=licence_type)
    world.newborn = bundle
    return world


def _staff(world: Any, sub: Any) -> tuple[Any, Any, Any]:
    if sub.department_id == world.item_a.department_id:
        return world.clerk_a, world.reviewer_a, world.leader_a
    return world.all_b, world.all_b, world.all_b


def _step(case: Any, sub: Any, kind: str, action: str, actor: Any, **kw: Any) -> None:
    work = WorkItem.objects.get(case=case, subcase=sub, kind=kind, status=WorkStatus.OPEN)
    act(work.pk, ActionInput(action, **kw), actor=actor)


def _run(capture: Any, func: Any, *args: Any, **kw: Any) -> Any:
    """Run ``func`` and, after its commit, the outbox rows it recorded (and theirs)."""
    with capture(execute=True):
        return func(*args, **kw)


def _codes(user: Any) -> list[str]:
    rows = Message.objects.filter(recipient=user, code__startswith="cases.").order_by("pk")
    return list(rows.values_list("code", flat=True))


def test_a_newborn_bundle_sends_one_sms_per_milestone_in_order(
    newborn, sms, django_capture_on_commit_callbacks
):
    world, capture = newborn, django_capture_on_commit_callbacks
    case = _run(capture, world.submit, world.newborn)
    subs = list(case.subcases.order_by("pk"))
    assert len(subs) == 6 and len(sms()) == 1

    # Department B asks for a correction of one member before accepting it: one message.
    clerk_b = _staff(world, subs[1])[0]
    _run(capture, _step, case, subs[1], WorkKind.ACCEPT, Action.CORRECTION, clerk_b,
         corrections=[{"material": "材料M-B", "reason": "缺少签名"}])  # fmt: skip
    assert len(sms()) == 2
    _run(capture, resubmit_correction, case, {}, actor=world.applicant)
    assert len(sms()) == 2  # the resubmission tells the applicant nothing

    for n, sub in enumerate(subs):
        _run(capture, _step, case, sub, WorkKind.ACCEPT, Action.ACCEPT, _staff(world, sub)[0])
        assert len(sms()) == (3 if n == len(subs) - 1 else 2)  # all accepted: one message

    for n, sub in enumerate(subs):
        _clerk, reviewer, leader = _staff(world, sub)
        _run(capture, _step, case, sub, WorkKind.REVIEW, Action.FORWARD, reviewer)
        _run(capture, _step, case, sub, WorkKind.DECIDE, Action.APPROVE, leader, note="准予")
        if n < len(subs) - 1:
            # Decided members tell nothing; "complete" never goes out before the last one.
            assert len(sms()) == 3, sms()
            assert "cases.completed" not in _codes(world.applicant)
            assert not OutboxEntry.objects.filter(kind=notices.COMPLETION).exists()

    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    texts = sms()
    assert len(texts) == 4
    assert _codes(world.applicant) == [
        "cases.submitted", "cases.correction", "cases.accepted", "cases.completed",
    ]  # fmt: skip
    link = f"{SITE}/me/cases/{case.number}/"
    for text in texts:  # the city's signature in front, the case page's address at the end
        assert text.startswith("【中山市】") and text.endswith(link), text
        assert case.number in text
    # Nothing else reached the applicant: no message per licence, no separate invitation.
    assert Message.objects.filter(recipient=world.applicant).count() == 4
    done = Message.objects.get(recipient=world.applicant, code="cases.completed")
    licences = Licence.objects.filter(source_case=case)
    assert licences.count() == 4
    for licence in licences:
        assert licence.number in done.body and licence.licence_type.name in done.body
    assert f"{SITE}/rate/{case.number}/?via=web" in done.body  # the rating invitation


def test_completion_waits_for_the_licences_the_outbox_issues(
    english, sms, settings, django_capture_on_commit_callbacks
):
    world, capture = english, django_capture_on_commit_callbacks
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 5
    licence_type = _licence_type("11100009MB09", world.item_a.department, "测试证", "Test permit")
    ItemLicence.objects.create(item=world.item_a, licence_type=licence_type)
    case = _run(capture, world.submit)
    sub = case.subcases.get()

    def broken(payload: dict) -> None:
        raise ConnectionError("the signing service is not answering")

    with outbox.handlers_override(**{"licences.issue": broken}):
        _run(capture, _step, case, sub, WorkKind.ACCEPT, Action.ACCEPT, world.clerk_a)
        _run(capture, _step, case, sub, WorkKind.REVIEW, Action.FORWARD, world.reviewer_a)
        _run(capture, _step, case, sub, WorkKind.DECIDE, Action.APPROVE, world.leader_a)
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    completion = OutboxEntry.objects.get(kind=notices.COMPLETION)
    assert completion.status == "done"  # it ran, found the licence owed, and waited
    assert "cases.completed" not in _codes(world.applicant)
    assert len(sms()) == 2  # received, accepted

    issue = OutboxEntry.objects.get(kind="licences.issue")
    assert issue.status == "pending"  # retried later
    with capture(execute=True):
        assert outbox.run(issue.pk, now=timezone.now() + timedelta(hours=1)) == "done"
    licence = Licence.objects.get(source_subcase=sub)
    done = Message.objects.get(recipient=world.applicant, code="cases.completed")
    assert licence.number in done.body and "Test permit" in done.body
    assert (
        done.subject
        == f"Case {case.number} is complete. 1 licence issued. Please rate the service."
    )
    assert len(sms()) == 3

    # Idempotent: the row run again (a worker killed after its commit), a new row, a sweep.
    deliveries = Delivery.objects.count()
    assert notices.send_completion_message({"case": case.pk}) == "sent before"
    with capture(execute=True):
        notices.enqueue_completion_message(case.pk)
    outbox.sweep()
    assert Message.objects.filter(code="cases.completed").count() == 1
    assert Delivery.objects.count() == deliveries and len(sms()) == 3


def test_a_licence_given_up_does_not_hold_the_completion_and_is_told_when_issued(
    english, sms, settings, django_capture_on_commit_callbacks
):
    world, capture = english, django_capture_on_commit_callbacks
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 1
    licence_type = _licence_type("11100009MB09", world.item_a.department, "测试证", "Test permit")
    ItemLicence.objects.create(item=world.item_a, licence_type=licence_type)
    case = _run(capture, world.submit)
    sub = case.subcases.get()

    def broken(payload: dict) -> None:
        raise ConnectionError("the signing service is not answering")

    with outbox.handlers_override(**{"licences.issue": broken}):
        _run(capture, _step, case, sub, WorkKind.ACCEPT, Action.ACCEPT, world.clerk_a)
        _run(capture, _step, case, sub, WorkKind.REVIEW, Action.FORWARD, world.reviewer_a)
        _run(capture, _step, case, sub, WorkKind.DECIDE, Action.APPROVE, world.leader_a)
    assert OutboxEntry.objects.get(kind="licences.issue").status == "failed"
    done = Message.objects.get(recipient=world.applicant, code="cases.completed")
    assert "still being issued" in done.body

    with capture(execute=True):
        call_command("licence", "issue-pending", stdout=io.StringIO())
    licence = Licence.objects.get(source_subcase=sub)
    late = Message.objects.get(recipient=world.applicant, code="licences.issued")
    assert licence.number in late.body
    assert Message.objects.filter(code="cases.completed").count() == 1


def test_the_correction_message_names_department_materials_and_date(
    english, sms, django_capture_on_commit_callbacks
):
    world, capture = english, django_capture_on_commit_callbacks
    case = _run(capture, world.submit)
    sub = case.subcases.get()
    _run(capture, _step, case, sub, WorkKind.ACCEPT, Action.CORRECTION, world.clerk_a,
         corrections=[{"material": "材料M-A", "reason": "缺少签名页"},
                      {"material": "身份证", "reason": "复印件不清晰"}],
         note="请一次性补正。")  # fmt: skip
    notice = CorrectionNotice.objects.get(subcase=sub)
    with translation.override("en"):
        due = formats.date_format(notices.correction_due(notice), "DATE_FORMAT")
    message = Message.objects.get(recipient=world.applicant, code="cases.correction")
    assert message.subject == (
        f"Case {case.number}: Market Regulation Bureau asks for a correction by {due}"
    )
    for expected in ("· 材料M-A: 缺少签名页", "· 身份证: 复印件不清晰", "请一次性补正。", due):
        assert expected in message.body
    assert notices.correction_due(notice) > timezone.localdate(notice.issued_at)
    (_received, text) = sms()
    assert "Market Regulation Bureau" in text and due in text
    assert text.endswith(f"{SITE}/me/cases/{case.number}/")


def test_a_refusal_is_folded_into_the_completion_message(
    english, sms, django_capture_on_commit_callbacks
):
    world, capture = english, django_capture_on_commit_callbacks
    case = _run(capture, world.submit, world.bundle)
    sub_a, sub_b = case.subcases.order_by("pk")
    for sub in (sub_a, sub_b):
        _run(capture, _step, case, sub, WorkKind.ACCEPT, Action.ACCEPT, _staff(world, sub)[0])
    assert _codes(world.applicant) == ["cases.submitted", "cases.accepted"]
    _run(capture, _step, case, sub_b, WorkKind.REVIEW, Action.FORWARD, world.all_b)
    _run(capture, _step, case, sub_b, WorkKind.DECIDE, Action.REJECT, world.all_b,
         note="不符合条件", legal_basis="《测试法》第二条")  # fmt: skip
    assert _codes(world.applicant) == ["cases.submitted", "cases.accepted"]  # told at the end
    _run(capture, _step, case, sub_a, WorkKind.REVIEW, Action.FORWARD, world.reviewer_a)
    _run(capture, _step, case, sub_a, WorkKind.DECIDE, Action.APPROVE, world.leader_a)
    done = Message.objects.get(recipient=world.applicant, code="cases.completed")
    assert f"· {world.item_b.name_en} (Public Security Bureau): not granted" in done.body
    assert f"· {world.item_a.name_en} (Market Regulation Bureau): approved" in done.body
    assert len(sms()) == 3


def test_a_member_not_accepted_ends_the_acceptance_of_the_others(
    english, sms, django_capture_on_commit_callbacks
):
    world, capture = english, django_capture_on_commit_callbacks
    case = _run(capture, world.submit, world.bundle)
    sub_a, sub_b = case.subcases.order_by("pk")
    _run(capture, _step, case, sub_a, WorkKind.ACCEPT, Action.ACCEPT, world.clerk_a)
    assert _codes(world.applicant) == ["cases.submitted"]  # B has not answered yet
    _run(capture, _step, case, sub_b, WorkKind.ACCEPT, Action.NOT_ACCEPT, world.all_b,
         note="不属于本机关职权范围", legal_basis="《行政许可法》第三十二条")  # fmt: skip
    accepted = Message.objects.get(recipient=world.applicant, code="cases.accepted")
    assert "accepted for 1 of its 2 matters" in accepted.body
    assert f"· {world.item_b.name_en} (Public Security Bureau): not accepted" in accepted.body
    assert len(sms()) == 2
