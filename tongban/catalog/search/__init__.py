"""Chinese full-text search over the service catalogue (事项检索): items and bundles (一件事).

One API over two stores: an FTS5 table on SQLite and a tsvector table with a GIN index on
PostgreSQL (``backends.py``), fed with jieba search-mode tokens and pinyin (``text.py``).
See ``docs/adr/0002-chinese-search.md`` and ``docs/adr/0011-search-people-type.md``.

- ``reindex_items(ids)`` / ``reindex_bundles(ids)``: rebuild the rows of these entries;
  rows of entries that are gone or not published are dropped. The catalogue's change
  hooks call them after commit (``changes.py``, ``signals.py``).
- ``reindex_all()``: rebuild everything (the ``reindex_search`` command).
- ``search_items(query, limit=, offset=, item_ids=, user=)``: one ranked page of published
  items that ``user`` may see; ``search_ids(query, user=)``: every ranked item id.
- ``search_catalogue(query, limit=, offset=, user=)``: items and bundles ranked together
  (the portal's search page and the API).

``user`` is the reader (``None``: an anonymous visitor). Internal items are indexed but
returned only to readers whose clearance reaches them (``core.classification``); without a
``user`` the search returns public items only.

What is searched for: the query's words, traditional characters made simplified, each word
widened by the administrators' synonyms (驾照 → 驾驶证; also typed as pinyin or initials).
Words are ANDed; when that finds nothing, they are ORed so the user still gets the closest
entries (``partial``). Ranking: an entry whose name *is* the query (Chinese, English,
pinyin or initials) first; then entries whose names match; within each, relevance
(bm25 / ts_rank_cd) plus popularity, so that 营业执照 puts 企业设立登记 before 企业变更登记.
Any text is a valid query: syntax characters are ordinary text, and an empty or
punctuation-only query finds nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeVar

from django.db import transaction

from tongban.catalog.search.backends import Hit, Kind, backend
from tongban.catalog.search.documents import (
    build_bundle_documents,
    build_documents,
    bundle_doc_id,
    published_bundles,
    published_items,
)
from tongban.catalog.search.synonyms import current_synonyms
from tongban.catalog.search.text import Query, parse_query
from tongban.core.classification import clearance_of

__all__ = [
    "CatalogueResult",
    "Entry",
    "EntryKind",
    "SearchResult",
    "parse",
    "reindex_all",
    "reindex_bundles",
    "reindex_items",
    "search_bundle_ids",
    "search_catalogue",
    "search_ids",
    "search_items",
]

BATCH_SIZE = 500
# Popularity's share of the order: relevance (relative to the best match) plus this much
# times popularity (relative to the most popular match). Enough to order items about
# equally relevant on SQLite's bm25 and PostgreSQL's ts_rank_cd alike (营业执照:
# 企业设立登记 before 企业变更登记, which mentions the licence more often).
POPULARITY_WEIGHT = 0.5
# A bundle answers a whole life event (生孩子 → 新生儿出生一件事): among about equally
# relevant results it comes first.
BUNDLE_LIFT = 1.2
T = TypeVar("T")


def _batched(values: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass(frozen=True)
class SearchResult:
    """One page of a search for items.

    ``ids``: published item ids of the page, best first. ``total``: matches on all pages.
    ``tokens``: the words of the query. ``highlights``: the words to mark in results (the
    query's and its synonyms'). ``partial``: no item had every word, so these items match
    some of them.
    """

    ids: list[int] = field(default_factory=list)
    total: int = 0
    tokens: list[str] = field(default_factory=list)
    partial: bool = False
    highlights: list[str] = field(default_factory=list)


class EntryKind:
    ITEM = "item"
    BUNDLE = "bundle"


@dataclass(frozen=True)
class Entry:
    """One result of ``search_catalogue``: an item or a bundle, by primary key."""

    kind: str
    pk: int


@dataclass(frozen=True)
class CatalogueResult:
    """One page of items and bundles ranked together (see ``SearchResult``)."""

    entries: list[Entry] = field(default_factory=list)
    total: int = 0
    tokens: list[str] = field(default_factory=list)
    partial: bool = False
    highlights: list[str] = field(default_factory=list)


def _entry(doc_id: int) -> Entry:
    return Entry(EntryKind.ITEM, doc_id) if doc_id > 0 else Entry(EntryKind.BUNDLE, -doc_id)


def reindex_items(ids: Iterable[int]) -> None:
    """Rebuild the index rows of these items.

    Published items get a fresh row; the rows of items that no longer exist or are not
    published are removed. Unknown ids are ignored. Raises nothing for ordinary input.
    """
    wanted = sorted({int(i) for i in ids})
    store = backend()
    for batch in _batched(wanted, BATCH_SIZE):
        with transaction.atomic():
            documents = list(build_documents(published_items().filter(id__in=batch)))
            store.replace(batch, documents)


def reindex_bundles(ids: Iterable[int]) -> None:
    """Rebuild the index rows of these bundles (like ``reindex_items``)."""
    wanted = sorted({int(i) for i in ids})
    store = backend()
    for batch in _batched(wanted, BATCH_SIZE):
        with transaction.atomic():
            documents = list(build_bundle_documents(published_bundles().filter(id__in=batch)))
            store.replace([bundle_doc_id(i) for i in batch], documents)


def reindex_all() -> int:
    """Rebuild the whole index from the published items and bundles; returns how many
    items were indexed."""
    store = backend()
    count = 0
    with transaction.atomic():
        store.clear()
        for batch in _batched(published_items().iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
            documents = list(build_documents(batch))
            store.insert(documents)
            count += len(documents)
        store.insert(list(build_bundle_documents(published_bundles())))
        store.optimise()
    return count


def parse(query: str | Query) -> Query:
    """The query as searched: words, synonyms (from the admin's list) and exact keys.

    A parsed ``Query`` is returned as it is, so that one request parses once.
    """
    if isinstance(query, Query):
        return query
    if not (query or "").strip():
        return Query(tokens=(), terms=())
    return parse_query(query, current_synonyms())


def _ordered(hits: list[Hit]) -> list[Hit]:
    """Exact-name matches first, then entries whose names match the query; within each,
    relevance relative to the best match (bundles lifted), plus popularity relative to
    the most popular match."""
    best = max((hit.score for hit in hits), default=0.0)
    top = max((hit.popularity for hit in hits), default=0)

    def value(hit: Hit) -> float:
        relevance = hit.score / best if best > 0 else 0.0
        if hit.doc_id < 0:
            relevance *= BUNDLE_LIFT
        popularity = max(hit.popularity, 0) / top if top > 0 else 0.0
        return relevance + POPULARITY_WEIGHT * popularity

    return sorted(hits, key=lambda hit: (not hit.exact, not hit.named, -value(hit), hit.doc_id))


def _ranked(
    query: Query, item_ids: Collection[int] | None, max_level: int, kind: Kind
) -> tuple[list[int], bool]:
    """Every matching document id up to ``max_level``, best first, and whether the OR
    fallback was used. ``item_ids`` keeps only these items (bundles are dropped)."""
    store = backend()

    def found(any_term: bool) -> list[int]:
        hits = store.match(query, any_term=any_term, max_level=max_level, kind=kind)
        if item_ids is not None:
            hits = [hit for hit in hits if hit.doc_id in item_ids]
        return [hit.doc_id for hit in _ordered(hits)]

    ids = found(any_term=False)
    if ids or len(query.groups) <= 1:
        return ids, False
    ids = found(any_term=True)
    return ids, bool(ids)


def search_items(
    query: str | Query,
    *,
    limit: int = 20,
    offset: int = 0,
    item_ids: Collection[int] | None = None,
    user: Any = None,
) -> SearchResult:
    """One ranked page of the published items ``user`` may see matching ``query``.

    ``item_ids`` restricts the search to these items (the portal's other filters).
    Never raises for any query text; an empty or punctuation-only query finds nothing.
    """
    parsed = parse(query)
    if not parsed:
        return SearchResult()
    wanted = set(item_ids) if item_ids is not None else None
    ids, partial = _ranked(parsed, wanted, clearance_of(user), Kind.ITEMS)
    start = max(offset, 0)
    page = ids[start : start + max(limit, 0)]
    return SearchResult(
        ids=page,
        total=len(ids),
        tokens=list(parsed.tokens),
        partial=partial,
        highlights=list(parsed.highlights),
    )


def search_ids(query: str | Query, user: Any = None) -> list[int]:
    """Every id of a published item ``user`` may see matching ``query``, best first (for
    combining with filters)."""
    parsed = parse(query)
    if not parsed:
        return []
    return _ranked(parsed, None, clearance_of(user), Kind.ITEMS)[0]


def search_bundle_ids(query: str | Query, limit: int = 10) -> list[int]:
    """Ids of the published bundles matching ``query``, best first, at most ``limit``."""
    parsed = parse(query)
    if not parsed:
        return []
    ids, _ = _ranked(parsed, None, clearance_of(None), Kind.BUNDLES)
    return [-doc_id for doc_id in ids[: max(limit, 0)]]


def search_catalogue(
    query: str | Query, *, limit: int = 20, offset: int = 0, user: Any = None
) -> CatalogueResult:
    """One page of the published items ``user`` may see and the published bundles matching
    ``query``, ranked together. Never raises for any query text."""
    parsed = parse(query)
    if not parsed:
        return CatalogueResult()
    ids, partial = _ranked(parsed, None, clearance_of(user), Kind.ALL)
    start = max(offset, 0)
    return CatalogueResult(
        entries=[_entry(doc_id) for doc_id in ids[start : start + max(limit, 0)]],
        total=len(ids),
        tokens=list(parsed.tokens),
        partial=partial,
        highlights=list(parsed.highlights),
    )
