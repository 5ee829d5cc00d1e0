"""Pre-1.0 dependencies are pinned to the minor release that is installed and tested.

Before 1.0 a minor release may break its API (django-tasks, django-tasks-db, pypinyin), and
an unmaintained one (jieba, last release 2020) must not move under us. So each runtime
requirement whose installed version is 0.x pins ``==0.N.*`` (or ``>=0.N…,<0.N+1``), with N
the installed minor, and pyproject.toml says why next to it.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")


def split(requirement: str) -> tuple[str, str]:
    """(distribution name, version specifier) of a PEP 508 requirement without markers."""
    match = _NAME.match(requirement.split(";")[0])
    assert match, requirement
    return match.group(1), match.group(3).replace(" ", "")


def unpinned_pre_1_0(requirements: list[str], installed: dict[str, str]) -> list[str]:
    """Requirements on a 0.x distribution not held to its installed minor release."""
    found = []
    for requirement in requirements:
        name, spec = split(requirement)
        version = installed.get(name.lower())
        if version is None or not version.startswith("0."):
            continue
        minor = int(version.split(".")[1])
        held = f"==0.{minor}.*" in spec.split(",") or (
            f"<0.{minor + 1}" in spec.split(",") and f">=0.{minor}" in spec
        )
        if not held:
            found.append(f"{requirement} (installed {version})")
    return found


def _installed(names: list[str]) -> dict[str, str]:
    versions = {}
    for requirement in names:
        name = split(requirement)[0]
        try:
            versions[name.lower()] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def test_pre_1_0_runtime_dependencies_are_pinned():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"]
    installed = _installed(requirements)
    # The scan must see the known pre-1.0 ones at all.
    assert {"jieba", "django-tasks-db", "django-tasks"} <= set(installed)
    assert unpinned_pre_1_0(requirements, installed) == []


def test_a_loose_pre_1_0_requirement_is_reported():
    installed = {"jieba": "0.42.1", "pypinyin": "0.55.0", "django": "5.2.9"}
    requirements = [
        "jieba>=0.42.1",
        "pypinyin>=0.55,<0.56",
        "Django>=5.2,<5.3",
        "django-tasks-db[compat]==0.13.*",
    ]
    assert unpinned_pre_1_0(requirements, installed) == ["jieba>=0.42.1 (installed 0.42.1)"]
    assert unpinned_pre_1_0(["jieba==0.41.*"], installed) == ["jieba==0.41.* (installed 0.42.1)"]
    assert unpinned_pre_1_0(["jieba==0.42.*"], installed) == []
