"""The engine facade: the only functions the case services call.

State is JSON text holding the *execution state only*: the definition is referenced by
``key``/``version``/``sha256`` and its parsed spec is cached in the process, so a blob
never carries the model (see docs/adr/0004-process-engine.md).

Engine data rules (enforced by :func:`complete` and :func:`start`):

- ids and decision flags only — never personal data (names, ID numbers, phones,
  addresses live in the case tables, encrypted). Values must be short scalars; strings that
  look like a resident ID number or a mobile number are refused.
- keys are ``<prefix>_<field>`` where the prefix is the task's ``data_prefix`` property
  (the member of a bundle, or the department), so parallel branches never overwrite each
  other's decisions at a join.

Every call is pure: ``state in → state out``. The caller holds the row lock
(``SELECT … FOR UPDATE``) around load → call → store, and writes the projections (work
items, deadlines, history) in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.utils.translation import gettext_lazy
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_VERSION
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from .expressions import ExpressionError, RestrictedScriptEngine
from .profile import Analysis, Assignment, ProfileError, analyse
from .spiff import TongbanBpmnParser, make_serializer
from .timers import AddWorkingDays, Runtime, WorkingDayTimerEventDefinition, weekdays_only

STATE_FORMAT = "tongban-engine/1"

# SpiffWorkflow logs every task state change at INFO; that is noise (and cost) in our logs.
if logging.getLogger("spiff").level == logging.NOTSET:
    logging.getLogger("spiff").setLevel(logging.WARNING)
CACHE_SIZE = 64

ERRORS = {
    "unknown_task": gettext_lazy("This work item does not exist in the process."),
    "not_ready": gettext_lazy("This work item is not open (it is done, cancelled or not yet due)."),
    "bad_data": gettext_lazy("The process data was refused: %(detail)s."),
    "personal_data": gettext_lazy(
        'The value of "%(key)s" looks like personal data; keep it in the case, not the process.'
    ),
    "prefix": gettext_lazy('The field "%(key)s" must start with "%(prefix)s_".'),
    "bad_state": gettext_lazy("The saved process state cannot be read (%(detail)s)."),
    "definition": gettext_lazy(
        "The process definition %(key)s version %(version)s is not available or was changed."
    ),
    "engine": gettext_lazy("The process engine stopped with an error: %(detail)s."),
}


class EngineError(Exception):
    """A refused or failed engine call; ``message`` is in the active language."""

    code = "engine"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(f"{self.code}: {params}")

    @property
    def message(self) -> str:
        return str(ERRORS[self.code]) % self.params if self.params else str(ERRORS[self.code])


class UnknownTask(EngineError):
    code = "unknown_task"


class TaskNotReady(EngineError):
    code = "not_ready"


class BadTaskData(EngineError):
    code = "bad_data"


@dataclass(frozen=True)
class SpecRef:
    """A published process definition: key + version + the BPMN bytes (immutable)."""

    key: str
    version: int
    bpmn_xml: bytes
    process_id: str = ""
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        xml = self.bpmn_xml.encode() if isinstance(self.bpmn_xml, str) else self.bpmn_xml
        object.__setattr__(self, "bpmn_xml", xml)
        object.__setattr__(self, "sha256", hashlib.sha256(xml).hexdigest())


@dataclass(frozen=True)
class EngineState:
    """The JSON text to store in ``ProcessInstance.state``."""

    text: str
    # The workflow object this text was written from: read-only calls on a state returned by
    # start/complete/… in the same request reuse it instead of deserializing again.
    _workflow: Any = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return self.text

    @property
    def envelope(self) -> dict[str, Any]:
        return dict(json.loads(self.text)["spec"])


@dataclass(frozen=True)
class ReadyTask:
    """An open work item, for the inbox projection."""

    task_id: str
    spec_name: str
    name: str
    department: str
    role: str
    promised_days: int | None
    statutory_days: int | None
    lane: str
    scope: str = ""
    properties: Mapping[str, str] = field(default_factory=dict)

    @property
    def data_prefix(self) -> str:
        return self.properties.get("data_prefix", "")


@dataclass(frozen=True)
class PendingTimer:
    task_id: str
    spec_name: str
    name: str
    due_at: datetime | None
    provisional: bool


@dataclass(frozen=True)
class Outcome:
    completed: bool
    end_event: str  # the id of the top-level end event reached ("" while running)
    ends: Mapping[str, str]  # scope (process or sub-process id) → end event id reached


@dataclass
class CompiledSpec:
    ref: tuple[str, int, str, str]
    spec: Any
    subprocess_specs: dict[str, Any]
    assignments: dict[str, Assignment]
    has_timers: bool


# -- configuration -----------------------------------------------------------------------

DefinitionLoader = Callable[[str, int], bytes]
_config: dict[str, Any] = {"loader": None, "add_working_days": weekdays_only}


def configure(
    *, loader: DefinitionLoader | None = None, add_working_days: AddWorkingDays | None = None
) -> None:
    """Set at start-up (``AppConfig.ready``): ``loader(key, version) -> bpmn bytes`` for
    cache misses, and the working-day calendar's ``add_working_days``."""
    if loader is not None:
        _config["loader"] = loader
    if add_working_days is not None:
        _config["add_working_days"] = add_working_days


# -- spec cache --------------------------------------------------------------------------

_cache: OrderedDict[tuple[str, int, str, str], CompiledSpec] = OrderedDict()
_cache_lock = threading.Lock()
_stats = {"compiled": 0, "hits": 0}


def compile_spec(ref: SpecRef) -> CompiledSpec:
    """Check the model against the profile, parse it once and cache it per
    (key, version, sha256, process)."""
    cache_key = (ref.key, ref.version, ref.sha256, ref.process_id)
    with _cache_lock:
        compiled = _cache.get(cache_key)
        if compiled is not None:
            _cache.move_to_end(cache_key)
            _stats["hits"] += 1
            return compiled
    analysis: Analysis = analyse(ref.bpmn_xml)
    if analysis.problems:
        raise ProfileError(analysis.problems)
    entry = ref.process_id or analysis.entry_process
    parser = TongbanBpmnParser()
    assert analysis.tree is not None
    parser.add_bpmn_xml(analysis.tree)
    spec = parser.get_spec(entry)
    subprocess_specs = parser.get_subprocess_specs(entry)
    has_timers = any(
        isinstance(getattr(ts, "event_definition", None), WorkingDayTimerEventDefinition)
        for s in [spec, *subprocess_specs.values()]
        for ts in s.task_specs.values()
    )
    compiled = CompiledSpec(
        (ref.key, ref.version, ref.sha256, entry),
        spec,
        subprocess_specs,
        analysis.assignments,
        has_timers,
    )
    with _cache_lock:
        _cache[cache_key] = compiled
        _stats["compiled"] += 1
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def cache_stats() -> dict[str, int]:
    return {**_stats, "size": len(_cache)}


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _resolve(envelope: Mapping[str, Any]) -> CompiledSpec:
    key, version, sha = envelope["key"], int(envelope["version"]), envelope["sha256"]
    process = envelope.get("process", "")
    with _cache_lock:
        for cache_key, compiled in _cache.items():
            if cache_key[:3] == (key, version, sha) and compiled.ref[3] == process:
                return compiled
    loader = _config["loader"]
    if loader is None:
        raise EngineError("definition", key=key, version=version)
    ref = SpecRef(key, version, loader(key, version), process)
    if ref.sha256 != sha:
        raise EngineError("definition", key=key, version=version)
    return compile_spec(ref)


# -- (de)serialization ---------------------------------------------------------------------

_local = threading.local()


def _serializer() -> Any:
    serializer = getattr(_local, "serializer", None)
    if serializer is None:
        serializer = _local.serializer = make_serializer()
    return serializer


def _runtime(now: datetime | None, add_working_days: AddWorkingDays | None) -> Runtime:
    return Runtime(
        now=now or datetime.now(UTC),
        add_working_days=add_working_days or _config["add_working_days"],
    )


def _dump(workflow: BpmnWorkflow, compiled: CompiledSpec) -> EngineState:
    serializer = _serializer()
    registry = serializer.registry
    registry._encoder_mode = True
    try:
        dct = registry.convert(workflow)
        key, version, sha, process = compiled.ref
        envelope = {
            "format": STATE_FORMAT,
            "spec": {"key": key, "version": version, "sha256": sha, "process": process},
            "serializer_version": SERIALIZER_VERSION,
            "workflow": dct,
        }
        text = json.dumps(envelope, cls=serializer._encoder_cls, separators=(",", ":"))
    finally:
        registry._encoder_mode = False
    return EngineState(text, (workflow, compiled))


def _view(state: EngineState | str) -> tuple[BpmnWorkflow, CompiledSpec]:
    """For read-only calls: the cached workflow of a fresh state, else a new load."""
    if isinstance(state, EngineState) and state._workflow is not None:
        workflow, compiled = state._workflow
        return workflow, compiled
    return _load(state)


def _load(
    state: EngineState | str, runtime: Runtime | None = None
) -> tuple[BpmnWorkflow, CompiledSpec]:
    text = state.text if isinstance(state, EngineState) else state
    try:
        envelope = json.loads(text)
        if envelope.get("format") != STATE_FORMAT:
            raise ValueError("unknown state format")
        if envelope.get("serializer_version") != SERIALIZER_VERSION:
            raise ValueError("written by another serializer version")
        spec_info = envelope["spec"]
    except (ValueError, KeyError, TypeError) as exc:
        raise EngineError("bad_state", detail=str(exc)[:100]) from None
    compiled = _resolve(spec_info)
    try:
        workflow = _serializer().registry.restore(
            envelope["workflow"], spec=compiled.spec, subprocess_specs=compiled.subprocess_specs
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise EngineError("bad_state", detail=str(exc)[:100]) from None
    workflow.script_engine = RestrictedScriptEngine(runtime or _runtime(None, None))
    return workflow, compiled


# -- data rules ----------------------------------------------------------------------------

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
RESIDENT_ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
MAX_KEYS = 50
MAX_TEXT = 200


def check_data(data: Mapping[str, Any] | None, prefix: str = "") -> dict[str, Any]:
    """Validate data for the engine (see the module docstring); returns a plain dict."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise BadTaskData(detail="not a mapping")
    if len(data) > MAX_KEYS:
        raise BadTaskData(detail="too many fields")
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise BadTaskData(detail=f"bad field name {str(key)[:40]!r}")
        if prefix and not key.startswith(prefix + "_"):
            raise EngineError("prefix", key=key, prefix=prefix)
        if value is not None and not isinstance(value, str | int | float | bool):
            raise BadTaskData(detail=f"{key} must be a text, number, yes/no or empty")
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise BadTaskData(detail=f"{key} is too long")
            if RESIDENT_ID_RE.search(value) or MOBILE_RE.search(value):
                raise EngineError("personal_data", key=key)
        clean[key] = value
    return clean


# -- the interface -------------------------------------------------------------------------


def _run(workflow: BpmnWorkflow) -> None:
    try:
        workflow.do_engine_steps()
    except (WorkflowException, ExpressionError) as exc:
        raise EngineError("engine", detail=str(exc).splitlines()[0][:200]) from exc


def start(
    spec_ref: SpecRef,
    data: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
    add_working_days: AddWorkingDays | None = None,
) -> EngineState:
    """Create an instance and run it to its first waiting user tasks."""
    compiled = compile_spec(spec_ref)
    clean = check_data(data)
    workflow = BpmnWorkflow(
        compiled.spec,
        compiled.subprocess_specs,
        script_engine=RestrictedScriptEngine(_runtime(now, add_working_days)),
    )
    workflow.data.update(clean)
    workflow.task_tree.data.update(clean)
    _run(workflow)
    return _dump(workflow, compiled)


def _ready(workflow: BpmnWorkflow, compiled: CompiledSpec) -> list[ReadyTask]:
    result = []
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        spec = task.task_spec
        assignment = compiled.assignments.get(spec.name, Assignment())
        result.append(
            ReadyTask(
                task_id=str(task.id),
                spec_name=spec.name,
                name=spec.bpmn_name or spec.name,
                department=assignment.department,
                role=assignment.role,
                promised_days=assignment.promised_days,
                statutory_days=assignment.statutory_days,
                lane=assignment.lane or (spec.lane or ""),
                scope=task.workflow.spec.name,
                properties=dict(assignment.properties),
            )
        )
    return result


def ready_tasks(state: EngineState | str) -> list[ReadyTask]:
    """The open user/manual tasks (the work items to project into the inbox)."""
    workflow, compiled = _view(state)
    return _ready(workflow, compiled)


def complete(
    state: EngineState | str,
    task_id: str,
    data: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
    add_working_days: AddWorkingDays | None = None,
    reuse: bool = False,
) -> EngineState:
    """Complete one READY user/manual task with its decision data and run the engine on.

    With ``reuse``, a state just returned by ``start``/``complete`` in this process is
    advanced in memory instead of being deserialised again (the caller must not use the
    older state afterwards: it shares the workflow object).
    """
    runtime = _runtime(now, add_working_days)
    if reuse and isinstance(state, EngineState) and state._workflow is not None:
        workflow, compiled = state._workflow
        workflow.script_engine = RestrictedScriptEngine(runtime)
    else:
        workflow, compiled = _load(state, runtime)
    try:
        uuid = UUID(str(task_id))
    except ValueError:
        raise UnknownTask() from None
    try:
        task = workflow.get_task_from_id(uuid)
    except (WorkflowException, KeyError):
        task = None
    if task is None:
        raise UnknownTask()
    if task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotReady()
    assignment = compiled.assignments.get(task.task_spec.name, Assignment())
    clean = check_data(data, assignment.properties.get("data_prefix", ""))
    task.data.update(clean)
    try:
        task.run()
    except (WorkflowException, ExpressionError) as exc:
        raise EngineError("engine", detail=str(exc).splitlines()[0][:200]) from exc
    _run(workflow)
    return _dump(workflow, compiled)


def fire_due_timers(
    state: EngineState | str, now: datetime, *, add_working_days: AddWorkingDays | None = None
) -> EngineState:
    """Fire every timer due at ``now`` and run the engine on (the host sweeper calls this
    for instances whose ``next_due_at <= now``)."""
    workflow, compiled = _load(state, _runtime(now, add_working_days))
    workflow.refresh_timers()
    _run(workflow)
    return _dump(workflow, compiled)


def pending_timers(state: EngineState | str) -> list[PendingTimer]:
    workflow, _compiled = _view(state)
    timers = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        if isinstance(
            getattr(task.task_spec, "event_definition", None), WorkingDayTimerEventDefinition
        ):
            value = task._get_internal_data("event_value")
            timers.append(
                PendingTimer(
                    task_id=str(task.id),
                    spec_name=task.task_spec.name,
                    name=task.task_spec.bpmn_name or task.task_spec.name,
                    due_at=datetime.fromisoformat(value) if value else None,
                    provisional=bool(task._get_internal_data("provisional", False)),
                )
            )
    return timers


def next_due_at(state: EngineState | str) -> datetime | None:
    """The earliest timer due time, for the ``next_due_at`` column the sweeper scans."""
    dues = [t.due_at for t in pending_timers(state) if t.due_at is not None]
    return min(dues) if dues else None


def cancel(state: EngineState | str) -> EngineState:
    """Cancel the whole instance (withdrawal, termination)."""
    workflow, compiled = _load(state)
    workflow.cancel()
    return _dump(workflow, compiled)


def is_completed(state: EngineState | str) -> bool:
    workflow, _compiled = _view(state)
    return bool(workflow.is_completed())


def outcome(state: EngineState | str) -> Outcome:
    """Which end events were reached: at the top level and in each sub-process."""
    workflow, _compiled = _view(state)
    reached: dict[str, tuple[float, str]] = {}
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task in wf.get_tasks(state=TaskState.COMPLETED):
            if task.workflow is not wf:
                continue
            if isinstance(task.task_spec, EndEvent) and task.task_spec.bpmn_id:
                scope = wf.spec.name
                when = task.last_state_change
                if scope not in reached or when >= reached[scope][0]:
                    reached[scope] = (when, task.task_spec.bpmn_id)  # the last one reached
    ends = {scope: end for scope, (_when, end) in reached.items()}
    top = ends.get(workflow.spec.name, "")
    return Outcome(completed=bool(workflow.is_completed()), end_event=top, ends=ends)


def data(state: EngineState | str) -> dict[str, Any]:
    """The process data: of the workflow once completed, else merged from the last
    completed tasks (decision flags only, by construction)."""
    workflow, _compiled = _view(state)
    merged: dict[str, Any] = {}
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task in wf.get_tasks(state=TaskState.COMPLETED):
            merged.update({k: v for k, v in task.data.items() if k != "data_objects"})
    merged.update({k: v for k, v in workflow.data.items() if k != "data_objects"})
    return merged


__all__ = [
    "CompiledSpec",
    "EngineError",
    "EngineState",
    "Outcome",
    "PendingTimer",
    "ReadyTask",
    "SpecRef",
    "TaskNotReady",
    "UnknownTask",
    "cache_stats",
    "cancel",
    "check_data",
    "clear_cache",
    "compile_spec",
    "complete",
    "configure",
    "data",
    "fire_due_timers",
    "is_completed",
    "next_due_at",
    "outcome",
    "pending_timers",
    "ready_tasks",
    "start",
]
