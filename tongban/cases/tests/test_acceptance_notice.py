"""The acceptance notice (受理通知书): issued once on acceptance, signed with the
department's key, verifiable on the public page, and the applicant's alone to download."""

from __future__ import annotations

import base64
import json
import threading
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connections, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from conftest import _user
from tongban.cases import acceptance, actions, clocks
from tongban.cases.actions import ActionInput
from tongban.cases.models import AcceptanceNotice, Case, WorkItem, WorkKind, WorkStatus
from tongban.cases.tests.test_english_receipt import pdf_text
from tongban.cases.transitions import Action
from tongban.core import outbox, verifiable
from tongban.core.crypto.suites import Signature, suite_for_signature_alg
from tongban.core.models import OutboxEntry

pytestmark = pytest.mark.django_db


def _accept(world: Any, case: Case, capture: Any, action: str = Action.ACCEPT) -> None:
    work = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT, status=WorkStatus.OPEN)
    with capture(execute=True):
        actions.act(
            work.pk, ActionInput(action, note="ok", legal_basis="art. 32"), actor=world.clerk_a
        )


@pytest.fixture
def accepted(world, django_capture_on_commit_callbacks) -> tuple[Case, AcceptanceNotice]:
    case = world.submit()
    _accept(world, case, django_capture_on_commit_callbacks)
    return case, AcceptanceNotice.objects.get(subcase__case=case)


def _verify(client, text: str) -> str:
    response = client.get(f"{reverse('licences:verify')}?{urlencode({'p': text})}")
    assert response.status_code == 200
    return response.content.decode()


def _tampered(notice: AcceptanceNotice, **changes: str) -> str:
    data = {**notice.payload, **changes, "s": notice.signature}
    raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# --- issuing -----------------------------------------------------------------------------


def test_no_notice_before_acceptance_and_none_for_a_matter_not_accepted(
    world, django_capture_on_commit_callbacks
):
    case = world.submit()
    assert not AcceptanceNotice.objects.exists()
    _accept(world, case, django_capture_on_commit_callbacks, Action.NOT_ACCEPT)
    assert not AcceptanceNotice.objects.exists()
    assert acceptance.issue_notice(case.subcases.get()) is None


def test_acceptance_issues_one_notice_through_the_outbox(accepted):
    case, notice = accepted
    sub = case.subcases.get()
    assert notice.subcase == sub
    assert notice.number == f"SL-{case.number}-01"
    entry = OutboxEntry.objects.get(kind=acceptance.KIND)
    assert entry.key == acceptance.notice_key(sub.pk) and entry.status == "done"


def test_issuing_again_or_rerunning_the_outbox_gives_the_same_notice(accepted):
    case, notice = accepted
    sub = case.subcases.get()
    assert acceptance.issue_notice(sub) == notice
    with transaction.atomic():
        entry = acceptance.enqueue_notice(sub.pk)
    assert outbox.run(entry.pk) == "done"
    assert AcceptanceNotice.objects.filter(subcase=sub).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_issuing_at_once_make_one_notice(world):
    case = world.submit()
    work = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT, status=WorkStatus.OPEN)
    actions.act(work.pk, ActionInput(Action.ACCEPT), actor=world.clerk_a)
    AcceptanceNotice.objects.all().delete()  # the immediate worker already issued it
    sub = case.subcases.get()
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            notice = acceptance.issue_notice(sub)
            results.append(notice.number if notice is not None else None)
        except BaseException as exc:  # reported below
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [f"SL-{case.number}-01"] * 2, results
    assert AcceptanceNotice.objects.filter(subcase=sub).count() == 1


def test_each_accepted_member_of_a_bundle_gets_its_own_notice(
    world, django_capture_on_commit_callbacks
):
    case = world.submit(world.bundle, **{"applicant.address": "城区一路1号"})
    for work in WorkItem.objects.filter(case=case, kind=WorkKind.ACCEPT, status=WorkStatus.OPEN):
        actor = world.clerk_a if work.department == world.item_a.department else world.all_b
        with django_capture_on_commit_callbacks(execute=True):
            actions.act(work.pk, ActionInput(Action.ACCEPT), actor=actor)
    numbers = sorted(AcceptanceNotice.objects.values_list("number", flat=True))
    assert numbers == [f"SL-{case.number}-01", f"SL-{case.number}-02"]
    departments = {n.payload["i"] for n in AcceptanceNotice.objects.all()}
    assert departments == {world.item_a.department.code, world.item_b.department.code}


# --- content -----------------------------------------------------------------------------


def test_notice_states_applicant_item_materials_dates_and_issuer(accepted, world):
    case, notice = accepted
    sub = case.subcases.get()
    face = acceptance.face_of(notice)
    assert face["applicant"] == "陈小明"
    assert face["item"] == world.item_a.name
    assert face["department"] == world.item_a.department.name
    assert sorted(face["materials"]) == ["材料M-A", "身份证"]
    promise = clocks.promise(sub, sub.accepted_at)
    assert promise is not None
    fields = notice.payload
    assert fields["p"] == promise.date.isoformat()
    assert fields["l"] == (sub.statutory_due.isoformat() if sub.statutory_due else "")
    assert fields["r"] == timezone.localdate(sub.accepted_at).isoformat()
    assert fields["d"] == timezone.localdate(notice.issued_at).isoformat()
    assert fields["i"] == world.item_a.department.code
    assert fields["c"] == case.number and fields["n"] == notice.number
    # The signed fields carry no name and no ID number.
    flat = json.dumps(fields, ensure_ascii=False)
    assert "陈小明" not in flat and world.applicant.id_number not in flat


def test_the_pdf_shows_the_notice_to_its_applicant(client, accepted, world):
    case, notice = accepted
    client.force_login(world.applicant)
    client.cookies["django_language"] = "en"
    url = reverse("cases:acceptance_notice", args=[case.number, notice.number])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "Acceptance notice",
        notice.number,
        "陈小明",
        case.number,
        world.item_a.name_en,
        "材料M-A",
        notice.payload["p"],
        acceptance.verification_code(notice),
        "Materials received",
    ):
        assert expected in text, expected


def test_another_user_an_official_and_a_wrong_case_get_404(client, accepted, world):
    case, notice = accepted
    url = reverse("cases:acceptance_notice", args=[case.number, notice.number])
    assert client.get(url).status_code == 302  # anonymous: sign in first
    client.force_login(_user("someone-else", real_name="李四"))
    assert client.get(url).status_code == 404
    client.force_login(world.clerk_a)
    assert client.get(url).status_code == 404
    other = world.submit(key="other")
    client.force_login(world.applicant)
    wrong = reverse("cases:acceptance_notice", args=[other.number, notice.number])
    assert client.get(wrong).status_code == 404


def test_the_case_page_include_lists_the_notices_with_their_pdf(accepted, world):
    case, notice = accepted
    html = render_to_string("cases/_notices.html", {"case": case})
    assert reverse("cases:acceptance_notice", args=[case.number, notice.number]) in html
    assert notice.number in html
    fresh = world.submit(key="fresh")
    assert render_to_string("cases/_notices.html", {"case": fresh}).strip() == ""


# --- signature and verification ----------------------------------------------------------


def test_signature_verifies_with_the_published_key(client, accepted):
    _case, notice = accepted
    published = client.get(reverse("licences:keys")).json()["keys"][notice.key_id]
    assert published["department"] == notice.payload["i"]
    suite = suite_for_signature_alg(published["alg"])
    signature = Signature(
        alg=published["alg"],
        key_id=notice.key_id,
        value=base64.urlsafe_b64decode(notice.signature + "=" * (-len(notice.signature) % 4)),
    )
    public_key = base64.b64decode(published["public_key"])
    assert suite.verify(public_key, acceptance.signed_bytes(notice.payload), signature)
    altered = {**notice.payload, "p": "2099-01-01"}
    assert not suite.verify(public_key, acceptance.signed_bytes(altered), signature)
    # The domain prefix: the same signature over the bare JSON (as licences sign) fails.
    bare = acceptance.signed_bytes(notice.payload)[len(acceptance.DOMAIN) :]
    assert not suite.verify(public_key, bare, signature)


def test_tampered_payload_fails_verification(accepted):
    _case, notice = accepted
    assert acceptance.signature_valid(notice.payload, notice.signature)
    assert not acceptance.signature_valid({**notice.payload, "p": "2099-01-01"}, notice.signature)
    with translation.override("en"):
        finding = acceptance.verify_text(_tampered(notice, p="2099-01-01"))
    assert finding is not None and not finding.genuine
    assert "altered or forged" in str(finding.reason)
    genuine = acceptance.verify_text(acceptance.payload_text(notice))
    assert genuine is not None and genuine.genuine


def test_another_departments_key_cannot_sign_for_this_department(accepted, department_b):
    _case, notice = accepted
    claimed = {**notice.payload, "i": department_b.code}
    assert not acceptance.signature_valid(claimed, notice.signature)


def test_a_notice_altered_in_the_register_is_refused(accepted):
    _case, notice = accepted
    AcceptanceNotice.objects.filter(pk=notice.pk).update(
        payload={**notice.payload, "p": "2099-01-01"}
    )
    notice.refresh_from_db()
    code = f"{notice.number} {acceptance.verification_code(notice)}"
    finding = acceptance.verify_text(code)
    assert finding is not None and not finding.genuine


def test_verify_page_accepts_a_notice_and_shows_only_public_facts(client, accepted, world):
    case, notice = accepted
    client.cookies["django_language"] = "en"
    for text in (
        acceptance.payload_text(notice),
        f"{notice.number} {acceptance.verification_code(notice)}",
        f"{notice.number} / {acceptance.verification_code(notice).lower()}",
    ):
        html = _verify(client, text)
        assert "Valid: a genuine acceptance notice issued by" in html, text
        assert notice.number in html
        assert world.item_a.name_en in html
        assert notice.payload["d"] in html
        assert "陈小明" not in html and world.applicant.id_number not in html
        assert case.query_code not in html


def test_verify_page_refuses_a_forged_notice_with_a_clear_message(client, accepted):
    _case, notice = accepted
    client.cookies["django_language"] = "en"
    html = _verify(client, _tampered(notice, p="2099-01-01"))
    assert "Not valid: this is not a genuine acceptance notice" in html
    assert "the notice was altered or forged" in html
    html = _verify(client, f"{notice.number} AAAAAAAA")
    assert "No acceptance notice has this number and verification code" in html
    assert notice.payload["i"] not in html


def test_verify_page_still_checks_licences(client, db):
    client.cookies["django_language"] = "en"
    html = _verify(client, "not-a-code")
    assert "licence" in html.lower()
    assert "acceptance notice issued by" not in html


def test_the_verifier_is_registered():
    assert "cases.acceptance_notice" in verifiable.names()
    assert verifiable.check("anything else") is None


# --- the receipt at submission -----------------------------------------------------------


def test_receipt_is_a_receipt_not_an_acceptance(client, world):
    case = world.submit()
    client.force_login(world.applicant)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("cases:receipt", args=[case.number])).content
    text = " ".join(pdf_text(body).split())  # wrapped lines joined
    for expected in (
        "Application receipt",
        "陈小明",
        case.number,
        world.item_a.name_en,
        "Materials received",
        "材料M-A",
        "身份证",
        "Received on",
        "It is not an acceptance",
    ):
        assert expected in text, expected
    assert "Acceptance receipt" not in text
