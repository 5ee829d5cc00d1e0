"""Every page renders in Chinese and in English with the right headings."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tongban.catalog.models import ServiceItem
from tongban.catalog.search import reindex_all
from tongban.portal.tests.conftest import han_outside_marked
from tongban.portal.tests.factories import make_item

pytestmark = pytest.mark.django_db


def h1(html: str) -> str:
    found = re.findall(r"<h1[^>]*>(.*?)</h1>", html, flags=re.S)
    assert len(found) == 1, f"expected one h1, found {found}"
    return found[0].strip()


def pages(catalogue) -> list[tuple[str, str, str]]:
    """(url, Chinese h1, English h1) of every portal page."""
    licence = catalogue["licence"]
    return [
        ("/", "查找办事服务", "Find a government service"),
        ("/services/", "全部办事服务", "All services"),
        ("/search/?q=登记", "搜索办事服务", "Search services"),
        (
            f"/services/{licence.implementation_code}/",
            "个体工商户设立登记",
            "Sole trader registration",
        ),
        ("/bundles/open-business/", "开办企业一件事", "Opening a business"),
        ("/departments/", "部门", "Departments"),
        ("/departments/scjg/", "中山市市场监督管理局", "Market Regulation Bureau"),
        ("/towns/", "镇街", "Towns and streets"),
        ("/towns/442000111000/", "小榄镇", "Xiaolan"),
        ("/about/", "关于本站", "About this site"),
        ("/accessibility/", "无障碍声明", "Accessibility statement"),
    ]


def test_every_page_renders_in_chinese(client, catalogue):
    for url, zh, _en in pages(catalogue):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="zh-Hans"' in html
        assert h1(html) == zh, url
        assert "<main" in html and 'class="tb-skip-link"' in html


def test_every_page_renders_in_english(en_client, catalogue):
    for url, _zh, en in pages(catalogue):
        response = en_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="en"' in html
        assert h1(html) == en, url


def test_english_interface_has_no_han_characters(en_client, city, department_a):
    """An English page whose data has English values shows no Chinese anywhere.

    Items, departments, themes and towns carry Chinese names with English ``name_en``; free
    text fields are written in English. Any Han character left is interface text that
    was not translated, or a data value shown without its English name.
    """
    from tongban.catalog.models import FAQ, ProcessStep
    from tongban.portal.tests.factories import add_materials, make_bundle, make_theme

    theme = make_theme("birth", "出生", name_en="Having a baby")
    item = make_item(
        department_a,
        name="出生登记",
        name_en="Birth registration",
        location="22 Bo'ai 6th Road",
        hours="Mon-Fri 9:00-17:00",
        acceptance_conditions="Residents of the city.",
        legal_basis="Household Registration Regulations, article 7",
        result_name="Household register entry",
        supports_appointment=True,
        has_fee=False,
    )
    item.themes.add(theme)
    item.regions.add(city["town"])
    add_materials(item, 2, name="Identity card", requirements="Original")
    ProcessStep.objects.create(item=item, seq=1, name="Acceptance", handler="Window")
    FAQ.objects.create(item=item, question="Can I apply online?", answer="Yes.")
    make_bundle(
        "birth-bundle",
        department_a,
        [item],
        name="出生一件事",
        name_en="Having a baby",
        location="City service centre",
    )
    reindex_all()
    # The search must find the English name, or the result page is not really tested.
    assert "<mark>Birth</mark>" in en_client.get("/search/?q=Birth").content.decode()
    urls = [
        "/",
        "/services/",
        "/services/?q=Birth",
        "/search/?q=Birth",
        "/search/?q=nothing-matches-this",
        f"/services/{item.implementation_code}/",
        "/bundles/birth-bundle/",
        "/departments/",
        "/departments/scjg/",
        "/towns/",
        "/towns/442000111000/",
        "/about/",
        "/accessibility/",
        "/services/no-such-code/",
    ]
    for url in urls:
        response = en_client.get(url)
        # Every page must really render (only the deliberately unknown code is a 404),
        # or the check below would pass on an error page.
        expected = 404 if "no-such-code" in url else 200
        assert response.status_code == expected, url
        assert han_outside_marked(response.content.decode()) == [], url


def test_home_lists_themes_with_counts_bundles_and_popular(client, catalogue):
    html = client.get("/").content.decode()
    assert "个人办事" in html and "法人办事" in html
    assert "出生" in html and "开办" in html
    assert "/services/?theme=birth" in html
    assert "开办企业一件事" in html
    assert "个体工商户设立登记" in html
    assert "未发布事项" not in html


def test_unknown_code_is_a_friendly_404_in_both_languages(client, en_client, catalogue):
    response = client.get("/services/NO-SUCH-CODE/")
    assert response.status_code == 404
    html = response.content.decode()
    assert h1(html) == "页面不存在" and "12345" in html
    response = en_client.get("/bundles/no-such-bundle/")
    assert response.status_code == 404
    assert h1(response.content.decode()) == "We could not find this page"


def test_unpublished_item_and_bundle_are_404(client, catalogue):
    assert client.get(f"/services/{catalogue['draft'].implementation_code}/").status_code == 404
    bundle = catalogue["bundle"]
    bundle.status = "draft"
    bundle.save()
    assert client.get("/bundles/open-business/").status_code == 404
    licence = catalogue["licence"]
    ServiceItem.objects.filter(pk=licence.pk).update(status="withdrawn")
    assert client.get(f"/services/{licence.implementation_code}/").status_code == 404


def test_unknown_department_and_town_are_404(client, catalogue):
    assert client.get("/departments/nope/").status_code == 404
    assert client.get("/towns/442000999999/").status_code == 404
    # A region that is not a town (the city itself) is not a town page.
    assert client.get("/towns/442000/").status_code == 404


def test_department_page_lists_only_its_published_items(client, catalogue):
    html = client.get(reverse("portal:department", args=["ga"])).content.decode()
    assert "出生登记" in html
    assert "个体工商户设立登记" not in html


def test_town_page_lists_items_handled_there_and_its_hall(client, catalogue, city):
    from tongban.org.models import ServiceHall

    ServiceHall.objects.create(
        region=city["town"],
        name="小榄镇行政服务中心",
        address="升平中路8号",
        opening_hours="9:00-17:00",
        phone="0760-22223333",
    )
    html = client.get("/towns/442000111000/").content.decode()
    assert "个体工商户设立登记" in html and "出生登记" not in html
    assert "小榄镇行政服务中心" in html and "升平中路8号" in html


def test_header_and_footer_on_every_page(client, catalogue):
    html = client.get("/departments/").content.decode()
    assert 'action="/search/"' in html
    assert 'href="/elder/?mode=on&amp;next=/departments/"' in html and "长辈版" in html
    assert 'href="/language/?lang=en&amp;next=/departments/"' in html
    assert 'href="/accessibility/"' in html
    assert 'href="tel:12345"' in html
    assert "东区博爱六路22号" in html
    assert "中山" in html  # the city's name from the top-level prefecture


def test_city_name_setting_wins(client, catalogue, settings):
    settings.TONGBAN_CITY_NAME = "样板市"
    html = client.get("/about/").content.decode()
    assert "样板市" in html
