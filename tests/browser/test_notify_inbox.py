"""The inbox in headless Chromium: phone and desktop width, elder mode and English, no
JavaScript needed to read a message or mark all read; axe-core finds nothing serious."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.browser.conftest import screenshot, serious_axe_violations
from tongban import notify
from tongban.accounts.testing import verified_login
from tongban.notify.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def signed_in(live_server, citizen, browser):
    notify.send(
        citizen, "case.correction", "补正告知：请补充营业执照副本",
        "您申请的“开办企业一件事”需要补充材料：营业执照副本（复印件加盖公章）。"
        "请在 5 个工作日内提交。",
        link="/accounts/me/", severity="warning", channels=("inapp",),
    )  # fmt: skip
    notify.send(
        citizen, "case.received", "已收到您的申请", "您的申请已受理，办件编号 ZS20260001。",
        channels=("inapp",),
    )  # fmt: skip
    client = Client()
    verified_login(client, citizen)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    contexts = []

    def open_page(viewport, **cookies):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        contexts.append(context)
        jar = {settings.SESSION_COOKIE_NAME: session, **cookies}
        context.add_cookies(
            [{"name": k, "value": v, "url": live_server.url} for k, v in jar.items()]
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_inbox_on_phone_desktop_elder_and_english(live_server, signed_in, citizen):
    page = signed_in(DESKTOP)
    page.goto(live_server.url + "/messages/")
    header_link = page.locator("a[href='/messages/']").first
    assert "2" in header_link.inner_text()
    assert serious_axe_violations(page) == []
    screenshot(page, "notify-inbox-desktop-zh")

    page.get_by_role("link", name="补正告知：请补充营业执照副本").click()
    page.wait_for_url(f"{live_server.url}/messages/*/")
    assert "营业执照副本" in page.locator("main").inner_text()
    assert serious_axe_violations(page) == []
    screenshot(page, "notify-message-desktop-zh")
    assert "1" in page.locator("a[href='/messages/']").first.inner_text()

    phone = signed_in(PHONE)
    phone.goto(live_server.url + "/messages/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the inbox scrolls sideways on a phone ({width}px)"
    screenshot(phone, "notify-inbox-phone-zh")

    elder = signed_in(PHONE, tongban_elder="1")
    elder.goto(live_server.url + "/messages/")
    assert "tb-elder" in (elder.locator("html").get_attribute("class") or "")
    assert elder.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_axe_violations(elder) == []
    screenshot(elder, "notify-inbox-phone-elder")

    english = signed_in(DESKTOP, **{settings.LANGUAGE_COOKIE_NAME: "en"})
    english.goto(live_server.url + "/messages/")
    assert english.locator("h1").inner_text() == "My messages"
    screenshot(english, "notify-inbox-desktop-en")
    english.get_by_role("button", name="Mark all as read").click()  # a plain form post
    english.wait_for_url(f"{live_server.url}/messages/")
    assert "All your messages are marked as read." in english.locator("main").inner_text()
    assert not Message.objects.filter(recipient=citizen, read_at__isnull=True).exists()
    screenshot(english, "notify-inbox-desktop-en-read")
