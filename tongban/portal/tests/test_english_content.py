"""English mode shows the catalogue's English texts, and marks and announces the originals."""

from __future__ import annotations

import pytest

from tongban.catalog.models import FAQ, Material, ProcessStep
from tongban.org.models import ServiceHall
from tongban.portal.tests.conftest import han_outside_marked
from tongban.portal.tests.factories import make_bundle, make_item

pytestmark = pytest.mark.django_db

NOTICE = 'id="original-shown"'


@pytest.fixture
def english_names(city, department_a, department_b):
    for dept, name in ((department_a, "Market Regulation Bureau"), (department_b, "Police")):
        dept.name_en = name
        dept.save()
    return department_a


def _translated_item(department, **fields):
    item = make_item(
        department,
        name="食品经营许可",
        name_en="Food business permit",
        summary="经营食品前申请许可。",
        summary_en="Apply for a permit before you sell food.",
        acceptance_conditions="已取得营业执照。",
        acceptance_conditions_en="You have a business licence.",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        legal_basis_en="Food Safety Law of the PRC, Article 35",
        location="市行政服务中心C13窗口",
        location_en="Window C13, City Administrative Service Centre",
        hours="周一至周五",
        hours_en="Monday to Friday",
        **fields,
    )
    Material.objects.create(item=item, code="M1", name="申请书", name_en="Application form")
    ProcessStep.objects.create(item=item, seq=1, name="受理", name_en="Acceptance")
    FAQ.objects.create(item=item, question="要多久？", question_en="How long does it take?",
                       answer="5天。", answer_en="5 days.")  # fmt: skip
    return item


def _guide(client, item):
    return client.get(f"/services/{item.implementation_code}/").content.decode()


def test_english_guide_shows_english_texts_without_the_notice(en_client, english_names):
    item = _translated_item(english_names)
    html = _guide(en_client, item)
    for text in ("Apply for a permit before you sell food.", "You have a business licence.",
                 "Food Safety Law of the PRC, Article 35", "Window C13", "Application form",
                 "Acceptance", "How long does it take?", "5 days."):  # fmt: skip
        assert text in html, text
    assert NOTICE not in html
    assert "经营食品前申请许可" not in html


def test_an_untranslated_text_is_marked_and_announced_once(en_client, english_names):
    item = _translated_item(english_names, special_procedures="公示期不计入时限")
    Material.objects.create(item=item, code="M2", name="营业执照")  # no English name
    html = _guide(en_client, item)
    assert html.count(NOTICE) == 1
    assert '<span lang="zh-Hans">公示期不计入时限</span>' in html
    assert '<span lang="zh-Hans">营业执照</span>' in html
    main = html[html.index("<main") : html.index("</main>")]
    assert han_outside_marked(main) == []


def test_chinese_guide_shows_the_chinese_texts_unmarked(client, english_names):
    item = _translated_item(english_names)
    html = _guide(client, item)
    assert "经营食品前申请许可。" in html and "申请书" in html
    assert NOTICE not in html and '<span lang="zh-Hans">' not in html
    assert "Apply for a permit" not in html


def test_english_bundle_page_links_to_where_to_go(en_client, english_names):
    item = _translated_item(english_names)
    bundle = make_bundle("open-shop", english_names, [item], name_en="Open a shop",
                         summary="一次申请。", summary_en="Apply once.",
                         location="C10窗口", location_en="Window C10")  # fmt: skip
    html = en_client.get(f"/bundles/{bundle.code}/").content.decode()
    assert 'href="#where"' in html and 'id="where"' in html
    assert "Where to go" in html[html.index('id="where"') :]
    assert "Apply once." in html and "Window C10" in html
    assert NOTICE not in html
    main = html[html.index("<main") : html.index("</main>")]
    assert han_outside_marked(main) == []


def test_english_bundle_page_announces_an_untranslated_material(en_client, english_names):
    item = _translated_item(english_names)
    Material.objects.create(item=item, code="M9", name="营业执照")
    bundle = make_bundle("open-shop", english_names, [item], name_en="Open a shop",
                         summary_en="Apply once.")  # fmt: skip
    html = en_client.get(f"/bundles/{bundle.code}/").content.decode()
    assert html.count(NOTICE) == 1
    assert '<span lang="zh-Hans">营业执照</span>' in html


def test_footer_shows_the_halls_english_address_and_hours(en_client, client, city):
    ServiceHall.objects.create(
        region=city["city"],
        name="中山市行政服务中心",
        name_en="Zhongshan City Administrative Service Centre",
        address="中山市东区博爱六路22号",
        address_en="22 Bo'ai 6th Road, East District, Zhongshan",
        opening_hours="周一至周五 9:00-17:00",
        opening_hours_en="Monday to Friday, 9am to 5pm",
        phone="0760-89817100",
    )
    english = en_client.get("/").content.decode()
    footer = english[english.index("<footer") :]
    assert "22 Bo&#x27;ai 6th Road" in footer and "Monday to Friday, 9am to 5pm" in footer
    assert "博爱六路" not in footer
    chinese = client.get("/").content.decode()
    assert "中山市东区博爱六路22号" in chinese[chinese.index("<footer") :]
