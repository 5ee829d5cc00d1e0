"""Convention: nothing writes a status field except a ``transitions.py`` module.

Every stateful model keeps a literal table of its allowed moves in its app's
``transitions.py``, and ``tongban.core.transitions.move`` is the one function that writes a
status (checked against the table, compare-and-set, history row and audit record). This test
reads every module of ``tongban`` (not migrations, not tests) and fails on a direct write:

- ``<x>.status = …`` (also in a tuple assignment, ``+=``, annotated);
- ``….update(status=…)`` / ``….update(**{"status": …})``;
- ``setattr(x, "status", …)``;
- ``….save(update_fields=[…, "status", …])`` and ``….bulk_update(rows, [… "status" …])``.

Creating a row in its initial state (``objects.create(status=…)``, ``Model(status=…)``) is
not a move and is allowed. A few models have a ``status`` that is bookkeeping of a worker,
not a guarded workflow state; their files are listed in ``NOT_WORKFLOW`` with the reason.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tongban"

#: Files whose status writes are not workflow moves, with the model and the reason. An
#: entry that no longer allows anything fails ``test_every_allowance_is_still_needed``.
NOT_WORKFLOW: dict[str, str] = {
    # OutboxEntry.status: a worker claims a due entry with a conditional UPDATE, marks it
    # done or schedules a retry; a queue's bookkeeping, never shown as a case state.
    "tongban/core/outbox.py": "OutboxEntry: claimed and finished by outbox workers",
    # ScheduledRun.status: the scheduler's record of one run of a periodic job (queued,
    # running, done, failed), claimed with a conditional UPDATE so a job runs once.
    "tongban/core/scheduling.py": "ScheduledRun: the scheduler's run bookkeeping",
    # CryptoKey.status: key rotation retires the current key when a new one is made; a key
    # lifecycle managed by the rotation command, audited there.
    "tongban/core/crypto/keys.py": "CryptoKey: retired by key rotation",
    # Delivery.status: one e-mail or SMS hand-over (pending, sending, sent, failed), moved
    # by the sending task and its retry sweep.
    "tongban/notify/tasks.py": "Delivery: the sending task's progress per channel",
    # The exchange gateway's refusals and the client's ExchangeRefused carry the HTTP status
    # of a gateway answer (401, 403, 429…) as an attribute: no model, no state.
    "tongban/exchange/gateway.py": "Refusal.status: the HTTP status of a gateway answer",
    "tongban/exchange/client.py": "ExchangeRefused.status: the HTTP status of an answer",
}


@dataclass(frozen=True)
class Write:
    path: str
    line: int
    kind: str
    code: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.code}"


def _names_status(node: ast.AST) -> bool:
    """A literal list, tuple or set of field names that includes "status"."""
    return isinstance(node, ast.List | ast.Tuple | ast.Set) and any(
        isinstance(e, ast.Constant) and e.value == "status" for e in node.elts
    )


def _flat(target: ast.AST) -> list[ast.AST]:
    if isinstance(target, ast.Tuple | ast.List):
        return [leaf for element in target.elts for leaf in _flat(element)]
    if isinstance(target, ast.Starred):
        return _flat(target.value)
    return [target]


def _write_kind(node: ast.AST) -> str | None:
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            for leaf in _flat(target):
                if isinstance(leaf, ast.Attribute) and leaf.attr == "status":
                    return "assignment"
        return None
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    if name == "update":
        if "status" in keywords:
            return "update()"
        for k in node.keywords:
            unpacked = k.value if k.arg is None and isinstance(k.value, ast.Dict) else None
            if unpacked and any(
                isinstance(key, ast.Constant) and key.value == "status" for key in unpacked.keys
            ):
                return "update()"
    if name == "setattr" and len(node.args) >= 2:
        field = node.args[1]
        if isinstance(field, ast.Constant) and field.value == "status":
            return "setattr()"
    if name == "save" and _names_status(keywords.get("update_fields", ast.Constant(None))):
        return "save(update_fields)"
    if name == "bulk_update":
        fields = node.args[1] if len(node.args) > 1 else keywords.get("fields")
        if fields is not None and _names_status(fields):
            return "bulk_update()"
    return None


def status_writes(source: str, path: str = "<source>") -> list[Write]:
    """Every direct write of a ``status`` field in ``source``."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        kind = _write_kind(node)
        if kind is not None and isinstance(node, ast.stmt | ast.expr):
            code = (ast.get_source_segment(source, node) or "").splitlines()[0].strip()
            found.append(Write(path, node.lineno, kind, code[:120]))
    return sorted(found, key=lambda w: (w.path, w.line))


def _scanned() -> list[Path]:
    """The modules the rule applies to: not transitions modules, migrations or tests."""
    files = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if path.name == "transitions.py" or "migrations" in parts or "tests" in parts:
            continue
        if path.name.startswith("test_") or path.name == "conftest.py":
            continue
        files.append(path)
    return files


def _all_writes() -> list[Write]:
    writes = []
    for path in _scanned():
        rel = path.relative_to(ROOT).as_posix()
        writes.extend(status_writes(path.read_text(encoding="utf-8"), rel))
    return writes


def test_no_status_is_written_outside_a_transitions_module():
    stray = [str(w) for w in _all_writes() if w.path not in NOT_WORKFLOW]
    assert not stray, (
        "These lines write a status field directly. Add the move to the model's literal "
        "table in its app's transitions.py and call tongban.core.transitions.move "
        "(or, for a worker's bookkeeping that is no workflow state, add the file to "
        "NOT_WORKFLOW with the reason):\n" + "\n".join(stray)
    )


def test_the_approval_module_writes_no_status_directly():
    # Checked on its own so that the cases app stays clean while other apps convert.
    assert [str(w) for w in _all_writes() if w.path.startswith("tongban/cases/")] == []


def test_every_allowance_is_still_needed():
    writing = {w.path for w in _all_writes()}
    assert sorted(set(NOT_WORKFLOW) - writing) == []


def test_the_scanner_finds_each_kind_of_write_and_only_writes():
    source = """
case.status = "done"
a, work.status = 1, "x"
ticket.status += ""
item.status: str = "draft"
Case.objects.filter(pk=1).update(status="done", at=now)
rows.update(**{"status": "done"})
setattr(sub, "status", "approved")
sub.save(update_fields=["reason", "status"])
Case.objects.bulk_update(cases, ["status"])
Case.objects.bulk_update(cases, fields=("status", "at"))
# not writes:
Case.objects.create(status="submitted")
Case(status="submitted")
Case.objects.filter(status="done").update(note="")
x = case.status
sub.save(update_fields=["reason"])
setattr(sub, "reason", "")
if case.status == "done": pass
"""
    found = [(w.line, w.kind) for w in status_writes(source)]
    assert found == [
        (2, "assignment"),
        (3, "assignment"),
        (4, "assignment"),
        (5, "assignment"),
        (6, "update()"),
        (7, "update()"),
        (8, "setattr()"),
        (9, "save(update_fields)"),
        (10, "bulk_update()"),
        (11, "bulk_update()"),
    ]


def test_transitions_modules_migrations_and_tests_are_not_scanned():
    scanned = {p.relative_to(ROOT).as_posix() for p in _scanned()}
    assert "tongban/cases/actions.py" in scanned and "tongban/core/outbox.py" in scanned
    assert "tongban/core/transitions.py" not in scanned
    assert "tongban/cases/transitions.py" not in scanned
    assert not any("/migrations/" in p or "/tests/" in p for p in scanned)
