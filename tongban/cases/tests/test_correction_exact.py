"""Corrections ask for exactly the materials the official named (issue 10).

A material whose name or code merely contains the one named (营业执照 / 营业执照副本,
M-LIC / M-LIC-COPY) is not asked for, and the applicant's correction form offers one
file input per material named, however many lines or departments name it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tongban.cases import actions, materials
from tongban.cases.actions import ActionInput
from tongban.cases.forms import ActionForm
from tongban.cases.models import (
    CorrectionNotice,
    DefinitionStatus,
    FormDefinition,
    WorkItem,
    WorkKind,
    WorkStatus,
)
from tongban.cases.tests.conftest import pdf_upload
from tongban.cases.transitions import Action
from tongban.catalog.services import publish_item, save_item
from tongban.catalog.tests.factories import item_data
from tongban.core.errors import ServiceError

pytestmark = pytest.mark.django_db

LICENCE, COPY, COPY_OF_COPY = "M-LIC", "M-LIC-COPY", "M-LIC-COPY-2"


@pytest.fixture
def siblings(world, department_a, admin_user):
    """An item of department A whose materials' names and codes extend each other."""
    item = save_item(
        item_data(
            department_a.code,
            materials=[
                {"code": LICENCE, "name": "营业执照"},
                {"code": COPY, "name": "营业执照副本"},
                {"code": COPY_OF_COPY, "name": "营业执照副本复印件"},
            ],
        ),
        actor=admin_user,
    ).item
    publish_item(item, actor=admin_user)
    item.refresh_from_db()
    FormDefinition.objects.create(
        item=item,
        version=1,
        status=DefinitionStatus.PUBLISHED,
        fields=[
            {"element": "applicant.name", "required": True},
            {"element": "applicant.phone", "required": True},
        ],
    )
    return item


def _ask(world, case, *lines: dict[str, str]) -> CorrectionNotice:
    work = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT, status=WorkStatus.OPEN)
    actions.act(
        work.pk,
        ActionInput(Action.CORRECTION, corrections=list(lines), note="请补正"),
        actor=world.clerk_a,
    )
    case.refresh_from_db()
    return CorrectionNotice.objects.get(subcase__case=case)


def _file_inputs(html: str) -> list[str]:
    return re.findall(r'<input[^>]*type="file"[^>]*name="([^"]+)"', html)


def test_the_named_material_only_not_its_longer_namesakes(world, siblings):
    case = world.submit(siblings)
    notice = _ask(world, case, {"material": "营业执照", "reason": "已过有效期"})
    assert notice.items == [{"material": "营业执照", "reason": "已过有效期", "code": LICENCE}]
    requested = materials.correction_requests(case)
    assert [m.code for m, _upload in requested.materials] == [LICENCE]
    assert requested.open_to_any is False and requested.others == []
    # The applicant may replace the file asked for, and no other.
    materials.upload_case_material(case, LICENCE, pdf_upload(), actor=world.applicant)
    with pytest.raises(ServiceError) as refused:
        materials.upload_case_material(case, COPY, pdf_upload(), actor=world.applicant)
    assert f"material_{COPY}" in refused.value.message_dict


def test_the_correction_form_has_one_input_for_the_named_material(world, siblings, client):
    case = world.submit(siblings)
    # Two lines name the same material (once by name, once by code, spelled full-width):
    # still one input.
    _ask(
        world,
        case,
        {"material": "营业执照", "reason": "已过有效期"},
        {"material": "ｍ－ｌｉｃ", "reason": "复印件不清晰"},
    )
    client.force_login(world.applicant)
    page = client.get(reverse("cases:my_case", args=[case.number]))
    assert page.status_code == 200
    assert _file_inputs(page.content.decode()) == [f"material_{LICENCE}"]


def test_a_line_naming_no_material_lets_any_file_be_replaced(world, siblings):
    case = world.submit(siblings)
    notice = _ask(
        world,
        case,
        {"material": "营业执照副本", "reason": "缺少年检页"},
        {"material": "", "reason": "申请表中的联系电话无法接通"},
    )
    assert [line["code"] for line in notice.items] == [COPY, ""]
    requested = materials.correction_requests(case)
    assert [m.code for m, _upload in requested.materials] == [COPY]
    assert requested.open_to_any
    assert [m.code for m, _upload in requested.others] == [LICENCE, COPY_OF_COPY]
    materials.upload_case_material(case, LICENCE, pdf_upload(), actor=world.applicant)


def test_a_notice_written_before_codes_is_matched_exactly_too(world, siblings):
    case = world.submit(siblings)
    notice = _ask(world, case, {"material": "营业执照副本", "reason": "缺页"})
    CorrectionNotice.objects.filter(pk=notice.pk).update(
        items=[{"material": "营业执照副本", "reason": "缺页"}]
    )
    requested = materials.correction_requests(case)
    assert [m.code for m, _upload in requested.materials] == [COPY]
    assert not requested.open_to_any


def test_the_official_s_lines_split_at_the_first_colon_of_either_width():
    form = ActionForm(
        {
            "action": "correction",
            "corrections": "营业执照：有效期至:2026-01-01\n营业执照副本: 缺页\n\n请补充说明",
        }
    )
    assert form.is_valid(), form.errors
    assert form.correction_lines() == [
        {"material": "营业执照", "reason": "有效期至:2026-01-01"},
        {"material": "营业执照副本", "reason": "缺页"},
        {"material": "", "reason": "请补充说明"},
    ]
