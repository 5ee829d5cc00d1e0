"""Catalogue texts in the reader's language, marked when the Chinese original is shown.

``{{ item|loc:"summary" }}`` shows the English twin in English mode; a text the city has
not translated is shown in Chinese inside ``<span lang="zh-Hans">`` so that screen readers
and browsers read it as Chinese. ``{% original_shown item materials as shown %}`` tells the
page to say once, near the top, that some texts are shown in the original.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from tongban.catalog.english import missing_english
from tongban.core.localise import ORIGINAL_LANGUAGE, english_mode, localised, shows_original

register = template.Library()


@register.filter
def loc(obj: Any, field: str) -> SafeString:
    """``obj.<field>`` in the active language, escaped; the original marked as Chinese when
    English mode has no English text for it. An empty string when ``obj`` is None."""
    if obj is None:
        return SafeString("")
    if shows_original(obj, field):
        return format_html('<span lang="{}">{}</span>', ORIGINAL_LANGUAGE, getattr(obj, field))
    return escape(localised(obj, field))


@register.filter
def loc_text(obj: Any, field: str) -> str:
    """``obj.<field>`` in the active language as plain text (for attributes and titles)."""
    return "" if obj is None else localised(obj, field)


def _records(value: Any) -> Iterable[Any]:
    if value is None:
        return []
    return value if isinstance(value, Iterable) else [value]


@register.simple_tag
def original_shown(*records: Any, names: Any = (), departments: Any = ()) -> bool:
    """True in English mode when the page shows a Chinese original: a text of ``records``
    (records, or lists of records) without its English twin, or a record of ``names`` or
    ``departments`` (of which the page shows only the name) without an English name."""
    if not english_mode():
        return False
    for value in records:
        if any(missing_english(record) for record in _records(value)):
            return True
    named = [*_records(names), *_records(departments)]
    return any(shows_original(record, "name") for record in named)


@register.filter
def items_of(memberships: Iterable[Any]) -> list[Any]:
    """The items of bundle memberships (``bundle.memberships.all``), in order."""
    return [m.item for m in memberships]


@register.filter
def plus(records: Iterable[Any], record: Any) -> list[Any]:
    """``records`` with ``record`` added at the end."""
    return [*records, record]
