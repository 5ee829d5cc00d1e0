"""Guarded status transitions: the one way any stateful model changes its status.

Each stateful model keeps, in its app's ``transitions.py``, a literal ``Transitions`` table
of the moves it allows: ``(state, action) -> new state``. ``move`` is the one function that
writes a status field. It checks the table, changes the row with a conditional UPDATE (so
two processes acting at once cannot both move it: the second is told), writes a
``StatusChange`` history row and an audit record, all in the caller's transaction. A move
the table does not allow raises ``ServiceError`` naming the action and the current state, in
the user's language, and changes nothing.

Creating a row in its initial state is not a move. ``tests/test_conventions.py`` fails when
code outside ``transitions.py`` modules assigns or updates a status field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tongban.core.audit import record_audit
from tongban.core.errors import ServiceError
from tongban.core.models import StatusChange

Move = tuple[str, str]  # (state, action)


class Transitions:
    """The allowed moves of one model's status field.

    ``moves`` maps ``(state, action)`` to the state the action leads to; anything not listed
    is refused. ``actions`` labels the actions for people (buttons, refusals, history).
    """

    def __init__(
        self,
        model: type[models.Model],
        moves: Mapping[Move, str],
        *,
        field: str = "status",
        actions: Mapping[str, StrOrPromise] | None = None,
    ) -> None:
        self.model = model
        self.field = field
        self.moves: dict[Move, str] = {(str(s), str(a)): str(t) for (s, a), t in moves.items()}
        self.action_labels = {str(k): v for k, v in (actions or {}).items()}
        choices = self._choices()
        unknown = {s for s, _a in self.moves} | set(self.moves.values())
        unknown -= set(choices)
        if choices and unknown:
            raise ValueError(f"{model.__name__}.{field}: unknown states {sorted(unknown)}")

    def _choices(self) -> dict[str, StrOrPromise]:
        choices = getattr(self.model._meta.get_field(self.field), "choices", None) or ()
        return {str(value): label for value, label in choices}

    @property
    def states(self) -> list[str]:
        return list(self._choices())

    @property
    def actions(self) -> list[str]:
        return list(dict.fromkeys(a for _s, a in self.moves))

    def target(self, state: str, action: str) -> str | None:
        """Where ``action`` leads from ``state``; ``None`` when it is not allowed."""
        return self.moves.get((str(state), str(action)))

    def allowed(self, state: str) -> list[str]:
        """The actions allowed from ``state``, in table order."""
        return [a for (s, a) in self.moves if s == str(state)]

    def action_to(self, state: str, target: str) -> str | None:
        """The action that leads from ``state`` to ``target`` (for derived statuses)."""
        return next((a for (s, a), t in self.moves.items() if s == state and t == target), None)

    def label(self, action: str) -> StrOrPromise:
        return self.action_labels.get(action, action)

    def state_label(self, state: str) -> StrOrPromise:
        return self._choices().get(str(state), state)

    def refusal(self, state: str, action: str) -> ServiceError:
        return ServiceError(
            {
                "__all__": [
                    _("“%(action)s” is not possible while it is “%(status)s”.")
                    % {"action": self.label(action), "status": self.state_label(state)}
                ]
            }
        )


def move(
    obj: models.Model,
    table: Transitions,
    action: str,
    *,
    actor: Any,
    note: str = "",
    meta: Mapping[str, Any] | None = None,
    also: Mapping[str, Any] | None = None,
    audit_action: str = "",
) -> str:
    """Move ``obj`` by ``action`` and return its new state.

    ``also`` are other fields written in the same UPDATE (e.g. ``decided_at``); they are set
    on ``obj`` too. The audit record's action is ``audit_action`` (default
    ``<app>.<model>.<action>``) with ``meta`` plus the states. Raises ``ServiceError`` when
    the table does not allow the move from the state stored now (which may differ from
    ``obj``'s if someone else moved it first); nothing is written then.
    """
    if not isinstance(obj, table.model):
        raise TypeError(f"{type(obj).__name__} is not moved by the {table.model.__name__} table")
    with transaction.atomic():
        current = str(getattr(obj, table.field))
        target = table.target(current, action)
        if target is None:
            raise table.refusal(current, action)
        values = {table.field: target, **(also or {})}
        manager = type(obj)._default_manager
        changed = manager.filter(pk=obj.pk, **{table.field: current}).update(**values)
        if changed != 1:
            stored = manager.filter(pk=obj.pk).values_list(table.field, flat=True).first()
            raise ServiceError(
                {
                    "__all__": [
                        _(
                            "Someone else changed this at the same time (it is now “%(status)s”); "
                            "nothing was changed. Reload the page."
                        )
                        % {"status": table.state_label(str(stored))}
                    ]
                }
            )
        for name, value in values.items():
            setattr(obj, name, value)
        label = obj._meta.label_lower
        StatusChange.objects.create(
            model=label,
            object_id=str(obj.pk),
            field=table.field,
            action=action,
            from_state=current,
            to_state=target,
            actor=actor if getattr(actor, "pk", None) else None,
            note=(note or "")[:500],
            at=timezone.now(),
        )
        record_audit(
            actor,
            audit_action or f"{label}.{action}",
            obj,
            meta={**(meta or {}), "from": current, "to": target},
        )
    return target


def history(obj: models.Model) -> Iterable[StatusChange]:
    """Every status change of ``obj``, oldest first."""
    return StatusChange.objects.filter(model=obj._meta.label_lower, object_id=str(obj.pk))
