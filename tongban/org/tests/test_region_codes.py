"""Region and department codes the platform assigns: checked against today's GB/T 2260 table
in ``Region.clean()`` / ``Department.clean()``, and so in the admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import make_uscc
from tongban.org.models import Department, Region, RegionLevel

pytestmark = pytest.mark.django_db


def _region(code: str, level: str, parent: Region | None = None) -> Region:
    return Region(code=code, name="某地", level=level, parent=parent)


def _errors(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return {field: [e.code for e in errors] for field, errors in exc.value.error_dict.items()}


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("442000120000", RegionLevel.TOWN),
        ("442000121", RegionLevel.STREET),
        ("110112", RegionLevel.COUNTY),  # 通州区 (1997-)
        ("440100", RegionLevel.PREFECTURE),
    ],
)
def test_current_codes_are_accepted(city, code, level):
    _region(code, level, city["city"]).full_clean()


@pytest.mark.parametrize(
    ("code", "level", "error"),
    [
        ("110103", RegionLevel.COUNTY, "region"),  # 崇文区, abolished 2010
        ("110103001000", RegionLevel.STREET, "region"),  # a street of it
        ("449999", RegionLevel.COUNTY, "region"),  # never existed
        ("442000000000", RegionLevel.TOWN, "structure"),  # town part 000
        ("4420001", RegionLevel.TOWN, "format"),
        ("442000", RegionLevel.TOWN, "structure"),  # a town needs 9 or 12 digits
        ("442000130000", RegionLevel.COUNTY, "structure"),  # a county has 6
    ],
)
def test_refused_codes(city, code, level, error):
    assert _errors(_region(code, level, city["city"])) == {"code": [error]}


def test_a_fullwidth_code_is_stored_in_ascii(city):
    region = _region("４４２０００１２００００", RegionLevel.TOWN, city["city"])  # fullwidth
    region.full_clean()
    assert region.code == "442000120000"


def test_a_row_whose_county_was_abolished_later_stays_editable(db):
    old = Region.objects.create(code="110103", name="崇文区", level=RegionLevel.COUNTY)
    old.name_en = "Chongwen"
    old.full_clean()  # no error: the code was current when the row was made


def test_a_new_department_must_serve_a_current_region(city):
    abolished = Region.objects.create(code="110103", name="崇文区", level=RegionLevel.COUNTY)
    department = Department(
        code="cw", name="崇文区某局", uscc=make_uscc("11110103MB2C3333"), region=abolished
    )
    assert _errors(department) == {"region": ["region"]}
    department.region = city["city"]
    department.full_clean()


def test_an_existing_department_keeps_its_region(city, department_a):
    abolished = Region.objects.create(code="110103", name="崇文区", level=RegionLevel.COUNTY)
    Department.objects.filter(pk=department_a.pk).update(region=abolished)
    department_a.refresh_from_db()
    department_a.name_en = "Market Regulation"
    department_a.full_clean()  # unchanged region: editable
    department_a.region = city["town"]
    department_a.full_clean()  # moved to a current region
    moved_back = Department.objects.get(pk=department_a.pk)
    moved_back.region = Region.objects.create(
        code="110104", name="宣武区", level=RegionLevel.COUNTY
    )
    assert _errors(moved_back) == {"region": ["region"]}


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_user)
    return client


def _region_form(code: str, level: str, parent: str) -> dict[str, str]:
    return {"code": code, "name": "某镇", "name_en": "", "level": level, "parent": parent,
            "seat": "", "profile": "", "sort_order": "0"}  # fmt: skip


def test_admin_refuses_a_code_not_in_todays_table(admin_client, city):
    url = reverse("admin:org_region_add")
    with translation.override("en"):
        response = admin_client.post(url, _region_form("449999", RegionLevel.COUNTY, "440000"))
    assert response.status_code == 200  # the form again
    assert "449999 is not a division code in use today (GB/T 2260)." in response.text
    assert not Region.objects.filter(code="449999").exists()


def test_admin_adds_a_town_with_a_current_code(admin_client, city):
    url = reverse("admin:org_region_add")
    response = admin_client.post(url, _region_form("442000120000", RegionLevel.TOWN, "442000"))
    assert response.status_code == 302
    assert Region.objects.get(code="442000120000").parent_id == "442000"
