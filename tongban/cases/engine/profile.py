"""The government BPMN profile: what a process model may contain.

``check_bpmn(xml)`` returns the list of problems (empty = the model can be published). Each
problem names the element (tag, id and name as drawn in the modeler) and the reason in the
user's language. The administrator's guide (docs/guide-bpmn.md) explains every message.

Allowed: plain start events; plain, terminate and error end events; user and manual tasks;
exclusive, parallel and inclusive gateways; sequence flows with restricted conditions;
embedded sub-processes; call activities to processes in the same file (or registered);
timer boundary/intermediate catch events with ``timeDuration`` (``P<n>D`` = working days,
``PT…`` = clock time); lanes; text annotations. Service tasks only with a registered
connector. Everything else is refused, including anything that would run Python.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, gettext_lazy
from lxml import etree

from .bpmnxml import (
    BPMN_NS,
    CAMUNDA_NS,
    NSMAP,
    UnsafeXML,
    element_properties,
    is_code,
    lane_department,
    lane_names,
    local,
    safe_parse,
)
from .expressions import check_expression
from .timers import normalise_duration, parse_duration

#: Registered service-task connectors (name → callable(data) -> dict). Empty for now:
#: connectors to 电子证照 / 统一身份认证 / 数据共享交换 are registered here when built.
CONNECTORS: dict[str, Callable[[Mapping[str, Any]], Mapping[str, Any]]] = {}


def register_connector(name: str, func: Callable[[Mapping[str, Any]], Mapping[str, Any]]) -> None:
    CONNECTORS[name] = func


MESSAGES: dict[str, Any] = {
    "xml_unsafe": gettext_lazy(
        "The file was refused for security reasons: it declares a DOCTYPE or entities."
    ),
    "xml_too_large": gettext_lazy("The file is larger than 2 MiB."),
    "xml_malformed": gettext_lazy("The file is not well-formed XML (%(detail)s)."),
    "not_bpmn": gettext_lazy(
        "The file is not a BPMN 2.0 model: the root element must be definitions."
    ),
    "xsd": gettext_lazy("The model does not conform to the BPMN 2.0 schema (%(detail)s)."),
    "no_process": gettext_lazy("The model contains no process."),
    "several_processes": gettext_lazy(
        "The model contains several main processes (%(ids)s); keep one, or call the others "
        "from it with call activities."
    ),
    "forbidden_element": gettext_lazy("This element is not supported by the platform."),
    "script_task": gettext_lazy(
        "Script tasks run program code and are not allowed; use a user task."
    ),
    "service_task": gettext_lazy(
        'Service tasks must name a registered connector (property "connector").'
    ),
    "service_connector": gettext_lazy('The connector "%(connector)s" is not registered.'),
    "business_rule_task": gettext_lazy(
        "Business rule (DMN) tasks are not supported; use an exclusive gateway with conditions."
    ),
    "plain_task": gettext_lazy(
        "A task without a type does nothing; make it a user task or a manual task."
    ),
    "message": gettext_lazy("Messages (send/receive tasks, message events) are not supported."),
    "signal": gettext_lazy("Signal events are not supported."),
    "escalation": gettext_lazy(
        "Escalation events are not supported; use a non-interrupting timer boundary event."
    ),
    "compensation": gettext_lazy("Compensation is not supported."),
    "conditional_event": gettext_lazy("Conditional events are not supported."),
    "link_cancel": gettext_lazy("Link and cancel events are not supported."),
    "event_gateway": gettext_lazy("Event-based gateways are not supported."),
    "complex_gateway": gettext_lazy("Complex gateways are not supported."),
    "throw_event": gettext_lazy("Intermediate throw events are not supported."),
    "transaction": gettext_lazy("Transactions and ad-hoc sub-processes are not supported."),
    "event_subprocess": gettext_lazy("Event sub-processes are not supported."),
    "start_event_kind": gettext_lazy("A start event must be plain (no message, timer or signal)."),
    "start_count": gettext_lazy("A process needs exactly one start event; this one has %(count)s."),
    "end_event_kind": gettext_lazy("An end event may only be plain, terminate or error."),
    "timer_kind": gettext_lazy(
        "A timer must use a duration (timeDuration), not a date or a cycle."
    ),
    "timer_only": gettext_lazy(
        "Boundary and intermediate events may only be timers with a duration."
    ),
    "timer_duration": gettext_lazy(
        'The duration "%(value)s" is not allowed: write P<n>D for working days or '
        "PT<n>H / PT<n>M for clock time."
    ),
    "loop": gettext_lazy("Loop markers are not supported; draw the loop with a gateway."),
    "multi_instance": gettext_lazy(
        "Multi-instance is only allowed over a plain variable name (loop data input), "
        "without a cardinality."
    ),
    "no_assignee": gettext_lazy(
        'This user task does not say who works on it: add the property "department" or '
        '"role", or place it in a lane named after a department code.'
    ),
    "bad_code": gettext_lazy(
        'The value "%(value)s" of property "%(property)s" is not a valid code '
        "(letters, digits, _ - . only)."
    ),
    "bad_days": gettext_lazy(
        'The property "%(property)s" must be a whole number of days from 1 to 365, not "%(value)s".'
    ),
    "bad_prefix": gettext_lazy(
        'The property "data_prefix" must be lower-case letters, digits or _, not "%(value)s".'
    ),
    "juel": gettext_lazy(
        'The condition "%(expression)s" uses ${...} or =... syntax; write a plain condition '
        "such as approved == True."
    ),
    "condition": gettext_lazy('The condition "%(expression)s" is not allowed (%(detail)s).'),
    "missing_condition": gettext_lazy(
        "This flow leaves a decision gateway without a condition and is not its default flow."
    ),
    "call_target": gettext_lazy(
        'This call activity calls "%(target)s", which is neither in this file nor registered.'
    ),
    "mixed_gateway": gettext_lazy("A gateway must either split or join, not both."),
    "split_no_join": gettext_lazy(
        "This split has no matching join: every branch must reach the same gateway of the "
        "same type."
    ),
    "branch_ends": gettext_lazy(
        'A branch of this split ends at "%(end)s" before reaching the join "%(join)s"; the '
        "join would wait forever."
    ),
    "join_no_split": gettext_lazy("This join has no matching split."),
    "engine": gettext_lazy("The engine cannot load the model (%(detail)s)."),
    "reserved_id": gettext_lazy(
        'The id "%(value)s" is reserved by the process engine; give the element another id.'
    ),
    "condition_unknown_name": gettext_lazy(
        'The condition reads "%(name)s", which no task of this model writes: a task writes '
        "<data_prefix>_accept, _review or _decision according to its step (see the BPMN guide)."
    ),
    "condition_unwritten": gettext_lazy(
        'The condition reads "%(name)s", which is not written on every path to it: a task '
        "on another branch, or later in the flow, writes it."
    ),
    "condition_fails": gettext_lazy(
        'The condition "%(expression)s" fails with the values the tasks write (%(detail)s).'
    ),
    "no_branch": gettext_lazy(
        "For some decisions none of the conditions leaving this gateway is true and it has "
        "no default flow: the case would stop here."
    ),
    "unknown_department": gettext_lazy(
        'The property "department" names "%(value)s", which is not a department code of '
        "this platform."
    ),
    "deadlock": gettext_lazy(
        "Some runs of this process stop here for ever: this join waits for a branch that "
        "never arrives."
    ),
    "end_open": gettext_lazy(
        "A path reaches this end event without a decision on the matter (a decide step, or "
        "the not-accepted exit after acceptance): the sub-case would stay open for ever."
    ),
}


@dataclass(frozen=True)
class ProfileProblem:
    """One reason a model cannot be published. ``message`` is in the active language."""

    code: str
    tag: str = ""
    element_id: str = ""
    element_name: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        template = MESSAGES[self.code]
        return str(template) % dict(self.params) if self.params else str(template)

    @property
    def element(self) -> str:
        if not self.tag:
            return ""
        label = f"{self.tag} {self.element_id}".strip()
        return f"{label} «{self.element_name}»" if self.element_name else label

    @property
    def message(self) -> str:
        return f"{self.element}: {self.reason}" if self.element else self.reason

    def __str__(self) -> str:
        return self.message


class ProfileError(ValueError):
    """The model does not pass the profile; ``problems`` lists why."""

    def __init__(self, problems: list[ProfileProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems[:5]))


@dataclass(frozen=True)
class Assignment:
    """Who works on a user/manual task, and its time limits, as drawn in the model."""

    department: str = ""
    role: str = ""
    lane: str = ""
    promised_days: int | None = None
    statutory_days: int | None = None
    properties: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Analysis:
    problems: list[ProfileProblem]
    tree: etree._ElementTree | None = None
    entry_process: str = ""
    assignments: dict[str, Assignment] = field(default_factory=dict)


def B(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


FLOW_NODES = {
    "startEvent",
    "endEvent",
    "userTask",
    "manualTask",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "subProcess",
    "callActivity",
    "boundaryEvent",
    "intermediateCatchEvent",
    "serviceTask",
}

#: BPMN elements allowed as structure or decoration (checked elsewhere when relevant).
STRUCTURE = {
    "definitions",
    "process",
    "collaboration",
    "participant",
    "laneSet",
    "lane",
    "childLaneSet",
    "flowNodeRef",
    "extensionElements",
    "documentation",
    "incoming",
    "outgoing",
    "sequenceFlow",
    "conditionExpression",
    "textAnnotation",
    "text",
    "association",
    "error",
    "group",
    "category",
    "categoryValue",
    "timerEventDefinition",
    "timeDuration",
    "terminateEventDefinition",
    "errorEventDefinition",
    "multiInstanceLoopCharacteristics",
    "loopDataInputRef",
    "inputDataItem",
    "completionCondition",
}

REFUSED = {
    "scriptTask": "script_task",
    "businessRuleTask": "business_rule_task",
    "task": "plain_task",
    "sendTask": "message",
    "receiveTask": "message",
    "messageEventDefinition": "message",
    "messageFlow": "message",
    "message": "message",
    "signalEventDefinition": "signal",
    "signal": "signal",
    "escalationEventDefinition": "escalation",
    "escalation": "escalation",
    "compensateEventDefinition": "compensation",
    "conditionalEventDefinition": "conditional_event",
    "linkEventDefinition": "link_cancel",
    "cancelEventDefinition": "link_cancel",
    "eventBasedGateway": "event_gateway",
    "complexGateway": "complex_gateway",
    "intermediateThrowEvent": "throw_event",
    "transaction": "transaction",
    "adHocSubProcess": "transaction",
    "standardLoopCharacteristics": "loop",
    "loopCardinality": "multi_instance",
    "timeDate": "timer_kind",
    "timeCycle": "timer_kind",
}

EVENT_DEFINITIONS = {
    "timerEventDefinition",
    "terminateEventDefinition",
    "errorEventDefinition",
    "messageEventDefinition",
    "signalEventDefinition",
    "escalationEventDefinition",
    "compensateEventDefinition",
    "conditionalEventDefinition",
    "linkEventDefinition",
    "cancelEventDefinition",
}

#: Task names the engine (SpiffWorkflow) gives its own start and end steps: an element with
#: such an id replaces one of them and the process cannot start or end.
RESERVED_IDS = frozenset({"Start", "End", "Root"})

IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
PREFIX = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


REFUSED_NODES = {
    "scriptTask",
    "businessRuleTask",
    "task",
    "sendTask",
    "receiveTask",
    "messageFlow",
    "message",
    "signal",
    "escalation",
    "eventBasedGateway",
    "complexGateway",
    "intermediateThrowEvent",
    "transaction",
    "adHocSubProcess",
}


def _flow_parent(node: etree._Element) -> etree._Element:
    """The element a problem should name: the event for an event definition, etc."""
    current = node
    while current is not None:
        if local(current.tag) in FLOW_NODES | REFUSED_NODES | {"process", "sequenceFlow"}:
            return current
        current = current.getparent()
    return node


def _problem(code: str, node: etree._Element | None = None, **params: Any) -> ProfileProblem:
    if node is None:
        return ProfileProblem(code, params=params)
    return ProfileProblem(
        code,
        tag=local(node.tag),
        element_id=node.get("id") or "",
        element_name=(node.get("name") or "").strip(),
        params=params,
    )


def check_bpmn(xml: bytes, registered_processes: Iterable[str] = ()) -> list[ProfileProblem]:
    """Check a BPMN file against the profile. Empty list: the platform can run it."""
    return analyse(xml, registered_processes).problems


def analyse(xml: bytes, registered_processes: Iterable[str] = ()) -> Analysis:
    try:
        tree = safe_parse(xml)
    except UnsafeXML as exc:
        if exc.reason == "file too large":
            return Analysis([_problem("xml_too_large")])
        if exc.reason.startswith("not well-formed"):
            return Analysis(
                [_problem("xml_malformed", detail=exc.reason[len("not well-formed XML: ") :])]
            )
        return Analysis([_problem("xml_unsafe")])
    root = tree.getroot()
    if root.tag != B("definitions"):
        return Analysis([_problem("not_bpmn")])
    problems: list[ProfileProblem] = []
    problems += _check_elements(root)
    processes = root.findall(B("process"))
    if not processes:
        return Analysis([*problems, _problem("no_process")], tree)
    process_ids = {p.get("id") for p in processes}
    registered = set(registered_processes)
    called: set[str] = set()
    for call in root.iter(B("callActivity")):
        target = (call.get("calledElement") or "").strip()
        called.add(target)
        if target not in process_ids and target not in registered:
            problems.append(_problem("call_target", call, target=target))
    entries = [p for p in processes if p.get("id") not in called]
    if len(entries) > 1:
        executable = [p for p in entries if p.get("isExecutable") == "true"]
        entries = executable or entries
    entry = ""
    if len(entries) > 1:
        ids = ", ".join(sorted(p.get("id") or "" for p in entries))
        problems.append(_problem("several_processes", ids=ids))
    elif entries:
        entry = entries[0].get("id") or ""
    lanes = lane_names(root)
    assignments: dict[str, Assignment] = {}
    for container in [*processes, *root.iter(B("subProcess"))]:
        problems += _check_scope(container, lanes, assignments)
    problems += _check_xsd(tree)
    analysis = Analysis(problems, tree, entry, assignments)
    if not problems and entry:
        analysis.problems += _check_with_engine(tree, entry)
    return analysis


def _check_xsd(tree: etree._ElementTree) -> list[ProfileProblem]:
    from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

    from .spiff import validator

    try:
        validator().validate(tree.getroot())
    except ValidationException as exc:
        return [_problem("xsd", detail=str(exc).splitlines()[0][:200])]
    return []


def _check_with_engine(tree: etree._ElementTree, entry: str) -> list[ProfileProblem]:
    from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

    from .spiff import TongbanBpmnParser

    parser = TongbanBpmnParser()
    try:
        parser.add_bpmn_xml(tree)
        parser.get_spec(entry)
        parser.get_subprocess_specs(entry)
    except ValidationException as exc:
        return [
            ProfileProblem(
                "engine",
                tag=(exc.tag or "").removeprefix("bpmn:"),
                element_id=exc.id or "",
                element_name=exc.name or "",
                params={"detail": str(exc).splitlines()[0][:200]},
            )
        ]
    except Exception as exc:  # the library raises plain exceptions on odd models
        return [_problem("engine", detail=f"{type(exc).__name__}: {exc}"[:200])]
    return []


def _check_elements(root: etree._Element) -> list[ProfileProblem]:
    problems: list[ProfileProblem] = []
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        qname = etree.QName(node)
        if qname.namespace != BPMN_NS:
            continue  # BPMNDI, camunda:, zeebe: … — layout and extensions
        tag = qname.localname
        if (tag in FLOW_NODES or tag in REFUSED_NODES) and node.get("id") in RESERVED_IDS:
            problems.append(_problem("reserved_id", node, value=node.get("id")))
        if tag in REFUSED:
            problems.append(_problem(REFUSED[tag], _flow_parent(node)))
        elif tag == "serviceTask":
            connector = element_properties(node).get("connector", "")
            if not connector:
                problems.append(_problem("service_task", node))
            elif connector not in CONNECTORS:
                problems.append(_problem("service_connector", node, connector=connector))
        elif tag == "startEvent":
            kinds = {local(c.tag) for c in node} & EVENT_DEFINITIONS
            if kinds and not kinds & set(REFUSED):
                problems.append(_problem("start_event_kind", node))
        elif tag == "endEvent":
            kinds = {local(c.tag) for c in node} & EVENT_DEFINITIONS
            extra = kinds - {"terminateEventDefinition", "errorEventDefinition"}
            if extra and not extra & set(REFUSED):
                problems.append(_problem("end_event_kind", node))
        elif tag in ("boundaryEvent", "intermediateCatchEvent"):
            problems += _check_timer_event(node)
        elif tag == "subProcess":
            if node.get("triggeredByEvent") == "true":
                problems.append(_problem("event_subprocess", node))
        elif tag == "multiInstanceLoopCharacteristics":
            problems += _check_multi_instance(node)
        elif tag == "conditionExpression" or tag == "completionCondition":
            problems += _check_condition(node)
        elif tag in FLOW_NODES or tag in STRUCTURE:
            pass
        else:
            problems.append(_problem("forbidden_element", _flow_parent(node)))
    return problems


def _check_timer_event(node: etree._Element) -> list[ProfileProblem]:
    definitions = [c for c in node if local(c.tag) in EVENT_DEFINITIONS]
    if len(definitions) != 1 or local(definitions[0].tag) != "timerEventDefinition":
        if any(local(d.tag) in REFUSED for d in definitions):
            return []  # already reported with its specific reason
        return [_problem("timer_only", node)]
    duration = definitions[0].find(B("timeDuration"))
    if duration is None:
        if any(local(c.tag) in ("timeDate", "timeCycle") for c in definitions[0]):
            return []
        return [_problem("timer_kind", node)]
    try:
        parse_duration(duration.text)
    except ValueError:
        return [_problem("timer_duration", node, value=normalise_duration(duration.text)[:40])]
    return []


def _check_multi_instance(node: etree._Element) -> list[ProfileProblem]:
    owner = _flow_parent(node)
    if node.get(f"{{{CAMUNDA_NS}}}collection") is not None:
        return [_problem("multi_instance", owner)]
    ref = node.find(B("loopDataInputRef"))
    if ref is None or not IDENT.match((ref.text or "").strip()):
        return [_problem("multi_instance", owner)]
    return []


def _check_condition(node: etree._Element) -> list[ProfileProblem]:
    owner = _flow_parent(node)
    text = (node.text or "").strip()
    if not text:
        return []
    if text.startswith(("${", "#{", "=")):
        return [_problem("juel", owner, expression=text[:80])]
    reason = check_expression(text)
    if reason:
        return [_problem("condition", owner, expression=text[:80], detail=reason)]
    return []


def _int_days(value: str) -> int | None:
    if not value.isdigit():
        return None
    days = int(value)
    return days if 1 <= days <= 365 else None


def _enclosing_lane(node: etree._Element, lanes: Mapping[str, str]) -> str:
    current: etree._Element | None = node
    while current is not None:
        lane = lanes.get(current.get("id") or "")
        if lane:
            return lane
        current = current.getparent()
    return ""


def _check_task(
    node: etree._Element, lanes: Mapping[str, str], assignments: dict[str, Assignment]
) -> list[ProfileProblem]:
    problems: list[ProfileProblem] = []
    props = element_properties(node)
    lane = _enclosing_lane(node, lanes)
    department = props.get("department", "") or lane_department(lane)
    role = props.get("role", "")
    for prop in ("department", "role"):
        value = props.get(prop, "")
        if value and not is_code(value):
            problems.append(_problem("bad_code", node, property=prop, value=value[:40]))
    days: dict[str, int | None] = {}
    for prop in ("promised_days", "statutory_days"):
        value = props.get(prop, "")
        days[prop] = _int_days(value) if value else None
        if value and days[prop] is None:
            problems.append(_problem("bad_days", node, property=prop, value=value[:20]))
    prefix = props.get("data_prefix", "")
    if prefix and not PREFIX.match(prefix):
        problems.append(_problem("bad_prefix", node, value=prefix[:40]))
    if local(node.tag) == "userTask" and not (department or role):
        problems.append(_problem("no_assignee", node))
    assignments[node.get("id") or ""] = Assignment(
        department=department,
        role=role,
        lane=lane,
        promised_days=days["promised_days"],
        statutory_days=days["statutory_days"],
        properties=props,
    )
    return problems


def _check_scope(
    container: etree._Element, lanes: Mapping[str, str], assignments: dict[str, Assignment]
) -> list[ProfileProblem]:
    """Checks over the direct children of a process or sub-process."""
    problems: list[ProfileProblem] = []
    nodes: dict[str, etree._Element] = {}
    for child in container:
        if isinstance(child.tag, str) and local(child.tag) in FLOW_NODES | set(REFUSED):
            nodes[child.get("id") or ""] = child
    flows = [c for c in container if c.tag == B("sequenceFlow")]
    out_edges: dict[str, list[etree._Element]] = {i: [] for i in nodes}
    in_count: dict[str, int] = dict.fromkeys(nodes, 0)
    for flow in flows:
        src, dst = flow.get("sourceRef") or "", flow.get("targetRef") or ""
        out_edges.setdefault(src, []).append(flow)
        in_count[dst] = in_count.get(dst, 0) + 1

    starts = [n for n in nodes.values() if local(n.tag) == "startEvent"]
    if container.get("triggeredByEvent") != "true" and len(starts) != 1:
        problems.append(_problem("start_count", container, count=len(starts)))

    for node_id, node in nodes.items():
        tag = local(node.tag)
        if tag in ("userTask", "manualTask"):
            problems += _check_task(node, lanes, assignments)
        if tag in ("exclusiveGateway", "inclusiveGateway") and len(out_edges.get(node_id, [])) > 1:
            default = node.get("default")
            for flow in out_edges[node_id]:
                has_condition = flow.find(B("conditionExpression")) is not None
                if not has_condition and flow.get("id") != default:
                    problems.append(_problem("missing_condition", flow))
        if (
            tag in ("parallelGateway", "inclusiveGateway")
            and in_count.get(node_id, 0) > 1
            and len(out_edges.get(node_id, [])) > 1
        ):
            problems.append(_problem("mixed_gateway", node))

    problems += _check_splits(nodes, out_edges, in_count)
    return problems


def _check_splits(
    nodes: Mapping[str, etree._Element],
    out_edges: Mapping[str, list[etree._Element]],
    in_count: Mapping[str, int],
) -> list[ProfileProblem]:
    """Every parallel (inclusive) split has a join of the same type that all its branches
    reach, and no branch ends before it. Boundary-event paths are side paths: not followed."""
    problems: list[ProfileProblem] = []

    def successors(node_id: str) -> list[str]:
        return [f.get("targetRef") or "" for f in out_edges.get(node_id, [])]

    def distances(start: str) -> dict[str, int]:
        dist = {start: 0}
        queue = deque([start])
        while queue:
            current = queue.popleft()
            for nxt in successors(current):
                if nxt not in dist:
                    dist[nxt] = dist[current] + 1
                    queue.append(nxt)
        return dist

    for kind in ("parallelGateway", "inclusiveGateway"):
        joins = {i for i, n in nodes.items() if local(n.tag) == kind and in_count.get(i, 0) > 1}
        matched: set[str] = set()
        for split_id, split in nodes.items():
            if local(split.tag) != kind or len(out_edges.get(split_id, [])) < 2:
                continue
            branches = [distances(t) for t in successors(split_id)]
            common = [j for j in joins if all(j in b for b in branches)]
            if not common:
                problems.append(_problem("split_no_join", split))
                continue
            join = min(common, key=lambda j: max(b[j] for b in branches))
            matched.add(join)
            for start in successors(split_id):
                end = _end_before(start, join, successors, nodes)
                if end is not None:
                    problems.append(
                        _problem(
                            "branch_ends",
                            split,
                            end=end.get("name") or end.get("id") or "",
                            join=nodes[join].get("name") or join,
                        )
                    )
                    break
        for join in sorted(joins - matched):
            problems.append(_problem("join_no_split", nodes[join]))
    return problems


def _end_before(
    start: str,
    join: str,
    successors: Callable[[str], list[str]],
    nodes: Mapping[str, etree._Element],
) -> etree._Element | None:
    seen = {start}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        if current == join:
            continue
        node = nodes.get(current)
        if (
            node is not None
            and local(node.tag) == "endEvent"
            and not any(local(c.tag) == "terminateEventDefinition" for c in node)
        ):
            return node
        for nxt in successors(current):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return None


def problems_text(problems: Iterable[ProfileProblem]) -> str:
    """All messages, one per line, in the active language (for logs and the admin)."""
    return "\n".join(p.message for p in problems) or gettext("No problems.")


__all__ = [
    "CONNECTORS",
    "NSMAP",
    "Analysis",
    "Assignment",
    "ProfileError",
    "ProfileProblem",
    "analyse",
    "check_bpmn",
    "problems_text",
    "register_connector",
]
