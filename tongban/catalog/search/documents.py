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

    A: name, English name, pinyin of the name. B: summary, department, result, themes.
    C: materials and acceptance conditions.
    """
    a = " ".join(
        part
        for part in (join_tokens([item.name, item.name_en]), " ".join(pinyin_tokens(item.name)))
        if part
    )
    department = item.department
    b = join_tokens(
        [
            item.summary,
            department.name,
            department.name_en,
            item.result_name,
            *(text for theme in item.themes.all() for text in (theme.name, theme.name_en)),
        ]
    )
    c = join_tokens(
        [*(material.name for material in item.materials.all()), item.acceptance_conditions]
    )
    return Document(item_id=item.pk, a=a, b=b, c=c)


def build_documents(items: Iterable[ServiceItem]) -> Iterator[Document]:
    for item in items:
        yield build_document(item)
