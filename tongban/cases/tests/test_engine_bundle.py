"""The default models' diagrams: complete BPMNDI, no overlapping shapes (opens in bpmn.io)."""

from __future__ import annotations

import pytest
from lxml import etree

from tongban.cases.engine.bpmnxml import BPMN_NS, BPMNDI_NS, DC_NS, safe_parse
from tongban.cases.engine.bundle import SINGLE_ITEM, bundle_model, single_item_model

FLOW = {"startEvent", "endEvent", "userTask", "exclusiveGateway", "parallelGateway", "subProcess"}


def _layout(xml: bytes):
    root = safe_parse(xml).getroot()
    bounds = {}
    for shape in root.iter(f"{{{BPMNDI_NS}}}BPMNShape"):
        b = shape.find(f"{{{DC_NS}}}Bounds")
        bounds[shape.get("bpmnElement")] = tuple(
            float(b.get(a)) for a in ("x", "y", "width", "height")
        )
    edges = {e.get("bpmnElement") for e in root.iter(f"{{{BPMNDI_NS}}}BPMNEdge")}
    return root, bounds, edges


def _overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@pytest.mark.parametrize(
    "xml",
    [
        SINGLE_ITEM.read_bytes(),
        single_item_model("ITEM", "SCJG"),
        bundle_model([("A1", "SCJG"), ("B2", "XF"), ("C3", "HB")]),
    ],
    ids=["template", "single", "bundle"],
)
def test_every_element_is_drawn_without_overlaps(xml):
    root, bounds, edges = _layout(xml)
    nodes = [n for n in root.iter() if isinstance(n.tag, str) and etree.QName(n).localname in FLOW]
    flows = list(root.iter(f"{{{BPMN_NS}}}sequenceFlow"))
    assert {n.get("id") for n in nodes} <= set(bounds)
    assert {f.get("id") for f in flows} <= edges
    by_parent: dict[str, list[str]] = {}
    for n in nodes:
        by_parent.setdefault(n.getparent().get("id"), []).append(n.get("id"))
    for parent, ids in by_parent.items():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                assert not _overlap(bounds[a], bounds[b]), (a, b)
            if parent in bounds:  # a child is drawn inside its sub-process box
                px, py, pw, ph = bounds[parent]
                x, y, w, h = bounds[a]
                assert px <= x and py <= y and x + w <= px + pw and y + h <= py + ph, a


def test_bundle_members_get_their_own_prefix_and_department():
    root = safe_parse(bundle_model([("A1", "SCJG"), ("B2", "XF")])).getroot()
    conditions = [c.text for c in root.iter(f"{{{BPMN_NS}}}conditionExpression")]
    assert "m1_decision == 'approved'" in conditions and "m2_decision == 'approved'" in conditions
    assert not any("item_" in c for c in conditions)
    with pytest.raises(ValueError):
        bundle_model([])
    with pytest.raises(ValueError):
        bundle_model([("A1", "bad code!")])
