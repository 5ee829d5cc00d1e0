from __future__ import annotations

import re

import pytest
from django.test import Client

from tongban.catalog.search import reindex_all
from tongban.org.models import ServiceHall
from tongban.portal.tests.factories import (
    add_guide_details,
    add_materials,
    make_bundle,
    make_item,
    make_theme,
)

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@pytest.fixture
def en_client() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def catalogue(city, department_a, department_b):
    """A small published catalogue: themes, items in two departments, one bundle."""
    birth = make_theme("birth", "出生", "person", name_en="Having a baby", sort_order=1)
    start = make_theme("start-business", "开办", "enterprise", name_en="Starting a business")
    licence = make_item(
        department_a,
        name="个体工商户设立登记",
        name_en="Sole trader registration",
        online_depth=["1", "2", "3", "4", "5", "6"],
        visits_on_site=0,
        handling_type="1",
        service_objects=["1", "5"],
        popularity=50,
    )
    licence.themes.add(start)
    licence.regions.add(city["town"])
    add_materials(licence, 3)
    add_guide_details(licence)
    birth_reg = make_item(
        department_b, name="出生登记", name_en="Birth registration", popularity=40
    )
    birth_reg.themes.add(birth)
    draft = make_item(department_a, name="未发布事项", status="draft")
    bundle = make_bundle(
        "open-business", department_a, [licence, birth_reg], name_en="Opening a business"
    )
    bundle.partner_departments.add(department_b)
    ServiceHall.objects.create(
        region=city["city"],
        name="中山市行政服务中心",
        name_en="City service centre",
        address="东区博爱六路22号",
        opening_hours="周一至周五 9:00-17:00",
        phone="0760-12345678",
    )
    reindex_all()
    return {
        "licence": licence,
        "birth": birth_reg,
        "draft": draft,
        "bundle": bundle,
        "themes": (birth, start),
    }


def han_outside_marked(html: str) -> list[str]:
    """Han characters in the page, except inside elements marked ``lang="zh-Hans"``.

    The language switch names Chinese in Chinese and says so with its ``lang``; everything
    else on an English page must be English.
    """
    stripped = re.sub(r'<(\w+)[^>]*\blang="zh-Hans"[^>]*>.*?</\1>', "", html, flags=re.S)
    found = []
    for match in HAN.finditer(stripped):
        found.append(stripped[max(0, match.start() - 60) : match.end() + 20])
    return found
