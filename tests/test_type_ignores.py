"""The type-ignore budget script (tools/type_ignores.py) counts, flags and enforces."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "type_ignores", Path(__file__).resolve().parents[1] / "tools" / "type_ignores.py"
)
assert _SPEC is not None and _SPEC.loader is not None
type_ignores = importlib.util.module_from_spec(_SPEC)
sys.modules["type_ignores"] = type_ignores  # dataclasses look their module up there
_SPEC.loader.exec_module(type_ignores)


@pytest.fixture
def package(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.py").write_text(
        "x: int = f()  # type: ignore[assignment]\n"
        "y = g()  # type: ignore\n"
        'z = "# type: ignore in a string is no comment"\n',
        encoding="utf-8",
    )
    (tmp_path / "sub" / "b.py").write_text(
        "w = h()  # type: ignore[attr-defined, arg-type]  # why\nv = k()  # type: ignore[]\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("# type: ignore\n", encoding="utf-8")
    return tmp_path


def test_counts_comments_only_and_tells_coded_from_bare(package):
    found = type_ignores.scan(package)
    assert [(i.path.name, i.line, i.coded) for i in found] == [
        ("a.py", 1, True),
        ("a.py", 2, False),
        ("b.py", 1, True),
        ("b.py", 2, False),
    ]


def test_a_bare_ignore_fails_even_under_budget(package):
    out = io.StringIO()
    assert type_ignores.check(package, 10, out) is False
    text = out.getvalue()
    assert "a.py:2: '# type: ignore' without an error code" in text
    assert "b.py:2: '# type: ignore' without an error code" in text
    assert ": 4 (budget 10)" in text


def test_over_budget_fails_and_at_budget_passes(tmp_path):
    (tmp_path / "m.py").write_text(
        "a = f()  # type: ignore[misc]\nb = f()  # type: ignore[misc]\n", encoding="utf-8"
    )
    out = io.StringIO()
    assert type_ignores.check(tmp_path, 1, out) is False
    assert "Over budget by 1" in out.getvalue()
    assert type_ignores.check(tmp_path, 2, io.StringIO()) is True
    out = io.StringIO()
    assert type_ignores.check(tmp_path, 3, out) is True
    assert "lower .type-ignore-budget to 2" in out.getvalue()


def test_the_budget_file_skips_comments(tmp_path):
    budget = tmp_path / "budget"
    budget.write_text("# the most allowed\n\n78\n", encoding="utf-8")
    assert type_ignores.read_budget(budget) == 78
    budget.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ValueError):
        type_ignores.read_budget(budget)


def test_the_command_exits_non_zero_over_budget(tmp_path, capsys):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.py").write_text("a = f()  # type: ignore[misc]\n", encoding="utf-8")
    (tmp_path / "budget").write_text("0\n", encoding="utf-8")
    argv = ["--root", str(tmp_path / "src"), "--budget", str(tmp_path / "budget")]
    assert type_ignores.main(argv) == 1
    (tmp_path / "budget").write_text("1\n", encoding="utf-8")
    assert type_ignores.main(argv) == 0
