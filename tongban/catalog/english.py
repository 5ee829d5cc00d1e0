"""Which texts of an item or bundle lack their English twin.

The quality rule "English missing" and the guide and bundle pages ("the original is shown")
ask the same question here. Web addresses need no translation and are skipped.
"""

from __future__ import annotations

from typing import Any

from tongban.core.localise import english_name, lacks_english

#: A problem path, as in ``catalog.io.json_format``: ("summary",), ("materials", 0, "name").
Path = tuple[str | int, ...]

ITEM_CHILDREN = ("materials", "fees", "steps", "faqs")


def _missing(obj: Any, prefix: Path = ()) -> list[Path]:
    out: list[Path] = []
    for field in getattr(type(obj), "TRANSLATED", ("name",)):
        if lacks_english(getattr(obj, field, ""), getattr(obj, english_name(field), "")):
            out.append((*prefix, field))
    return out


def missing_english(obj: Any) -> list[Path]:
    """Paths of the texts of ``obj`` (a ServiceItem, with its materials, fees, steps and
    FAQs; a Bundle; any model with ``TRANSLATED``) that have Chinese but no English.

    For an item, prefetch its children: this reads ``materials.all()`` and the others.
    """
    out = _missing(obj)
    if hasattr(obj, "materials") and hasattr(obj, "faqs"):
        for key in ITEM_CHILDREN:
            for index, child in enumerate(getattr(obj, key).all()):
                out.extend(_missing(child, (key, index)))
    return out
