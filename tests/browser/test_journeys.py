"""Journeys from the front door, in headless Chromium on the demo city.

Every journey starts at ``/`` and clicks; no deep URL is typed. The only addresses opened
directly are those a person receives: the SMS code from the fake SMS gateway's outbox,
and the licence's QR payload.

a. A new citizen registers (SMS code), finds 新生儿出生一件事 by life event (the home page's
   tile 出生, then the bundle on the theme page), applies online (在线办理 → register → back
   to the form), is asked for a correction and answers it, is completed, finds the birth
   certificate in 我的证照, checks it on the home page's 证照核验, and rates the service from
   the completion message.
b. Officials: the health department's window clerk signs in from the home page (password
   and authenticator code), lands on the workbench, opens the application from the inbox
   and asks for a correction (an empty request is refused, and the error leads to the
   field); once it is answered, accepts it from the inbox. The other departments' steps go
   through the case services, as the demo's own cases do, to keep the run fast.

These journeys replace ``test_bundle_application.py`` (the same pages, driven for a
business bundle by every department's officials in turn: three minutes of sign-ins).
c. A visitor on a 375 px phone, in English and elder mode, checks the same licence from
   the home page and finds the application's progress with 办件查询; screenshots kept.
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    no_sideways_scrolling,
    screenshot,
)
from tongban.accounts import totp
from tongban.accounts.models import Role, RoleAssignment, User
from tongban.accounts.sms import outbox_dir
from tongban.cases import actions as case_actions
from tongban.cases.actions import ActionInput
from tongban.cases.models import Case, CaseStatus, WorkItem, WorkKind, WorkStatus
from tongban.cases.transitions import Action
from tongban.core.identifiers import resident_id_check_char
from tongban.demo.cases import DEMO_PDF, PERSON_VALUES
from tongban.demo.data.people import DEMO_PASSWORD
from tongban.demo.loader import demo_totp_secret
from tongban.licences.models import Licence, LicenceStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUNDLE_NAME = "新生儿出生一件事"
NEW_NAME = "周晓雯"
NEW_MOBILE = "13925601177"
NEW_PASSWORD = "Qiyue-Huanghun-2026"
CORRECTION = "出生医学证明首次签发登记表：母亲签名处空白，请签名后重新上传。"
BIRTH_ITEM = "出生医学证明"


def _new_resident_id() -> str:
    first17 = "44200019930415" + "062"
    return first17 + resident_id_check_char(first17)


def _sms_to(mobile: str, since: float) -> list[str]:
    """Texts the fake SMS gateway wrote for ``mobile`` since ``since`` (time.time())."""
    texts = []
    for path in sorted(outbox_dir().glob("*.json")):
        if path.stat().st_mtime < since - 1:
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        if record["phone"] == mobile:
            texts.append(record["text"])
    return texts


def _context(browser, viewport=DESKTOP, **kw):
    context = browser.new_context(viewport=viewport, locale="zh-CN", **kw)
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def _holder(department: str, role: str) -> User:
    row = RoleAssignment.objects.filter(department__code=department, role=role).first()
    assert row is not None, f"the demo has no {role} in {department}"
    return row.user


def _work_all(case: Case) -> None:
    """Every open step of ``case`` taken by the demo department's officials (services),
    until nothing is left open (members waiting for another start when it is approved)."""
    steps = {
        WorkKind.ACCEPT: (Role.CLERK, ActionInput(Action.ACCEPT)),
        WorkKind.REVIEW: (Role.REVIEWER, ActionInput(Action.FORWARD, note="材料齐全。")),
        WorkKind.DECIDE: (Role.DEPARTMENT_LEADER, ActionInput(Action.APPROVE, note="准予。")),
    }
    for _ in range(60):
        rows = WorkItem.objects.filter(case=case, status=WorkStatus.OPEN).select_related(
            "department"
        )
        work = rows.order_by("pk").first()
        if work is None:
            return
        assert work.department is not None and work.kind in steps, work
        role, data = steps[work.kind]
        case_actions.act(work.pk, data, actor=_holder(work.department.code, role))
    raise AssertionError(f"{case.number} never ran out of open steps")


def _register_and_apply(page) -> str:
    """a.1–3: from the home page to the submitted application; returns the case number."""
    page.goto(page.base_url + "/")
    # By life event: the tile 出生, then the theme page's 一件事 above its items.
    birth_tile = page.locator("section[aria-labelledby=h-person] a.tb-tile").filter(
        has=page.locator(".tb-tile__name", has_text=re.compile(r"^\s*出生\s*$"))
    )
    birth_tile.click()
    page.wait_for_url(re.compile(r"/services/\?theme=birth$"))
    page.locator("section[aria-labelledby=h-theme-bundles] a", has_text=BUNDLE_NAME).click()
    page.wait_for_url(re.compile(r"/bundles/[\w-]+/$"))
    assert page.locator("h1").inner_text().strip() == BUNDLE_NAME
    page.locator("main").get_by_role("link", name="在线办理").first.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_role("link", name="注册个人账号").click()
    page.wait_for_url(re.compile(r"/accounts/register/"))
    page.fill("[name=real_name]", NEW_NAME)
    page.fill("[name=id_number]", _new_resident_id())
    page.fill("[name=phone]", NEW_MOBILE)
    page.fill("[name=password]", NEW_PASSWORD)
    page.fill("[name=password_confirm]", NEW_PASSWORD)
    sent_after = time.time()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("[name=code]")
    texts = _sms_to(NEW_MOBILE, sent_after)
    assert texts, "no registration SMS was sent"
    code = re.findall(r"\b(\d{6})\b", texts[-1])
    assert code, texts[-1]
    page.fill("[name=code]", code[-1])
    page.locator("main form:has([name=code]) button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/apply/bundle/[\w-]+/$"))  # back to the form

    # The one form: every question once, every material once.
    for element, value in PERSON_VALUES.items():
        field = page.locator(f"[name='f_{element.replace('.', '__')}']")
        if field.count() == 0:
            continue
        if field.first.evaluate("el => el.tagName") == "SELECT":
            field.first.select_option(value)
        elif field.first.get_attribute("readonly") is None:
            field.first.fill(value)
    uploads = page.locator("input[type=file]")
    for i in range(uploads.count()):
        name = uploads.nth(i).get_attribute("name") or "material"
        uploads.nth(i).set_input_files(
            {"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": DEMO_PDF}
        )
    screenshot(page, "journey-a-03-apply")
    page.locator("button[name=submit]").click()
    page.wait_for_url(re.compile(r"/me/cases/[0-9-]+/submitted/$"))
    panel = page.locator(".tb-confirmation")
    with translation.override("zh-hans"):  # 申请已提交
        assert gettext("Your application has been submitted") in panel.inner_text()
    number = panel.locator(".tb-confirmation__number").inner_text().strip()
    assert_accessible(page, "confirmation")
    screenshot(page, "journey-a-04-submitted")
    return number


def _official_signs_in(browser, base: str):
    """b.1: the clerk signs in from the home page and lands on the workbench."""
    clerk = _holder("wj", Role.CLERK)
    page = _context(browser)
    page.goto(base + "/")
    page.locator("header a[href='/accounts/login/']").click()
    page.fill("#id_username", clerk.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/"))
    page.fill("#id_code", totp.code_at(demo_totp_secret(), time.time()))
    page.locator("form:has(#id_code) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/office/$"))  # the workbench, not the personal space
    assert_accessible(page, "workbench")
    screenshot(page, "journey-b-01-workbench")
    return page


def _open_from_inbox(page, number: str, item: str) -> None:
    """From the workbench's inbox panel to the work item of ``number`` for ``item``."""
    page.locator("main a[href='/office/inbox/']").first.click()
    page.wait_for_url(re.compile(r"/office/inbox/"))
    row = page.locator("main table tr", has_text=number).filter(has_text=item)
    row.locator("a", has_text=number).first.click()
    page.wait_for_url(re.compile(r"/office/work/\d+/$"))


def _official_asks_for_a_correction(page, number: str, applicant_mobile: str) -> None:
    """b.2: the work item, the mobile masked; a correction, refused empty, then sent."""
    _open_from_inbox(page, number, BIRTH_ITEM)
    assert BUNDLE_NAME in page.locator("h1").inner_text()
    work_text = page.locator("main").inner_text()
    masked = applicant_mobile[:3] + "****" + applicant_mobile[-4:]
    assert masked in work_text and applicant_mobile not in work_text, "mobile not masked"
    assert_accessible(page, "work item")
    correction = page.locator(".tb-decide details:has(input[value=correction])")
    correction.locator("summary").click()
    correction.locator("button[type=submit]").click()  # nothing listed: refused, kept open
    error_link = page.locator(".tb-error-summary a[href='#act-correction-corrections']")
    assert error_link.count() == 1, "the error summary does not lead to the field"
    assert correction.get_attribute("open") is not None
    correction.locator("textarea[name=corrections]").fill(CORRECTION)
    screenshot(page, "journey-b-02-correction")
    correction.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/office/inbox/$"))


def _official_accepts(page, number: str) -> None:
    """b.3: back on the workbench, the answered application is accepted from the inbox."""
    page.locator("header a[href='/office/']").click()
    page.wait_for_url(re.compile(r"/office/$"))
    _open_from_inbox(page, number, BIRTH_ITEM)
    primary = page.locator(".tb-decide > form")
    assert primary.count() == 1, "a work item offers exactly one primary action"
    assert primary.locator("input[name=action]").get_attribute("value") == "accept"
    primary.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/office/inbox/$"))
    assert page.locator(".tb-messages").count() == 1, "the action did not say what happened"
    page.context.close()


def test_a_new_citizen_and_an_official_from_the_front_door(browser, live_server, demo_city):
    base = live_server.url
    citizen = _context(browser)
    citizen.base_url = base  # type: ignore[attr-defined]

    # --- a.1–3 register on the way to 在线办理, fill the one form, submit ------------------
    number = _register_and_apply(citizen)
    case = Case.objects.get(number=number)
    assert case.applicant.username and case.bundle is not None

    receipt_href = citizen.locator("main a[href$='/receipt.pdf']").get_attribute("href")
    receipt = citizen.context.request.get(base + (receipt_href or ""))  # 收件回执
    assert receipt.ok and receipt.body().startswith(b"%PDF-")

    # --- b.1–2 the health department's clerk asks for a correction ---------------------
    official = _official_signs_in(browser, base)
    _official_asks_for_a_correction(official, number, NEW_MOBILE)
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION

    # --- a.4 the citizen answers it from 我的办件 ----------------------------------------
    citizen.goto(base + "/")
    citizen.locator("header a[href='/me/cases/']").click()
    citizen.locator(f"main a[href='/me/cases/{number}/']").click()
    citizen.wait_for_url(re.compile(rf"/me/cases/{number}/$"))
    panel = citizen.locator("#correction")
    assert CORRECTION.split("：")[1] in panel.inner_text()
    offered = panel.locator("input[type=file]")
    assert offered.count() >= 1
    offered.first.set_input_files(
        {"name": "登记表-已签名.pdf", "mimeType": "application/pdf", "buffer": DEMO_PDF}
    )
    screenshot(citizen, "journey-a-05-correction")
    panel.locator("button[name=resubmit]").click()
    citizen.wait_for_url(re.compile(rf"/me/cases/{number}/$"))
    assert citizen.locator("#correction").count() == 0

    # --- b.3 the clerk accepts it; the rest through the services --------------------------
    _official_accepts(official, number)
    _work_all(case)
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED

    # --- a.5 我的证照: the birth certificate ---------------------------------------------
    citizen.goto(base + "/")
    citizen.locator("header a[href='/me/licences/']").click()
    citizen.wait_for_url(re.compile(r"/me/licences/$"))
    licence = Licence.objects.get(source_case=case, department__code="wj")
    assert licence.status == LicenceStatus.VALID
    citizen.locator(f"main a[href='/me/licences/{licence.number}/']").first.click()
    citizen.wait_for_url(re.compile(r"/me/licences/[^/]+/$"))
    assert_accessible(citizen, "licence")
    qr_payload = citizen.locator("main a[href*='/verify/?p=']").first.get_attribute("href")
    code = parse_qs(urlsplit(qr_payload or "").query)["p"][0]

    # --- a.6 证照核验 from the home page -------------------------------------------------
    citizen.goto(base + "/")
    citizen.locator("main a.tb-tile[href='/verify/']").click()  # 证照核验
    citizen.wait_for_url(re.compile(r"/verify/$"))
    citizen.fill("[name=p]", code)
    citizen.locator("main form button[type=submit]").first.click()
    citizen.wait_for_url(re.compile(r"/verify/\?"))
    assert citizen.locator(".tb-verdict--valid").count() == 1
    screenshot(citizen, "journey-a-06-verified")

    # --- a.7 rate from the completion message (我的消息) ----------------------------------
    citizen.locator("header a[href='/messages/']").click()
    citizen.wait_for_url(re.compile(r"/messages/$"))
    citizen.locator("main a[href^='/messages/']", has_text=number).first.click()  # newest
    citizen.locator(f"main a.tb-button[href*='{number}']").click()  # the case it is about
    citizen.wait_for_url(re.compile(rf"/me/cases/{number}/$"))
    citizen.locator("main a[href*='/rate/']").first.click()
    citizen.wait_for_url(re.compile(rf"/rate/{number}/"))
    radio = citizen.locator("input[name=level][value='5']")
    citizen.locator(f"label[for='{radio.get_attribute('id')}']").click()
    citizen.locator("main form:has(input[name=level]) button[type=submit]").click()
    citizen.wait_for_url(re.compile(rf"/rate/{number}/thanks/"))
    assert_accessible(citizen, "rating thanks")
    screenshot(citizen, "journey-a-07-rated")
    citizen.context.close()

    # --- c. a phone, in English and elder mode: the same licence, then 办件查询 ----------
    phone = _context(browser, PHONE, is_mobile=True, has_touch=True)
    phone.goto(base + "/")
    phone.locator("header").get_by_role("link", name=re.compile("English")).click()
    phone.wait_for_load_state()
    phone.locator("header a[href^='/elder/']").click()
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert "tb-elder" in (phone.locator("html").get_attribute("class") or "")
    screenshot(phone, "journey-c-01-home-en-elder-375")
    phone.locator("main a.tb-tile[href='/verify/']").click()
    phone.fill("[name=p]", code)
    phone.locator("main form button[type=submit]").first.click()
    phone.wait_for_url(re.compile(r"/verify/\?"))
    assert phone.locator(".tb-verdict--valid .tb-verdict__title").inner_text() == "Valid"
    assert_accessible(phone, "verification, English, elder, 375 px")
    screenshot(phone, "journey-c-02-verified-en-elder-375")
    phone.goto(base + "/")
    phone.locator("main a.tb-tile[href='/status/']").click()
    phone.fill("[name=number]", number)
    phone.fill("[name=code]", case.query_code.lower())  # typed in lower case: still found
    phone.locator("main form button[type=submit]").first.click()
    assert number in phone.locator("main").inner_text()
    assert no_sideways_scrolling(phone) <= 1, "the status page scrolls sideways at 375 px"
    assert_accessible(phone, "status, English, elder, 375 px")
    screenshot(phone, "journey-c-03-status-en-elder-375")
    phone.context.close()
