"""What of a service item is searchable, and with which weight."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from tongban.catalog.models import ItemStatus, ServiceItem
from tongban.catalog.search.backends import Document
from tongban.catalog.search.text import join_tokens, pinyin_tokens


def published_items() -> QuerySet[ServiceItem]:
    """Published items with everything the index reads, in three queries per batch."""
    return (
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
        .select_related("department")
        .prefetch_related("materials", "themes")
        .only(
            "id",
            "name",
            "name_en",
            "summary",
            "result_name",
            "acceptance_conditions",
            "department__name",
            "department__name_en",
        )
        .order_by("id")
    )


def build_document(item: ServiceItem) -> Document:
    """The index row of one item (its materials and themes must be prefetched).

    A: name, English name, pinyin of the name. B: summary, department, result, themes
    (with pinyin of result and themes). C: materials (with their pinyin), conditions.
    """
    a = " ".join(
        part
        for part in (join_tokens([item.name, item.name_en]), " ".join(pinyin_tokens(item.name)))
        if part
    )
    department = item.department
    themes = list(item.themes.all())
    materials = [material.name for material in item.materials.all()]
    b = join_tokens(
        [
            item.summary,
            department.name,
            department.name_en,
            item.result_name,
            *(text for theme in themes for text in (theme.name, theme.name_en)),
        ]
    )
    # Pinyin of the result and the themes (B) and of the materials (C) as well as of the
    # name, so that `yyzz` finds the items that issue or need a 营业执照.
    b_pinyin = _pinyin_of([item.result_name, *(theme.name for theme in themes)])
    c = join_tokens([*materials, item.acceptance_conditions])
    c_pinyin = _pinyin_of(materials)
    return Document(
        item_id=item.pk,
        a=a,
        b=" ".join(part for part in (b, b_pinyin) if part),
        c=" ".join(part for part in (c, c_pinyin) if part),
    )


def _pinyin_of(texts: Iterable[str]) -> str:
    seen: dict[str, None] = {}
    for text in texts:
        for token in pinyin_tokens(text or ""):
            seen[token] = None
    return " ".join(seen)


def build_documents(items: Iterable[ServiceItem]) -> Iterator[Document]:
    for item in items:
        yield build_document(item)
