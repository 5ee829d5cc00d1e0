"""Materials the platform fetches instead of asking for them (免提交), in headless Chromium on
the demo city, through the real exchange gateway in process.

a. A demo citizen applies for 新生儿出生一件事 without uploading a resident ID card or a
   household register: the form says they are fetched from the population registry; after
   submission the health department's clerk sees them as 共享获取 with the source, the time
   and the verification. Screenshots at 1280 and 390 px, in Chinese and English.
b. The same with the registry down: the citizen is told beside each material, with an
   upload field, and uploads instead; nothing typed is lost.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import DESKTOP, screenshot
from tongban.accounts import totp
from tongban.accounts.models import Role, RoleAssignment, User, UserKind
from tongban.cases import sharing
from tongban.cases.models import Case, SharedMaterial, SharedStatus, WorkItem, WorkKind
from tongban.demo.cases import DEMO_PDF, PERSON_VALUES
from tongban.demo.data.people import DEMO_PASSWORD
from tongban.demo.loader import demo_totp_secret
from tongban.exchange import prefill
from tongban.exchange.client import DjangoTransport, TransportError

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHARED = ("M-ID-CARD", "M-HOUSEHOLD-BOOK")
PHONE = {"width": 390, "height": 844}


def _citizen_in_the_registry() -> User:
    """A demo citizen whose population record the registry holds (and who may apply)."""
    for user in User.objects.filter(kind=UserKind.CITIZEN, is_active=True).order_by("username"):
        if not user.id_number or user.assurance_level < 2:
            continue
        answer = prefill.ask(prefill.POPULATION, prefill.POPULATION_FIELDS, user.id_number)
        if answer.status == SharedStatus.OBTAINED and prefill.same_person(answer.record, user):
            return user
    pytest.fail("no demo citizen is in the population registry")


def _page(browser, base: str, viewport=DESKTOP, locale: str = "zh-CN"):
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.base_url = base
    return page


def _sign_in(page, username: str, *, official: bool = False) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    if official:
        page.wait_for_url(re.compile(r"/accounts/two-factor/"))
        page.fill("#id_code", totp.code_at(demo_totp_secret(), time.time()))
        page.locator("form:has(#id_code) button[type=submit]").click()
    page.wait_for_load_state()


def _fill_the_form(page) -> None:
    for element, value in PERSON_VALUES.items():
        field = page.locator(f"[name='f_{element.replace('.', '__')}']")
        if field.count() == 0:
            continue
        if field.first.evaluate("el => el.tagName") == "SELECT":
            field.first.select_option(value)
        elif field.first.get_attribute("readonly") is None:
            field.first.fill(value)


def _upload_visible(page, *, also: tuple[str, ...] = ()) -> None:
    """Upload a file for every material whose upload field shows (and for ``also``)."""
    uploads = page.locator("input[type=file]")
    for i in range(uploads.count()):
        field = uploads.nth(i)
        name = field.get_attribute("name") or "material"
        if field.is_visible() or name.removeprefix("material_") in also:
            field.set_input_files(
                {"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": DEMO_PDF}
            )


def _submit(page) -> str:
    page.locator("button[name=submit]").click()
    page.wait_for_url(re.compile(r"/me/cases/[0-9-]+/submitted/$"))
    return page.locator(".tb-confirmation__number").inner_text().strip()


@pytest.fixture
def platform(demo_city):
    prefill.load_platform_member()
    with sharing.sources_override(prefill.PopulationSource(), prefill.LegalPersonSource()):
        yield


def test_the_id_card_and_household_register_are_fetched_not_uploaded(
    browser, live_server, platform
):
    citizen = _citizen_in_the_registry()
    page = _page(browser, live_server.url)
    _sign_in(page, citizen.username)
    page.goto(live_server.url + "/apply/bundle/newborn/")
    for code in SHARED:
        note = page.locator(f".tb-shared-fetch[data-shared='{code}']")
        assert note.count() == 1, f"{code} is not offered as fetched"
        # 人口基础信息库 once the translations are merged (/tmp/tr/pf.json).
        assert any(s in note.inner_text() for s in ("人口基础信息库", "population registry"))
        assert not page.locator(f"input[name='material_{code}']").is_visible()
    screenshot(page, "shared-01-apply-1280-zh")
    page.set_viewport_size(PHONE)
    screenshot(page, "shared-02-apply-390-zh")
    page.set_viewport_size(DESKTOP)
    _fill_the_form(page)
    _upload_visible(page)
    number = _submit(page)

    case = Case.objects.get(number=number)
    rows = {r.material_code: r for r in SharedMaterial.objects.filter(case=case)}
    assert set(rows) == set(SHARED)
    assert all(r.status == SharedStatus.OBTAINED and r.exchange_id for r in rows.values())
    assert not case.materials.filter(material_code__in=SHARED).exists()  # nothing uploaded

    # The citizen sees the reads in their data-access log (个人空间 → 我的数据使用记录), by clicks.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="个人空间").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="我的数据使用记录").first.click()
    page.wait_for_load_state()
    log = page.locator("main").inner_text()
    assert "人口基础信息" in log, log
    assert "一件事一次办" in log  # the purpose of the platform's grant
    screenshot(page, "shared-11-data-access-1280-zh")

    # The health department's clerk sees them as shared, with the source, time and check.
    clerk = RoleAssignment.objects.filter(department__code="wj", role=Role.CLERK).first()
    assert clerk is not None
    work = (
        WorkItem.objects.filter(case=case, kind=WorkKind.ACCEPT, department__code="wj")
        .order_by("pk")
        .first()
    )
    assert work is not None
    # One sign-in (an authenticator code is accepted once); English through the header's
    # language switch, as a person switches.
    office = _page(browser, live_server.url)
    _sign_in(office, clerk.user.username, official=True)
    work_url = f"{live_server.url}/office/work/{work.pk}/"
    for language, prefix in (("zh", "shared-03"), ("en", "shared-05")):
        office.set_viewport_size(DESKTOP)
        office.goto(work_url)
        if language == "en":
            office.locator("header a[hreflang=en]").click()
            office.wait_for_load_state()
            office.goto(work_url)
            assert office.locator("html").get_attribute("lang") == "en"
        row = office.locator(".tb-shared-material[data-shared='M-ID-CARD']")
        text = row.inner_text()
        assert any(s in text for s in ("共享获取", "Obtained through sharing")), text
        assert row.get_attribute("data-status") == "obtained"
        assert rows["M-ID-CARD"].exchange_id in text
        screenshot(office, f"{prefix}-official-1280-{language}")
        office.set_viewport_size(PHONE)
        screenshot(office, f"{prefix[:-1]}{int(prefix[-1]) + 1}-official-390-{language}")
    office.context.close()
    page.goto(live_server.url + "/apply/bundle/newborn/")
    page.locator("header a[hreflang=en]").click()
    page.wait_for_load_state()
    page.goto(live_server.url + "/apply/bundle/newborn/")
    assert page.locator(".tb-shared-fetch[data-shared='M-ID-CARD']").count() == 1
    screenshot(page, "shared-07-apply-1280-en")
    page.set_viewport_size(PHONE)
    screenshot(page, "shared-08-apply-390-en")
    page.context.close()


def test_with_the_registry_down_the_citizen_uploads_instead(
    browser, live_server, platform, monkeypatch
):
    citizen = _citizen_in_the_registry()

    def down(self, *args):
        raise TransportError("timeout", "the registry timed out")

    monkeypatch.setattr(DjangoTransport, "send", down)
    page = _page(browser, live_server.url)
    _sign_in(page, citizen.username)
    page.goto(live_server.url + "/apply/bundle/newborn/")
    _fill_the_form(page)
    _upload_visible(page)
    page.locator("button[name=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".tb-error-summary").count() == 1
    for code in SHARED:
        assert page.locator(f"#material_{code}-error").count() == 1, code
        assert page.locator(f"input[name='material_{code}']").is_visible()
        assert page.locator(f"input[name='fetch_later_{code}']").count() == 1
    # What was typed is kept.
    assert page.locator("[name='f_child__name']").input_value() == PERSON_VALUES["child.name"]
    screenshot(page, "shared-09-registry-down-1280-zh")
    page.set_viewport_size(PHONE)
    screenshot(page, "shared-10-registry-down-390-zh")
    page.set_viewport_size(DESKTOP)
    _upload_visible(page, also=SHARED)
    number = _submit(page)
    case = Case.objects.get(number=number)
    assert case.materials.filter(material_code__in=SHARED).count() == 2
    assert not SharedMaterial.objects.filter(case=case).exists()
    page.context.close()
