"""The check every process model passes before cases run on it (upload and ``tongban bpmn
check``): the engine's profile plus the platform contract, with the platform's rules.

The rules are read from where the platform applies them, so the check cannot drift from
what running cases do: the work kind of a step (``flow.KIND_BY_SPEC``/``KIND_BY_ROLE``),
what each action writes for the engine (``flow.ENGINE_VALUES``), which actions end a matter
(``transitions.SUBCASE`` into a final sub-case state), and the department codes in ``org``.
"""

from __future__ import annotations

from collections.abc import Iterable

from tongban.org.models import Department

from .engine.contract import Contract, check_contract
from .engine.profile import ProfileProblem
from .flow import AUTO_VALUES, ENGINE_VALUES, KIND_BY_ROLE, KIND_BY_SPEC
from .models import FINAL_SUBCASE_STATES
from .transitions import SUBCASE


def platform_contract(departments: Iterable[str] | None = None) -> Contract:
    """The platform's contract; ``departments`` defaults to every department code in the
    database (one query)."""
    if departments is None:
        departments = Department.objects.values_list("code", flat=True)
    writes: dict[str, dict[str, list[str]]] = {}
    closing: dict[str, set[str]] = {}
    final_actions = {a for (_s, a), t in SUBCASE.moves.items() if t in FINAL_SUBCASE_STATES}
    for (kind, action), (suffix, value) in ENGINE_VALUES.items():
        writes.setdefault(str(kind), {}).setdefault(suffix, []).append(value)
        if action in final_actions:
            closing.setdefault(suffix, set()).add(value)
    auto_writes: dict[str, dict[str, list[str]]] = {}
    for auto, by_action in AUTO_VALUES.items():
        for action, (suffix, value) in by_action.items():
            auto_writes.setdefault(auto, {}).setdefault(suffix, []).append(value)
            if action in final_actions:
                closing.setdefault(suffix, set()).add(value)
    return Contract(
        kind_by_step={k: str(v) for k, v in KIND_BY_SPEC.items()},
        kind_by_role={k: str(v) for k, v in KIND_BY_ROLE.items()},
        writes={k: {s: tuple(v) for s, v in by.items()} for k, by in writes.items()},
        closing={s: frozenset(v) for s, v in closing.items()},
        departments=frozenset(departments),
        auto_writes={a: {s: tuple(v) for s, v in by.items()} for a, by in auto_writes.items()},
    )


def check_process_model(xml: bytes) -> list[ProfileProblem]:
    """Every reason cases could not run on ``xml`` to a closed sub-case, each naming its
    element (empty: it may be published). Raises nothing: unreadable files are problems."""
    return check_contract(xml, platform_contract())
