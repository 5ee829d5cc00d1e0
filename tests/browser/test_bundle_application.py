"""开办企业一件事 end to end in headless Chromium, on the demo city.

A business owner applies for the whole bundle with one form and uploads the materials; the
window clerk of market regulation asks for a correction first; the applicant uploads the
corrected file and sends it; then every department's officials (each in their own browser
session, signed in with password and authenticator code) accept, review and approve their
parts in their inboxes. Finally the applicant sees the case completed, downloads the
receipt, and anybody can see the result on the public status page with the case number and
query code. axe-core must find nothing serious on the pages of the journey.
"""

from __future__ import annotations

import re
import time

import pytest
from django.utils import translation

from tests.browser.conftest import screenshot, serious_axe_violations
from tongban.accounts import totp
from tongban.accounts.models import Role, RoleAssignment
from tongban.cases.models import Case, CaseStatus, SubCaseStatus, UploadedMaterial, WorkItem
from tongban.demo.cases import BUSINESS_VALUES, DEMO_PDF
from tongban.demo.data.people import DEMO_PASSWORD
from tongban.demo.loader import demo_totp_secret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
APPLICANT = "huang.zhiqiang"  # legal representative of the demo business, verified in person
BUNDLE = "start-a-business"


def assert_accessible(page, where: str) -> None:
    violations = serious_axe_violations(page)
    assert violations == [], f"axe-core on {where}: {violations}"


def no_sideways_scrolling(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def sign_in(browser, base: str, username: str, *, second_factor: bool, then: str = "/"):
    """A browser session of its own, signed in through the real sign-in pages."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/accounts/login/?next={then}")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    if second_factor:
        page.wait_for_url(re.compile(r"/accounts/two-factor/"))
        page.fill("#id_code", totp.code_at(demo_totp_secret(), time.time()))
        page.locator("form:has(#id_code) button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url and "two-factor" not in url)
    return page


def officials_of(department) -> tuple[str, str, str]:
    """(clerk, reviewer, leader) usernames of a demo department."""

    def holder(role: str) -> str:
        row = RoleAssignment.objects.filter(department=department, role=role).first()
        assert row is not None, f"the demo has no {role} in {department.code}"
        return row.user.username

    return holder(Role.CLERK), holder(Role.REVIEWER), holder(Role.DEPARTMENT_LEADER)


def work_through_inbox(page, base: str, number: str) -> list[str]:
    """Open every work item of case ``number`` in the inbox and take its primary action
    (accept, send for decision, approve) until none is left; returns the actions taken."""
    taken: list[str] = []
    page.goto(base + "/office/inbox/")
    for _ in range(12):
        link = page.locator("main table a", has_text=number)
        if link.count() == 0:
            return taken
        link.first.click()
        page.wait_for_url(re.compile(r"/office/work/\d+/$"))
        primary = page.locator(".tb-decide > form")
        assert primary.count() == 1, "a work item offers exactly one primary action"
        taken.append(primary.locator("input[name=action]").get_attribute("value") or "")
        primary.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/office/inbox/$"))
        assert page.locator(".tb-messages").count() == 1, "the action did not say what happened"
    raise AssertionError(f"the inbox never emptied of {number}: {taken}")


def test_bundle_one_form_parallel_approval_with_a_correction(browser, live_server, demo_city):
    base = live_server.url
    with translation.override("zh-hans"):
        completed_label = str(CaseStatus.COMPLETED.label)
        correction_label = str(CaseStatus.CORRECTION.label)
        query_code_label = translation.gettext("Query code")

    # --- the applicant fills the one form and uploads the materials ---------------------
    citizen = sign_in(
        browser, base, APPLICANT, second_factor=False, then=f"/apply/bundle/{BUNDLE}/"
    )
    assert citizen.url.endswith(f"/apply/bundle/{BUNDLE}/")
    assert citizen.locator("h1").inner_text() == "开办企业一件事"
    assert_accessible(citizen, "apply page")
    for code, value in BUSINESS_VALUES.items():
        field = citizen.locator(f"[name='f_{code.replace('.', '__')}']")
        assert field.count() == 1, f"the bundle form lacks {code}"
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    uploads = citizen.locator("input[type=file]")
    material_count = uploads.count()
    assert material_count >= 7, "a bundle asks each material once, but there are several"
    for i in range(material_count):
        name = uploads.nth(i).get_attribute("name") or "material"
        uploads.nth(i).set_input_files(
            {"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": DEMO_PDF}
        )
    screenshot(citizen, "cases-01-apply-filled")
    citizen.locator("button[name=submit]").click()
    citizen.wait_for_url(re.compile(r"/me/cases/[0-9-]+/$"))

    case = Case.objects.filter(applicant__username=APPLICANT, bundle__code=BUNDLE).latest("pk")
    subs = list(case.subcases.select_related("department", "item").order_by("pk"))
    assert len(subs) == 7 and len({s.department_id for s in subs}) == 6
    assert citizen.url.endswith(f"/me/cases/{case.number}/")
    assert case.number in citizen.locator(".tb-panel").inner_text()
    assert UploadedMaterial.objects.filter(case=case).count() == material_count
    assert_accessible(citizen, "case page after submitting")
    screenshot(citizen, "cases-02-submitted")

    receipt = citizen.context.request.get(f"{base}/cases/{case.number}/receipt.pdf")
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF-")

    # --- market regulation's window clerk asks for a correction first -------------------
    scjg = next(s.department for s in subs if s.department.code == "scjg")
    clerk, reviewer, leader = officials_of(scjg)
    clerk_page = sign_in(browser, base, clerk, second_factor=True, then="/office/inbox/")
    assert clerk_page.url.endswith("/office/inbox/")
    assert_accessible(clerk_page, "inbox")
    screenshot(clerk_page, "cases-03-inbox")
    clerk_page.locator("main table a", has_text=case.number).first.click()
    clerk_page.wait_for_url(re.compile(r"/office/work/\d+/$"))
    assert "开办企业一件事" in clerk_page.locator("h1").inner_text()
    work_text = clerk_page.locator("main").inner_text()
    assert "139****1003" in work_text and "13907601003" not in work_text, "mobile not masked"
    assert_accessible(clerk_page, "work item")
    correction = clerk_page.locator(".tb-decide details:has(input[value=correction])")
    correction.locator("summary").click()
    correction.locator("button[type=submit]").click()  # nothing listed: refused, kept open
    error_link = clerk_page.locator(".tb-error-summary a[href='#act-correction-corrections']")
    assert error_link.count() == 1, "the error summary does not lead to the field"
    assert correction.get_attribute("open") is not None
    assert clerk_page.locator("#act-correction-corrections").is_visible()
    correction.locator("textarea[name=corrections]").fill(
        "公司章程：缺少全体股东签字页。\n股东（发起人）主体资格证明：请提供清晰的扫描件。"
    )
    correction.locator("textarea[name=note]").fill("请一次性补正以上两项。")
    screenshot(clerk_page, "cases-04-work-item-correction")
    correction.locator("button[type=submit]").click()
    clerk_page.wait_for_url(re.compile(r"/office/inbox/$"))
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION

    # --- the applicant sees what to correct, uploads the corrected file, sends it -------
    citizen.reload()
    panel = citizen.locator("#correction")
    assert "缺少全体股东签字页" in panel.inner_text()
    assert correction_label in citizen.locator("main dl").first.inner_text()
    assert_accessible(citizen, "case page with a correction request")
    asked = panel.locator(".tb-correction__line input[type=file]")
    assert asked.count() >= 2, "the files asked for are not offered beside the request"
    asked.first.set_input_files(
        {"name": "章程-全体股东签字.pdf", "mimeType": "application/pdf", "buffer": DEMO_PDF}
    )
    panel.locator("textarea[name=note]").fill("已补充全体股东签字页。")
    screenshot(citizen, "cases-05-correction")
    panel.locator("button[name=resubmit]").click()
    citizen.wait_for_url(re.compile(rf"/me/cases/{case.number}/$"))
    assert citizen.locator("#correction").count() == 0
    assert UploadedMaterial.objects.filter(
        case=case, original_name="章程-全体股东签字.pdf", superseded=False
    ).exists()

    # --- every department works its part in its own inbox --------------------------------
    assert work_through_inbox(clerk_page, base, case.number) == ["accept"]
    clerk_page.context.close()
    for username in (reviewer, leader):
        official = sign_in(browser, base, username, second_factor=True, then="/office/inbox/")
        expected = ["forward"] if username == reviewer else ["approve"]
        assert work_through_inbox(official, base, case.number) == expected, username
        official.context.close()
    for department in {s.department for s in subs if s.department.code != "scjg"}:
        items = sum(1 for s in subs if s.department_id == department.pk)
        names = set(officials_of(department))
        assert len(names) == 1, f"{department.code} has separate roles: extend the test"
        official = sign_in(browser, base, names.pop(), second_factor=True, then="/office/inbox/")
        taken = work_through_inbox(official, base, case.number)
        assert sorted(taken) == sorted(["accept", "forward", "approve"] * items), department
        official.context.close()

    # --- the applicant sees the case completed --------------------------------------------
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert set(case.subcases.values_list("status", flat=True)) == {SubCaseStatus.APPROVED}
    assert not WorkItem.objects.filter(case=case, status="open").exists()
    citizen.reload()
    assert case.number in citizen.locator(".tb-panel").inner_text()
    assert completed_label in citizen.locator("main dl").first.inner_text()
    screenshot(citizen, "cases-06-completed")
    code_row = citizen.locator(".tb-summary-list__row", has_text=query_code_label)
    query_code = code_row.locator("dd").inner_text()
    assert query_code.strip() == case.query_code

    phone = browser.new_context(
        viewport=PHONE, locale="zh-CN", storage_state=citizen.context.storage_state()
    )
    phone_page = phone.new_page()
    phone_page.goto(f"{base}/me/cases/{case.number}/")
    assert no_sideways_scrolling(phone_page) <= 1, "the case page scrolls sideways on a phone"
    phone.close()
    citizen.context.close()

    # --- anybody can check the result with the case number and query code ----------------
    anonymous = browser.new_context(viewport=PHONE, locale="zh-CN")
    status_page = anonymous.new_page()
    status_page.goto(base + "/status/")
    status_page.fill("#id_number", case.number)
    status_page.fill("#id_code", query_code.lower())  # typed in lower case: still found
    status_page.locator("main form button[type=submit]").click()
    status_page.wait_for_url(re.compile(r"/status/\?"))
    summary = status_page.locator("main dl").first.inner_text()
    assert case.number in summary and completed_label in summary
    assert status_page.locator(".tb-task-list__item").count() == 7
    assert no_sideways_scrolling(status_page) <= 1
    assert_accessible(status_page, "public status page")
    screenshot(status_page, "cases-07-status")
    anonymous.close()
