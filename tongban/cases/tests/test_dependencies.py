"""Bundle members that wait for another member's result (issue 10, "Member dependencies").

The world's bundle has item A (department scjg) and item B (department ga); here B waits
for A, as 户口登记 waits for 出生医学证明签发 in the newborn bundle.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import override
from lxml import etree

from tongban.cases import actions, dependencies, queries, services
from tongban.cases.actions import ActionInput
from tongban.cases.engine import kernel
from tongban.cases.engine.bpmnxml import BPMN_NS, safe_parse
from tongban.cases.engine.bundle import bundle_model
from tongban.cases.engine.contract import check_contract
from tongban.cases.modelcheck import check_process_model, platform_contract
from tongban.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    ProcessInstance,
    SubCase,
    SubCaseStatus,
    WorkItem,
    WorkKind,
    WorkStatus,
)
from tongban.cases.transitions import Action
from tongban.catalog.models import BundleMember
from tongban.workdays import calc

pytestmark = pytest.mark.django_db

B = f"{{{BPMN_NS}}}"
CHAIN = [("A1", "SCJG"), ("B2", "GA"), ("C3", "YB")]
CONTRACT = platform_contract(["SCJG", "GA", "YB"])


def _flows(xml: bytes) -> dict[str, tuple[str, str, str]]:
    root = safe_parse(xml).getroot()
    return {
        f.get("id"): (
            f.get("sourceRef"),
            f.get("targetRef"),
            (f.findtext(f"{B}conditionExpression") or "").strip(),
        )
        for f in root.find(f"{B}process").findall(f"{B}sequenceFlow")
    }


# --- the generated model ------------------------------------------------------------------


def test_a_chain_is_sequence_flows_after_the_split_and_passes_the_model_check():
    xml = bundle_model(CHAIN, depends_on={"B2": "A1", "C3": "B2"})
    assert check_contract(xml, CONTRACT) == []
    flows = _flows(xml)
    edges = {(src, dst) for src, dst, _c in flows.values()}
    # Only the first member starts at the split; each next one after the one before.
    assert [dst for src, dst, _c in flows.values() if src == "bundle_split"] == ["member_1"]
    assert ("member_1", "m1_fork") in edges and ("m1_fork", "m2_prerequisite") in edges
    assert ("m2_merge", "m2_fork") in edges and ("m2_fork", "m3_prerequisite") in edges
    # Started only when the platform says the prerequisite was met; skipped otherwise.
    assert flows["m2_wait_start"] == ("m2_gw_prerequisite", "member_2", 'm2_prerequisite == "met"')
    root = safe_parse(xml).getroot()
    gate = root.find(f".//{B}exclusiveGateway[@id='m2_gw_prerequisite']")
    assert gate.get("default") == "m2_wait_skip"
    assert flows["m2_wait_skip"][:2] == ("m2_gw_prerequisite", "m2_merge")
    # Every member reaches the join exactly once, skipped or not.
    joined = sorted(src for src, dst, _c in flows.values() if dst == "bundle_join")
    assert joined == ["m1_fork", "m2_fork", "m3_merge"]


def test_the_chain_diagram_draws_every_element_without_overlaps():
    from tongban.cases.tests.test_engine_bundle import test_every_element_is_drawn_without_overlaps

    test_every_element_is_drawn_without_overlaps(
        bundle_model(CHAIN, depends_on={"B2": "A1", "C3": "A1"})
    )


def test_the_model_check_refuses_a_waiting_member_that_could_hang_or_stay_open():
    xml = bundle_model(CHAIN[:2], depends_on={"B2": "A1"})
    root = safe_parse(xml).getroot()
    process = root.find(f"{B}process")
    # Drop the skip path: when the prerequisite is refused nothing leaves the gateway.
    gate = process.find(f"{B}exclusiveGateway[@id='m2_gw_prerequisite']")
    del gate.attrib["default"]
    for flow in process.findall(f"{B}sequenceFlow[@id='m2_wait_skip']"):
        process.remove(flow)
    for ref in list(root.iter(f"{B}incoming", f"{B}outgoing")):
        if ref.text == "m2_wait_skip":
            ref.getparent().remove(ref)
    for di in list(root.iter()):
        if di.get("bpmnElement") == "m2_wait_skip":
            di.getparent().remove(di)
    codes = {p.code for p in check_contract(etree.tostring(root), CONTRACT)}
    assert "no_branch" in codes


def test_the_model_check_finds_a_deadlock_the_split_and_join_rules_miss():
    xml = bundle_model(CHAIN[:2], depends_on={"B2": "A1"})
    root = safe_parse(xml).getroot()
    process = root.find(f"{B}process")
    # The skipped member goes straight to the join: the join now waits for a token from
    # both the skip and the member's own exit, and only one of them ever comes.
    process.find(f"{B}sequenceFlow[@id='m2_wait_skip']").set("targetRef", "bundle_join")
    merge = process.find(f"{B}exclusiveGateway[@id='m2_merge']")
    merge.remove(next(r for r in merge.iter(f"{B}incoming") if r.text == "m2_wait_skip"))
    join = process.find(f"{B}parallelGateway[@id='bundle_join']")
    ref = etree.Element(f"{B}incoming")
    ref.text = "m2_wait_skip"
    join.insert(0, ref)
    problems = check_contract(etree.tostring(root), CONTRACT)
    assert [(p.code, p.element_id) for p in problems] == [("deadlock", "bundle_join")]


def test_the_engine_runs_a_refused_chain_to_its_end_without_deadlock():
    xml = bundle_model(CHAIN, depends_on={"B2": "A1", "C3": "B2"})
    state = kernel.start(kernel.SpecRef("chain", 1, xml), {})
    ready = {t.spec_name: t for t in kernel.ready_tasks(state)}
    assert set(ready) == {"m1_accept"}  # B2 and C3 wait
    state = kernel.complete(state, ready["m1_accept"].task_id, {"m1_accept": "refused"})
    for step in ("m2_prerequisite", "m3_prerequisite"):
        ready = {t.spec_name: t for t in kernel.ready_tasks(state)}
        assert set(ready) == {step}
        assert ready[step].properties["auto"] == "prerequisite"
        key = f"{step.split('_')[0]}_prerequisite"
        state = kernel.complete(state, ready[step].task_id, {key: "unmet"})
    assert kernel.is_completed(state)


def test_circles_and_strangers_are_refused_by_the_generator():
    with pytest.raises(ValueError, match="circle"):
        bundle_model(CHAIN, depends_on={"A1": "C3", "B2": "A1", "C3": "B2"})
    with pytest.raises(ValueError):
        bundle_model(CHAIN, depends_on={"A1": "A1"})
    with pytest.raises(ValueError):
        bundle_model(CHAIN, depends_on={"B2": "Z9"})


# --- a case of a bundle whose second member waits for the first ----------------------------


@pytest.fixture
def waiting_world(world):
    first, second = world.bundle.memberships.order_by("sort_order")
    second.depends_on = first
    second.full_clean()
    second.save()
    return world


def _act(work: WorkItem, action: str, actor, **kw) -> WorkItem:
    return actions.act(work.pk, ActionInput(action, **kw), actor=actor)


def _open(case: Case, sub: SubCase, kind: str | None = None):
    rows = WorkItem.objects.filter(case=case, subcase=sub, status=WorkStatus.OPEN)
    return rows.filter(kind=kind).get() if kind else rows


def _decide_a(world, case: Case, sub_a: SubCase, approve: bool) -> None:
    _act(_open(case, sub_a, WorkKind.ACCEPT), Action.ACCEPT, world.clerk_a)
    _act(_open(case, sub_a, WorkKind.REVIEW), Action.FORWARD, world.reviewer_a)
    if approve:
        _act(_open(case, sub_a, WorkKind.DECIDE), Action.APPROVE, world.leader_a, note="ok")
    else:
        _act(
            _open(case, sub_a, WorkKind.DECIDE),
            Action.REJECT,
            world.leader_a,
            note="出生信息不符",
            legal_basis="《母婴保健法》第二十三条",
        )


def _age(case: Case, days: int) -> None:
    """Make the submission ``days`` calendar days old (the clocks read stored moments)."""
    shift = dt.timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(submitted_at=case.submitted_at - shift)
    for sub in case.subcases.all():
        SubCase.objects.filter(pk=sub.pk).update(received_at=sub.received_at - shift)


def test_the_waiting_member_is_not_offered_until_its_prerequisite_is_decided(waiting_world):
    world = waiting_world
    case = world.submit(world.bundle)
    sub_a, sub_b = case.subcases.order_by("pk")
    assert (sub_a.status, sub_b.status) == (SubCaseStatus.RECEIVED, SubCaseStatus.WAITING)
    assert sub_b.waiting_for == sub_a
    assert sub_b.acceptance_due is None and sub_b.promised_due is None
    # Not in department B's inbox, but in its list of matters waiting, saying for what.
    assert not queries.inbox(world.all_b).exists()
    assert not _open(case, sub_b).exists()
    waiting = list(dependencies.waiting_matters([sub_b.department_id]))
    assert waiting == [sub_b]
    with translation.override("zh-hans"):
        note = waiting[0].waiting_note
    assert world.item_a.name in note and sub_a.department.name in note
    assert case.status == CaseStatus.SUBMITTED
    _age(case, 14)

    _decide_a(world, case, sub_a, approve=True)

    sub_b.refresh_from_db()
    case.refresh_from_db()
    assert sub_b.status == SubCaseStatus.RECEIVED and sub_b.waiting_note == ""
    # Its clock starts at the prerequisite's approval, not at the submission.
    sub_a.refresh_from_db()
    assert sub_b.received_at >= sub_a.decided_at
    assert sub_b.received_at - case.submitted_at > dt.timedelta(days=13)
    start = sub_b.received_at
    assert sub_b.acceptance_due == calc.Clock(start, 5).due(start).date
    assert sub_b.promised_due == calc.Clock(start, 3).due(start).date
    assert sub_b.statutory_due == calc.Clock(start, 10).due(start).date
    work = _open(case, sub_b, WorkKind.ACCEPT)
    assert work.due_on == sub_b.acceptance_due
    assert list(queries.inbox(world.all_b)) == [work]
    assert CaseEvent.objects.filter(
        case=case, subcase=sub_b, action=Action.PREREQUISITE_MET, public=True
    ).exists()

    _act(work, Action.ACCEPT, world.all_b)
    _act(_open(case, sub_b, WorkKind.REVIEW), Action.FORWARD, world.all_b)
    _act(_open(case, sub_b, WorkKind.DECIDE), Action.APPROVE, world.all_b, note="ok")
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert ProcessInstance.objects.get(case=case).completed


def test_a_refused_prerequisite_leaves_the_waiting_member_not_started(waiting_world):
    world = waiting_world
    case = world.submit(world.bundle)
    sub_a, sub_b = case.subcases.order_by("pk")
    _decide_a(world, case, sub_a, approve=False)
    sub_b.refresh_from_db()
    case.refresh_from_db()
    assert sub_b.status == SubCaseStatus.NOT_STARTED
    assert world.item_a.name in sub_b.reason  # the applicant is told why
    event = CaseEvent.objects.get(case=case, subcase=sub_b, action=Action.PREREQUISITE_REFUSED)
    assert event.public and event.note == sub_b.reason
    assert not WorkItem.objects.filter(case=case, subcase=sub_b).exists()
    assert case.status == CaseStatus.COMPLETED
    assert ProcessInstance.objects.get(case=case).completed


def test_a_waiting_member_is_withdrawn_with_the_application(waiting_world):
    world = waiting_world
    case = world.submit(world.bundle)
    services.withdraw(case, actor=world.applicant)
    assert set(case.subcases.values_list("status", flat=True)) == {SubCaseStatus.WITHDRAWN}


def test_the_stored_bundle_model_passes_the_platform_check(waiting_world):
    world = waiting_world
    case = world.submit(world.bundle)
    definition = ProcessInstance.objects.get(case=case).definition
    assert "m2_prerequisite" in definition.bpmn_xml
    assert check_process_model(definition.bpmn_xml.encode()) == []


# --- the bundle definition ------------------------------------------------------------------


def test_a_member_cannot_wait_for_itself_another_bundle_or_in_a_circle(world, admin_user):
    first, second = world.bundle.memberships.order_by("sort_order")
    first.depends_on = first
    with pytest.raises(ValidationError) as err:
        first.full_clean()
    assert "depends_on" in err.value.message_dict

    second.depends_on = first
    second.save()
    first.depends_on = second
    with override("en"):
        with pytest.raises(ValidationError) as err:
            first.full_clean()
        message = str(err.value.message_dict["depends_on"])
    assert "circle" in message and world.item_a.name in message

    other = world.bundle.__class__.objects.create(
        code="other",
        name="另一件事",
        audience="person",
        lead_department=world.item_a.department,
        promised_limit=5,
    )
    stranger = BundleMember.objects.create(bundle=other, item=world.item_a)
    stranger.depends_on = second
    with override("en"):
        with pytest.raises(ValidationError) as err:
            stranger.full_clean()
        message = str(err.value.message_dict["depends_on"])
    assert "same bundle" in message


def test_the_admin_refuses_a_circle_drawn_across_rows(client, admin_user, world):
    first, second = world.bundle.memberships.order_by("sort_order")
    bundle = world.bundle
    client.force_login(admin_user)
    url = f"/admin/catalog/bundle/{bundle.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    options = page.content.decode()
    assert f'<option value="{first.pk}">' in options  # this bundle's own members to choose
    form = {
        "code": bundle.code,
        "name": bundle.name,
        "name_en": bundle.name_en,
        "summary": "",
        "summary_en": "",
        "audience": bundle.audience,
        "lead_department": bundle.lead_department_id,
        "promised_limit": bundle.promised_limit,
        "visits_on_site": 0,
        "location": "",
        "location_en": "",
        "consult_phone": "",
        "memberships-TOTAL_FORMS": 2,
        "memberships-INITIAL_FORMS": 2,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
        "memberships-0-id": first.pk,
        "memberships-0-bundle": bundle.pk,
        "memberships-0-item": first.item_id,
        "memberships-0-sort_order": 1,
        "memberships-0-depends_on": second.pk,
        "memberships-1-id": second.pk,
        "memberships-1-bundle": bundle.pk,
        "memberships-1-item": second.item_id,
        "memberships-1-sort_order": 2,
        "memberships-1-depends_on": first.pk,
    }
    response = client.post(url, form)
    assert response.status_code == 200  # the form again, with the error on the field
    formset = response.context["inline_admin_formsets"][0].formset
    assert any("depends_on" in f.errors for f in formset.forms)
    assert not BundleMember.objects.filter(depends_on__isnull=False).exists()

    form["memberships-0-depends_on"] = ""
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    second.refresh_from_db()
    assert second.depends_on == first
