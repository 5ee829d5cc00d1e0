"""The SpiffWorkflow adapter: parser classes and the state-only serializer.

Nothing outside :mod:`tongban.cases.engine` imports SpiffWorkflow; this module is where the
library is bent to the platform (see docs/adr/0004-process-engine.md):

- :class:`TongbanBpmnParser` reads ``camunda:properties`` / ``zeebe:properties`` into
  ``task_spec.extensions`` and parses ``timeDuration`` timers as working-day timers;
- :func:`make_serializer` returns a serializer whose workflow converter stores *no spec*:
  the kernel stores the definition's key/version/sha256 beside the state and re-attaches the
  cached spec on load (~40 % fewer bytes, ~27 % less CPU per step, per the standard).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.event_parsers import (
    BoundaryEventParser,
    IntermediateCatchEventParser,
)
from SpiffWorkflow.bpmn.parser.node_parser import DEFAULT_NSMAP
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import first, full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    IntermediateCatchEvent,
    ManualTask,
    ServiceTask,
    UserTask,
)

from .bpmnxml import CAMUNDA_NS, ZEEBE_NS, element_properties
from .timers import WorkingDayTimerEventDefinition

NSMAP = {**DEFAULT_NSMAP, "camunda": CAMUNDA_NS, "zeebe": ZEEBE_NS}


class PropertiesTaskParser(TaskParser):
    """User and manual tasks: ``camunda:property``/``zeebe:property`` → ``extensions``."""

    def parse_extensions(self, node: Any = None) -> dict[str, str]:
        return element_properties(self.node if node is None else node)


class ConnectorTask(ServiceTask):
    """A service task that calls a connector registered in ``profile.CONNECTORS`` by the
    name in its ``connector`` property; the connector gets a copy of the task data and
    returns the keys to add. No Python from the model is ever run."""

    def _run_hook(self, my_task: Any) -> bool:
        from .profile import CONNECTORS

        name = (getattr(self, "extensions", None) or {}).get("connector", "")
        connector = CONNECTORS.get(name)
        if connector is None:
            raise ValidationException(f"Connector {name!r} is not registered")
        my_task.data.update(dict(connector(dict(my_task.data))))
        return True


class _WorkingDayTimerMixin:
    node: Any

    def parse_timer_event(self, event: Any) -> Any:
        duration = first(self.xpath(".//bpmn:timeDuration"))  # type: ignore[attr-defined]
        if duration is None:
            raise ValidationException("Only timeDuration timers are supported", node=self.node)
        name = self.node.get("name", self.node.get("id"))
        return WorkingDayTimerEventDefinition(
            name,
            (duration.text or "").strip(),
            description=self.get_event_description(event),  # type: ignore[attr-defined]
        )


class WorkingDayBoundaryEventParser(_WorkingDayTimerMixin, BoundaryEventParser):
    pass


class WorkingDayIntermediateCatchEventParser(_WorkingDayTimerMixin, IntermediateCatchEventParser):
    pass


class TongbanBpmnParser(BpmnParser):
    """The platform's parser. Use only after :func:`..profile.check_bpmn` passed."""

    OVERRIDE_PARSER_CLASSES = {
        full_tag("userTask"): (PropertiesTaskParser, UserTask),
        full_tag("manualTask"): (PropertiesTaskParser, ManualTask),
        full_tag("serviceTask"): (PropertiesTaskParser, ConnectorTask),
        full_tag("boundaryEvent"): (WorkingDayBoundaryEventParser, BoundaryEvent),
        full_tag("intermediateCatchEvent"): (
            WorkingDayIntermediateCatchEventParser,
            IntermediateCatchEvent,
        ),
    }

    def __init__(self, validator: Any = None) -> None:
        super().__init__(namespaces=NSMAP, validator=validator)


_validator: BpmnValidator | None = None


def validator() -> BpmnValidator:
    """SpiffWorkflow's BPMN 2.0 XSD validator, loaded once (the XSD ships in the wheel)."""
    global _validator
    if _validator is None:
        _validator = BpmnValidator()
    return _validator


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Converts a top-level workflow *without* its spec and sub-process specs.

    ``from_dict`` needs them back as keyword arguments (``spec``, ``subprocess_specs``),
    which the kernel takes from its per-definition cache.
    """

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["spec_name"] = workflow.spec.name
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(  # type: ignore[override]
        self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None
    ) -> Any:
        if spec is None:
            raise ValueError("a state-only workflow needs its spec to be restored")
        if dct.get("spec_name") not in (None, spec.name):
            raise ValueError("the state belongs to another process")
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _uuid(value: str) -> Any:
    from uuid import UUID

    return UUID(value)


def make_serializer() -> BpmnWorkflowSerializer:
    """A serializer whose registry converts workflows state-only. One per thread: the
    registry carries an encoder-mode flag that is not thread-safe."""
    config = dict(DEFAULT_CONFIG)
    config[BpmnWorkflow] = StateOnlyWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
