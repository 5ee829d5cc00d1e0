"""The BPMN corpus (``tests/bpmn/``): models the upload must refuse, each naming the element,
and models that run through the real engine to a closed sub-case (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tongban.cases.engine.bundle import bundle_model, single_item_model
from tongban.cases.engine.contract import check_contract
from tongban.cases.modelcheck import check_process_model, platform_contract
from tongban.cases.models import (
    CaseStatus,
    DefinitionStatus,
    ProcessDefinition,
    ProcessInstance,
    SubCaseStatus,
    WorkItem,
    WorkKind,
    WorkStatus,
)
from tongban.cases.tests.test_services import act, open_item
from tongban.cases.transitions import Action

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "bpmn"


def read(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "code", "element"),
    [
        ("refused_unknown_name.bpmn", "condition_unknown_name", "sequenceFlow Flow_approved"),
        (
            "refused_read_from_other_branch.bpmn",
            "condition_unwritten",
            "sequenceFlow Flow_police_ok",
        ),
        ("refused_unknown_department.bpmn", "unknown_department", "userTask Decide_1"),
        ("refused_never_closed.bpmn", "end_open", "endEvent End_reviewed"),
        ("refused_no_branch.bpmn", "no_branch", "exclusiveGateway Gw_accept"),
    ],
)
def test_corpus_models_are_refused_naming_the_element(world, name, code, element):
    problems = check_process_model(read(name))
    assert (code, element) in [(p.code, p.element.split(" «")[0]) for p in problems]


def test_the_never_closed_model_passes_its_refused_exit():
    # 不予受理 closes the matter: only the end after the review is named.
    contract = platform_contract(["scjg"])
    problems = check_contract(read("refused_never_closed.bpmn"), contract)
    assert [(p.code, p.element_id) for p in problems] == [("end_open", "End_reviewed")]


@pytest.mark.parametrize("size", [1, 2, 5])
def test_generated_models_pass_the_platform_check(size):
    departments = ["scjg", "ga", "sw", "rs", "mz"][:size]
    contract = platform_contract(departments)
    members = [(f"ITEM-{n}", dept) for n, dept in enumerate(departments, start=1)]
    assert check_contract(bundle_model(members), contract) == []
    assert check_contract(single_item_model("ITEM-1", departments[0]), contract) == []


def _publish(admin_client, world, xml: bytes):
    data = {"key": "item-a-custom", "name": "征求意见", "item": str(world.item_a.pk)}
    data |= {"status": "published"}
    data["bpmn_file"] = SimpleUploadedFile("model.bpmn", xml, content_type="application/xml")
    return admin_client.post("/admin/cases/processdefinition/add/", data)


def test_the_upload_refuses_a_model_whose_condition_no_task_writes(admin_client, world):
    page = _publish(admin_client, world, read("refused_unknown_name.bpmn")).content.decode()
    assert "sequenceFlow Flow_approved" in page and "approved" in page
    assert not ProcessDefinition.objects.filter(key="item-a-custom").exists()


def test_a_consulted_department_gets_its_step_and_the_case_closes(admin_client, world):
    response = _publish(admin_client, world, read("runs_consulted_department.bpmn"))
    assert response.status_code == 302, response.content.decode()[:3000]
    case = world.submit()
    sub = case.subcases.get()
    act(open_item(case, WorkKind.ACCEPT, sub), Action.ACCEPT, world.clerk_a)
    police = WorkItem.objects.get(case=case, spec_name="Review_police", status=WorkStatus.OPEN)
    assert police.department.code == "ga"  # the task's department property, honoured
    act(police, Action.FORWARD, world.all_b)
    own = WorkItem.objects.get(case=case, spec_name="review", status=WorkStatus.OPEN)
    assert own.department.code == "scjg"
    act(own, Action.FORWARD, world.reviewer_a)
    act(open_item(case, WorkKind.DECIDE, sub), Action.APPROVE, world.leader_a, note="ok")
    sub.refresh_from_db()
    case.refresh_from_db()
    assert sub.status == SubCaseStatus.APPROVED and case.status == CaseStatus.COMPLETED
    assert ProcessInstance.objects.get(case=case).completed


def test_a_consulted_model_closes_the_matter_on_not_accepted(admin_client, world):
    assert _publish(admin_client, world, read("runs_consulted_department.bpmn")).status_code == 302
    case = world.submit()
    sub = case.subcases.get()
    act(
        open_item(case, WorkKind.ACCEPT, sub),
        Action.NOT_ACCEPT,
        world.clerk_a,
        note="不属于本部门职权范围",
        legal_basis="《行政许可法》第三十二条",
    )
    sub.refresh_from_db()
    case.refresh_from_db()
    assert sub.status == SubCaseStatus.NOT_ACCEPTED and case.status == CaseStatus.COMPLETED
    assert ProcessInstance.objects.get(case=case).completed
    assert not WorkItem.objects.filter(case=case, status=WorkStatus.OPEN).exists()


def test_bpmn_check_command_prints_the_verdict(world, capsys):
    call_command("bpmn", "check", str(CORPUS / "runs_consulted_department.bpmn"))
    assert capsys.readouterr().out.startswith("OK: ")
    with pytest.raises(SystemExit) as exit_:
        call_command("bpmn", "check", str(CORPUS / "refused_unknown_department.bpmn"), lang="en")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL: userTask Decide_1 «决定»:") and "NOSUCHDEPT" in out


def test_bpmn_check_published_names_each_stored_model_that_fails(world, capsys):
    """Models published before the contract check existed are checked after an upgrade."""
    for version, name in (
        (1, "runs_consulted_department.bpmn"),
        (2, "refused_unknown_department.bpmn"),
    ):
        ProcessDefinition.objects.create(
            key="legacy",
            version=version,
            name="legacy",
            bpmn_xml=read(name).decode(),
            sha256=f"{version:064d}",
            status=DefinitionStatus.PUBLISHED,
        )
    with pytest.raises(SystemExit) as exit_:
        call_command("bpmn", "check", published=True, lang="en")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "OK: legacy v1" in out
    assert "FAIL: legacy v2: userTask Decide_1" in out and "NOSUCHDEPT" in out


def test_an_element_named_like_the_engines_own_start_is_refused(world):
    xml = read("runs_consulted_department.bpmn").replace(b'"StartEvent_1"', b'"Start"')
    problems = check_process_model(xml)
    assert [(p.code, p.element_id) for p in problems] == [("reserved_id", "Start")]
