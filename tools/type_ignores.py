"""The type-ignore budget: count ``# type: ignore`` comments in tongban/ and hold the line.

Fails (exit status 1) when a ``# type: ignore`` carries no error code (write
``# type: ignore[code]``, so mypy still reports any other error on that line), or when
there are more of them than the budget recorded in ``.type-ignore-budget``. The budget
only goes down: when the count falls below it, lower the number in the file.

Usage: ``python tools/type_ignores.py [--root DIR] [--budget FILE]`` (run by ``make lint``).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent

# A type-ignore comment as mypy reads it: "type: ignore" at the start of a comment (after
# "#"), optionally followed by error codes in brackets.
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?")


@dataclass(frozen=True)
class Ignore:
    path: Path
    line: int
    coded: bool


def ignores_in(source: str, path: Path) -> list[Ignore]:
    """The type-ignore comments of one file's ``source``; only real comments count, not
    text that mentions them inside a string."""
    found: list[Ignore] = []
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        for match in IGNORE.finditer(token.string):
            codes = match.group("codes")
            coded = bool(codes and codes.strip("[] "))
            found.append(Ignore(path, token.start[0], coded))
    return found


def scan(directory: Path) -> list[Ignore]:
    """Every type-ignore comment in the ``*.py`` files under ``directory``, in path order."""
    found: list[Ignore] = []
    for path in sorted(directory.rglob("*.py")):
        found.extend(ignores_in(path.read_text(encoding="utf-8"), path))
    return found


def read_budget(path: Path) -> int:
    """The budget: the first line of ``path`` that is neither empty nor a ``#`` comment.
    Raises ``ValueError`` when there is none or it is not a whole number."""
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text and not text.startswith("#"):
            return int(text)
    raise ValueError(f"{path}: no budget in the file")


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def check(directory: Path, budget: int, out: TextIO | None = None) -> bool:
    """Print the count and every problem to ``out`` (stdout by default); whether the
    comments under ``directory`` keep the rules: all coded, no more than ``budget``."""
    stream = out or sys.stdout
    found = scan(directory)
    uncoded = [ignore for ignore in found if not ignore.coded]
    for ignore in uncoded:
        print(
            f"{_shown(ignore.path)}:{ignore.line}: '# type: ignore' without an error code "
            "(write '# type: ignore[code]')",
            file=stream,
        )
    print(
        f"type: ignore comments in {_shown(directory)}: {len(found)} (budget {budget})", file=stream
    )
    if len(found) > budget:
        print(
            f"Over budget by {len(found) - budget}: fix the types instead of ignoring them.",
            file=stream,
        )
    elif len(found) < budget:
        print(f"Under budget: lower .type-ignore-budget to {len(found)}.", file=stream)
    return not uncoded and len(found) <= budget


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT / "tongban")
    parser.add_argument("--budget", type=Path, default=ROOT / ".type-ignore-budget")
    args = parser.parse_args(argv)
    return 0 if check(args.root, read_budget(args.budget)) else 1


if __name__ == "__main__":
    sys.exit(main())
