"""在线办理 from the guide and bundle pages: into this platform's form, through sign-in and
identity assurance, back to the form; another website only for items without a form."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from tongban.cases.tests.conftest import world  # noqa: F401  (the fixture)
from tongban.catalog.models import ServiceItem
from tongban.portal.tests.factories import make_item

pytestmark = pytest.mark.django_db

START = re.compile(r'<a class="tb-button tb-button--start[^"]*" href="([^"]+)"[^>]*>([^<]+)</a>')


def _start(page: str) -> tuple[str, str]:
    """The guide's one start button: (href, label)."""
    found = START.findall(page)
    assert len(found) == 1, found
    href, label = found[0]
    return href.replace("&amp;", "&"), label


def _guide(item: ServiceItem) -> str:
    return reverse("portal:guide", args=[item.implementation_code])


def test_a_visitor_goes_from_the_guide_through_sign_in_to_the_form(world):  # noqa: F811
    item = world.item_a
    ServiceItem.objects.filter(pk=item.pk).update(online_url="https://www.gdzwfw.gov.cn/x")
    client = Client()
    page = client.get(_guide(item)).content.decode()
    href, label = _start(page)
    assert label == "在线办理"
    apply_url = reverse("cases:apply", args=["item", item.implementation_code])
    # The platform takes this item: the other website is not offered at all.
    assert "gdzwfw" not in page
    login = urlsplit(href)
    assert login.path == reverse("accounts:login")
    assert parse_qs(login.query)["next"] == [apply_url]
    # Signing in on that page comes back to the form.
    form_page = client.get(href)
    assert form_page.status_code == 200
    signed_in = client.post(
        href, {"username": world.applicant.username, "password": PASSWORD}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == apply_url
    assert 'name="submit"' in signed_in.content.decode()


def test_a_signed_in_citizen_goes_straight_to_the_form(client, world):  # noqa: F811
    client.force_login(world.applicant)
    href, _label = _start(client.get(_guide(world.item_a)).content.decode())
    assert href == reverse("cases:apply", args=["item", world.item_a.implementation_code])
    assert 'name="submit"' in client.get(href).content.decode()


def test_every_bundle_offers_its_one_form(client, world):  # noqa: F811
    bundle_url = reverse("portal:bundle", args=[world.bundle.code])
    page = client.get(bundle_url).content.decode()
    href, label = _start(page)
    apply_url = reverse("cases:apply", args=["bundle", world.bundle.code])
    assert label == "在线办理" and parse_qs(urlsplit(href).query)["next"] == [apply_url]
    assert "即将开通" not in page
    client.force_login(world.applicant)
    href, _label = _start(client.get(bundle_url).content.decode())
    assert href == apply_url
    form = client.get(href).content.decode()
    assert 'name="material_M-A"' in form and 'name="material_M-B"' in form


def test_an_item_without_a_form_names_the_other_website(client, department_a):
    item = make_item(department_a, online_url="https://www.gdzwfw.gov.cn/item/9")
    page = client.get(_guide(item)).content.decode()
    href, label = _start(page)
    assert href == "https://www.gdzwfw.gov.cn/item/9"
    assert "www.gdzwfw.gov.cn" in label  # named as another site (English label below)
    assert 'rel="noopener external"' in page
    assert "/apply/" not in page
    # Without a form here and without an address elsewhere: the window.
    bare = make_item(department_a, online_url="")
    href, label = _start(client.get(_guide(bare)).content.decode())
    assert href == "#where" and "/apply/" not in client.get(_guide(bare)).content.decode()


def test_only_web_addresses_are_linked_as_the_other_website(client, department_a):
    item = make_item(department_a, online_url="javascript:alert(1)")
    page = client.get(_guide(item)).content.decode()
    assert "javascript:" not in page and _start(page)[0] == "#where"


def test_too_little_assurance_shows_how_to_raise_it_and_the_way_back(client, world):  # noqa: F811
    user = world.applicant
    user.assurance_level = 1  # self-declared; the test items need a verified identity
    user.save(update_fields=["assurance_level"])
    client.force_login(user)
    guide = client.get(_guide(world.item_a)).content.decode()
    assert "您的账号目前仅为自报身份" in guide
    assert reverse("portal:towns") in guide  # where to verify in person
    apply_url, _label = _start(guide)
    page = client.get(apply_url).content.decode()
    assert 'id="assurance-gap"' in page and 'name="submit"' not in page
    assert reverse("portal:towns") in page and reverse("accounts:me") in page
    assert f'href="{_guide(world.item_a)}"' in page  # back to the guide
    assert not user.drafts.exists()
    # Once verified (online or at a counter), the same link opens the form.
    user.assurance_level = 2
    user.save(update_fields=["assurance_level"])
    assert 'name="submit"' in client.get(apply_url).content.decode()


def test_the_english_guide_labels_the_other_website(department_a):
    client = Client()
    client.cookies["django_language"] = "en"
    item = make_item(department_a, online_url="https://www.gdzwfw.gov.cn/item/9")
    _href, label = _start(client.get(_guide(item)).content.decode())
    assert label == "Apply online at www.gdzwfw.gov.cn (another website)"
