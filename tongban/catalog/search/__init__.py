"""Chinese full-text search over the service catalogue (事项检索).

One API over two stores: an FTS5 table on SQLite and a tsvector table with a GIN index on
PostgreSQL (``backends.py``), fed with jieba search-mode tokens and pinyin (``text.py``).
See ``docs/adr/0002-chinese-search.md`` for why.

- ``reindex_items(ids)``: rebuild the rows of these items; rows of items that are gone or
  not published are dropped. The catalogue services call it after commit.
- ``reindex_all()``: rebuild everything (the ``reindex_search`` command).
- ``search_items(query, limit=, offset=, item_ids=, user=)``: one ranked page of published
  items that ``user`` may see.
- ``search_ids(query, user=)``: every ranked id, for combining with the portal's filters.

``user`` is the reader (``None``: an anonymous visitor). Internal items are indexed but
returned only to readers whose clearance reaches them (``core.classification``); without a
``user`` the search returns public items only.

Query tokens are ANDed; when that finds nothing, they are ORed so the user still gets the
closest items (``SearchResult.partial``). Any text is a valid query: syntax characters
are ordinary text, and an empty or punctuation-only query finds nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeVar

from django.db import transaction

from tongban.catalog.search.backends import backend
from tongban.catalog.search.documents import build_documents, published_items
from tongban.catalog.search.text import Query, parse_query
from tongban.core.classification import clearance_of

__all__ = ["SearchResult", "reindex_all", "reindex_items", "search_ids", "search_items"]

BATCH_SIZE = 500
T = TypeVar("T")


def _batched(values: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass(frozen=True)
class SearchResult:
    """One page of a search.

    ``ids``: published item ids of the page, best first. ``total``: matches on all pages.
    ``tokens``: the words searched for (for highlighting). ``partial``: no item had every
    word, so these items match some of them.
    """

    ids: list[int] = field(default_factory=list)
    total: int = 0
    tokens: list[str] = field(default_factory=list)
    partial: bool = False


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


def reindex_all() -> int:
    """Rebuild the whole index from the published items; returns how many were indexed."""
    store = backend()
    count = 0
    with transaction.atomic():
        store.clear()
        for batch in _batched(published_items().iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
            documents = list(build_documents(batch))
            store.insert(documents)
            count += len(documents)
        store.optimise()
    return count


def _ranked(
    query: Query, item_ids: Collection[int] | None, max_level: int
) -> tuple[list[int], bool]:
    """All matching published ids up to ``max_level``, best first, and whether the OR
    fallback was used."""
    store = backend()
    partial = False
    ids = store.match(query, any_term=False, max_level=max_level)
    if item_ids is not None:
        ids = [i for i in ids if i in item_ids]
    if not ids and len(query.terms) > 1:
        partial = True
        ids = store.match(query, any_term=True, max_level=max_level)
        if item_ids is not None:
            ids = [i for i in ids if i in item_ids]
    return ids, partial and bool(ids)


def search_items(
    query: str,
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
    parsed = parse_query(query or "")
    if not parsed:
        return SearchResult()
    wanted = set(item_ids) if item_ids is not None else None
    ids, partial = _ranked(parsed, wanted, clearance_of(user))
    start = max(offset, 0)
    page = ids[start : start + max(limit, 0)]
    return SearchResult(ids=page, total=len(ids), tokens=list(parsed.tokens), partial=partial)


def search_ids(query: str, user: Any = None) -> list[int]:
    """Every id of a published item ``user`` may see matching ``query``, best first (for
    combining with filters)."""
    parsed = parse_query(query or "")
    if not parsed:
        return []
    return _ranked(parsed, None, clearance_of(user))[0]
