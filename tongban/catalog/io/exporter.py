"""Export the whole catalogue in the shape of ``json_format`` (and as a JSON file).

``max_level`` limits an export to items classified at most that level (PUBLIC for an
export of public records only); bundles then list only the members that are in the file.
``highest_level(data)`` is the highest classification an exported document contains.
"""

from __future__ import annotations

import json
from typing import IO, Any

from tongban.catalog.io.json_format import (
    BUNDLE_PREFETCH,
    FORMAT_NAME,
    FORMAT_VERSION,
    ITEM_PREFETCH,
    bundle_to_dict,
    item_to_dict,
    theme_to_dict,
)
from tongban.catalog.models import Bundle, ServiceItem, Theme
from tongban.core.models import ClassificationLevel


def items_by_code(
    codes: list[str] | None = None, *, max_level: int | None = None
) -> dict[str, dict[str, Any]]:
    """Records of the items with these implementation codes (all items when ``None``),
    classified at most ``max_level`` when it is given."""
    qs = ServiceItem.objects.select_related("department").prefetch_related(*ITEM_PREFETCH)
    if codes is not None:
        qs = qs.filter(implementation_code__in=codes)
    if max_level is not None:
        qs = qs.filter(classification__lte=max_level)
    return {i.implementation_code: item_to_dict(i) for i in qs.order_by("implementation_code")}


def themes_by_code(codes: list[str] | None = None) -> dict[str, dict[str, Any]]:
    qs = Theme.objects.all() if codes is None else Theme.objects.filter(code__in=codes)
    return {t.code: theme_to_dict(t) for t in qs.order_by("code")}


def bundles_by_code(codes: list[str] | None = None) -> dict[str, dict[str, Any]]:
    qs = Bundle.objects.select_related("lead_department").prefetch_related(*BUNDLE_PREFETCH)
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return {b.code: bundle_to_dict(b) for b in qs.order_by("code")}


def export_catalogue_data(max_level: int | None = None) -> dict[str, Any]:
    """The whole catalogue: themes, items and bundles, each sorted by code.

    With ``max_level``, only items classified at most that level, and bundles list only
    those of their members (a bundle left without members is left out).
    """
    items = items_by_code(max_level=max_level)
    bundles = list(bundles_by_code().values())
    if max_level is not None:
        for bundle in bundles:
            bundle["members"] = [code for code in bundle["members"] if code in items]
        bundles = [b for b in bundles if b["members"]]
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "themes": list(themes_by_code().values()),
        "items": list(items.values()),
        "bundles": bundles,
    }


def highest_level(data: dict[str, Any]) -> int:
    """The highest classification of the items in an exported document (PUBLIC if none)."""
    levels = [int(item.get("classification") or 1) for item in data.get("items", [])]
    return max(levels, default=int(ClassificationLevel.PUBLIC))


def write_json(data: dict[str, Any], fileobj: IO[bytes]) -> None:
    fileobj.write(json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))


def export_json(fileobj: IO[bytes]) -> None:
    write_json(export_catalogue_data(), fileobj)
