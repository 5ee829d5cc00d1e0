"""axe-core on the ways in: sign-in, SMS sign-in, registration and password recovery, in
Chinese and in English, blank and after a submission with errors (issue 10).

The pages are reached by clicking from the sign-in page, as a visitor would.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot, serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = {"zh-hans": ("zh-Hans", "忘记密码"), "en": ("en", "Forgotten your password")}


def assert_accessible(page, where: str) -> None:
    violations = serious_axe_violations(page)
    assert violations == [], f"axe-core on {where}: {violations}"


def submit_blank(page) -> None:
    """Send the page's main form empty, so that the error summary and messages show."""
    page.locator("main form[novalidate] button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".tb-error-message").count() > 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_ways_in_have_no_serious_axe_violations(page, language):
    lang_attr, forgotten = LANGUAGES[language]
    page.goto(f"{page.base_url}/language/?lang={language}&next=/accounts/login/")
    page.wait_for_url(re.compile(r"/accounts/login/$"))
    assert page.locator("html").get_attribute("lang") == lang_attr
    assert forgotten in page.locator("main").inner_text()
    assert_accessible(page, f"sign-in ({language})")
    screenshot(page, f"login-a11y-{language}-login")
    submit_blank(page)
    assert_accessible(page, f"sign-in with errors ({language})")

    login = page.url
    for link, where in (
        ("accounts/login/sms/", "SMS sign-in"),
        ("accounts/register/", "registration"),
        ("accounts/password/forgot/", "password recovery"),
    ):
        page.goto(login)
        page.locator(f"main a[href$='/{link}']").first.click()
        page.wait_for_url(re.compile(f"/{link}$"))
        assert_accessible(page, f"{where} ({language})")
        submit_blank(page)
        assert_accessible(page, f"{where} with errors ({language})")

    # Password recovery, step 2 (the answer for any well-formed number).
    page.locator("main input[name=mobile]").fill("13900009999")
    page.locator("main form[novalidate] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/password/reset/$"))
    assert_accessible(page, f"new password ({language})")
    screenshot(page, f"login-a11y-{language}-password-reset")
    submit_blank(page)
    assert_accessible(page, f"new password with errors ({language})")
