# ruff: noqa: E501  (BPMN fixtures are long XML lines)
"""The engine facade over SpiffWorkflow: flows, state round trips, cache, timers, data rules."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from tongban.cases.engine import kernel as k
from tongban.cases.engine.bundle import SINGLE_ITEM, bundle_model, single_item_model
from tongban.cases.engine.profile import ProfileError
from tongban.cases.engine.timers import Deadline, parse_duration
from tongban.cases.tests.test_engine_profile import CAMUNDA_MODELER_FILE, model, props


def roundtrip(state: k.EngineState) -> k.EngineState:
    """Deserialize → serialize must give back the same state (what the next request sees)."""
    workflow, compiled = k._load(state)
    again = k._dump(workflow, compiled)
    assert json.loads(again.text) == json.loads(state.text)
    return again


def do(state: k.EngineState, spec_name: str, data: dict | None = None, **kw) -> k.EngineState:
    ready = [t for t in k.ready_tasks(state) if t.spec_name == spec_name]
    assert ready, (spec_name, [t.spec_name for t in k.ready_tasks(state)])
    # Never the configured (database) calendar: these tests run without a database.
    kw.setdefault("add_working_days", FakeCalendar())
    return roundtrip(k.complete(state, ready[0].task_id, data or {}, **kw))


def names(state: k.EngineState) -> list[str]:
    return sorted(t.spec_name for t in k.ready_tasks(state))


@pytest.fixture
def single() -> k.SpecRef:
    return k.SpecRef("single_item", 1, single_item_model("ITEM7", "SCJG"))


def test_single_item_happy_path(single):
    state = roundtrip(k.start(single, {"case_id": 42}))
    [accept] = k.ready_tasks(state)
    assert (accept.name, accept.department, accept.role, accept.statutory_days) == (
        "受理",
        "SCJG",
        "clerk",
        5,
    )
    assert accept.properties["item"] == "ITEM7" and accept.data_prefix == "item"
    state = do(state, "accept", {"item_accept": "accepted"})
    state = do(state, "review", {"item_review": "ok"})
    [decide] = k.ready_tasks(state)
    assert decide.role == "department_leader"
    state = do(state, "decide", {"item_decision": "approved"})
    state = do(state, "close")
    assert not k.is_completed(state)
    state = do(state, "deliver")
    assert k.is_completed(state)
    assert k.outcome(state).end_event == "end_approved"
    assert k.data(state) == {
        "case_id": 42,
        "item_accept": "accepted",
        "item_review": "ok",
        "item_decision": "approved",
    }
    print(f"\nsingle item state at the end: {len(state.text)} bytes")


def test_correction_loops_go_to_the_applicant_and_back(single):
    state = k.start(single)
    state = do(state, "accept", {"item_accept": "correction"})
    [correction] = k.ready_tasks(state)
    assert (correction.spec_name, correction.role, correction.department) == (
        "correct_accept",
        "applicant",
        "",
    )
    state = do(state, "correct_accept")
    state = do(state, "accept", {"item_accept": "accepted"})
    state = do(state, "review", {"item_review": "correction"})
    assert names(state) == ["correct_review"]
    state = do(state, "correct_review")
    assert names(state) == ["review"]
    state = do(state, "review", {"item_review": "ok"})
    assert names(state) == ["decide"]


def test_rejection_and_non_acceptance_end_the_case(single):
    rejected = do(
        do(
            do(k.start(single), "accept", {"item_accept": "accepted"}),
            "review",
            {"item_review": "ok"},
        ),
        "decide",
        {"item_decision": "rejected"},
    )
    assert k.is_completed(rejected) and k.outcome(rejected).end_event == "end_rejected"
    refused = do(k.start(single), "accept", {"item_accept": "refused"})
    assert k.is_completed(refused) and k.outcome(refused).end_event == "end_not_accepted"


def test_bundle_with_one_member_rejected():
    ref = k.SpecRef(
        "bundle",
        1,
        bundle_model([("ITEM1", "SCJG"), ("ITEM2", "XF"), ("ITEM3", "HB"), ("ITEM4", "WJ")]),
    )
    state = roundtrip(k.start(ref, {"case_id": 9}))
    ready = k.ready_tasks(state)
    assert sorted((t.spec_name, t.department, t.scope, t.properties["item"]) for t in ready) == [
        ("m1_accept", "SCJG", "member_1", "ITEM1"),
        ("m2_accept", "XF", "member_2", "ITEM2"),
        ("m3_accept", "HB", "member_3", "ITEM3"),
        ("m4_accept", "WJ", "member_4", "ITEM4"),
    ]
    sizes = [len(state.text)]
    for p in ("m1", "m2", "m3", "m4"):
        state = do(state, f"{p}_accept", {f"{p}_accept": "accepted"})
        state = do(state, f"{p}_review", {f"{p}_review": "ok"})
        sizes.append(len(state.text))
    # the second department refuses first: its sub-process ends, the others continue
    state = do(state, "m2_decide", {"m2_decision": "rejected"})
    assert k.outcome(state).ends["member_2"] == "m2_end_rejected"
    assert not k.is_completed(state)
    assert names(state) == ["m1_decide", "m3_decide", "m4_decide"]
    for p in ("m1", "m3", "m4"):
        state = do(state, f"{p}_decide", {f"{p}_decision": "approved"})
    for p in ("m1", "m3", "m4"):
        state = do(state, f"{p}_close")
        state = do(state, f"{p}_deliver")
        assert k.is_completed(state) == (p == "m4")  # the join waits for every member
    result = k.outcome(state)
    assert result.end_event == "bundle_end"
    assert result.ends == {
        "bundle": "bundle_end",
        "member_1": "m1_end_approved",
        "member_2": "m2_end_rejected",
        "member_3": "m3_end_approved",
        "member_4": "m4_end_approved",
    }
    final = k.data(state)
    assert [final[f"m{i}_decision"] for i in range(1, 5)] == [
        "approved",
        "rejected",
        "approved",
        "approved",
    ]
    print(
        f"\nbundle of 4 state sizes (bytes): start {sizes[0]}, max {max(sizes)}, end {len(state.text)}"
    )


def test_state_holds_no_spec_and_is_smaller_than_the_default_serializer(single):
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

    state = k.start(single)
    envelope = json.loads(state.text)
    assert envelope["spec"]["key"] == "single_item" and envelope["spec"]["version"] == 1
    assert "task_specs" not in state.text and "spec" not in envelope["workflow"]
    workflow, _compiled = k._load(state)
    full = BpmnWorkflowSerializer().serialize_json(workflow)
    print(f"\nstate-only {len(state.text)} bytes vs default serializer {len(full)} bytes")
    assert len(state.text) < 0.7 * len(full)


def test_completing_a_task_that_is_not_ready_is_refused(single):
    state = k.start(single)
    [accept] = k.ready_tasks(state)
    after = k.complete(state, accept.task_id, {"item_accept": "accepted"})
    with pytest.raises(k.TaskNotReady):
        k.complete(after, accept.task_id, {"item_accept": "accepted"})  # already completed
    with pytest.raises(k.UnknownTask):
        k.complete(after, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(k.UnknownTask):
        k.complete(after, "not-a-uuid")
    future = k._load(after)[0]
    from SpiffWorkflow.util.task import TaskState

    [decide] = [
        t
        for t in future.get_tasks(state=TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE)
        if t.task_spec.name == "decide"
    ][:1]
    with pytest.raises(k.TaskNotReady):
        k.complete(after, str(decide.id))
    assert k.TaskNotReady().message  # a translated message exists


def test_data_rules(single):
    from conftest import make_resident_id as rid

    state = k.start(single)
    [accept] = k.ready_tasks(state)
    with pytest.raises(k.EngineError) as exc:
        k.complete(state, accept.task_id, {"review_ok": True})  # not the task's prefix
    assert exc.value.code == "prefix"
    with pytest.raises(k.EngineError) as exc:
        k.complete(state, accept.task_id, {"item_note": f"证件 {rid()}"})
    assert exc.value.code == "personal_data"
    with pytest.raises(k.EngineError) as exc:
        k.complete(state, accept.task_id, {"item_phone": "13800138000"})
    assert exc.value.code == "personal_data"
    with pytest.raises(k.BadTaskData):
        k.complete(state, accept.task_id, {"item_files": ["a"]})
    with pytest.raises(k.BadTaskData):
        k.complete(state, accept.task_id, {"__class__": 1})
    with pytest.raises(k.BadTaskData):
        k.start(single, {"item_text": "x" * 500})


def test_spec_is_parsed_once_and_reloaded_through_the_loader(single):
    k.clear_cache()
    state = k.start(single)
    compiled_before = k.cache_stats()["compiled"]
    for _ in range(5):
        k.ready_tasks(state)
    state = do(state, "accept", {"item_accept": "accepted"})
    assert k.cache_stats()["compiled"] == compiled_before
    # a new process (empty cache) loads the definition through the configured loader
    k.clear_cache()
    calls = []

    def loader(key, version):
        calls.append((key, version))
        return single.bpmn_xml

    k.configure(loader=loader)
    try:
        assert names(k.EngineState(state.text)) == ["review"]  # only the stored text
        assert calls == [("single_item", 1)]
        # a changed definition under the same version is refused
        k.clear_cache()
        k.configure(loader=lambda key, version: single_item_model("OTHER", "XF"))
        with pytest.raises(k.EngineError) as exc:
            k.ready_tasks(state.text)
        assert exc.value.code == "definition"
    finally:
        k._config["loader"] = None


def test_bad_state_and_bad_model():
    with pytest.raises(k.EngineError) as exc:
        k.ready_tasks('{"format": "other"}')
    assert exc.value.code == "bad_state"
    with pytest.raises(ProfileError) as perr:
        k.start(
            k.SpecRef(
                "bad",
                1,
                model('<bpmn:scriptTask id="S1"><bpmn:script>1</bpmn:script></bpmn:scriptTask>'),
            )
        )
    assert perr.value.problems[0].element_id == "S1"


def test_cancel(single):
    state = k.cancel(k.start(single))
    assert k.ready_tasks(state) == []
    assert k.is_completed(state)
    assert k.outcome(state).end_event == ""


def test_default_template_file_runs_as_is():
    state = k.start(k.SpecRef("template", 1, SINGLE_ITEM.read_bytes()))
    assert k.ready_tasks(state)[0].department == "DEPARTMENT"


# -- timers --------------------------------------------------------------------------------

SHANGHAI = timedelta(hours=8)


def local(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - SHANGHAI


class FakeCalendar:
    """Weekdays only, plus one holiday; records its calls."""

    def __init__(self, holidays=()):
        self.calls: list[tuple[date, int]] = []
        self.holidays = set(holidays)

    def __call__(self, start: date, n: int) -> Deadline:
        self.calls.append((start, n))
        day = start
        while n:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in self.holidays:
                n -= 1
        return Deadline(day, provisional=False)


TIMER_MODEL = model(
    '<bpmn:boundaryEvent id="Overdue" name="超期督办" cancelActivity="false" attachedToRef="Review_1">'
    "<bpmn:timerEventDefinition><bpmn:timeDuration>P2D</bpmn:timeDuration></bpmn:timerEventDefinition>"
    "</bpmn:boundaryEvent>"
    f'<bpmn:userTask id="Supervise" name="督办">{props(role="supervisor")}</bpmn:userTask>'
    '<bpmn:endEvent id="End_supervised" />'
    '<bpmn:sequenceFlow id="T1" sourceRef="Overdue" targetRef="Supervise" />'
    '<bpmn:sequenceFlow id="T2" sourceRef="Supervise" targetRef="End_supervised" />'
    f'<bpmn:userTask id="Sign" name="签收">{props(role="clerk")}</bpmn:userTask>'
    '<bpmn:boundaryEvent id="Sign_timeout" name="签收超时" attachedToRef="Sign">'
    "<bpmn:timerEventDefinition><bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition>"
    "</bpmn:boundaryEvent>"
    '<bpmn:endEvent id="End_timeout" />'
    '<bpmn:sequenceFlow id="T3" sourceRef="Sign_timeout" targetRef="End_timeout" />'
).replace(
    b'<bpmn:sequenceFlow id="F2" sourceRef="Review_1" targetRef="End_1" />',
    b'<bpmn:sequenceFlow id="F2" sourceRef="Review_1" targetRef="Sign" />'
    b'<bpmn:sequenceFlow id="F3" sourceRef="Sign" targetRef="End_1" />',
)


def test_duration_grammar():
    assert parse_duration("P5D") == ("working_days", 5)
    assert parse_duration(' "P5D" ') == ("working_days", 5)
    assert parse_duration("PT1H30M") == ("wall", timedelta(hours=1, minutes=30))
    for bad in ("P1M", "P1Y", "P1W", "P1DT2H", "PT", "P0D", "${days}", "R3/PT1H", ""):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_working_day_and_clock_timers():
    calendar = FakeCalendar(holidays={date(2026, 1, 12)})  # a Monday off
    ref = k.SpecRef("timers", 1, TIMER_MODEL)
    friday = local(2026, 1, 9, 10)
    state = roundtrip(k.start(ref, now=friday, add_working_days=calendar))
    assert calendar.calls == [(date(2026, 1, 9), 2)]
    [timer] = k.pending_timers(state)
    # Fri + 2 working days, skipping the weekend and the Monday holiday = Wed 14th;
    # due when that day is over: 00:00 Thursday Shanghai time
    assert timer.due_at == local(2026, 1, 15)
    assert timer.spec_name == "Overdue" and timer.provisional is False
    assert k.next_due_at(state) == local(2026, 1, 15)

    state = roundtrip(
        k.fire_due_timers(state, local(2026, 1, 14, 23, 59), add_working_days=calendar)
    )
    assert names(state) == ["Review_1"]
    state = roundtrip(k.fire_due_timers(state, local(2026, 1, 15, 0, 1), add_working_days=calendar))
    assert names(state) == ["Review_1", "Supervise"]  # non-interrupting: review stays open
    state = do(state, "Supervise", now=local(2026, 1, 15, 9))

    signed_at = local(2026, 1, 15, 10)
    state = do(state, "Review_1", now=signed_at, add_working_days=calendar)
    assert names(state) == ["Sign"]
    assert k.next_due_at(state) == signed_at + timedelta(hours=2)
    state = k.fire_due_timers(state, signed_at + timedelta(hours=1, minutes=59))
    assert names(state) == ["Sign"]
    state = roundtrip(k.fire_due_timers(state, signed_at + timedelta(hours=2, seconds=1)))
    assert names(state) == []  # interrupting: the sign task was cancelled
    assert k.is_completed(state) and k.outcome(state).end_event == "End_timeout"


def test_camunda_modeler_file_runs_with_lanes_and_timer():
    ref = k.SpecRef("restaurant", 3, CAMUNDA_MODELER_FILE)
    monday = local(2026, 3, 2, 9)
    state = k.start(ref, now=monday, add_working_days=FakeCalendar())
    [accept] = k.ready_tasks(state)
    assert (accept.department, accept.role, accept.promised_days) == ("ZWFW", "clerk", 1)
    state = do(state, "Activity_accept", now=monday)
    ready = {t.spec_name: t for t in k.ready_tasks(state)}
    assert ready["Activity_market"].department == "SCJG"
    assert ready["Activity_fire"].department == "XF"
    assert ready["Activity_market"].statutory_days == 20
    assert k.next_due_at(state) == local(
        2026, 3, 10
    )  # Mon + 5 working days = Mon 9th, over at 00:00 Tue
    tuesday = local(2026, 3, 3, 9)  # before the promised limit: no 督办
    state = do(state, "Activity_fire", {"xf_ok": True}, now=tuesday)
    state = do(state, "Activity_market", {"scjg_ok": True}, now=tuesday)
    assert k.is_completed(state)
    assert k.outcome(state).end_event == "Event_approved"
    assert k.pending_timers(state) == []  # the timer went with the finished task
