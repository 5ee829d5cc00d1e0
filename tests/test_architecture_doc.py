"""docs/architecture.md describes every app: a newcomer's map that cannot go stale silently.

An app is a package under ``tongban/`` with an ``apps.py``; the document must name it as
``<name>/`` (its line in the directory structure). A second test proves the check fails.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "architecture.md"


def apps_under(root: Path) -> list[str]:
    """Names of the packages below ``root`` that hold an ``apps.py``, sorted."""
    return sorted(
        path.parent.name
        for path in root.rglob("apps.py")
        if (path.parent / "__init__.py").exists() and "tests" not in path.parts
    )


def missing_from(doc: str, apps: list[str]) -> list[str]:
    """The apps ``doc`` does not name as ``<name>/``."""
    return [name for name in apps if not re.search(rf"(?<![\w/.-]){re.escape(name)}/", doc)]


def test_every_app_is_described():
    apps = apps_under(REPO / "tongban")
    # The apps of the first release at least: the scan itself must find them.
    assert {"core", "org", "accounts", "cases", "licences", "ratings", "portal"} <= set(apps)
    assert missing_from(DOC.read_text(encoding="utf-8"), apps) == []


def test_an_app_missing_from_the_document_is_reported(tmp_path):
    for name in ("core", "petitions"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("", encoding="utf-8")
        (tmp_path / name / "apps.py").write_text("", encoding="utf-8")
    (tmp_path / "templates").mkdir()  # not a package: not an app
    apps = apps_under(tmp_path)
    assert apps == ["core", "petitions"]
    doc = "tongban/\n  core/   the kernel\n  see docs/petitions.md and tongban/core/petitions\n"
    assert missing_from(doc, apps) == ["petitions"]
    assert missing_from(doc + "  petitions/  信访\n", apps) == []
