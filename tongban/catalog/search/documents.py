"""What of a service item or a bundle (一件事) is searchable, and with which weight.

Items and bundles share one index: an item's document id is its primary key, a bundle's
the negative of its primary key (``bundle_doc_id``), so one ranked query returns both.
English texts (``name_en``, and ``summary_en`` / ``result_name_en`` where the model has
them) are indexed beside the Chinese ones, so English queries rank on English words.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Prefetch, QuerySet

from tongban.catalog.models import Bundle, BundleMember, ItemStatus, ServiceItem
from tongban.catalog.search.backends import Document
from tongban.catalog.search.text import join_tokens, name_keys, pinyin_tokens

# The suffix of every bundle's name; people type the name without it (开办企业).
BUNDLE_SUFFIX = "一件事"


def _existing(model: type[models.Model], *names: str) -> list[str]:
    """The fields of ``names`` that ``model`` has (English twins arrive model by model)."""
    found = []
    for name in names:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        found.append(name)
    return found


def bundle_doc_id(bundle_id: int) -> int:
    """The index id of a bundle: negative, so that it never meets an item's id."""
    return -int(bundle_id)


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
            *_existing(ServiceItem, "summary_en", "result_name_en"),
        )
        .order_by("id")
    )


def published_bundles() -> QuerySet[Bundle]:
    """Published bundles with their lead department, themes and member items."""
    members = BundleMember.objects.select_related("item").only(
        "id", "bundle_id", "item__id", "item__name", "item__result_name", "item__status"
    )
    return (
        Bundle.objects.filter(status=ItemStatus.PUBLISHED)
        .select_related("lead_department")
        .prefetch_related("themes", Prefetch("memberships", queryset=members))
        .order_by("id")
    )


def _text(obj: object, name: str) -> str:
    return str(getattr(obj, name, "") or "")


def build_document(item: ServiceItem) -> Document:
    """The index row of one item (its materials and themes must be prefetched).

    A: name, English name, pinyin of the name. B: summary (Chinese and English),
    department, result, themes (with pinyin of result and themes). C: materials (with
    their pinyin), conditions. Keys: the exact keys of the names (``text.name_keys``).
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
            _text(item, "summary_en"),
            department.name,
            department.name_en,
            item.result_name,
            _text(item, "result_name_en"),
            *(text for theme in themes for text in (theme.name, theme.name_en)),
        ]
    )
    # Pinyin of the result and the themes (B) and of the materials (C) as well as of the
    # name, so that `yyzz` finds the items that issue or need a 营业执照.
    b_pinyin = _pinyin_of([item.result_name, *(theme.name for theme in themes)])
    c = join_tokens([*materials, item.acceptance_conditions])
    c_pinyin = _pinyin_of(materials)
    return Document(
        doc_id=item.pk,
        a=a,
        b=" ".join(part for part in (b, b_pinyin) if part),
        c=" ".join(part for part in (c, c_pinyin) if part),
        keys=tuple(name_keys(item.name, item.name_en)),
    )


def build_bundle_document(bundle: Bundle) -> Document:
    """The index row of one bundle (``published_bundles`` prefetches what it reads).

    A: name, English name, pinyin of the name. B: summary (Chinese and English), lead
    department, themes. C: the published member items' names and results, so that
    营业执照 also finds 开办企业一件事. Keys: the names, and the name without 一件事.
    """
    stem = bundle.name.removesuffix(BUNDLE_SUFFIX)
    a = " ".join(
        part
        for part in (
            join_tokens([bundle.name, bundle.name_en]),
            " ".join(pinyin_tokens(bundle.name)),
            " ".join(pinyin_tokens(stem)) if stem != bundle.name else "",
        )
        if part
    )
    themes = list(bundle.themes.all())
    department = bundle.lead_department
    b = join_tokens(
        [
            bundle.summary,
            _text(bundle, "summary_en"),
            department.name,
            department.name_en,
            *(text for theme in themes for text in (theme.name, theme.name_en)),
        ]
    )
    members = [m.item for m in bundle.memberships.all() if m.item.status == ItemStatus.PUBLISHED]
    c = join_tokens([text for item in members for text in (item.name, item.result_name)])
    # Pinyin of the members' results, as for an item's own: `yyzz` finds 开办企业一件事.
    c_pinyin = _pinyin_of([item.result_name for item in members])
    c = " ".join(part for part in (c, c_pinyin) if part)
    keys = name_keys(bundle.name, bundle.name_en, stem if stem else "")
    return Document(doc_id=bundle_doc_id(bundle.pk), a=a, b=b, c=c, keys=tuple(keys))


def _pinyin_of(texts: Iterable[str]) -> str:
    seen: dict[str, None] = {}
    for text in texts:
        for token in pinyin_tokens(text or ""):
            seen[token] = None
    return " ".join(seen)


def build_documents(items: Iterable[ServiceItem]) -> Iterator[Document]:
    for item in items:
        yield build_document(item)


def build_bundle_documents(bundles: Iterable[Bundle]) -> Iterator[Document]:
    for bundle in bundles:
        yield build_bundle_document(bundle)
