"""Assemble the demo catalogue and write ``tongban/demo/data/catalogue.json``.

python -m tongban.demo.catalogue.build
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tongban.demo.catalogue import (
    bundles,
    items_building,
    items_building_en,
    items_business,
    items_business_en,
    items_civil,
    items_civil_en,
    items_family,
    items_family_en,
    items_more,
    items_more_en,
    items_people,
    items_people_en,
)
from tongban.demo.catalogue.dsl import DEPTS, english
from tongban.demo.catalogue.themes import THEMES

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "data" / "catalogue.json"


# Identity an applicant needs to apply online (catalog ``required_assurance``; default 2,
# a verified identity). In person (3) where the result carries high risk: a property changes
# hands, an identity document is issued, a whole savings account is paid out. Self-declared
# (1) where nothing of value can be obtained in someone else's name.
REQUIRED_ASSURANCE: dict[str, int] = {
    "property-transfer": 3,
    "id-card": 3,
    "hk-macao-permit": 3,
    "gjj-retirement": 3,
    "library-card": 1,
}
# Data classification (``classification``; default 1, public): items for officials only.
CLASSIFICATION: dict[str, int] = {
    "hukou-cross-check": 2,
}


def item_definitions() -> dict[str, dict[str, Any]]:
    """Every item keyed by its short key, in a stable order."""
    merged: dict[str, dict[str, Any]] = {}
    for module, english_module in (
        (items_business, items_business_en),
        (items_building, items_building_en),
        (items_more, items_more_en),
        (items_people, items_people_en),
        (items_family, items_family_en),
        (items_civil, items_civil_en),
    ):
        extra = set(english_module.EN) - set(module.ITEMS)
        if extra:
            raise ValueError(f"English for unknown items {sorted(extra)}")
        for key, row in module.ITEMS.items():
            if key in merged:
                raise ValueError(f"duplicate item key {key!r}")
            if key in english_module.EN:
                try:
                    row = english(row, english_module.EN[key])
                except KeyError as exc:
                    raise ValueError(f"item {key!r}: {exc}") from exc
            merged[key] = row
    for key, level in REQUIRED_ASSURANCE.items():
        merged[key]["required_assurance"] = level
    for key, level in CLASSIFICATION.items():
        merged[key]["classification"] = level
    return merged


def build_catalogue() -> dict[str, Any]:
    items = item_definitions()
    codes = {key: row["implementation_code"] for key, row in items.items()}
    phones = {code: d.phone for code, d in DEPTS.items()}
    return {
        "format": "tongban-catalogue",
        "version": 1,
        "themes": THEMES,
        "items": list(items.values()),
        "bundles": bundles.bundle_rows(codes, phones),
    }


def render() -> str:
    return json.dumps(build_catalogue(), ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    CATALOGUE_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {CATALOGUE_PATH}")


if __name__ == "__main__":
    main()
