"""Applications and cases through the service layer: submission, transitions, clocks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tongban.cases import actions, dataforms, materials, numbering, sealed, services, transitions
from tongban.cases.actions import ActionInput
from tongban.cases.models import (
    Case,
    CaseStatus,
    ClockPause,
    CorrectionNotice,
    ProcessInstance,
    SubCase,
    SubCaseStatus,
    WorkItem,
    WorkKind,
    WorkStatus,
)
from tongban.cases.transitions import Action
from tongban.core.errors import ServiceError

pytestmark = pytest.mark.django_db


def open_item(case: Case, kind: str, sub: SubCase | None = None) -> WorkItem:
    rows = WorkItem.objects.filter(case=case, kind=kind, status=WorkStatus.OPEN)
    if sub is not None:
        rows = rows.filter(subcase=sub)
    assert rows.count() == 1, list(rows.values_list("kind", "subcase_id"))
    return rows.get()


def act(work: WorkItem, action: str, actor, **kw) -> WorkItem:
    return actions.act(work.pk, ActionInput(action, **kw), actor=actor)


def approve_all(world, case: Case, sub: SubCase, officials) -> None:
    clerk, reviewer, leader = officials
    act(open_item(case, WorkKind.ACCEPT, sub), Action.ACCEPT, clerk)
    act(open_item(case, WorkKind.REVIEW, sub), Action.FORWARD, reviewer)
    act(open_item(case, WorkKind.DECIDE, sub), Action.APPROVE, leader, note="ok")


# --- forms --------------------------------------------------------------------------------


def test_bundle_form_asks_shared_elements_once(world):
    form = dataforms.build_form(world.bundle)
    codes = [f.code for f in form.fields]
    assert codes == [
        "applicant.name",
        "applicant.id_number",
        "applicant.phone",
        "shop.area",
        "applicant.address",
    ]
    by_code = form.by_code()
    assert by_code["applicant.name"].items == [
        world.item_a.implementation_code,
        world.item_b.implementation_code,
    ]
    assert by_code["shop.area"].required and not by_code["applicant.address"].required
    schema = dataforms.json_schema(form)
    assert schema["required"] == [
        "applicant.name",
        "applicant.id_number",
        "applicant.phone",
        "shop.area",
    ]
    assert schema["properties"]["applicant.id_number"]["x-element"] == "applicant.id_number"


def test_clean_data_names_the_field_and_folds_fullwidth_digits(world):
    form = dataforms.build_form(world.item_a)
    fullwidth = world.applicant.id_number.translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    cleaned, errors = dataforms.clean_data(
        form, {"applicant.name": "陈", "applicant.id_number": fullwidth, "applicant.phone": "123"}
    )
    assert cleaned["applicant.id_number"] == world.applicant.id_number
    assert set(errors) == {"applicant.phone", "shop.area"}
    assert errors["applicant.phone"].startswith("申请人") is False  # label is the phone's
    assert "联系电话" in errors["applicant.phone"] or "Mobile" in errors["applicant.phone"]


def test_prefill_comes_from_the_profile(world):
    form = dataforms.build_form(world.item_a)
    values = dataforms.prefill(form, world.applicant)
    assert values["applicant.name"] == "陈小明"
    assert values["applicant.id_number"] == world.applicant.id_number
    assert "shop.area" not in values


# --- numbers ------------------------------------------------------------------------------


def test_case_numbers_are_sequential_per_day_with_a_check_digit(world):
    first, second = world.submit(), world.submit()
    assert first.number.split("-")[0] == "442000"
    serials = [int(c.number.split("-")[2]) for c in (first, second)]
    assert serials[1] == serials[0] + 1
    assert numbering.valid_case_number(first.number)
    digits = first.number.replace("-", "")
    tampered = first.number[:-3] + str((int(digits[-2]) + 1) % 10) + first.number[-2:]
    assert not numbering.valid_case_number(tampered)


# --- submission ---------------------------------------------------------------------------


def test_submit_creates_case_subcases_work_items_and_encrypts_the_data(world):
    case = world.submit(world.bundle)
    assert case.status == CaseStatus.SUBMITTED
    subs = list(case.subcases.order_by("pk"))
    assert [s.department.code for s in subs] == ["scjg", "ga"]
    accepts = WorkItem.objects.filter(case=case, kind=WorkKind.ACCEPT, status=WorkStatus.OPEN)
    assert sorted(w.department.code for w in accepts) == ["ga", "scjg"]
    assert all(w.due_on == w.subcase.acceptance_due for w in accepts)
    with connection.cursor() as cur:
        cur.execute("SELECT data_token FROM cases_case WHERE id = %s", [case.pk])
        token = cur.fetchone()[0]
    assert "陈小明" not in token and world.applicant.id_number not in token
    assert sealed.case_data(case)["applicant.name"] == "陈小明"
    assert case.materials.count() == 3  # M-A, M-ID (once for both items), M-B
    assert ProcessInstance.objects.get(case=case).state


def test_a_generated_model_is_stored_once_per_version_and_audited(world):
    from tongban.cases.models import ProcessDefinition
    from tongban.core.models import AuditRecord

    first, second = world.submit(), world.submit()
    assert first.process.definition_id == second.process.definition_id
    assert ProcessDefinition.objects.filter(key=f"item-{world.item_a.pk}").count() == 1
    assert AuditRecord.objects.filter(action="cases.process_generated").count() == 1


def test_same_idempotency_key_returns_the_same_case(world):
    draft = world.new_draft()
    case = services.submit(draft, actor=world.applicant, idempotency_key="same")
    again = services.submit(draft, actor=world.applicant, idempotency_key="same")
    assert again.pk == case.pk
    assert Case.objects.count() == 1


def test_missing_field_and_material_refused_and_nothing_created(world):
    draft = services.draft_for(world.applicant, world.item_a)
    services.save_draft(draft, {"applicant.name": "陈小明"}, actor=world.applicant)
    with pytest.raises(ServiceError) as err:
        services.submit(draft, actor=world.applicant, idempotency_key="x")
    fields = set(err.value.message_dict)
    assert {"applicant.id_number", "applicant.phone", "shop.area", "material_M-A"} <= fields
    assert Case.objects.count() == 0
    # The draft kept what was typed.
    assert sealed.draft_data(draft) == {"applicant.name": "陈小明"}


def test_upload_sniffs_the_content_not_the_name(world):
    from tongban.cases.tests.conftest import pdf_upload

    draft = services.draft_for(world.applicant, world.item_a)
    with pytest.raises(ServiceError) as err:
        materials.upload_material(
            draft, "M-A", pdf_upload("fake.pdf", b"MZ\x90\x00 not a pdf"), actor=world.applicant
        )
    assert "material_M-A" in err.value.message_dict
    with pytest.raises(ServiceError):
        materials.upload_material(draft, "M-NOPE", pdf_upload(), actor=world.applicant)
    stored = materials.upload_material(draft, "M-A", pdf_upload(), actor=world.applicant)
    with materials.open_material(stored) as stream:
        assert stream.read().startswith(b"%PDF") and stored.content_type == "application/pdf"


# --- the default flow ---------------------------------------------------------------------


def test_single_item_runs_to_completion_with_automatic_delivery(world):
    case = world.submit()
    sub = case.subcases.get()
    approve_all(world, case, sub, (world.clerk_a, world.reviewer_a, world.leader_a))
    case.refresh_from_db()
    sub.refresh_from_db()
    assert sub.status == SubCaseStatus.APPROVED
    assert case.status == CaseStatus.COMPLETED and case.completed_at
    assert not WorkItem.objects.filter(case=case, status=WorkStatus.OPEN).exists()
    assert ProcessInstance.objects.get(case=case).completed
    actions = list(case.events.values_list("action", flat=True))
    assert actions[:4] == ["submitted", "accept", "forward", "approve"]
    assert "deliver" in actions and actions[-1] == "completed"


def test_bundle_mixed_outcomes_each_department_decides_its_own(world):
    case = world.submit(world.bundle)
    sub_a, sub_b = case.subcases.order_by("pk")
    approve_all(world, case, sub_a, (world.clerk_a, world.reviewer_a, world.leader_a))
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS  # B still open
    act(open_item(case, WorkKind.ACCEPT, sub_b), Action.ACCEPT, world.all_b)
    act(open_item(case, WorkKind.REVIEW, sub_b), Action.FORWARD, world.all_b)
    with pytest.raises(ServiceError) as err:
        act(open_item(case, WorkKind.DECIDE, sub_b), Action.REJECT, world.all_b, note="不符合")
    assert "legal_basis" in err.value.message_dict
    act(
        open_item(case, WorkKind.DECIDE, sub_b),
        Action.REJECT,
        world.all_b,
        note="不符合条件",
        legal_basis="《测试法》第一条",
    )
    sub_a.refresh_from_db()
    sub_b.refresh_from_db()
    case.refresh_from_db()
    assert (sub_a.status, sub_b.status) == (SubCaseStatus.APPROVED, SubCaseStatus.REJECTED)
    assert sub_a.decided_by == world.leader_a and sub_b.decided_by == world.all_b
    assert case.status == CaseStatus.COMPLETED
    assert ProcessInstance.objects.get(case=case).completed


def test_correction_before_acceptance_then_resubmission(world):
    case = world.submit()
    sub = case.subcases.get()
    with pytest.raises(ServiceError) as err:
        act(open_item(case, WorkKind.ACCEPT), Action.CORRECTION, world.clerk_a)
    assert "corrections" in err.value.message_dict
    act(
        open_item(case, WorkKind.ACCEPT),
        Action.CORRECTION,
        world.clerk_a,
        corrections=[
            {"material": "材料M-A", "reason": "缺少签名"},
            {"material": "身份证", "reason": "不清晰"},
        ],
    )
    sub.refresh_from_db()
    case.refresh_from_db()
    assert sub.status == SubCaseStatus.CORRECTION_BEFORE and case.status == CaseStatus.CORRECTION
    notice = CorrectionNotice.objects.get(subcase=sub)
    assert len(notice.items) == 2 and notice.resolved_at is None
    assert not ClockPause.objects.filter(subcase=sub).exists()  # the clock had not started
    correction = open_item(case, WorkKind.CORRECT)
    with pytest.raises(ServiceError):  # only the applicant answers
        act(correction, Action.RESUBMIT, world.clerk_a)
    actions.resubmit_correction(case, {}, actor=world.applicant, note="已补签")
    sub.refresh_from_db()
    assert sub.status == SubCaseStatus.RECEIVED
    notice.refresh_from_db()
    assert notice.resolved_at is not None
    assert open_item(case, WorkKind.ACCEPT)  # back at acceptance


def test_correction_during_review_pauses_and_moves_the_deadline(world, monkeypatch):
    case = world.submit()
    sub = case.subcases.get()
    act(open_item(case, WorkKind.ACCEPT), Action.ACCEPT, world.clerk_a)
    sub.refresh_from_db()
    due_before = sub.promised_due
    act(
        open_item(case, WorkKind.REVIEW),
        Action.CORRECTION,
        world.reviewer_a,
        corrections=[{"material": "材料M-A", "reason": "页码不全"}],
    )
    pause = ClockPause.objects.get(subcase=sub)
    assert pause.ended_at is None
    later = pause.started_at + dt.timedelta(days=7)
    monkeypatch.setattr(services.timezone, "now", lambda: later)
    actions.resubmit_correction(case, {}, actor=world.applicant)
    sub.refresh_from_db()
    pause.refresh_from_db()
    assert pause.ended_at == later and sub.status == SubCaseStatus.IN_REVIEW
    paused = services.calc.working_days_between(
        services.timezone.localdate(pause.started_at), services.timezone.localdate(later)
    )
    assert paused >= 4
    # The pause began on the acceptance day, before any of the 5 working days was used:
    # they count again from the day the materials came back (that day counts).
    day_before_restart = services.timezone.localdate(later) - dt.timedelta(days=1)
    assert sub.promised_due > due_before
    assert sub.promised_due == services.calc.add_working_days(day_before_restart, 5).date
    assert open_item(case, WorkKind.REVIEW)


# --- refusals -----------------------------------------------------------------------------


def test_other_department_cannot_act(world):
    case = world.submit()
    with pytest.raises(ServiceError) as err:
        act(open_item(case, WorkKind.ACCEPT), Action.ACCEPT, world.all_b)
    assert "may not act" in str(err.value) or "无权" in str(err.value)
    assert case.subcases.get().status == SubCaseStatus.RECEIVED


def test_wrong_role_in_the_same_department_cannot_act(world):
    case = world.submit()
    with pytest.raises(ServiceError):
        act(open_item(case, WorkKind.ACCEPT), Action.ACCEPT, world.reviewer_a)
    act(open_item(case, WorkKind.ACCEPT), Action.ACCEPT, world.leader_a)  # the leader may


def test_a_completed_step_is_refused_with_who_did_it(world):
    case = world.submit()
    work = open_item(case, WorkKind.ACCEPT)
    act(work, Action.ACCEPT, world.clerk_a)
    with pytest.raises(ServiceError) as err:
        act(work, Action.NOT_ACCEPT, world.leader_a, note="x", legal_basis="y")
    assert "clerk-a" in str(err.value)
    assert case.subcases.get().status == SubCaseStatus.IN_REVIEW


# Every action against every step a single-item case can be waiting at: written out by hand
# (not read from the tables under test). Each stage names the open step, the sub-case's
# state there, and what each action does: the sub-case's state afterwards, or "refused".
ALL_ACTIONS = [
    Action.ACCEPT, Action.NOT_ACCEPT, Action.CORRECTION, Action.FORWARD, Action.APPROVE,
    Action.REJECT, Action.TRANSFER, Action.START_SPECIAL, Action.END_SPECIAL, Action.RESUBMIT,
    Action.WITHDRAW,
]  # fmt: skip
REFUSED = "refused"
STAGES = {
    # stage: (kind of the open step, sub-case state there)
    "accept": ("accept", "received"),
    "review": ("review", "in_review"),
    "special": ("review", "special"),
    "decide": ("decide", "in_review"),
    "correct_before": ("correct", "correction_before"),
    "correct": ("correct", "correction"),
}
EXPECTED = {
    "accept": {
        "accept": "in_review", "not_accept": "not_accepted", "correction": "correction_before",
        "transfer": "received",
    },
    "review": {"forward": "in_review", "correction": "correction", "start_special": "special"},
    "special": {"end_special": "in_review"},
    "decide": {"approve": "approved", "reject": "rejected"},
    "correct_before": {"resubmit": "received"},
    "correct": {"resubmit": "in_review"},
}  # fmt: skip


def _reach(world, case: Case, stage: str) -> tuple[WorkItem, object]:
    if stage == "accept":
        return open_item(case, WorkKind.ACCEPT), world.leader_a
    if stage == "correct_before":
        act(open_item(case, WorkKind.ACCEPT), Action.CORRECTION, world.clerk_a,
            corrections=[{"material": "x", "reason": "y"}])  # fmt: skip
        return open_item(case, WorkKind.CORRECT), world.applicant
    act(open_item(case, WorkKind.ACCEPT), Action.ACCEPT, world.clerk_a)
    if stage == "review":
        return open_item(case, WorkKind.REVIEW), world.leader_a
    if stage == "special":
        work = open_item(case, WorkKind.REVIEW)
        act(work, Action.START_SPECIAL, world.reviewer_a, pause_kind="expert_review")
        return work, world.leader_a
    if stage == "correct":
        act(open_item(case, WorkKind.REVIEW), Action.CORRECTION, world.reviewer_a,
            corrections=[{"material": "x", "reason": "y"}])  # fmt: skip
        return open_item(case, WorkKind.CORRECT), world.applicant
    act(open_item(case, WorkKind.REVIEW), Action.FORWARD, world.reviewer_a)
    return open_item(case, WorkKind.DECIDE), world.leader_a


@pytest.mark.parametrize("stage", list(STAGES))
def test_transition_table(world, department_b, stage):
    kind, state = STAGES[stage]
    kwargs = {
        "note": "理由",
        "legal_basis": "依据",
        "corrections": [{"material": "m", "reason": "r"}],
        "department": department_b,
        "pause_kind": "hearing",
    }
    # A refused action changes nothing, so one case serves every refusal of the stage.
    case = world.submit()
    work, actor = _reach(world, case, stage)
    sub = work.subcase
    sub.refresh_from_db()
    assert (work.kind, sub.status) == (kind, state), stage
    open_before = WorkItem.objects.filter(case=case, status=WorkStatus.OPEN).count()
    for action in ALL_ACTIONS:
        if action in EXPECTED[stage]:
            continue
        with pytest.raises(ServiceError):
            act(work, action, actor, **kwargs)
        sub.refresh_from_db()
        after = (sub.status, WorkItem.objects.filter(case=case, status=WorkStatus.OPEN).count())
        assert after == (state, open_before), (stage, action)
    for action, expected in EXPECTED[stage].items():
        case = world.submit()
        work, actor = _reach(world, case, stage)
        act(work, action, actor, **kwargs)
        assert case.subcases.get().status == expected, (stage, action)


def test_final_matters_have_no_actions(world):
    case = world.submit()
    sub = case.subcases.get()
    approve_all(world, case, sub, (world.clerk_a, world.reviewer_a, world.leader_a))
    done = WorkItem.objects.filter(case=case, kind=WorkKind.DECIDE).get()
    assert transitions.allowed_actions(done) == []
    with pytest.raises(ServiceError):
        act(done, Action.REJECT, world.leader_a, note="x", legal_basis="y")
    sub.refresh_from_db()
    assert sub.status == SubCaseStatus.APPROVED


def test_transfer_moves_the_matter_to_the_other_department(world, department_b):
    case = world.submit()
    work = open_item(case, WorkKind.ACCEPT)
    act(work, Action.TRANSFER, world.clerk_a, department=department_b, note="属公安管辖")
    work.refresh_from_db()
    assert work.department == department_b and work.status == WorkStatus.OPEN
    act(work, Action.ACCEPT, world.all_b)
    review = open_item(case, WorkKind.REVIEW)
    assert review.department == department_b


def test_correction_notice_before_acceptance_only_within_five_working_days(world, monkeypatch):
    case = world.submit()
    sub = case.subcases.get()
    late = dt.datetime.combine(sub.acceptance_due + dt.timedelta(days=1), dt.time(10), dt.UTC)
    monkeypatch.setattr(services.timezone, "now", lambda: late)
    with pytest.raises(ServiceError) as err:
        act(open_item(case, WorkKind.ACCEPT), Action.CORRECTION, world.clerk_a,
            corrections=[{"material": "m", "reason": "r"}])  # fmt: skip
    assert "Art. 32" in str(err.value) or "第三十二条" in str(err.value)


def test_a_stale_instance_cannot_overwrite_a_newer_engine_state(world):
    from tongban.cases import flow

    case = world.submit()
    instance = ProcessInstance.objects.get(case=case)
    stale_version = instance.lock_version
    ProcessInstance.objects.filter(pk=instance.pk).update(lock_version=stale_version + 1)
    work = open_item(case, WorkKind.ACCEPT)
    before = ProcessInstance.objects.get(pk=instance.pk).state
    with pytest.raises(ServiceError) as err:
        flow.complete(instance, work, {"action": "accept"})
    assert "__all__" in err.value.message_dict
    assert ProcessInstance.objects.get(pk=instance.pk).state == before
