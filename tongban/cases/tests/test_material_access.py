"""Officials see a case through their department (issue 12, access).

The bundle of the cases fixtures: item A (department A, the lead; materials M-A and M-ID)
and item B (department B; materials M-B and M-ID). Forms: both ask name, ID number and
phone; A also the floor area, B the postal address. A department reads and downloads its
own item's materials and data elements only; the lead also the shared ones (needed or asked
by several members); the applicant everything of their own case; citizens never reach an
officials' page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_uscc
from tongban.accounts.models import Role, RoleAssignment
from tongban.cases import permissions
from tongban.cases.models import (
    Case,
    DefinitionStatus,
    FormDefinition,
    UploadedMaterial,
    WorkItem,
    WorkKind,
    WorkStatus,
)
from tongban.catalog.models import BundleMember, Material
from tongban.org.models import Department

from .conftest import _item, _official

pytestmark = pytest.mark.django_db

SHARED_ELEMENTS = {"applicant.name", "applicant.id_number", "applicant.phone"}


@pytest.fixture
def department_c(city):
    return Department.objects.create(
        code="wsjk",
        name="中山市卫生健康局",
        name_en="Health Commission",
        uscc=make_uscc("11442000MB2C3333"),
        region=city["city"],
    )


def _files(case: Case) -> dict[str, UploadedMaterial]:
    return {m.material_code: m for m in case.materials.filter(superseded=False)}


def _download_status(client, user, row: UploadedMaterial) -> int:
    client.force_login(user)
    return client.get(reverse("cases:material", args=[row.pk])).status_code


def test_each_department_downloads_only_what_its_item_needs(client, world):
    """Department B (the health department of the issue) never reads item A's material
    (the marriage certificate); each reads its own; the applicant reads every file."""
    case = world.submit(world.bundle)
    files = _files(case)
    assert set(files) == {"M-A", "M-B", "M-ID"}
    outcomes = {
        (who, code): _download_status(client, user, files[code])
        for who, user in (("b", world.all_b), ("a", world.clerk_a), ("app", world.applicant))
        for code in ("M-A", "M-B", "M-ID")
    }
    assert outcomes == {
        ("b", "M-A"): 404, ("b", "M-B"): 200, ("b", "M-ID"): 200,
        # A leads the bundle: the shared M-ID, but not B's own M-B.
        ("a", "M-A"): 200, ("a", "M-B"): 404, ("a", "M-ID"): 200,
        ("app", "M-A"): 200, ("app", "M-B"): 200, ("app", "M-ID"): 200,
    }  # fmt: skip


def test_a_lead_department_without_an_item_of_its_own_sees_the_shared_ones(
    client, world, department_c
):
    world.bundle.lead_department = department_c
    world.bundle.save()
    case = world.submit(world.bundle)
    lead = _official("lead-c", department_c, Role.REVIEWER)
    files = _files(case)
    assert _download_status(client, lead, files["M-ID"]) == 200
    assert _download_status(client, lead, files["M-A"]) == 404
    assert _download_status(client, lead, files["M-B"]) == 404
    assert permissions.visible_material_codes(lead, case) == {"M-ID"}
    assert permissions.visible_elements(lead, case) == SHARED_ELEMENTS


def test_what_each_persona_sees_of_a_bundle_case(world, other_citizen):
    case = world.submit(world.bundle, **{"applicant.address": "中山市东区起湾道1号"})
    seen = {
        name: (permissions.visible_material_codes(u, case), permissions.visible_elements(u, case))
        for name, u in (("a", world.reviewer_a), ("b", world.all_b),
                        ("applicant", world.applicant), ("outsider", other_citizen))
    }  # fmt: skip
    assert seen == {
        "a": ({"M-A", "M-ID"}, SHARED_ELEMENTS | {"shop.area"}),
        "b": ({"M-B", "M-ID"}, SHARED_ELEMENTS | {"applicant.address"}),
        "applicant": (
            {"M-A", "M-B", "M-ID"},
            SHARED_ELEMENTS | {"shop.area", "applicant.address"},
        ),
        "outsider": (set(), set()),
    }


def test_an_official_not_cleared_for_the_case_sees_nothing(world):
    case = world.submit(world.bundle)
    world.all_b.clearance = 1  # public only; cases hold personal data (sensitive)
    world.all_b.save()
    fresh = type(world.all_b).objects.get(pk=world.all_b.pk)
    assert permissions.visible_material_codes(fresh, case) == set()
    assert permissions.visible_elements(fresh, case) == set()


def test_a_citizen_never_opens_the_office_page_of_their_own_case(client, world):
    case = world.submit()
    work = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT)
    url = reverse("cases:work_item", args=[work.pk])
    client.force_login(world.applicant)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "accept"}).status_code == 404
    work.refresh_from_db()
    assert work.status == WorkStatus.OPEN
    # Nor when the applicant is also a clerk of that department (回避: no one handles
    # their own matter), while a colleague opens the same page.
    RoleAssignment.objects.create(user=world.applicant, role=Role.CLERK, department=work.department)
    assert client.get(url).status_code == 404
    client.force_login(world.clerk_a)
    assert client.get(url).status_code == 200


def test_another_department_of_the_bundle_cannot_open_a_step(client, world):
    case = world.submit(world.bundle)
    work_a = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT, department__code="scjg")
    client.force_login(world.all_b)
    assert client.get(reverse("cases:work_item", args=[work_a.pk])).status_code == 404


def test_the_lead_departments_page_lists_the_shared_materials_and_data(
    client, world, department_c, admin_user
):
    """A third member C shares material M-S and the postal address with B; the lead A's
    page lists both, B's page lists M-S but never A's M-A."""
    item_c = _item(department_c, admin_user, "M-C")
    BundleMember.objects.create(bundle=world.bundle, item=item_c, sort_order=3)
    for item in (world.item_b, item_c):
        Material.objects.create(item=item, code="M-S", name="共用材料")
    FormDefinition.objects.create(
        item=item_c, version=1, status=DefinitionStatus.PUBLISHED,
        fields=[{"element": "applicant.address", "required": False}],
    )  # fmt: skip
    case = world.submit(world.bundle, **{"applicant.address": "中山市东区起湾道1号"})
    work_a = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT, department__code="scjg")
    work_b = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT, department__code="ga")
    files = _files(case)
    client.force_login(world.clerk_a)
    page_a = client.get(reverse("cases:work_item", args=[work_a.pk])).content.decode()
    assert "共用材料" in page_a and "通讯地址" in page_a and "材料M-A" in page_a
    assert "材料M-B" not in page_a and "材料M-C" not in page_a
    assert reverse("cases:material", args=[files["M-B"].pk]) not in page_a
    client.force_login(world.all_b)
    page_b = client.get(reverse("cases:work_item", args=[work_b.pk])).content.decode()
    assert "共用材料" in page_b and "材料M-B" in page_b and "通讯地址" in page_b
    assert "材料M-A" not in page_b and "经营面积" not in page_b
    assert reverse("cases:material", args=[files["M-A"].pk]) not in page_b
