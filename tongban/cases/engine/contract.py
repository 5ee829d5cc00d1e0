"""The platform contract of a process model: checked before it runs, over the whole graph.

The profile (:mod:`.profile`) says what the engine can run. This module says whether a
model that runs also works with the case tables, which the kernel does not know about; the
caller passes the platform's rules in as a :class:`Contract` (``tongban.cases.modelcheck``
builds it from the work kinds, the values each action writes and the known departments),
so this module imports no Django model.

Four checks, each naming the element:

- every condition reads only names a task has written on *every* path to it (a must-write
  data-flow analysis: intersection where paths merge, union at a parallel join, where every
  branch has run), and never fails to evaluate with the values tasks write;
- a task's ``department`` property names a known department;
- every path from the start to an end event of the main process closes each matter
  (sub-case) of the model: it passes a task whose every outcome is final (a decision) or
  leaves a step through a flow that is only taken on a final outcome (不予受理);
- no run deadlocks (:func:`deadlock_problems`): in each scope, every state the tokens can
  reach either has a step to take or has no tokens left, whatever the decisions (a parallel
  join waiting for a branch that never comes is named). This is what proves that bundle
  members waiting for each other (``engine.bundle``) always reach the join.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from .bpmnxml import BPMN_NS, element_properties, local
from .expressions import ExpressionError, evaluate
from .profile import Analysis, ProfileProblem, _problem, analyse

#: Bundle members' copies of the template steps are named ``m<n>_<step>``.
MEMBER_PREFIX = re.compile(r"^m\d+_")
#: Enumerating value combinations stops here (a condition reading many names is unusual).
MAX_COMBINATIONS = 4096


@dataclass(frozen=True)
class Contract:
    """The platform's rules for process models.

    - ``kind_by_step`` / ``kind_by_role``: a task's work kind, by its step name (element id
      without a bundle member's ``m<n>_``) first, else by its ``role`` property;
    - ``writes``: kind → key suffix → the values the platform writes (as
      ``<data_prefix>_<suffix>``) when the task is completed;
    - ``closing``: key suffix → the values that close the matter (a final sub-case state);
    - ``departments``: the known department codes (``None``: not checked);
    - ``auto_writes``: for automatic steps (property ``auto``), auto value → key suffix →
      the values the platform writes when it completes them (e.g. ``prerequisite`` →
      ``met``/``unmet`` before a bundle member that waits for another); other automatic
      steps write nothing.
    """

    kind_by_step: Mapping[str, str]
    kind_by_role: Mapping[str, str]
    writes: Mapping[str, Mapping[str, tuple[str, ...]]]
    closing: Mapping[str, frozenset[str]]
    departments: frozenset[str] | None = None
    auto_writes: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Task:
    item: str
    names: Mapping[str, tuple[str, ...]]  # name written → its possible values
    final: Mapping[str, frozenset[str]]  # name written → the values that close the matter
    closes: bool  # every outcome of the task is final for its matter


@dataclass
class _Graph:
    nodes: dict[str, etree._Element] = field(default_factory=dict)
    # (source, target, sequence flow or None, read the source's IN instead of its OUT)
    edges: list[tuple[str, str, etree._Element | None, bool]] = field(default_factory=list)


Fact = tuple[str, str]  # ("w", name written) or ("c", matter closed)


def B(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def check_contract(
    xml: bytes, contract: Contract, registered_processes: Iterable[str] = ()
) -> list[ProfileProblem]:
    """Check ``xml`` against the profile and then against ``contract``. Empty list: the
    platform can run cases on it to a closed sub-case. Raises nothing: problems are listed."""
    analysis = analyse(xml, registered_processes)
    if analysis.problems or analysis.tree is None or not analysis.entry_process:
        return analysis.problems
    return contract_problems(analysis, contract)


def contract_problems(analysis: Analysis, contract: Contract) -> list[ProfileProblem]:
    """The contract problems of a model that already passed the profile."""
    assert analysis.tree is not None
    root = analysis.tree.getroot()
    problems: list[ProfileProblem] = []
    tasks: dict[str, _Task] = {}
    for node in root.iter(B("userTask"), B("manualTask")):
        problems += _check_department(node, contract)
        tasks[node.get("id") or ""] = _task(node, contract)
    graph, entry_start, top_ends = _graph(root, analysis.entry_process)
    domains: dict[str, set[str]] = {}
    for task in tasks.values():
        for name, values in task.names.items():
            domains.setdefault(name, set()).update(values)
    closing_names = {n: f for t in tasks.values() for n, f in t.final.items()}
    item_of_name = {n: t.item for t in tasks.values() for n in t.names}
    edge_closes, condition_problems = _conditions(graph, domains, closing_names, item_of_name)
    problems += condition_problems
    facts, facts_out = _must_facts(graph, entry_start, tasks, edge_closes)
    problems += _check_reads(graph, facts_out, domains)
    matters = {t.item for t in tasks.values() if t.names} or {""}
    for end in top_ends:
        reached = facts.get(end)
        if reached is None:
            continue  # unreachable
        if any(("c", m) not in reached for m in matters):
            problems.append(_problem("end_open", graph.nodes[end]))
    return problems + deadlock_problems(root)


#: The token game stops (and reports nothing) past this many states or tokens on a flow.
MAX_STATES = 20000
MAX_TOKENS = 3


def deadlock_problems(root: etree._Element) -> list[ProfileProblem]:
    """The parallel joins where some run of a scope (a process or a sub-process, whose
    inner scopes count as one step) waits for ever.

    An exhaustive token game over the scope's sequence flows: every decision is tried
    (condition-blind, so it may only over-approximate), a step with several outgoing flows
    sends a token down each, a timer on a step may fire or not, and a terminate or error
    end clears the scope. A state with tokens but no step to take is a deadlock. Scopes with
    inclusive gateways, or too many states, are not judged (the profile checks them)."""
    problems: list[ProfileProblem] = []
    seen: set[str] = set()
    for scope in [*root.findall(B("process")), *root.iter(B("subProcess"))]:
        for join in _scope_deadlocks(scope):
            if join.get("id") not in seen:
                seen.add(join.get("id") or "")
                problems.append(_problem("deadlock", join))
    return problems


def _scope_deadlocks(scope: etree._Element) -> list[etree._Element]:
    nodes = {c.get("id") or "": c for c in scope if isinstance(c.tag, str) and c.get("id")}
    flows = [c for c in scope if c.tag == B("sequenceFlow")]
    outgoing: dict[str, list[int]] = {}
    incoming: dict[str, list[int]] = {}
    for index, flow in enumerate(flows):
        outgoing.setdefault(flow.get("sourceRef") or "", []).append(index)
        incoming.setdefault(flow.get("targetRef") or "", []).append(index)
    if any(local(n.tag) == "inclusiveGateway" for n in nodes.values()):
        return []
    starts = [i for i, n in nodes.items() if local(n.tag) == "startEvent"]
    if len(starts) != 1:
        return []
    boundaries: dict[str, list[etree._Element]] = {}
    for node in nodes.values():
        if local(node.tag) == "boundaryEvent":
            boundaries.setdefault(node.get("attachedToRef") or "", []).append(node)

    def state_of(counts: list[int]) -> tuple[int, ...]:
        return tuple(counts)

    def clears(node: etree._Element) -> bool:
        return local(node.tag) == "endEvent" and any(
            local(c.tag) in ("terminateEventDefinition", "errorEventDefinition")
            for c in node
            if isinstance(c.tag, str)
        )

    def outputs(node_id: str) -> list[list[int]]:
        """The sets of flows a step may send tokens down when it runs."""
        node = nodes[node_id]
        tag = local(node.tag)
        out = outgoing.get(node_id, [])
        if tag == "exclusiveGateway":
            return [[f] for f in out] or [[]]
        if tag == "endEvent":
            return [[]]
        results = [out]
        for event in boundaries.get(node_id, []):
            side = outgoing.get(event.get("id") or "", [])
            if event.get("cancelActivity", "true") == "false":
                results.append(out + side)  # the timer fired while the step waited
            else:
                results.append(side)  # the timer ended the step
        return results

    first = [0] * len(flows)
    for f in outgoing.get(starts[0], []):
        first[f] += 1
    queue = deque([state_of(first)])
    visited = {queue[0]}
    stuck: list[etree._Element] = []
    while queue:
        state = queue.popleft()
        if len(visited) > MAX_STATES:
            return []
        marked = {flows[f].get("targetRef") or "" for f, n in enumerate(state) if n}
        moved = False
        for target in sorted(marked):
            node = nodes.get(target)
            if node is None:
                continue
            needed = incoming.get(target, [])
            join = local(node.tag) == "parallelGateway" and len(needed) > 1
            if join:
                if not all(state[f] for f in needed):
                    continue
                consume = needed
            else:
                consume = [next(f for f in needed if state[f])]
            moved = True
            for produced in outputs(target):
                counts = list(state)
                for f in consume:
                    counts[f] -= 1
                if clears(node):
                    counts = [0] * len(flows)
                for f in produced:
                    counts[f] += 1
                if any(n > MAX_TOKENS for n in counts):
                    return []
                new = state_of(counts)
                if new not in visited:
                    visited.add(new)
                    queue.append(new)
        if not moved and any(state):
            stuck.extend(nodes[t] for t in sorted(marked) if t in nodes)
    return stuck


def _check_department(node: etree._Element, contract: Contract) -> list[ProfileProblem]:
    code = element_properties(node).get("department", "")
    if code and contract.departments is not None and code not in contract.departments:
        return [_problem("unknown_department", node, value=code[:40])]
    return []


def _task(node: etree._Element, contract: Contract) -> _Task:
    props = element_properties(node)
    step = MEMBER_PREFIX.sub("", node.get("id") or "")
    kind = contract.kind_by_step.get(step) or contract.kind_by_role.get(props.get("role", ""), "")
    prefix = props.get("data_prefix", "")
    names: dict[str, tuple[str, ...]] = {}
    finals: dict[str, frozenset[str]] = {}
    closes = False
    # Automatic steps are completed by the platform (``flow.sync``), without data unless
    # the contract lists what it writes for them.
    auto = props.get("auto", "")
    writes = contract.auto_writes.get(auto, {}) if auto else contract.writes.get(kind, {})
    if prefix:
        for suffix, values in writes.items():
            name = f"{prefix}_{suffix}"
            names[name] = values
            final = contract.closing.get(suffix, frozenset())
            if final:
                finals[name] = final
            closes = closes or (bool(values) and set(values) <= final)
    return _Task(props.get("item", ""), names, finals, closes)


def _graph(root: etree._Element, entry: str) -> tuple[_Graph, str, list[str]]:
    """One graph over every scope: a sub-process ``S`` is entered at ``S`` and left from
    ``S#done``, which all its end events reach; a call activity likewise."""
    graph = _Graph()
    starts: dict[str, str] = {}  # scope id → its start event
    ends: dict[str, list[str]] = {}  # scope id → its end events
    scopes = [*root.findall(B("process")), *root.iter(B("subProcess"))]
    for scope in scopes:
        scope_id = scope.get("id") or ""
        for child in scope:
            if not isinstance(child.tag, str) or child.tag == B("sequenceFlow"):
                continue
            tag = local(child.tag)
            child_id = child.get("id") or ""
            if tag in ("laneSet", "extensionElements", "documentation", "textAnnotation"):
                continue
            graph.nodes[child_id] = child
            if tag == "startEvent":
                starts[scope_id] = child_id
            elif tag == "endEvent":
                ends.setdefault(scope_id, []).append(child_id)
    for scope in scopes:
        for flow in scope.iter(B("sequenceFlow")):
            if flow.getparent() is not scope:
                continue
            src, dst = flow.get("sourceRef") or "", flow.get("targetRef") or ""
            if local(graph.nodes.get(src, scope).tag) in ("subProcess", "callActivity"):
                src = f"{src}#done"
            graph.edges.append((src, dst, flow, False))
    for node_id, node in list(graph.nodes.items()):
        tag = local(node.tag)
        inner = node_id if tag == "subProcess" else (node.get("calledElement") or "")
        if tag in ("subProcess", "callActivity"):
            if inner in starts:
                graph.edges.append((node_id, starts[inner], None, False))
            for end in ends.get(inner, []):
                graph.edges.append((end, f"{node_id}#done", None, False))
        elif tag == "boundaryEvent":
            # A timer fires while the task waits: what the task writes is not there yet.
            graph.edges.append((node.get("attachedToRef") or "", node_id, None, True))
    return graph, starts.get(entry, ""), ends.get(entry, [])


def _names_read(expression: str) -> set[str]:
    tree = ast.parse(expression.strip(), mode="eval")
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


def _condition(flow: etree._Element | None) -> str:
    if flow is None:
        return ""
    node = flow.find(B("conditionExpression"))
    return (node.text or "").strip() if node is not None else ""


def _conditions(
    graph: _Graph,
    domains: Mapping[str, set[str]],
    closing_names: Mapping[str, frozenset[str]],
    item_of_name: Mapping[str, str],
) -> tuple[dict[str, set[str]], list[ProfileProblem]]:
    """Per flow id: the matters it closes, because it is only taken when a
    decision of that matter is final; and the conditions that cannot be evaluated."""
    problems: list[ProfileProblem] = []
    closes: dict[str, set[str]] = {}
    outgoing: dict[str, list[etree._Element]] = {}
    for src, _dst, flow, _use_in in graph.edges:
        if flow is not None:
            outgoing.setdefault(src, []).append(flow)
    for src, flows in outgoing.items():
        conditions = {id(f): _condition(f) for f in flows}
        if not any(conditions.values()):
            continue
        names = sorted(set().union(*(_names_read(c) for c in conditions.values() if c)))
        if any(n not in domains for n in names):
            continue  # reported by _check_reads
        spaces = [sorted(domains[n]) for n in names]
        if _product(spaces) > MAX_COMBINATIONS:
            continue
        source = graph.nodes.get(src)
        default = source.get("default") if source is not None else None
        exclusive = source is not None and local(source.tag) == "exclusiveGateway"
        stuck = False
        taken: dict[int, list[dict[str, str]]] = {id(f): [] for f in flows}
        failed: set[int] = set()
        for values in itertools.product(*spaces):
            assignment = dict(zip(names, values, strict=True))
            true_any = False
            for flow in flows:
                text = conditions[id(flow)]
                if not text:
                    continue
                try:
                    result = bool(evaluate(text, assignment))
                except ExpressionError as exc:
                    if id(flow) not in failed:
                        failed.add(id(flow))
                        problems.append(
                            _problem(
                                "condition_fails", flow, expression=text[:80], detail=exc.reason
                            )
                        )
                    continue
                if result:
                    true_any = True
                    taken[id(flow)].append(assignment)
            for flow in flows:
                if conditions[id(flow)]:
                    continue
                if flow.get("id") != default:
                    taken[id(flow)].append(assignment)  # a plain flow is always taken
                elif not true_any:
                    taken[id(flow)].append(assignment)
            if exclusive and not true_any and not default and not failed:
                stuck = True
        if stuck and source is not None:
            problems.append(_problem("no_branch", source))
        for flow in flows:
            cases = taken[id(flow)]
            if not cases:
                continue
            matters = {item_of_name[n] for n in names if n in closing_names}
            closes[flow.get("id") or ""] = {
                m
                for m in matters
                if all(
                    any(
                        a[n] in closing_names[n]
                        for n in names
                        if n in closing_names and item_of_name[n] == m
                    )
                    for a in cases
                )
            }
    return closes, problems


def _product(spaces: list[list[str]]) -> int:
    total = 1
    for space in spaces:
        total *= max(len(space), 1)
    return total


def _must_facts(
    graph: _Graph, start: str, tasks: Mapping[str, _Task], edge_closes: Mapping[str, set[str]]
) -> tuple[dict[str, frozenset[Fact]], dict[str, frozenset[Fact]]]:
    """For each reachable node, the facts true on *every* path reaching it (``IN``) and
    after it has run (``OUT``)."""
    incoming: dict[str, list[tuple[str, etree._Element | None, bool]]] = {}
    outgoing: dict[str, list[str]] = {}
    for src, dst, flow, use_in in graph.edges:
        incoming.setdefault(dst, []).append((src, flow, use_in))
        outgoing.setdefault(src, []).append(dst)
    facts_in: dict[str, frozenset[Fact]] = {}
    facts_out: dict[str, frozenset[Fact]] = {}

    def transfer(node_id: str, before: frozenset[Fact]) -> frozenset[Fact]:
        task = tasks.get(node_id)
        if task is None:
            return before
        added: set[Fact] = {("w", n) for n in task.names}
        if task.closes:
            added.add(("c", task.item))
        return before | added

    def parallel_join(node_id: str) -> bool:
        node = graph.nodes.get(node_id)
        return node is not None and local(node.tag) == "parallelGateway"

    if not start:
        return {}, {}
    queue = deque([start])
    while queue:
        node_id = queue.popleft()
        if node_id == start:
            new_in: frozenset[Fact] = frozenset()
        else:
            arriving = []
            for src, flow, use_in in incoming.get(node_id, []):
                source = facts_in.get(src) if use_in else facts_out.get(src)
                if source is None:
                    continue  # not reached yet: the top of the lattice
                extra = (
                    {("c", m) for m in edge_closes.get(flow.get("id") or "", set())}
                    if flow is not None
                    else set()
                )
                arriving.append(source | extra)
            if not arriving:
                continue
            if parallel_join(node_id):
                new_in = frozenset().union(*arriving)
            else:
                new_in = frozenset.intersection(*arriving)
        if facts_in.get(node_id) == new_in:
            continue
        facts_in[node_id] = new_in
        facts_out[node_id] = transfer(node_id, new_in)
        queue.extend(outgoing.get(node_id, []))
    return facts_in, facts_out


def _check_reads(
    graph: _Graph, facts: Mapping[str, frozenset[Fact]], domains: Mapping[str, set[str]]
) -> list[ProfileProblem]:
    problems: list[ProfileProblem] = []
    for src, _dst, flow, _use_in in graph.edges:
        text = _condition(flow)
        if not text or flow is None:
            continue
        names = sorted(_names_read(text))
        unknown = [n for n in names if n not in domains]
        if unknown:
            problems.append(_problem("condition_unknown_name", flow, name=unknown[0][:40]))
            continue
        seen = facts.get(src)  # what holds once the source has run
        if seen is None:
            continue  # unreachable
        missing = [n for n in names if ("w", n) not in seen]
        if missing:
            problems.append(_problem("condition_unwritten", flow, name=missing[0][:40]))
    return problems


__all__ = ["Contract", "check_contract", "contract_problems"]
