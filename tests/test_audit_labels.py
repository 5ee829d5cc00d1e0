"""Every audit action the code base records has a readable name (issue 10).

The codes are collected from the source: the ``action`` of every ``record_audit(...)`` call
and every ``audit_action=`` argument, resolved through module constants, local assignments,
conditional expressions, dict literals and the callers of a helper that passes its
parameter on. A code built at run time (an f-string) must start with a prefix that a family
is registered for (``auditlabels.register_family``), except the two the kernel names itself
(admin changes and status moves). The status moves' codes come from the transition tables.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tongban.core import auditlabels
from tongban.core.audit import record_audit

ROOT = Path(__file__).resolve().parents[1] / "tongban"
#: f-strings the kernel labels generically (``auditlabels._generic``).
KERNEL_PATTERNS = {"core/admin.py", "core/transitions.py"}


def _sources() -> list[Path]:
    skip = {"tests", "migrations", "management"}
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if not skip & set(path.relative_to(ROOT).parts) and path.name != "testing.py"
    ]


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)


def _module_strings(tree: ast.Module) -> dict[str, ast.expr]:
    found: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value
    return found


class Collector:
    def __init__(self) -> None:
        self.trees = {_module(p): (p, ast.parse(p.read_text(encoding="utf-8"))) for p in _sources()}
        self.globals = {name: _module_strings(tree) for name, (_p, tree) in self.trees.items()}
        self.codes: set[str] = set()
        self.patterns: dict[str, str] = {}
        self.unresolved: list[str] = []

    def run(self) -> Collector:
        for name, (path, tree) in self.trees.items():
            parents = {
                child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)
            }
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    for expr in self._action_args(node):
                        where = f"{path.relative_to(ROOT)}:{node.lineno}"
                        self._resolve(expr, name, tree, parents, node, where, depth=0)
        return self

    @staticmethod
    def _action_args(call: ast.Call) -> list[ast.expr]:
        func = call.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        found = [k.value for k in call.keywords if k.arg == "audit_action"]
        if name == "record_audit":
            found += call.args[1:2] + [k.value for k in call.keywords if k.arg == "action"]
        return found

    def _imported(self, tree: ast.Module, name: str) -> tuple[str, str] | None:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        return node.module, alias.name
        return None

    def _resolve(self, expr, module, tree, parents, at, where, depth) -> None:
        if depth > 6:
            self.unresolved.append(f"{where}: {ast.unparse(expr)}")
        elif isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            if expr.value:
                self.codes.add(expr.value)
        elif isinstance(expr, ast.JoinedStr):
            prefix = ""
            for part in expr.values:
                if not isinstance(part, ast.Constant):
                    break
                prefix += str(part.value)
            self.patterns[prefix] = where
        elif isinstance(expr, ast.IfExp):
            for branch in (expr.body, expr.orelse):
                self._resolve(branch, module, tree, parents, at, where, depth + 1)
        elif isinstance(expr, ast.BoolOp | ast.Dict):
            for value in expr.values:
                self._resolve(value, module, tree, parents, at, where, depth + 1)
        elif isinstance(expr, ast.Subscript):
            self._resolve(expr.value, module, tree, parents, at, where, depth + 1)
        elif isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            source = self._imported(tree, expr.value.id)
            full = f"{source[0]}.{source[1]}" if source else ""
            if full in self.trees and expr.attr in self.globals[full]:
                _path, other = self.trees[full]
                value = self.globals[full][expr.attr]
                self._resolve(value, full, other, parents, at, where, depth + 1)
            else:
                self.unresolved.append(f"{where}: {ast.unparse(expr)}")
        elif isinstance(expr, ast.Name):
            self._resolve_name(expr.id, module, tree, parents, at, where, depth)
        else:
            self.unresolved.append(f"{where}: {ast.unparse(expr)}")

    def _resolve_name(self, name, module, tree, parents, at, where, depth) -> None:
        function = at
        while function is not None and not isinstance(function, ast.FunctionDef):
            function = parents.get(function)
        if function is not None:
            local = [
                node.value
                for node in ast.walk(function)
                if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            ]
            params = [a.arg for a in function.args.args + function.args.kwonlyargs]
            if local:
                for value in local:
                    self._resolve(value, module, tree, parents, at, where, depth + 1)
                return
            if name in params:  # a helper passing its parameter on: resolve its callers
                index = function.args.args.index(next(a for a in function.args.args
                                                      if a.arg == name)) if name in [
                    a.arg for a in function.args.args] else None  # fmt: skip
                for call in ast.walk(tree):
                    if not (isinstance(call, ast.Call) and getattr(call.func, "id", "")
                            == function.name):  # fmt: skip
                        continue
                    args = [k.value for k in call.keywords if k.arg == name]
                    if index is not None and index < len(call.args):
                        args.append(call.args[index])
                    for arg in args:
                        self._resolve(arg, module, tree, parents, call, where, depth + 1)
                return
        if name in self.globals[module]:
            value = self.globals[module][name]
            self._resolve(value, module, tree, parents, at, where, depth + 1)
            return
        source = self._imported(tree, name)
        if source and source[0] in self.trees and source[1] in self.globals[source[0]]:
            _path, other = self.trees[source[0]]
            value = self.globals[source[0]][source[1]]
            self._resolve(value, source[0], other, {}, None, where, depth + 1)
            return
        self.unresolved.append(f"{where}: {name}")


@pytest.fixture(scope="module")
def collected() -> Collector:
    return Collector().run()


def test_the_collector_understands_every_call(collected):
    assert collected.unresolved == []
    assert len(collected.codes) > 50  # it does find them
    assert "accounts.password.reset" in collected.codes
    assert "licences.licence.revoked" in collected.codes  # through a dict literal
    assert "workdays.year_reopened" in collected.codes  # through a conditional


def test_every_recorded_action_has_a_label(collected):
    missing = sorted(code for code in collected.codes if auditlabels.lookup(code) is None)
    assert missing == [], f"audit actions without a label: {missing}"


def test_every_action_built_at_run_time_has_a_family(collected):
    families = auditlabels.families()
    missing = {
        prefix: where
        for prefix, where in collected.patterns.items()
        if where.split(":")[0] not in KERNEL_PATTERNS
        and not any(prefix.startswith(family) for family in families)
    }
    assert missing == {}, f"f-string audit actions without a registered family: {missing}"


def test_every_status_move_has_a_label():
    assert auditlabels.lookup("cases.subcase.accept") is not None
    assert auditlabels.unlabelled_moves() == []


def test_admin_changes_are_named_after_the_model():
    with translation.override("en"):
        assert auditlabels.label("accounts.user.admin_change") == (
            "user changed in the administration"
        )
    assert auditlabels.label("no.such.thing") == "no.such.thing"  # shown as it is


@pytest.mark.django_db
def test_the_audit_admin_shows_labels_in_the_list_and_the_filter(admin_user):
    record_audit(None, "accounts.password.reset", object_type="accounts.user", object_id="1")
    client = Client()
    client.force_login(admin_user)
    with translation.override("en"):
        label = auditlabels.label("accounts.password.reset")
    url = reverse("admin:core_auditrecord_changelist")
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert label in html and "accounts.password.reset" in html  # the list and the filter
    filtered = client.get(url + "?action=accounts.password.reset", HTTP_ACCEPT_LANGUAGE="en")
    assert filtered.status_code == 200 and "1 audit record" in filtered.content.decode()
