"""Headless Chromium (Debian's package) driven by Playwright against a live test server.

A missing browser fails the run loudly: browser tests are part of the suite, never skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (fixtures, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' and "
            "'fonts-noto-cjk' (see .ci/run). Browser tests are never skipped."
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture
def demo_city(transactional_db):
    """The demo city, loaded exactly as `make demo` loads it."""
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)


def screenshot(page, name: str) -> Path:
    """Keep a screenshot of what the test saw (test-artifacts/, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_axe_violations(page) -> list[dict]:
    """axe-core (bundled by axe-playwright-python) violations of impact serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


# --- h9-reach: helpers shared by the journeys (moved from test_bundle_application.py) -----

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
#: The demo business's legal representative (verified in person) and his bundle.
APPLICANT = "huang.zhiqiang"
BUNDLE = "start-a-business"


def assert_accessible(page, where: str) -> None:
    violations = serious_axe_violations(page)
    assert violations == [], f"axe-core on {where}: {violations}"


def no_sideways_scrolling(page) -> int:
    """How many pixels the page scrolls sideways (0 or 1 is fine)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def sign_in(browser, base: str, username: str, *, second_factor: bool, then: str = "/"):
    """A browser session of a demo person, signed in through the real sign-in pages
    (``then`` is the ``next`` a link would carry)."""
    import re
    import time

    from tongban.accounts import totp
    from tongban.demo.data.people import DEMO_PASSWORD
    from tongban.demo.loader import demo_totp_secret

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
    from tongban.accounts.models import Role, RoleAssignment

    def holder(role: str) -> str:
        row = RoleAssignment.objects.filter(department=department, role=role).first()
        assert row is not None, f"the demo has no {role} in {department.code}"
        return row.user.username

    return holder(Role.CLERK), holder(Role.REVIEWER), holder(Role.DEPARTMENT_LEADER)
