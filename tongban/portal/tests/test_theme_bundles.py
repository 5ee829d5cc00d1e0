"""A life event's page lists its 一件事 bundles above its items (出生 → 新生儿出生一件事)."""

from __future__ import annotations

import pytest

from tongban.catalog.models import ItemStatus
from tongban.portal.tests.factories import make_bundle, make_item
from tongban.portal.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.fixture
def birth_bundles(catalogue, department_b):
    birth, start = catalogue["themes"]
    members = [catalogue["birth"]]
    newborn = make_bundle(
        "newborn", department_b, members, name="新生儿出生一件事", audience="person"
    )
    newborn.themes.add(birth)
    draft = make_bundle(
        "newborn-draft",
        department_b,
        members,
        name="草稿出生一件事",
        audience="person",
        status=ItemStatus.DRAFT,
    )
    draft.themes.add(birth)
    catalogue["bundle"].themes.add(start)
    return newborn


def test_theme_page_links_its_published_bundles_above_the_items(client, birth_bundles):
    html = client.get("/services/?theme=birth").content.decode()
    link = 'href="/bundles/newborn/"'
    assert link in html and "新生儿出生一件事" in html
    assert html.index(link) < html.index(">出生登记<")  # the bundle heads the list
    assert "草稿出生一件事" not in html and "/bundles/newborn-draft/" not in html
    assert "/bundles/open-business/" not in html  # another theme's bundle


def test_bundle_page_behind_the_link_opens(client, birth_bundles):
    assert client.get("/bundles/newborn/").status_code == 200


def test_no_bundle_section_without_a_theme_or_after_the_first_page(
    client, birth_bundles, department_b
):
    assert "/bundles/newborn/" not in client.get("/services/").content.decode()
    birth = birth_bundles.themes.get()
    for i in range(PAGE_SIZE):
        make_item(department_b, name=f"出生相关事项{i:02d}").themes.add(birth)
    assert "/bundles/newborn/" in client.get("/services/?theme=birth").content.decode()
    second = client.get("/services/?theme=birth&page=2").content.decode()
    assert "第 2 页" in second and "/bundles/newborn/" not in second
