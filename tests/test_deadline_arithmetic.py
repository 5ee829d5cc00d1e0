"""Every deadline is a clock: no deadline arithmetic outside ``tongban.workdays``.

A time limit counted by hand (``add_working_days``, ``working_days_between``, a date plus
``timedelta(days=…)``) drifts from the one ``workdays.calc.Clock``: it forgets pauses,
extensions, natural days, the 民法典 Art. 203 rule, or the provisional years. This test
scans ``tongban/**/*.py`` (not tests, not migrations, not ``tongban/workdays`` itself) and
refuses:

* calls of ``add_working_days``, ``working_days_between`` or ``elapsed_working_days``;
* ``x + timedelta(days=…)`` / ``x - timedelta(hours=…)`` (also ``+=``/``-=``, ``weeks=`` and a
  positional day count): date arithmetic in days or hours.

Build a ``Clock`` and read it instead (``Clock(start, n).due(now)``, ``reading.remaining``,
``Clock.until(start, due_on)``). Uses that are not deadlines are allowed below by file and
function, each with its reason; an entry that no longer matches anything fails as well,
so the list stays short.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tongban"

CALENDAR_CALLS = frozenset({"add_working_days", "working_days_between", "elapsed_working_days"})
LONG_UNITS = frozenset({"days", "hours", "weeks"})

#: (file, function) -> why the date arithmetic there is not a deadline.
ALLOWED: dict[tuple[str, str], str] = {
    # The BPMN engine is a self-contained runtime that imports nothing of the platform: the
    # platform injects the calendar's add_working_days (CasesConfig.ready); ``weekdays_only``
    # is its fallback for tests and benchmarks, ``due_at`` turns the timer's last day into
    # its firing moment (docs/adr/0004-process-engine.md).
    ("tongban/cases/engine/timers.py", "weekdays_only"): "engine fallback calendar",
    ("tongban/cases/engine/timers.py", "Runtime.due_at"): "BPMN timer, injected calendar",
    # Inactivity thresholds of dormant accounts (账号清理): a policy age, not a time limit.
    ("tongban/accounts/stale.py", "find_stale_accounts"): "account inactivity threshold",
    ("tongban/accounts/stale.py", "handle_stale_accounts"): "account inactivity threshold",
    # Retention of finished rows: how long to keep, not by when to act.
    ("tongban/core/outbox.py", "sweep"): "retention of finished outbox rows",
    ("tongban/core/scheduling.py", "prune_runs"): "retention of scheduler runs",
    # The scheduler's slots: intervals of periodic jobs.
    ("tongban/core/scheduling.py", "Job.slot_at"): "scheduler interval arithmetic",
    # A licence's validity (有效期) in months ends the day before the anniversary: a
    # calendar period of the document, not a handling time limit.
    ("tongban/licences/models.py", "LicenceType.valid_until_for"): "licence validity end",
    ("tongban/licences/models.py", "_days_in_month"): "month length",
    # Plausible-date bounds of a form field ("today-18y": no newborn born in the future or
    # 18 years ago): a range of valid answers, not a time limit.
    ("tongban/cases/elements.py", "resolve_day"): "plausible-date bounds of a form field",
    # The exchange: rate-limit windows (a minute, a day) and the retention of evidence are
    # intervals, not time limits to act; the working days a provider took to answer a data
    # correction are a quality figure measured after the fact.
    ("tongban/exchange/ratelimit.py", "window_of"): "rate-limit window",
    ("tongban/exchange/ratelimit.py", "purge_windows"): "retention of ended rate windows",
    ("tongban/exchange/retention.py", "cutoff"): "retention of exchange evidence (P14)",
    ("tongban/exchange/quality.py", "_answer_days"): "working days taken: a quality figure",
}


@dataclass(frozen=True)
class Finding:
    path: str
    function: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.function or '<module>'}: {self.what}"


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_long_timedelta(node: ast.expr) -> bool:
    """``timedelta(days=…)``, ``dt.timedelta(hours=…)``, ``timedelta(3)`` (days)."""
    if not isinstance(node, ast.Call) or _name(node.func) != "timedelta":
        return False
    return bool(node.args) or any(k.arg in LONG_UNITS for k in node.keywords)


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.scope: list[str] = []
        self.found: list[Finding] = []

    def _add(self, node: ast.expr | ast.stmt, what: str) -> None:
        self.found.append(Finding(self.path, ".".join(self.scope), node.lineno, what))

    def _scoped(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _scoped

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        if name in CALENDAR_CALLS:
            self._add(node, f"{name}()")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Add | ast.Sub) and (
            _is_long_timedelta(node.left) or _is_long_timedelta(node.right)
        ):
            self._add(node, "date arithmetic with timedelta(days/hours)")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.op, ast.Add | ast.Sub) and _is_long_timedelta(node.value):
            self._add(node, "date arithmetic with timedelta(days/hours)")
        self.generic_visit(node)


def scan_source(source: str, path: str = "<snippet>") -> list[Finding]:
    """The deadline arithmetic in one module's source."""
    scanner = _Scanner(path)
    scanner.visit(ast.parse(source))
    return scanner.found


def scan_package() -> list[Finding]:
    found: list[Finding] = []
    for file in sorted(PACKAGE.rglob("*.py")):
        relative = file.relative_to(ROOT)
        parts = relative.parts
        if "tests" in parts or "migrations" in parts or parts[:2] == ("tongban", "workdays"):
            continue
        found.extend(scan_source(file.read_text(encoding="utf-8"), relative.as_posix()))
    return found


# --- the scanner finds what it should ----------------------------------------------------

# What cases/clocks.py, cases/views.py and ratings/services.py did before every deadline
# became a Clock (commit 632e395), and what a new module might write.
HAND_COUNTED = """
import datetime as dt
from datetime import timedelta
from tongban.workdays import calc
from tongban.workdays.calc import add_working_days

def restart_clock(sub, now):
    due = calc.add_working_days(today, sub.promised_days)

def end_pauses(sub, now):
    paused = calc.working_days_between(start, end)

def inbox():
    soon = add_working_days(today, 2).date

def reply_due(now):
    return now + timedelta(hours=24)

class Petition:
    def due(self):
        day = self.received + dt.timedelta(days=60)
        day -= timedelta(1)
        return day
"""

NOT_DEADLINES = """
from datetime import timedelta
LEASE = timedelta(days=1)
def lease_end(now):
    return now + timedelta(minutes=10)
def clock(now, n):
    return Clock(now, n).due(now)
def plain(a, b):
    return a + b
"""


def test_the_scanner_finds_hand_counted_deadlines():
    found = [(f.function, f.line, f.what) for f in scan_source(HAND_COUNTED)]
    assert found == [
        ("restart_clock", 8, "add_working_days()"),
        ("end_pauses", 11, "working_days_between()"),
        ("inbox", 14, "add_working_days()"),
        ("reply_due", 17, "date arithmetic with timedelta(days/hours)"),
        ("Petition.due", 21, "date arithmetic with timedelta(days/hours)"),
        ("Petition.due", 22, "date arithmetic with timedelta(days/hours)"),
    ]


def test_the_scanner_leaves_other_uses_alone():
    assert scan_source(NOT_DEADLINES) == []


# --- the platform ------------------------------------------------------------------------


def test_no_deadline_arithmetic_outside_workdays():
    offending = [
        str(finding)
        for finding in scan_package()
        if (finding.path, finding.function) not in ALLOWED
    ]
    assert offending == [], (
        "Deadline arithmetic outside tongban.workdays: build a workdays.calc.Clock and read "
        "it (or, for a use that is no deadline, add it to ALLOWED with the reason):\n  "
        + "\n  ".join(offending)
    )


def test_every_allowed_use_still_exists():
    used = {(finding.path, finding.function) for finding in scan_package()}
    stale = sorted(
        f"{path} {function}" for path, function in ALLOWED if (path, function) not in used
    )
    assert stale == [], "Remove these entries from ALLOWED: " + ", ".join(stale)
