"""The bridge between cases and the BPMN kernel (``tongban.cases.engine``).

The kernel knows ids and decision flags; this module picks the model for a case (an item's
own published model, else the default single-item flow, or a generated bundle model with
one parallel branch per member), keeps ``ProcessInstance.state``, and projects the engine's
ready tasks into ``WorkItem`` rows in the same transaction.

Contract between models and the platform (docs/guide-bpmn.md):

- a user task's ``role`` says who works on it; ``applicant`` steps are corrections by the
  applicant; the task's ``item`` property names the service item (its sub-case);
- decisions are written as ``<prefix>_accept`` (accepted | correction | refused),
  ``<prefix>_review`` (ok | correction) and ``<prefix>_decision`` (approved | rejected);
- a task with the property ``auto`` (e.g. ``electronic`` delivery) is completed by the
  platform as soon as it is ready and recorded in the history; ``auto=prerequisite`` (a
  bundle member that waits for another member's result) is settled by
  ``tongban.cases.dependencies``, which writes ``<prefix>_prerequisite`` (met | unmet).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.audit import record_audit
from tongban.core.errors import ServiceError
from tongban.core.transitions import move
from tongban.org.models import Department
from tongban.workdays import calc

from . import dependencies
from .engine import kernel
from .engine.bundle import PREREQUISITE_STEP, bundle_model, single_item_model
from .models import (
    Case,
    CaseEvent,
    DefinitionStatus,
    ProcessDefinition,
    ProcessInstance,
    SubCase,
    WorkItem,
    WorkKind,
    WorkStatus,
)
from .transitions import WORK, WorkAction

KIND_BY_SPEC = {
    "accept": WorkKind.ACCEPT,
    "review": WorkKind.REVIEW,
    "decide": WorkKind.DECIDE,
    "correct_accept": WorkKind.CORRECT,
    "correct_review": WorkKind.CORRECT,
    "close": WorkKind.OTHER,
    "deliver": WorkKind.DELIVER,
}
KIND_BY_ROLE = {
    "applicant": WorkKind.CORRECT,
    "clerk": WorkKind.ACCEPT,
    "reviewer": WorkKind.REVIEW,
    "department_leader": WorkKind.DECIDE,
}
#: What each action writes for the engine, by work kind: (key suffix, value).
ENGINE_VALUES: dict[tuple[str, str], tuple[str, str]] = {
    (WorkKind.ACCEPT, "accept"): ("accept", "accepted"),
    (WorkKind.ACCEPT, "correction"): ("accept", "correction"),
    (WorkKind.ACCEPT, "not_accept"): ("accept", "refused"),
    (WorkKind.REVIEW, "forward"): ("review", "ok"),
    (WorkKind.REVIEW, "correction"): ("review", "correction"),
    (WorkKind.DECIDE, "approve"): ("decision", "approved"),
    (WorkKind.DECIDE, "reject"): ("decision", "rejected"),
}
#: What the platform writes when it completes an automatic step, by the step's ``auto``
#: property and the sub-case action it takes: (key suffix, value).
AUTO_VALUES: dict[str, dict[str, tuple[str, str]]] = {
    PREREQUISITE_STEP: dependencies.PREREQUISITE_VALUES,
}


def load_definition(key: str, version: int) -> bytes:
    """The kernel's loader for cache misses (configured in ``CasesConfig.ready``)."""
    row = ProcessDefinition.objects.get(key=key, version=version)
    return row.bpmn_xml.encode()


def _stored(key: str, name: str, xml: bytes) -> ProcessDefinition:
    """The published definition with exactly this XML (a new version when it changed)."""
    sha = hashlib.sha256(xml).hexdigest()
    row = ProcessDefinition.objects.filter(key=key, sha256=sha).first()
    if row is not None:
        return row
    last = ProcessDefinition.objects.filter(key=key).aggregate(v=Max("version"))["v"] or 0
    row = ProcessDefinition.objects.create(
        key=key,
        version=last + 1,
        name=name[:200],
        bpmn_xml=xml.decode(),
        sha256=sha,
        status=DefinitionStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    record_audit(None, "cases.process_generated", row, meta={"key": key, "version": row.version})
    return row


def definition_for(case: Case) -> ProcessDefinition:
    if case.item is not None:
        custom = (
            ProcessDefinition.objects.filter(item=case.item, status=DefinitionStatus.PUBLISHED)
            .order_by("-version")
            .first()
        )
        if custom is not None:
            return custom
        item = case.item
        xml = single_item_model(item.implementation_code, item.department.code)
        return _stored(f"item-{item.pk}", item.name, xml)
    assert case.bundle is not None
    members = [
        (m.item.implementation_code, m.item.department.code)
        for m in case.bundle.memberships.select_related("item__department").order_by("sort_order")
    ]
    xml = bundle_model(members, depends_on=dependencies.bundle_waits(case.bundle))
    return _stored(f"bundle-{case.bundle.code}", case.bundle.name, xml)


def _ref(definition: ProcessDefinition) -> kernel.SpecRef:
    return kernel.SpecRef(definition.key, definition.version, definition.bpmn_xml.encode())


def start(case: Case) -> ProcessInstance:
    definition = definition_for(case)
    dependencies.hold(case)
    state = kernel.start(_ref(definition), {}, add_working_days=calc.add_working_days)
    instance = ProcessInstance.objects.create(case=case, definition=definition, state=state.text)
    sync(case, instance, state)
    return instance


def lock(case: Case) -> ProcessInstance:
    """The case's instance row, locked for the rest of the transaction."""
    return ProcessInstance.objects.select_for_update().get(case=case)


def complete(instance: ProcessInstance, work: WorkItem, action_data: dict[str, Any]) -> None:
    """Complete ``work``'s engine task with the decision for ``action_data['action']``."""
    state: Any = instance.state
    prefix = work.data_prefix
    if not prefix:  # a work item projected before the prefix was kept: ask the engine
        for task in kernel.ready_tasks(state):
            if task.task_id == work.task_id:
                prefix = task.properties.get("data_prefix", "")
                break
    data: dict[str, Any] = {}
    value = ENGINE_VALUES.get((work.kind, action_data.get("action", "")))
    if value is not None and prefix:
        data[f"{prefix}_{value[0]}"] = value[1]
    state = kernel.complete(state, work.task_id, data, add_working_days=calc.add_working_days)
    sync(work.case, instance, state)


MEMBER_PREFIX = re.compile(r"^m\d+_")


def base_step(spec_name: str) -> str:
    """The template step of a task: ``m2_close`` in a generated bundle model is ``close``."""
    return MEMBER_PREFIX.sub("", spec_name)


def _kind(task: kernel.ReadyTask) -> str:
    return KIND_BY_SPEC.get(base_step(task.spec_name)) or KIND_BY_ROLE.get(
        task.role, WorkKind.OTHER
    )


def sync(case: Case, instance: ProcessInstance, state: Any) -> None:
    """Run automatic steps, then make the open work items match the ready tasks."""
    now = timezone.now()
    subs = {
        s.item.implementation_code: s for s in case.subcases.select_related("item", "department")
    }
    while True:
        ready = kernel.ready_tasks(state)
        auto = next((t for t in ready if t.properties.get("auto")), None)
        if auto is None:
            break
        sub = subs.get(auto.properties.get("item", ""))
        if auto.properties.get("auto") == PREREQUISITE_STEP:
            # A member that waits: it starts (or is not started) now; its history is
            # written by ``dependencies``.
            settled = dependencies.settle(sub, auto.properties.get("data_prefix", ""), now)
            state = kernel.complete(
                state, auto.task_id, settled, add_working_days=calc.add_working_days, reuse=True
            )
            continue
        CaseEvent.objects.create(
            case=case,
            subcase=sub,
            action=step if (step := base_step(auto.spec_name)) in {"close", "deliver"} else "auto",
            note="",
            public=False,
            at=now,
        )
        state = kernel.complete(
            state, auto.task_id, {}, add_working_days=calc.add_working_days, reuse=True
        )
    open_items = {w.task_id: w for w in WorkItem.objects.filter(case=case, status=WorkStatus.OPEN)}
    ready_ids = set()
    departments: dict[str, Department | None] = {}
    for task in ready:
        ready_ids.add(task.task_id)
        if task.task_id in open_items:
            continue
        sub = subs.get(task.properties.get("item", "")) or (
            next(iter(subs.values())) if len(subs) == 1 else None
        )
        department = sub.department if sub is not None else None
        # A ``department`` property other than the item's own sends this step there (a
        # model may route a step to another department); the item's own department, or
        # none, follows the matter, which a transfer may have moved.
        code = task.properties.get("department", "") or (
            task.department if department is None else ""
        )
        if code and (department is None or department.code != code):
            if code not in departments:
                departments[code] = Department.objects.filter(code=code).first()
            named = departments[code]
            if named is not None and (sub is None or named.pk != sub.item.department_id):
                department = named
        kind = _kind(task)
        WorkItem.objects.create(
            case=case,
            subcase=sub,
            task_id=task.task_id,
            spec_name=task.spec_name,
            data_prefix=task.properties.get("data_prefix", "")[:32],
            name=task.name[:200],
            kind=kind,
            department=department,
            role=task.role,
            opened_at=now,
            due_on=_due(kind, sub),
        )
    for task_id, work in open_items.items():
        if task_id not in ready_ids:
            # The process no longer waits for this step (a branch was ended, a timer fired).
            move(work, WORK, WorkAction.CANCEL, actor=None, also={"closed_at": now})
    text = state.text if isinstance(state, kernel.EngineState) else str(state)
    completed, next_due_at = kernel.is_completed(state), kernel.next_due_at(state)
    _write(instance, state=text, completed=completed, next_due_at=next_due_at)


def stop(instance: ProcessInstance) -> None:
    """End ``instance`` for good (the applicant withdrew): no timer fires for it again and
    no step opens. The engine state is kept as it was, for the record. Raises
    ``ServiceError`` when another writer stepped the instance meanwhile."""
    _write(instance, completed=True, next_due_at=None)


def _write(instance: ProcessInstance, **values: Any) -> None:
    # Compare-and-set on the version column: the row lock already serialises steps, but
    # where it does not hold (a database without SELECT … FOR UPDATE, a stale object) a
    # second writer must fail rather than silently drop the first one's step.
    written = ProcessInstance.objects.filter(
        pk=instance.pk, lock_version=instance.lock_version
    ).update(**values, lock_version=F("lock_version") + 1, updated_at=timezone.now())
    if written != 1:
        raise ServiceError(
            {
                "__all__": [
                    _(
                        "Someone else moved this case on at the same moment; nothing was "
                        "changed. Open it again."
                    )
                ]
            }
        )
    for name, value in values.items():
        setattr(instance, name, value)
    instance.lock_version += 1


def _due(kind: str, sub: SubCase | None) -> Any:
    if sub is None:
        return None
    if kind == WorkKind.ACCEPT:
        return sub.acceptance_due
    if kind in {WorkKind.REVIEW, WorkKind.DECIDE}:
        return sub.promised_due or sub.statutory_due
    return None
