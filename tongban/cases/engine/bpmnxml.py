"""Safe XML parsing and the property conventions shared by the profile and the parser."""

from __future__ import annotations

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

NSMAP = {
    "bpmn": BPMN_NS,
    "bpmndi": BPMNDI_NS,
    "dc": DC_NS,
    "camunda": CAMUNDA_NS,
    "zeebe": ZEEBE_NS,
}

#: Refuse bigger files outright: a process model is a few dozen KiB.
MAX_BYTES = 2 * 1024 * 1024

#: Extension property names the platform reads from tasks (camunda:/zeebe: properties).
KNOWN_PROPERTIES = frozenset(
    {"department", "role", "promised_days", "statutory_days", "item", "data_prefix", "connector"}
)


class UnsafeXML(ValueError):
    """The XML is not well-formed, too large, or declares a DTD/entities."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _parser() -> etree.XMLParser:
    # No network, no entity expansion, no DTD loading; huge_tree off keeps libxml2's limits.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )


def safe_parse(xml: bytes) -> etree._ElementTree:
    """Parse untrusted BPMN bytes. Any DOCTYPE (hence any entity declaration) is refused."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    if len(xml) > MAX_BYTES:
        raise UnsafeXML("file too large")
    # Refuse DTDs before libxml2 sees them (it would refuse most attacks itself, but with
    # messages that look like syntax errors); check the encodings a BPMN file may use.
    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        if "<!DOCTYPE".encode(encoding) in xml or "<!ENTITY".encode(encoding) in xml:
            raise UnsafeXML("a DOCTYPE is not allowed")
    try:
        root = etree.fromstring(xml, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXML(f"not well-formed XML: {exc.msg}") from None
    tree = root.getroottree()
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXML("a DOCTYPE is not allowed")
    for node in root.iter():
        if isinstance(node, etree._Entity):  # an unexpanded entity reference
            raise UnsafeXML("entities are not allowed")
    return tree


def local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def element_properties(node: etree._Element) -> dict[str, str]:
    """``camunda:property``/``zeebe:property`` name → value of one element (direct children)."""
    props: dict[str, str] = {}
    for ns in (CAMUNDA_NS, ZEEBE_NS):
        for prop in node.iterfind(
            f"{{{BPMN_NS}}}extensionElements/{{{ns}}}properties/{{{ns}}}property"
        ):
            name = (prop.get("name") or "").strip()
            if name:
                props[name] = (prop.get("value") or "").strip()
    return props


def lane_names(root: etree._Element) -> dict[str, str]:
    """Flow-node id → name of the innermost lane that references it."""
    lanes: dict[str, str] = {}
    for ref in root.iter(f"{{{BPMN_NS}}}flowNodeRef"):
        if ref.text:
            lanes[ref.text.strip()] = (ref.getparent().get("name") or "").strip()
    return lanes


def lane_department(lane_name: str | None) -> str:
    """The department code a lane names: its first word (``"SCJG 市场监管局"`` → ``SCJG``)."""
    if not lane_name:
        return ""
    first = lane_name.split()[0]
    return first if _is_code(first) else ""


def _is_code(value: str) -> bool:
    return 0 < len(value) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-.") for c in value)


def is_code(value: str) -> bool:
    """Department codes and role names: ASCII letters, digits, ``_ - .``, up to 64."""
    return _is_code(value)
