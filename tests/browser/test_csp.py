"""The strict Content-Security-Policy holds on real pages in headless Chromium: portal pages,
a service guide, the Swagger UI at /api/docs and the admin show no violation."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tongban.catalog import services
from tongban.catalog.tests.factories import item_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
                    (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@pytest.fixture
def published_guide(department_a, admin_user) -> str:
    item = services.save_item(item_data(status="published"), actor=admin_user).item
    return f"/services/{item.implementation_code}/"


def test_pages_break_no_content_security_rule_in_chromium(
    browser, live_server, published_guide, admin_user
) -> None:
    session = Client()
    session.force_login(admin_user)
    context = browser.new_context(locale="zh-CN")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    context.add_init_script(_COLLECT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15000)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security" in m.text else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    checks = {
        "/": "h1",
        "/search/?q=%E8%90%A5%E4%B8%9A": "h1",
        published_guide: "h1",
        "/accounts/register/": "form",
        "/api/docs": ".swagger-ui .info .title",  # rendered by the bundle: scripts ran
        "/admin/": "#content",
        "/admin/catalog/serviceitem/": "#changelist",
        "/admin/catalog/serviceitem/add/": "form",
        "/admin/core/auditrecord/": "#changelist",
    }
    try:
        for path, ready in checks.items():
            page.goto(live_server.url + path)
            page.wait_for_selector(ready)
            page.wait_for_load_state("load")
            violations = page.evaluate("window.__csp")
            assert violations == [], f"{path}: {violations}"
        assert console == []
        # Control: the collector does see a violation when there is one.
        page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>p{}</style>')")
        page.wait_for_function("window.__csp.length > 0")
        assert "style-src" in page.evaluate("window.__csp")[0]
    finally:
        context.close()
