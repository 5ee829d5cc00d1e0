"""Pages: the one form, my case, the public status page, inbox and work item, receipt."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.cases import actions
from tongban.cases.actions import ActionInput
from tongban.cases.models import Case, SubCaseStatus, WorkItem, WorkKind, WorkStatus
from tongban.cases.tests.conftest import pdf_upload

pytestmark = pytest.mark.django_db


def apply_url(world, kind="item"):
    code = world.item_a.implementation_code if kind == "item" else world.bundle.code
    return reverse("cases:apply", args=[kind, code])


def test_apply_requires_login(client, world):
    response = client.get(apply_url(world))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_apply_form_is_prefilled_and_lists_materials_once(client, world):
    client.force_login(world.applicant)
    page = client.get(apply_url(world, "bundle")).content.decode()
    assert "陈小明" in page  # prefilled name
    assert page.count('name="material_M-ID"') == 1  # asked by both items, uploaded once
    assert 'name="material_M-A"' in page and 'name="material_M-B"' in page


def test_saving_a_bad_draft_names_the_field_and_keeps_the_values(client, world):
    client.force_login(world.applicant)
    response = client.post(
        apply_url(world),
        {"f_applicant__name": "陈小明", "f_shop__area": "forty", "save": "1"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "tb-error-summary" in page and "f_shop__area" in page
    assert 'value="forty"' in page  # what was typed is kept
    # The mobile number comes from the verified account: shown masked, not editable.
    assert 'name="f_applicant__phone"' not in page and "138****0001" in page
    assert not Case.objects.exists()


def test_submitting_with_files_creates_the_case(client, world):
    client.force_login(world.applicant)
    data = {
        "f_applicant__name": "陈小明",
        "f_shop__area": "45",
        "material_M-A": pdf_upload("a.pdf"),
        "material_M-ID": pdf_upload("id.pdf"),
        "idempotency_key": "view-1",
        "submit": "1",
    }
    response = client.post(apply_url(world), data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/me/cases/{case.number}/submitted/"
    )
    page = client.get(response["Location"]).content.decode()
    assert case.number in page and case.query_code in page


def test_wrong_file_type_is_refused_with_the_material_named(client, world):
    client.force_login(world.applicant)
    response = client.post(
        apply_url(world),
        {"material_M-A": pdf_upload("evil.pdf", b"<html>not a pdf</html>"), "save": "1"},
    )
    page = response.content.decode()
    assert "材料M-A" in page and ("PDF" in page)
    assert not Case.objects.exists()


def test_someone_elses_case_is_not_found(client, world, other_citizen):
    case = world.submit()
    client.force_login(other_citizen)
    assert client.get(reverse("cases:my_case", args=[case.number])).status_code == 404
    assert client.get(reverse("cases:receipt", args=[case.number])).status_code == 404
    material = case.materials.first()
    assert client.get(reverse("cases:material", args=[material.pk])).status_code == 404


def test_public_status_page_needs_number_and_code_and_shows_no_personal_data(client, world):
    case = world.submit()
    url = reverse("cases:status")
    wrong = client.get(url, {"number": case.number, "code": "ZZZZZZ"}).content.decode()
    assert "tb-error-summary" in wrong and case.display_title not in wrong
    page = client.get(
        url, {"number": case.number, "code": case.query_code.lower()}
    ).content.decode()
    assert case.title in page and "中山市市场监督管理局" in page
    assert world.applicant.id_number not in page and "陈小明" not in page
    assert "13800000001" not in page


def test_inbox_and_accepting_from_the_work_item_page(client, world):
    case = world.submit()
    client.force_login(world.clerk_a)
    inbox = client.get(reverse("cases:inbox")).content.decode()
    assert case.number in inbox
    work = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT)
    page = client.get(reverse("cases:work_item", args=[work.pk])).content.decode()
    assert world.applicant.id_number not in page  # masked for officials
    assert world.applicant.id_number[:6] in page
    response = client.post(reverse("cases:work_item", args=[work.pk]), {"action": "accept"})
    assert response.status_code == 302
    assert case.subcases.get().status == SubCaseStatus.IN_REVIEW
    # Acting again on the completed step: refused with a message, nothing changes.
    again = client.post(
        reverse("cases:work_item", args=[work.pk]), {"action": "not_accept", "note": "x"}
    )
    assert again.status_code == 200 and "tb-error-summary" in again.content.decode()
    assert WorkItem.objects.filter(case=case, status=WorkStatus.OPEN, kind=WorkKind.REVIEW).exists()


def test_inbox_refuses_people_without_a_department_role(client, world):
    client.force_login(world.applicant)
    assert client.get(reverse("cases:inbox")).status_code == 404


def test_other_department_cannot_open_the_work_item(client, world):
    case = world.submit()
    work = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT)
    client.force_login(world.all_b)  # department B is not part of this single-item case
    assert client.get(reverse("cases:work_item", args=[work.pk])).status_code == 404


def test_receipt_is_a_pdf_with_an_embedded_cjk_font(client, world):
    case = world.submit()
    client.force_login(world.applicant)
    response = client.get(reverse("cases:receipt", args=[case.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = response.content
    assert (body.startswith(b"%PDF") and b"/FontFile2" in body) or b"/FontFile3" in body
    assert b"NotoSansCJK" in body


def test_opening_the_form_creates_no_draft(client, world):
    client.force_login(world.applicant)
    assert client.get(apply_url(world)).status_code == 200
    assert not world.applicant.drafts.exists()


def test_each_department_sees_only_its_items_data_with_choice_labels(client, world):
    from tongban.cases import sealed

    case = world.submit(world.bundle)
    sub_b = case.subcases.get(department__code="ga")
    work_b = WorkItem.objects.get(case=case, subcase=sub_b, kind=WorkKind.ACCEPT)
    client.force_login(world.all_b)
    page = client.get(reverse("cases:work_item", args=[work_b.pk])).content.decode()
    # Item B's form has no floor area: department B does not see it (data minimisation).
    assert "经营面积" not in page and "Floor area" not in page
    work_a = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT, department__code="scjg")
    client.force_login(world.clerk_a)
    page_a = client.get(reverse("cases:work_item", args=[work_a.pk])).content.decode()
    assert "经营面积" in page_a or "Floor area" in page_a
    assert sealed.case_data(case)["shop.area"] == "45"


def test_inbox_views_count_and_filter(client, world):
    import datetime as dt

    from tongban.cases import queries

    fresh, late = world.submit(), world.submit()
    WorkItem.objects.filter(case=late).update(due_on=dt.date(2020, 1, 2))
    client.force_login(world.clerk_a)
    page = client.get(reverse("cases:inbox")).content.decode()
    assert fresh.number in page and late.number in page
    overdue = client.get(reverse("cases:inbox"), {"view": "overdue"}).content.decode()
    assert late.number in overdue and fresh.number not in overdue
    new = client.get(reverse("cases:inbox"), {"view": "new"}).content.decode()
    assert fresh.number in new
    # An unknown view falls back to everything rather than failing.
    assert client.get(reverse("cases:inbox"), {"view": "nope"}).status_code == 200
    assert queries.inbox(world.clerk_a).count() == 2


def test_status_lookups_are_rate_limited(client, world, settings):
    from tongban.cases import views

    case = world.submit()
    url = reverse("cases:status")
    for _ in range(views.STATUS_LOOKUPS_PER_MINUTE):
        assert client.get(url, {"number": case.number, "code": "ZZZZZZ"}).status_code == 200
    blocked = client.get(url, {"number": case.number, "code": case.query_code})
    assert blocked.status_code == 429 and blocked["Retry-After"]


def test_the_applicant_withdraws_from_the_case_page_after_confirming(client, world):
    case = world.submit()
    client.force_login(world.applicant)
    url = reverse("cases:withdraw", args=[case.number])
    page = client.get(reverse("cases:my_case", args=[case.number])).content.decode()
    assert f'href="{url}"' in page
    confirm = client.get(url)
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert 'name="reason"' in body and 'method="post"' in body
    assert Case.objects.get(pk=case.pk).status == "submitted"  # asking changes nothing
    response = client.post(url, {"reason": "信息填错，重新申请"})
    assert response.status_code == 302 and response["Location"].endswith(
        f"/me/cases/{case.number}/"
    )
    case.refresh_from_db()
    assert case.status == "withdrawn"
    assert not WorkItem.objects.filter(case=case, status=WorkStatus.OPEN).exists()
    after = client.get(response["Location"]).content.decode()
    assert f'href="{url}"' not in after and "信息填错，重新申请" in after
    client.force_login(world.clerk_a)
    assert case.number not in client.get(reverse("cases:inbox")).content.decode()


def test_withdrawal_page_refuses_after_a_decision_and_for_others(client, world, other_citizen):
    case = world.submit()
    work = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT)
    actions.act(
        work.pk, ActionInput("not_accept", note="不符合", legal_basis="依据"), actor=world.clerk_a
    )
    url = reverse("cases:withdraw", args=[case.number])
    client.force_login(other_citizen)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    client.force_login(world.applicant)
    assert (
        f'href="{url}"'
        not in client.get(reverse("cases:my_case", args=[case.number])).content.decode()
    )
    response = client.post(url, {"reason": "x"})
    assert response.status_code == 200 and 'name="reason"' not in response.content.decode()
    case.refresh_from_db()
    assert case.status == "completed"
    assert not case.events.filter(action="withdrawn").exists()
