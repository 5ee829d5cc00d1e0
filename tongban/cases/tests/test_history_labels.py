"""Case history labels every event: no raw action code (``close``, ``deliver``…) on a page."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from tongban.cases import actions, transitions
from tongban.cases.actions import ActionInput
from tongban.cases.models import CaseEvent, WorkItem, WorkStatus
from tongban.cases.transitions import Action

CASES_APP = Path(transitions.__file__).parent


def _label(code: str) -> str:
    return CaseEvent(action=code).action_label


def _is_label(code: str, label: str) -> bool:
    return bool(label.strip()) and label != code


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_action_of_the_transition_tables_has_a_label(language):
    with translation.override(language):
        for table in (transitions.SUBCASE, transitions.CASE, transitions.WORK):
            for action in table.actions:
                assert _is_label(action, str(table.label(action))), (table.model, action)
        # A matter's actions are its history: each has a history label too.
        for action in transitions.SUBCASE.actions:
            assert _is_label(action, _label(action)), action


def _codes_in(node: ast.AST) -> set[str]:
    """The string constants and ``Action.X`` names an ``action=`` expression can take."""
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            found.add(sub.value)
        elif (
            isinstance(sub, ast.Attribute)
            and isinstance(sub.value, ast.Name)
            and sub.value.id == "Action"
        ):
            found.add(getattr(Action, sub.attr))
    return found


def written_event_codes() -> set[str]:
    """Every action code the cases app writes into a case's history: the ``action`` of each
    ``CaseEvent.objects.create(...)`` and of each ``_event(sub, actor, action, ...)``."""
    codes: set[str] = set()
    for path in CASES_APP.rglob("*.py"):
        if {"tests", "migrations"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = ast.unparse(node.func)
            if func == "CaseEvent.objects.create":
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        codes |= _codes_in(keyword.value)
            elif func == "_event" and len(node.args) >= 3:
                codes |= _codes_in(node.args[2])
    return {c for c in codes if re.fullmatch(r"[a-z_]+", c)}


def test_the_scan_finds_the_automatic_steps():
    codes = written_event_codes()
    assert {"submitted", "completed", "withdrawn", "escalated", "close", "deliver"} <= codes


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_event_the_code_writes_has_a_label(language):
    with translation.override(language):
        missing = sorted(c for c in written_event_codes() if not _is_label(c, _label(c)))
    assert not missing


@pytest.mark.django_db
def test_the_work_item_history_shows_no_raw_codes(client, world):
    case = world.submit()
    sub = case.subcases.get()
    for actor, action in (
        (world.clerk_a, Action.ACCEPT),
        (world.reviewer_a, Action.FORWARD),
        (world.leader_a, Action.APPROVE),
    ):
        work = WorkItem.objects.filter(subcase=sub, status=WorkStatus.OPEN).first()
        if work is None:
            break
        actions.act(work.pk, ActionInput(action, note="同意"), actor=actor)
    codes = set(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert {"accept", "approve", "completed"} <= codes
    work = WorkItem.objects.filter(case=case).order_by("-pk").first()
    assert work is not None
    client.force_login(world.leader_a)
    page = client.get(reverse("cases:work_item", args=[work.pk])).content.decode()
    history = page.split('id="history-title"', 1)[1]
    shown = re.findall(r"<strong>([^<]*)</strong>", history)
    assert len(shown) == CaseEvent.objects.filter(case=case).count()  # every event, once
    assert not set(shown) & codes, shown  # each by its label, none by its code
