"""Organisation admin: Chinese labels, search, validation of codes, windows inline."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tongban.org.models import Department, Region, RegionLevel, ServiceHall, ServiceWindow

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_zh(admin_user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin_user)
    return client


def test_index_shows_organisation_models_in_chinese(client_zh):
    page = client_zh.get(reverse("admin:index")).content.decode()
    for label in ("组织机构", "行政区划", "部门", "政务服务大厅", "服务窗口"):
        assert label in page


def test_region_search_by_code_and_name(client_zh, city):
    url = reverse("admin:org_region_changelist")
    page = client_zh.get(url, {"q": "小榄"}).content.decode()
    assert "442000111000" in page and "广东省" not in page
    page = client_zh.get(url, {"q": "440000"}).content.decode()
    assert "广东省" in page and "小榄镇" not in page


def test_region_filter_by_level(client_zh, city):
    url = reverse("admin:org_region_changelist")
    page = client_zh.get(url, {"level__exact": RegionLevel.TOWN}).content.decode()
    rows = page.split('id="result_list"', 1)[1]
    assert "442000111000" in rows and "440000" not in rows


def test_department_search_by_uscc(client_zh, department_a, department_b):
    url = reverse("admin:org_department_changelist")
    page = client_zh.get(url, {"q": department_b.uscc}).content.decode()
    assert "中山市公安局" in page and "中山市市场监督管理局" not in page


def _department_form(department: Department, **changes: str) -> dict[str, str]:
    data = {
        "name": department.name,
        "name_en": department.name_en,
        "code": department.code,
        "short_name": "",
        "uscc": department.uscc,
        "kind": department.kind,
        "parent": "",
        "region": department.region_id,
        "address": "",
        "phone": "",
        "website": "",
        "description": "",
        "sort_order": "0",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_department_form_rejects_a_bad_credit_code_in_chinese(client_zh, department_a):
    url = reverse("admin:org_department_change", args=[department_a.pk])
    bad = department_a.uscc[:-1] + ("0" if department_a.uscc[-1] != "0" else "1")
    response = client_zh.post(url, _department_form(department_a, uscc=bad))
    assert response.status_code == 200  # the form again, not a redirect
    page = response.content.decode()
    assert "统一社会信用代码校验码错误" in page
    department_a.refresh_from_db()
    assert department_a.uscc != bad


def test_department_form_rejects_a_bad_phone(client_zh, department_a):
    url = reverse("admin:org_department_change", args=[department_a.pk])
    response = client_zh.post(url, _department_form(department_a, phone="12345"))
    assert response.status_code == 200
    assert "请输入手机号码或带区号的固定电话" in response.content.decode()


def test_department_form_saves_good_changes(client_zh, department_a):
    url = reverse("admin:org_department_change", args=[department_a.pk])
    response = client_zh.post(
        url, _department_form(department_a, short_name="市场监管", phone="0760-89817133")
    )
    assert response.status_code == 302
    department_a.refresh_from_db()
    assert (department_a.short_name, department_a.phone) == ("市场监管", "0760-89817133")


def test_service_hall_change_page_has_windows_inline(client_zh, city, department_a):
    hall = ServiceHall.objects.create(
        region=city["city"], name="中山市政务服务中心", address="中山市东区松苑路1号",
        opening_hours="周一至周五 9:00-17:00", phone="0760-12345678",
    )  # fmt: skip
    ServiceWindow.objects.create(hall=hall, number="A01", name="综合受理",
                                 department=department_a, is_comprehensive=True)  # fmt: skip
    response = client_zh.get(reverse("admin:org_servicehall_change", args=[hall.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="windows-0-number"' in page and 'value="A01"' in page
    assert "综合窗口（受理一件事）" in page


def test_display_name_follows_the_language(city):
    zs = Region.objects.get(code="442000")
    with translation.override("en"):
        assert zs.display_name == "Zhongshan"
    with translation.override("zh-hans"):
        assert zs.display_name == "中山市"
    gd = Region.objects.get(code="440000")  # no English name: the Chinese one in both
    with translation.override("en"):
        assert gd.display_name == "广东省"


def test_town_level(city):
    assert city["town"].is_town_level
    assert not city["city"].is_town_level
