"""Electronic licence and service rating of 开办企业一件事, in headless Chromium on the demo city.

The issue's check: a citizen completes 开办企业一件事, downloads the business licence PDF,
the QR payload is opened on the public verification page (valid), an official revokes it,
the page now says revoked; the citizen rates the service 不满意 with a reason, the
department fixes it, the public statistics move.

To stay fast the application and its twenty-odd approvals go through the case services as
the demo officials (as ``tongban.demo.cases`` does; ``test_journeys.py`` drives
those pages). Everything this issue added is driven through the pages: the wallet (我的证照),
the PDF download, the public verification page as an anonymous visitor, the leader's
revocation, the rating form, the department's rectification ticket and the public
statistics. axe-core must find nothing serious on the verification page, the wallet and
the rating form.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.browser.conftest import (
    APPLICANT,
    BUNDLE,
    DESKTOP,
    assert_accessible,
    officials_of,
    screenshot,
    sign_in,
)
from tongban.accounts.models import User
from tongban.cases import actions as case_actions
from tongban.cases import materials as case_materials
from tongban.cases import services as case_services
from tongban.cases.actions import ActionInput
from tongban.cases.models import Case, CaseStatus, WorkItem, WorkKind, WorkStatus
from tongban.cases.transitions import Action
from tongban.catalog.models import Bundle
from tongban.demo.cases import BUSINESS_VALUES, DEMO_PDF
from tongban.licences import services as licence_services
from tongban.licences.models import Licence, LicenceStatus
from tongban.ratings.models import Rating, Rectification, TicketStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUSINESS_LICENCE = "11100000MB01"  # the demo's 营业执照 type (tongban/demo/licences.py)
LEADER = "scjg.zhang"  # department leader of market regulation, the issuer
REVOCATION_REASON = "经核查，该企业以提交虚假材料方式取得登记，依法撤销登记。"
RATING_REASON = "营业执照刚领取就被撤销，窗口没有提前告知材料问题，来回跑了三趟。"


def complete_the_bundle() -> Case:
    """The applicant applies for the whole bundle and every department approves its part,
    through the case services (the same calls the pages make)."""
    applicant = User.objects.get(username=APPLICANT)
    bundle = Bundle.objects.get(code=BUNDLE)
    draft = case_services.draft_for(applicant, bundle)
    form = case_services.dataforms.build_form(bundle)
    values = {**case_services.dataforms.prefill(form, applicant), **BUSINESS_VALUES}
    errors = case_services.save_draft(draft, values, actor=applicant)
    assert not errors, errors
    for material in case_materials.required_materials(bundle):
        upload = SimpleUploadedFile(f"{material.code}.pdf", DEMO_PDF, "application/pdf")
        case_materials.upload_material(draft, material.code, upload, actor=applicant)
    case = case_services.submit(draft, actor=applicant, idempotency_key="browser-licence-rating")
    steps: dict[str, tuple[int, ActionInput]] = {
        WorkKind.ACCEPT: (0, ActionInput(Action.ACCEPT)),
        WorkKind.REVIEW: (1, ActionInput(Action.FORWARD, note="材料齐全，符合条件。")),
        WorkKind.DECIDE: (2, ActionInput(Action.APPROVE, note="准予。")),
    }
    for _ in range(40):
        work = (
            WorkItem.objects.filter(case=case, status=WorkStatus.OPEN)
            .select_related("department")
            .order_by("pk")
            .first()
        )
        if work is None:
            break
        assert work.department is not None, f"work item {work.pk} belongs to no department"
        assert work.kind in steps, f"unexpected open step {work.kind} in {work.department.code}"
        holder, data = steps[work.kind]
        official = User.objects.get(username=officials_of(work.department)[holder])
        case_actions.act(work.pk, data, actor=official)
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED, case.status
    return case


def department_figures(page, department: str) -> dict[str, str]:
    """The cells of ``department``'s row in the statistics' by-department table, by column
    label ({} when the department has no ratings yet)."""
    table = page.locator("table.rt-stats-table").first
    row = table.locator("tbody tr").filter(has=page.locator("th", has_text=department))
    if row.count() == 0:
        return {}
    assert row.count() == 1, f"{department} appears in more than one row"
    cells = row.locator("td[data-label]")
    return {
        cells.nth(i).get_attribute("data-label") or "": cells.nth(i).inner_text().strip()
        for i in range(cells.count())
    }


def choose_level(page, value: str, words: str) -> None:
    """Click the label of rating level ``value`` (the big label covers the radio button)."""
    radio = page.locator(f"input[name=level][value='{value}']")
    label = page.locator(f"label[for='{radio.get_attribute('id')}']")
    assert label.inner_text().split()[0] == words, label.inner_text()
    label.click()
    assert radio.is_checked()


def count(figures: dict[str, str], label: str) -> int:
    return int(figures.get(label, "0") or 0)


def test_licence_verified_revoked_and_service_rated(browser, live_server, demo_city):
    base = live_server.url
    with translation.override("zh-hans"):
        bad_label = translation.gettext("Bad ratings")
        fixed_label = translation.gettext("Fixed in time")
        being_fixed_label = translation.gettext("Being fixed")

    case = complete_the_bundle()
    licence = Licence.objects.select_related("licence_type", "department").get(
        source_case=case, licence_type__code=BUSINESS_LICENCE
    )
    assert licence.status == LicenceStatus.VALID
    assert licence.department.code == "scjg"
    payload = licence_services.payload_of(licence)
    department_name = case.bundle.lead_department.name  # the whole case's rating goes here

    # --- the citizen finds the business licence in the wallet and downloads the PDF -----
    citizen = sign_in(browser, base, APPLICANT, second_factor=False, then="/accounts/me/")
    citizen.locator("main a[href='/me/licences/']").click()
    citizen.wait_for_url(re.compile(r"/me/licences/$"))
    assert citizen.locator("h1").inner_text().endswith("我的证照")
    entry = citizen.locator(".tb-result").filter(
        has=citizen.locator(".tb-licence-number", has_text=licence.number)
    )
    assert entry.count() == 1, "the new business licence is not in the wallet"
    assert entry.locator(".tb-result__title").inner_text() == "营业执照"
    assert_accessible(citizen, "wallet")
    screenshot(citizen, "licence-rating-01-wallet")

    entry.locator(".tb-result__title a").click()
    citizen.wait_for_url(re.compile(rf"/me/licences/{re.escape(licence.number)}/$"))
    detail = citizen.locator("main").inner_text()
    assert licence.number in detail and BUSINESS_VALUES["enterprise.name"] in detail
    assert citizen.locator("main svg.tb-licence-qr").count() == 1, "no QR code on the licence"
    with citizen.expect_download() as download:
        citizen.locator("main a[href$='/licence.pdf']").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 20_000, f"a PDF of {len(pdf)} bytes cannot hold the face, font and QR code"
    verify_href = citizen.locator("main a[href*='/verify/?p=']").get_attribute("href") or ""
    assert parse_qs(urlsplit(verify_href).query)["p"] == [payload], "the QR link's payload"

    # --- anybody opens the code on the public verification page: valid ------------------
    anonymous = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    checker = anonymous.new_page()
    checker.set_default_timeout(15000)
    checker.goto(verify_href)
    verdict = checker.locator(".tb-verdict")
    assert verdict.get_attribute("class") == "tb-verdict tb-verdict--valid", verdict.inner_text()
    public_view = checker.locator("main").inner_text()
    assert licence.number in public_view and BUSINESS_VALUES["enterprise.name"] in public_view
    assert BUSINESS_VALUES["enterprise.business_scope"] not in public_view, "non-public field"
    assert_accessible(checker, "verification page (valid)")
    screenshot(checker, "licence-rating-02-verify-valid")

    # --- the issuing department's leader revokes it with a reason -----------------------
    leader = sign_in(
        browser, base, LEADER, second_factor=True, then=f"/office/licences/{licence.number}/"
    )
    assert leader.url.endswith(f"/office/licences/{licence.number}/")
    status_form = leader.locator("main form:has(textarea[name=reason])")
    status_form.locator("input[name=action][value=revoke]").check()
    status_form.locator("button[type=submit]").click()  # no reason: refused, nothing changes
    leader.wait_for_load_state()
    assert leader.locator(".tb-error-message, .tb-error-summary").count() >= 1
    assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.VALID
    status_form = leader.locator("main form:has(textarea[name=reason])")
    status_form.locator("input[name=action][value=revoke]").check()
    status_form.locator("textarea[name=reason]").fill(REVOCATION_REASON)
    status_form.locator("button[type=submit]").click()
    leader.wait_for_url(re.compile(rf"/office/licences/{re.escape(licence.number)}/$"))
    assert leader.locator(".tb-messages").count() == 1, "the change did not say what happened"
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED and licence.status_reason == REVOCATION_REASON

    # --- the same code now says revoked, with the reason --------------------------------
    checker.reload()
    verdict = checker.locator(".tb-verdict")
    assert verdict.get_attribute("class") == "tb-verdict tb-verdict--revoked", verdict.inner_text()
    assert REVOCATION_REASON in verdict.inner_text()
    assert_accessible(checker, "verification page (revoked)")
    screenshot(checker, "licence-rating-03-verify-revoked")

    # --- the citizen rates the completed case 不满意 with a reason ------------------------
    checker.goto(base + "/ratings/")
    before = department_figures(checker, department_name)
    citizen.goto(f"{base}/me/cases/{case.number}/")
    citizen.locator(".rt-invite a.tb-button").click()
    citizen.wait_for_url(re.compile(rf"/rate/{re.escape(case.number)}/"))
    assert_accessible(citizen, "rating form")
    choose_level(citizen, "2", "不满意")
    citizen.locator("main form button[type=submit]").click()  # bad, no reason: refused
    citizen.wait_for_load_state()
    assert citizen.locator(".tb-error-message").count() >= 1, "a bad rating needs a reason"
    assert not Rating.objects.filter(case=case).exists()
    assert citizen.locator("input[name=level][value='2']").is_checked(), "choice not kept"
    citizen.locator("textarea[name=reason]").fill(RATING_REASON)
    # In a bundle a bad rating names the member (and so the department) it is about.
    citizen.locator(".rt-level--member label", has_text=department_name).first.click()
    screenshot(citizen, "licence-rating-04-rate")
    citizen.locator("main form button[type=submit]").click()
    citizen.wait_for_url(re.compile(rf"/rate/{re.escape(case.number)}/thanks/$"))
    rating = Rating.objects.get(case=case)
    assert rating.level == 2 and rating.reason == RATING_REASON
    assert rating.department.name == department_name

    checker.reload()
    rated = department_figures(checker, department_name)
    assert count(rated, bad_label) == count(before, bad_label) + 1, (before, rated)
    assert count(rated, being_fixed_label) == count(before, being_fixed_label) + 1
    assert count(rated, fixed_label) == count(before, fixed_label)

    # --- the department calls back, fixes and replies on the rectification ticket -------
    leader.goto(base + "/office/ratings/")
    leader.locator("main table a", has_text=case.number).click()
    leader.wait_for_url(re.compile(r"/office/ratings/\d+/$"))
    ticket_url = leader.url
    for action, fields in (
        ("call_back", {"call_back_note": "已电话回访，申请人反映登记材料问题未在受理时告知。"}),
        (
            "fix",
            {
                "finding": "受理环节未核验股东身份材料的真实性，导致登记后被撤销。",
                "fix": "窗口受理时当场核验材料并一次性告知问题；已对窗口人员培训。",
            },
        ),
        ("reply", {"reply": "您好，已核实情况并改进受理流程，感谢您的反馈。"}),
    ):
        form = leader.locator(f"main form:has(input[name=action][value={action}])")
        assert form.count() == 1, f"the ticket offers no {action} step"
        for name, text in fields.items():
            form.locator(f"textarea[name={name}]").fill(text)
        form.locator("button[type=submit]").click()
        leader.wait_for_url(ticket_url)
        assert leader.locator(".tb-messages").count() == 1, f"{action} did not say it was saved"
    ticket = Rectification.objects.get(rating=rating)
    assert ticket.status == TicketStatus.REPLIED and ticket.replied_at is not None
    screenshot(leader, "licence-rating-05-ticket")
    leader.context.close()

    checker.reload()
    fixed = department_figures(checker, department_name)
    assert count(fixed, fixed_label) == count(rated, fixed_label) + 1, (rated, fixed)
    assert count(fixed, being_fixed_label) == count(rated, being_fixed_label) - 1
    assert count(fixed, bad_label) == count(rated, bad_label)
    screenshot(checker, "licence-rating-06-statistics")
    anonymous.close()

    citizen.goto(f"{base}/rate/{case.number}/thanks/")
    assert "已核实情况并改进受理流程" in citizen.locator("main").inner_text(), "reply not shown"
    citizen.context.close()
