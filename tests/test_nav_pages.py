"""Ways in, as each persona sees them: header, footer and home links from the registry, the
footer marks, the sign-in page's city name and phones, landing after sign-in, the error pages.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from conftest import PASSWORD
from tongban.accounts.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db

PUBLIC = {"/status/", "/verify/", "/ratings/"}
MINE = {"/me/cases/", "/me/licences/", "/messages/", "/accounts/me/"}


def _nav_hrefs(html: str, keys: str = r"[\w.]+") -> set[str]:
    return set(re.findall(rf'<a href="([^"]+)"[^>]*data-nav="{keys}"', html))


def _header(html: str) -> str:
    return html.split("</header>")[0]


def _footer(html: str) -> str:
    return html.split('<footer class="tb-footer">')[1]


@pytest.fixture
def system_admin(db):
    from conftest import _user

    user = _user("sysadmin", real_name="系统管理员")
    RoleAssignment.objects.create(user=user, role=Role.SYSTEM_ADMIN)
    user.refresh_from_db()
    return user


def test_anonymous_header_footer_and_home_carry_the_public_tools(client, city):
    html = client.get("/").content.decode()
    header = _nav_hrefs(_header(html))
    assert header >= PUBLIC
    assert not header & (MINE | {"/office/", "/admin/"})
    assert _nav_hrefs(_footer(html)) >= PUBLIC
    tiles = set(re.findall(r'class="tb-tile" href="([^"]+)" data-nav="', html))
    assert tiles >= PUBLIC
    footer = _footer(html)
    assert 'href="tel:12345"' in footer  # the hotline, and complaints default to it
    assert 'href="tel:"' not in html


def test_citizen_sees_their_own_links_but_no_workbench(client, citizen):
    client.force_login(citizen)
    header = _header(client.get("/about/").content.decode())
    hrefs = _nav_hrefs(header)
    assert hrefs >= PUBLIC | MINE
    assert "/office/" not in hrefs and "/admin/" not in hrefs


def test_official_sees_the_workbench_but_not_the_admin(client, official_a):
    client.force_login(official_a)
    hrefs = _nav_hrefs(_header(client.get("/about/").content.decode()))
    assert {"/office/"} | MINE <= hrefs
    assert "/admin/" not in hrefs


def test_administrator_sees_workbench_and_admin(client, system_admin):
    client.force_login(system_admin)
    hrefs = _nav_hrefs(_header(client.get("/about/").content.decode()))
    assert {"/office/", "/admin/"} <= hrefs


def test_unread_messages_are_counted_beside_my_messages(client, citizen):
    from tongban.notify.models import Message

    client.force_login(citizen)
    html = _header(client.get("/about/").content.decode())
    assert not re.search(r'data-nav="notify.inbox">[^<]*<span class="tb-tag', html)
    Message.objects.create(recipient=citizen, subject="补正通知", body="请补充材料")
    html = _header(client.get("/about/").content.decode())
    assert re.search(r'data-nav="notify.inbox">[^<]*<span class="tb-tag tb-tag--red">1<', html)


def test_current_page_is_marked_in_the_menu(client, city):
    html = _header(client.get("/status/").content.decode())
    assert re.search(r'href="/status/" aria-current="page" data-nav="cases.status"', html)
    assert 'aria-current="page" data-nav="portal.home"' not in html


def test_login_page_shows_the_city_name_and_callable_phones(client, city):
    """Django's LoginView puts the Sites framework's ``site`` in its context; the portal's
    facts are ``portal_site``, so the sign-in page keeps the city and the phone numbers."""
    html = client.get(reverse("accounts:login")).content.decode()
    assert "中山市" in html.split("</title>")[0]  # the title names the city
    assert "中山市" in _header(html)
    assert 'href="tel:12345"' in html
    assert 'href="tel:"' not in html


def test_footer_marks_follow_the_settings(client, city, settings):
    settings.TONGBAN_SITE_CODE = "4420000001"
    settings.TONGBAN_ICP_RECORD = "粤ICP备12345678号-1"
    settings.TONGBAN_PSB_RECORD = "粤公网安备 44200002000123号"
    settings.TONGBAN_PARTY_GOV_MARK = True
    settings.TONGBAN_PARTY_GOV_MARK_ID = "bm0000000001"
    footer = _footer(client.get("/accessibility/").content.decode())
    assert "4420000001" in footer
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener">粤ICP备12345678号-1</a>' in footer
    assert 'href="https://beian.mps.gov.cn/#/query/webSearch?code=44200002000123"' in footer
    assert 'href="https://bszs.conac.cn/sitename?method=show&amp;id=bm0000000001"' in footer


def test_footer_marks_are_hidden_when_not_configured(client, city, settings):
    settings.TONGBAN_SITE_CODE = ""
    settings.TONGBAN_ICP_RECORD = ""
    settings.TONGBAN_PSB_RECORD = ""
    settings.TONGBAN_PARTY_GOV_MARK = False
    footer = _footer(client.get("/accessibility/").content.decode())
    assert "beian" not in footer and "conac" not in footer
    assert "Website identification code" not in footer and "网站标识码" not in footer


# --- landing after sign-in -----------------------------------------------------------------


def test_citizen_signing_in_lands_on_the_personal_space(client, citizen):
    response = client.post(
        reverse("accounts:login"), {"username": citizen.phone, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:me")


def test_landing_sends_staff_to_the_workbench(client, official_a, system_admin, admin_user):
    for user in (official_a, system_admin, admin_user):
        client.force_login(user)
        response = client.get(reverse("portal:landing"))
        assert response["Location"] == reverse("portal:workbench"), user.username
        client.logout()


def test_landing_follows_a_safe_next_only(client, official_a):
    client.force_login(official_a)
    response = client.get(reverse("portal:landing"), {"next": "/status/"})
    assert response["Location"] == "/status/"
    response = client.get(reverse("portal:landing"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("portal:workbench")


def test_landing_asks_visitors_to_sign_in(client):
    response = client.get(reverse("portal:landing"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_officials_personal_space_leads_to_the_workbench_first(client, official_a):
    client.force_login(official_a)
    html = client.get(reverse("accounts:me")).content.decode()
    workbench = html.find('href="/office/" data-nav="portal.workbench"')
    assert workbench != -1
    body = html.split('<main id="main"')[1]
    first_tile = body.find('data-nav="portal.workbench"')
    assert first_tile < body.find("tb-summary-list")  # before the identity details


def test_a_citizens_personal_space_has_no_workbench_entry(client, citizen):
    client.force_login(citizen)
    body = client.get(reverse("accounts:me")).content.decode().split('<main id="main"')[1]
    assert 'data-nav="portal.workbench"' not in body


# --- error pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_403_is_a_real_page_in_the_users_language(client, citizen, lang):
    client.force_login(citizen)
    response = client.get(reverse("portal:workbench"), HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 403
    html = response.content.decode()
    with translation.override(lang):
        title = gettext("You cannot open this page")
    assert f'<h1 class="tb-heading-xl">{title}</h1>' in html
    assert 'class="tb-header"' in html and 'class="tb-footer"' in html  # the base layout
    assert 'href="/"' in html and 'href="tel:12345"' in html
    if lang == "zh-hans":
        assert re.search(r"[\u4e00-\u9fff]", title), "the 403 title is not translated yet"


def test_403_asks_a_visitor_to_sign_in(client, city, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/office/licences/")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied())
    html = response.content.decode()
    assert response.status_code == 403
    assert 'href="/accounts/login/?next=/office/licences/"' in html


def test_csrf_failure_is_a_friendly_page(city):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="tb-footer"' in html
    with translation.override("zh-hans"):
        title = gettext("Your form could not be sent")
    assert f'<h1 class="tb-heading-xl">{title}</h1>' in html


def test_404_and_400_share_the_layout_and_the_ways_back(client, city):
    html = client.get("/no-such-page/").content.decode()
    assert 'class="tb-header"' in html and 'href="tel:12345"' in html and 'href="/"' in html


def test_500_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert 'href="tel:12345"' in html and 'href="/"' in html
