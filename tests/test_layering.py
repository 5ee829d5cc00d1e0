"""The layering contract of pyproject.toml holds, and the checker really can fail.

Faces (portal, api) sit over the domain (catalog, accounts), over organisations, over the
kernel; a lower layer never imports a higher one (DESIGN.md, "Layers").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own tool with fixed arguments
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_project_layering_contract_is_kept():
    result = _lint(REPO / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Layers: faces over domain over kernel KEPT" in result.stdout
    assert "0 broken" in result.stdout


def _contract(tmp_path: Path, upper: str, lower: str) -> Path:
    config = tmp_path / f"{upper}-over-{lower}.ini"
    config.write_text(
        "[importlinter]\n"
        "root_package = tongban\n\n"
        "[importlinter:contract:probe]\n"
        f"name = Probe: {upper} over {lower}\n"
        "type = layers\n"
        f"layers =\n    {upper}\n    {lower}\n",
        encoding="utf-8",
    )
    return config


def test_checker_reports_a_forbidden_direction(tmp_path):
    # tongban.org imports tongban.core (identifiers): declaring core *above* org makes
    # that import a violation, which the checker must report.
    result = _lint(_contract(tmp_path, "tongban.core", "tongban.org"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Probe: tongban.core over tongban.org BROKEN" in result.stdout
    assert "tongban.org" in result.stdout and "-> tongban.core" in result.stdout


def test_checker_accepts_the_same_pair_the_right_way_round(tmp_path):
    # The same throwaway mechanism passes when the direction is the real one, so the
    # failure above comes from the direction and not from a broken config.
    result = _lint(_contract(tmp_path, "tongban.org", "tongban.core"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Probe: tongban.org over tongban.core KEPT" in result.stdout
