"""The service guide (办事指南) and the bundle page."""

from __future__ import annotations

import pytest

from tongban.portal.tests.factories import add_materials, make_item

pytestmark = pytest.mark.django_db


def test_guide_shows_every_required_element(client, catalogue):
    item = catalogue["licence"]
    html = client.get(f"/services/{item.implementation_code}/").content.decode()
    for heading in (
        "基本信息",
        "申请条件",
        "申请材料",
        "办理流程",
        "收费标准",
        "设定依据",
        "办理地点与时间",
        "咨询与投诉",
        "常见问题",
        "办理结果",
    ):
        assert heading in html, heading
    assert item.implementation_code in html and item.basic_code in html
    assert "法定 20 个工作日" in html
    assert "即办件" in html
    assert 'href="tel:0760-89817133"' in html and 'href="tel:0760-89989215"' in html
    assert "<details" in html and "能否网上办理？" in html
    assert "工本费" in html and "10.00" in html
    # No online address: the guide points to the window, and promises nothing for later.
    assert "请到“办理地点与时间”所列窗口办理。" in html and "即将开通" not in html
    assert 'href="#where"' in html and 'id="where"' in html


def test_apply_online_goes_to_the_items_online_address(client, catalogue):
    item = catalogue["licence"]
    item.online_url = "https://www.gdzwfw.gov.cn/portal/guide/X"
    item.save()
    html = client.get(f"/services/{item.implementation_code}/").content.decode()
    assert 'href="https://www.gdzwfw.gov.cn/portal/guide/X"' in html
    assert "在线办理" in html and "即将开通" not in html


def test_promised_item_shows_both_limits(client, catalogue):
    item = catalogue["birth"]
    html = client.get(f"/services/{item.implementation_code}/").content.decode()
    assert "法定 20 个工作日 / 承诺 5 个工作日" in html
    assert "不收费" in html


def test_guide_links_to_a_real_online_address(client, department_a):
    item = make_item(department_a, online_url="https://www.gdzwfw.gov.cn/item/1")
    html = client.get(f"/services/{item.implementation_code}/").content.decode()
    assert 'href="https://www.gdzwfw.gov.cn/item/1"' in html
    assert "即将开通" not in html


def test_material_text_is_escaped(client, department_a):
    item = make_item(department_a)
    add_materials(item, 1, name="<script>alert(1)</script>")
    html = client.get(f"/services/{item.implementation_code}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("materials", [1, 25])
def test_guide_query_count_is_bounded_and_independent_of_materials(
    client, department_a, django_assert_max_num_queries, django_assert_num_queries, materials
):
    item = make_item(department_a)
    add_materials(item, materials)
    url = f"/services/{item.implementation_code}/"
    # 1 item + 7 prefetches + city name + footer hall (+1 fallback when the city has none)
    with django_assert_num_queries(13):  # 11 for the page + the catalogue generation
        response = client.get(url)
    assert response.content.decode().count('<th scope="row">材料') == materials


def test_bundle_page_lists_members_departments_and_merged_materials(client, catalogue):
    from tongban.catalog.models import Material

    licence, birth = catalogue["licence"], catalogue["birth"]
    # The same material (same code) in two members is listed once.
    Material.objects.create(item=birth, code="M000", name="材料0")
    html = client.get("/bundles/open-business/").content.decode()
    assert html.count('<th scope="row">材料0') == 1
    assert f"/services/{licence.implementation_code}/" in html
    assert f"/services/{birth.implementation_code}/" in html
    assert "中山市市场监督管理局" in html and "中山市公安局" in html
    assert "3 个工作日" in html
