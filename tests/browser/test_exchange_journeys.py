"""The data-sharing exchange (共享交换) from the front door, in headless Chromium on the demo
city. Every journey starts at ``/`` and clicks; no deep URL is typed.

1. An official of a consuming department — the human resources and social security bureau
   (``rs``), whose social insurance system is a member — signs in, lands on the workbench,
   opens 数据资源目录, searches, opens the population registry, requests fields (purpose,
   legal basis, duration) and sees the request listed under "our requests".
2. The provider's official (public security, ``ga``) signs in, finds the request on the
   workbench, opens it and grants it with rate limits; the requester sees the decision.
3. The data authority's data administrator signs in, opens the member systems, registers a
   system (the computed level shown) and issues its key: the private key is shown once.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import DESKTOP, assert_accessible, screenshot
from tongban.accounts import totp
from tongban.accounts.models import Role, RoleAssignment, User, UserKind
from tongban.demo.data.people import DEMO_PASSWORD
from tongban.demo.loader import demo_totp_secret, enrol_demo_totp
from tongban.exchange.models import DataItem, Grant, MemberKey, MemberSystem, ShareRequest
from tongban.org.models import Department

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REQUESTER = "rs.huang"  # 人社局: clerk, reviewer and leader
PROVIDER = "ga.zhao"  # 公安局: decides requests for the population registry
DATA_ADMIN = "zssj.xu"  # 数据管理员 of the data administration bureau (the data authority)
PURPOSE = "核验参保人员户籍信息"
BASIS = "《社会保险法》第五十八条；《政务数据共享条例》第十四条"


def _data_admin() -> User:
    """The demo's data administrator (created as the demo persona would be, if the demo
    does not have it yet)."""
    authority = Department.objects.get(code="zssj")
    user, created = User.objects.get_or_create(
        username=DATA_ADMIN,
        defaults={"kind": UserKind.OFFICIAL, "real_name": "许文博", "department": authority,
                  "clearance": 3},
    )  # fmt: skip
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        enrol_demo_totp(user)
    RoleAssignment.objects.get_or_create(user=user, role=Role.DATA_ADMIN, department=authority)
    return user


def _signs_in(browser, base: str, username: str):
    """From the home page's sign-in link, with password and authenticator code, to the
    workbench."""
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    page.set_default_timeout(15000)
    page.goto(base + "/")
    page.locator("header a[href='/accounts/login/']").click()
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/"))
    page.fill("#id_code", totp.code_at(demo_totp_secret(), time.time()))
    page.locator("form:has(#id_code) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/office/$"))
    return page


def _requests_for_data(page) -> ShareRequest:
    """Journey 1, from the workbench to the request listed."""
    page.locator("main a[href='/office/exchange/resources/']").first.click()
    page.wait_for_url(re.compile(r"/office/exchange/resources/$"))
    page.fill("#id_q", "人口")
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(r"\?q="))
    page.locator("main table a", has_text="人口基础信息").click()
    page.wait_for_url(re.compile(r"/resources/zs\.ga\.population/$"))
    page.locator("main a[href$='/request/']").click()
    page.wait_for_url(re.compile(r"/request/$"))
    member = MemberSystem.objects.get(code="rs.social-insurance")
    page.select_option("#id_member", str(member.pk))
    for code in ("person.name", "person.id_number", "household.address"):
        item = DataItem.objects.get(resource__code="zs.ga.population", code=code)
        page.check(f"input[name=items][value='{item.pk}']")
    page.fill("#id_purpose", PURPOSE)
    page.fill("#id_legal_basis", BASIS)
    page.fill("#id_duration_days", "180")
    screenshot(page, "exchange-1-request-form")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/office/exchange/requests/\d+/$"))
    request = ShareRequest.objects.get(purpose=PURPOSE)
    assert page.locator(".tb-messages").count() == 1, "the request did not say what happened"
    # Listed among the department's own requests.
    page.locator("main a[href='/office/exchange/requests/']").first.click()
    page.locator("main a[href='?view=outgoing']").click()
    row = page.locator("main table tr", has_text="人口基础信息")
    assert row.locator(f"a[href='/office/exchange/requests/{request.pk}/']").count() == 1
    assert request.member == member and request.duration_days == 180
    return request


def _provider_grants(browser, base: str, request: ShareRequest) -> None:
    """Journey 2: from the provider's workbench panel to the grant."""
    page = _signs_in(browser, base, PROVIDER)
    page.locator(f"main a[href='/office/exchange/requests/{request.pk}/']").first.click()
    page.wait_for_url(re.compile(rf"/requests/{request.pk}/$"))
    page.fill("#id_grant-rate_per_minute", "30")
    page.fill("#id_grant-rate_per_day", "5000")
    screenshot(page, "exchange-2-decide")
    page.locator("form:has(#id_grant-rate_per_minute) button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/requests/{request.pk}/$"))
    assert page.locator(".tb-messages").count() == 1
    grant = Grant.objects.get(request=request)
    assert (grant.rate_per_minute, grant.rate_per_day) == (30, 5000)
    page.context.close()


def _data_admin_registers_and_issues(browser, base: str) -> None:
    """Journey 3: a member system registered and its key issued, from the workbench."""
    page = _signs_in(browser, base, DATA_ADMIN)
    page.locator("main a[href='/office/exchange/members/']").first.click()
    page.wait_for_url(re.compile(r"/office/exchange/members/$"))
    page.locator("main a[href='/office/exchange/members/register/']").click()
    page.select_option("#id_department", str(Department.objects.get(code="sw").pk))
    page.fill("#id_code", "sw.invoices")
    page.fill("#id_name", "电子发票服务平台")
    page.check("#id_dengbao_grade_2")  # grade 3
    page.check("#id_key_protection_2")  # HSM
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/members/sw\.invoices/$"))
    member = MemberSystem.objects.get(code="sw.invoices")
    assert member.assurance_level == 4
    assert "4" in page.locator(".tb-messages").inner_text()
    page.locator("main a[href$='/keys/new/']").click()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    key = MemberKey.objects.get(member=member)
    pem = page.locator("#private-key").input_value()
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert page.locator(f"a[download='{key.key_id}.pem']").count() == 1
    screenshot(page, "exchange-3-key-issued")
    assert_accessible(page, "the issued key")
    page.go_back()  # back to the form: the key is not shown again, nothing more issued
    page.wait_for_url(re.compile(r"/keys/new/$"))
    assert "BEGIN PRIVATE KEY" not in page.content()
    page.locator("main a.ex-cancel").click()
    page.wait_for_url(re.compile(r"/members/sw\.invoices/$"))
    assert key.key_id in page.locator("main table").inner_text()
    assert MemberKey.objects.filter(member=member).count() == 1
    page.context.close()


def test_a_request_granted_and_a_member_keyed_from_the_front_door(browser, live_server, demo_city):
    base = live_server.url
    _data_admin()
    requester = _signs_in(browser, base, REQUESTER)
    request = _requests_for_data(requester)
    _provider_grants(browser, base, request)
    # The requester sees the decision on the request's page.
    requester.reload()
    requester.locator(f"main a[href='/office/exchange/requests/{request.pk}/']").first.click()
    requester.wait_for_url(re.compile(rf"/requests/{request.pk}/$"))
    assert "30" in requester.locator("main dl").inner_text()
    request.refresh_from_db()
    assert request.status == "granted"
    assert request.get_status_display() in requester.locator("main dl").inner_text()
    requester.context.close()
    _data_admin_registers_and_issues(browser, base)
