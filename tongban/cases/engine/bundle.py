"""The default process models: one item, and a bundle (一件事) of items in parallel.

``single_item.bpmn`` (in ``tongban/cases/bpmn/``) is the template of one item's flow:
受理 → 审查 → 决定 → 办结 → 送达, with the 补正 loops to the applicant and the two
refusal ends. Its department and item are placeholders (``DEPARTMENT``, ``ITEM``), and its
decision keys use the prefix ``item`` (``item_accept``, ``item_review``, ``item_decision``).

- :func:`single_item_model` fills in the department and item code.
- :func:`bundle_model` copies the same flow into one embedded sub-process per member, each
  with its own data prefix (``m1``, ``m2``, …: ``m1_decision``), between a parallel split and
  a parallel join. A member that is refused ends *inside* its sub-process, so it never blocks
  the others; the join waits for every member.

The generated XML keeps the template's BPMNDI, shifted per member, so the result opens in
bpmn.io with the sub-processes expanded and stacked vertically.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Mapping, Sequence
from pathlib import Path

from lxml import etree

from .bpmnxml import BPMN_NS, BPMNDI_NS, CAMUNDA_NS, DC_NS, DI_NS, is_code, safe_parse

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "bpmn"
SINGLE_ITEM = TEMPLATE_DIR / "single_item.bpmn"
TEMPLATE_PREFIX = "item"

B = f"{{{BPMN_NS}}}"
DI = f"{{{BPMNDI_NS}}}"
DC = f"{{{DC_NS}}}"
DIW = f"{{{DI_NS}}}"

# Layout of the bundle diagram (template coordinates span x 130..1380, y 20..360).
TEMPLATE_MIN_X, TEMPLATE_MIN_Y = 130, 0
BOX_X, BOX_TOP, BOX_W, BOX_H, BOX_GAP = 300, 80, 1300, 390, 40


def _template() -> etree._ElementTree:
    return safe_parse(SINGLE_ITEM.read_bytes())


def _check_codes(item_code: str, department_code: str) -> None:
    for label, value in (("item code", item_code), ("department code", department_code)):
        if not is_code(value):
            raise ValueError(f"{label} {value!r} must be letters, digits, _ - . (max 64)")


def _set_properties(scope: etree._Element, department: str, item: str, prefix: str) -> None:
    for prop in scope.iter(f"{{{CAMUNDA_NS}}}property"):
        name = prop.get("name")
        if name == "department":
            prop.set("value", department)
        elif name == "item":
            prop.set("value", item)
        elif name == "data_prefix":
            prop.set("value", prefix)


def _rename_condition(expression: str, prefix: str) -> str:
    """``item_accept == "x"`` → ``m1_accept == "x"`` (names only, via the AST)."""
    tree = ast.parse(expression.strip(), mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id.startswith(TEMPLATE_PREFIX + "_"):
            node.id = prefix + node.id[len(TEMPLATE_PREFIX) :]
    return ast.unparse(tree)


def single_item_model(item_code: str, department_code: str) -> bytes:
    """The single-item flow for one item handled by one department."""
    _check_codes(item_code, department_code)
    tree = _template()
    _set_properties(tree.getroot(), department_code, item_code, TEMPLATE_PREFIX)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


#: The automatic step before a member that waits for another member's result: the platform
#: completes it when it becomes ready, writing ``<prefix>_prerequisite`` = ``met`` (the
#: member it waits for was approved: its matter starts) or ``unmet`` (refused or not
#: accepted: it is not started), see ``tongban.cases.dependencies``.
PREREQUISITE_STEP = "prerequisite"
PREREQUISITE_MET, PREREQUISITE_UNMET = "met", "unmet"

# Extra room in the diagram when members wait for each other: the waiting step and its
# gateway before the member boxes, the merge and the fork after them.
PRE_W, POST_W = 260, 170


def bundle_model(
    members: Sequence[tuple[str, str]],
    name: str = "",
    depends_on: Mapping[str, str] | None = None,
) -> bytes:
    """A bundle: one embedded sub-process per (item_code, department_code), in parallel.

    Data prefixes are ``m1`` … ``mN`` in the order given; each member's decision is
    ``m<i>_decision`` and its tasks carry ``item``/``department``/``data_prefix`` properties.

    ``depends_on`` maps a member's item code to the item code of the member whose result it
    waits for (at most one each, no circles). Such a member is not started by the split:
    a parallel fork after its prerequisite's sub-process sends a token to its automatic
    ``m<i>_prerequisite`` step, and the exclusive gateway after it starts the member's
    sub-process when the platform wrote ``met``, or skips it (the default flow) to the
    member's merge when ``unmet``. Every member still reaches the join exactly once, so a
    chain of waits never deadlocks; the model check (``tongban bpmn check``) proves it.
    """
    if not members:
        raise ValueError("a bundle needs at least one member")
    for item_code, department_code in members:
        _check_codes(item_code, department_code)
    index_of = {item: i for i, (item, _dept) in enumerate(members, start=1)}
    if len(index_of) != len(members):
        raise ValueError("a bundle lists each item once")
    waits: dict[int, int] = {}
    for after, before in (depends_on or {}).items():
        if after not in index_of or before not in index_of:
            raise ValueError(f"{after!r} waits for {before!r}: both must be members")
        if after == before:
            raise ValueError(f"{after!r} cannot wait for itself")
        waits[index_of[after]] = index_of[before]
    for first in waits:  # a circle would never start: refuse it
        seen, current = {first}, waits.get(first)
        while current is not None:
            if current in seen:
                raise ValueError("members wait for each other in a circle")
            seen.add(current)
            current = waits.get(current)
    dependents: dict[int, list[int]] = {}
    for follower, prerequisite in sorted(waits.items()):
        dependents.setdefault(prerequisite, []).append(follower)

    template = _template().getroot()
    t_process = template.find(f"{B}process")
    t_plane = template.find(f"{DI}BPMNDiagram/{DI}BPMNPlane")
    assert t_process is not None and t_plane is not None

    nsmap = {
        "bpmn": BPMN_NS,
        "bpmndi": BPMNDI_NS,
        "dc": DC_NS,
        "di": DI_NS,
        "camunda": CAMUNDA_NS,
        "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    }
    root = etree.Element(f"{B}definitions", nsmap=nsmap)
    root.set("id", "bundle_definitions")
    root.set("targetNamespace", "https://tongban.example/bpmn")
    root.set("exporter", "tongban")
    root.set("exporterVersion", "1")
    process = etree.SubElement(root, f"{B}process", id="bundle", isExecutable="true")
    process.set("name", name or "一件事联办")
    diagram = etree.SubElement(root, f"{DI}BPMNDiagram", id="bundle_diagram")
    plane = etree.SubElement(diagram, f"{DI}BPMNPlane", id="bundle_plane", bpmnElement="bundle")

    n = len(members)
    pre_w, post_w = (PRE_W, POST_W) if waits else (0, 0)
    box_x = BOX_X + pre_w
    total_h = n * BOX_H + (n - 1) * BOX_GAP
    mid_y = BOX_TOP + total_h // 2
    split_x, join_x = 200, box_x + BOX_W + post_w + 60
    end_x = join_x + 110

    def shape(element_id: str, x: float, y: float, w: float, h: float, **extra: str) -> None:
        s = etree.SubElement(plane, f"{DI}BPMNShape", id=f"{element_id}_di", bpmnElement=element_id)
        for k, v in extra.items():
            s.set(k, v)
        etree.SubElement(s, f"{DC}Bounds", x=str(x), y=str(y), width=str(w), height=str(h))

    def edge(flow_id: str, points: list[tuple[float, float]]) -> None:
        e = etree.SubElement(plane, f"{DI}BPMNEdge", id=f"{flow_id}_di", bpmnElement=flow_id)
        for px, py in points:
            etree.SubElement(e, f"{DIW}waypoint", x=str(px), y=str(py))

    def node(tag: str, element_id: str, label: str = "", **attrs: str) -> etree._Element:
        el = etree.SubElement(process, f"{B}{tag}", id=element_id)
        if label:
            el.set("name", label)
        for k, v in attrs.items():
            el.set(k, v)
        return el

    # (flow id, source, target, condition)
    flows: list[tuple[str, str, str, str]] = []
    node("startEvent", "bundle_start", "申请提交")
    node("parallelGateway", "bundle_split", "并联分发")
    node("parallelGateway", "bundle_join", "汇总")
    node("endEvent", "bundle_end", "联办结束")
    flows.append(("bundle_f_start", "bundle_start", "bundle_split", ""))
    shape("bundle_start", 112, mid_y - 18, 36, 36)
    shape("bundle_split", split_x, mid_y - 25, 50, 50)
    shape("bundle_join", join_x, mid_y - 25, 50, 50)
    shape("bundle_end", end_x, mid_y - 18, 36, 36)
    edge("bundle_f_start", [(148, mid_y), (split_x, mid_y)])

    def box_y(index: int) -> int:
        return BOX_TOP + (index - 1) * (BOX_H + BOX_GAP)

    for index, (item_code, department_code) in enumerate(members, start=1):
        prefix = f"m{index}"
        sub_id = f"member_{index}"
        top = box_y(index)
        box_mid = top + BOX_H // 2
        sub = node("subProcess", sub_id, f"{item_code}（{department_code}）")
        _copy_flow(t_process, sub, prefix, item_code, department_code)
        dx = box_x + 20 - TEMPLATE_MIN_X
        dy = top + 10 - TEMPLATE_MIN_Y
        shape(sub_id, box_x, top, BOX_W, BOX_H, isExpanded="true")
        _copy_diagram(t_plane, plane, prefix, dx, dy)
        exit_id, exit_x = sub_id, box_x + BOX_W
        if index in waits:
            # The waiting step, its gateway (start or skip) and the merge after the member.
            step, gate, merge = (
                f"{prefix}_{PREREQUISITE_STEP}",
                f"{prefix}_gw_prerequisite",
                (f"{prefix}_merge"),
            )
            task = node("userTask", step, "等待前置事项办结")
            _waiting_properties(task, department_code, item_code, prefix)
            node("exclusiveGateway", gate, "前置事项是否准予", default=f"{prefix}_wait_skip")
            node("exclusiveGateway", merge, "")
            shape(step, BOX_X + 10, box_mid - 40, 100, 80)
            shape(gate, BOX_X + 160, box_mid - 25, 50, 50, isMarkerVisible="true")
            shape(merge, exit_x + 30, box_mid - 25, 50, 50, isMarkerVisible="true")
            met = f'{prefix}_{PREREQUISITE_STEP} == "{PREREQUISITE_MET}"'
            flows.append((f"{prefix}_wait_gate", step, gate, ""))
            flows.append((f"{prefix}_wait_start", gate, sub_id, met))
            flows.append((f"{prefix}_wait_skip", gate, merge, ""))
            flows.append((f"{prefix}_wait_done", sub_id, merge, ""))
            edge(f"{prefix}_wait_gate", [(BOX_X + 110, box_mid), (BOX_X + 160, box_mid)])
            edge(f"{prefix}_wait_start", [(BOX_X + 210, box_mid), (box_x, box_mid)])
            below = top + BOX_H + BOX_GAP // 2
            edge(
                f"{prefix}_wait_skip",
                [
                    (BOX_X + 185, box_mid + 25),
                    (BOX_X + 185, below),
                    (exit_x + 55, below),
                    (exit_x + 55, box_mid + 25),
                ],
            )
            edge(f"{prefix}_wait_done", [(exit_x, box_mid), (exit_x + 30, box_mid)])
            exit_id, exit_x = merge, exit_x + 80
        else:
            f_in = f"bundle_f_in_{index}"
            flows.append((f_in, "bundle_split", sub_id, ""))
            edge(
                f_in,
                [
                    (split_x + 25, mid_y + (25 if box_mid > mid_y else -25)),
                    (split_x + 25, box_mid),
                    (box_x, box_mid),
                ]
                if box_mid != mid_y
                else [(split_x + 50, mid_y), (box_x, mid_y)],
            )
        if index in dependents:
            fork = f"{prefix}_fork"
            fork_x = box_x + BOX_W + 110
            node("parallelGateway", fork, "")
            shape(fork, fork_x, box_mid - 25, 50, 50)
            flows.append((f"{prefix}_wait_fork", exit_id, fork, ""))
            edge(f"{prefix}_wait_fork", [(exit_x, box_mid), (fork_x, box_mid)])
            for follower in dependents[index]:
                flow_id = f"{prefix}_wait_to_m{follower}"
                target_top = box_y(follower)
                above = target_top - BOX_GAP // 2
                flows.append((flow_id, fork, f"m{follower}_{PREREQUISITE_STEP}", ""))
                leave_y = box_mid + (25 if target_top > top else -25)
                edge(
                    flow_id,
                    [
                        (fork_x + 25, leave_y),
                        (fork_x + 25, above),
                        (BOX_X + 60, above),
                        (BOX_X + 60, target_top + BOX_H // 2 - 40),
                    ],
                )
            exit_id, exit_x = fork, fork_x + 50
        f_out = f"bundle_f_out_{index}"
        flows.append((f_out, exit_id, "bundle_join", ""))
        edge(
            f_out,
            [
                (exit_x, box_mid),
                (join_x + 25, box_mid),
                (join_x + 25, mid_y + (25 if box_mid > mid_y else -25)),
            ]
            if box_mid != mid_y
            else [(exit_x, mid_y), (join_x, mid_y)],
        )
    flows.append(("bundle_f_end", "bundle_join", "bundle_end", ""))
    edge("bundle_f_end", [(join_x + 50, mid_y), (end_x, mid_y)])

    by_id = {el.get("id"): el for el in process}
    for flow_id, src, dst, _condition in flows:
        etree.SubElement(by_id[src], f"{B}outgoing").text = flow_id
        etree.SubElement(by_id[dst], f"{B}incoming").text = flow_id
    # BPMN wants incoming/outgoing first (after extension elements): move them there.
    for el in process:
        refs = [c for c in el if c.tag in (f"{B}incoming", f"{B}outgoing")]
        first = 1 if len(el) and el[0].tag == f"{B}extensionElements" else 0
        for offset, ref in enumerate(refs):
            el.remove(ref)
            el.insert(first + offset, ref)
    for flow_id, src, dst, condition in flows:
        flow = etree.SubElement(
            process, f"{B}sequenceFlow", id=flow_id, sourceRef=src, targetRef=dst
        )
        if condition:
            expression = etree.SubElement(flow, f"{B}conditionExpression")
            expression.set(
                "{http://www.w3.org/2001/XMLSchema-instance}type", "bpmn:tFormalExpression"
            )
            expression.text = condition
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _waiting_properties(task: etree._Element, department: str, item: str, prefix: str) -> None:
    extension = etree.SubElement(task, f"{B}extensionElements")
    properties = etree.SubElement(extension, f"{{{CAMUNDA_NS}}}properties")
    for key, value in (
        ("department", department),
        ("role", "clerk"),
        ("item", item),
        ("data_prefix", prefix),
        ("auto", PREREQUISITE_STEP),
    ):
        etree.SubElement(properties, f"{{{CAMUNDA_NS}}}property", name=key, value=value)


_REF_ATTRS = ("sourceRef", "targetRef", "default", "attachedToRef")


def _copy_flow(
    t_process: etree._Element, sub: etree._Element, prefix: str, item: str, department: str
) -> None:
    for child in t_process:
        if not isinstance(child.tag, str) or child.tag == f"{B}laneSet":
            continue
        el = copy.deepcopy(child)
        for node in el.iter():
            if not isinstance(node.tag, str):
                continue
            if node.get("id"):
                node.set("id", f"{prefix}_{node.get('id')}")
            for attr in _REF_ATTRS:
                if node.get(attr):
                    node.set(attr, f"{prefix}_{node.get(attr)}")
            if node.tag in (f"{B}incoming", f"{B}outgoing") and node.text:
                node.text = f"{prefix}_{node.text.strip()}"
            if node.tag == f"{B}conditionExpression" and node.text:
                node.text = _rename_condition(node.text, prefix)
        sub.append(el)
    _set_properties(sub, department, item, prefix)


def _copy_diagram(
    t_plane: etree._Element, plane: etree._Element, prefix: str, dx: float, dy: float
) -> None:
    for child in t_plane:
        if not isinstance(child.tag, str):
            continue
        el = copy.deepcopy(child)
        el.set("id", f"{prefix}_{el.get('id')}")
        el.set("bpmnElement", f"{prefix}_{el.get('bpmnElement')}")
        for point in el.iter(f"{DC}Bounds", f"{DIW}waypoint"):
            point.set("x", _fmt(float(point.get("x", "0")) + dx))
            point.set("y", _fmt(float(point.get("y", "0")) + dy))
        plane.append(el)


def _fmt(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)
