"""A citizen's journey through the portal in headless Chromium, with axe-core checks.

home → search 营业执照 → service guide → switch to English → elder mode; then the same
pages at phone width. axe-core must report no serious or critical violation on the home,
search and guide pages, in the standard and the elder layout.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot, serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HAN = re.compile(r"[\u4e00-\u9fff]")


def assert_accessible(page, where: str) -> None:
    violations = serious_axe_violations(page)
    assert violations == [], f"axe-core on {where}: {violations}"


def test_home_search_guide_language_elder(page, demo_city):
    page.goto(page.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("h1").count() == 1
    assert_accessible(page, "home")
    screenshot(page, "01-home-zh")

    search_box = page.get_by_role("searchbox").first
    search_box.fill("营业执照")
    search_box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    results = page.locator("main a[href^='/services/']")
    assert results.count() > 0, "营业执照 found nothing"
    assert page.locator("main mark").count() > 0, "matched words are not highlighted"
    assert_accessible(page, "search results")
    screenshot(page, "02-search-zh")

    results.first.click()
    page.wait_for_url(re.compile(r"/services/[^/]+/$"))
    guide_title = page.locator("h1").inner_text()
    assert HAN.search(guide_title)
    for heading in ("申请材料", "办理流程", "咨询"):
        assert page.get_by_text(heading).count() > 0, f"guide lacks {heading}"
    assert_accessible(page, "service guide")
    screenshot(page, "03-guide-zh")

    page.locator("header").get_by_role("link", name=re.compile("English")).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    nav = page.locator("nav.tb-nav").inner_text()
    assert not HAN.search(nav), f"English navigation shows Chinese: {nav!r}"
    assert "Materials" in page.locator("main").inner_text()
    screenshot(page, "04-guide-en")

    page.locator("header a[href^='/elder/']").click()
    page.wait_for_load_state()
    assert "tb-elder" in (page.locator("html").get_attribute("class") or "")
    body_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_px >= 18, f"elder mode body text is {body_px}px"
    assert_accessible(page, "service guide, elder mode")
    screenshot(page, "05-guide-en-elder")

    # Remembered per visitor: a fresh page load in the same browser keeps elder mode.
    page.goto(page.base_url + "/")
    assert "tb-elder" in (page.locator("html").get_attribute("class") or "")
    assert_accessible(page, "home, elder mode")


def test_phone_width_has_no_sideways_scrolling(browser, live_server, demo_city):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        for path in ("/", "/search/?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7", "/services/"):
            page.goto(live_server.url + path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at 390px"
        link = page.locator("main a[href^='/services/'][href$='/']").first
        link.click()
        page.wait_for_url(re.compile(r"/services/[^/]+/$"))
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"guide scrolls sideways by {overflow}px at 390px"
        screenshot(page, "06-guide-phone")
    finally:
        context.close()
