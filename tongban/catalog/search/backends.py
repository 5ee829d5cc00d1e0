"""The two index stores: an FTS5 table on SQLite, a tsvector table on PostgreSQL.

Both hold one row per published item with three weighted texts of pre-tokenised words
(see ``documents.py``): A (names and pinyin), B (summary, department, result, themes),
C (materials, acceptance conditions). The tables are created by migration
``0002_search_index`` and are not Django models: no other code reads them.

Queries are rendered from a ``text.Query`` whose tokens are runs of letters and digits
only, so no user text can reach the match syntax; every token is quoted anyway, and the
match expression travels as a bound parameter.

Classification: the index holds every published item, internal ones included, so that
officials can search them; ``match`` joins the item table and keeps only items classified
at or below ``max_level`` (the reader's clearance), read live from the item row. A stale
index row can therefore never show an item to someone who may not see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from tongban.catalog.models import ItemStatus, ServiceItem
from tongban.catalog.search.text import Query, Term

TABLE = "catalog_search_document"
ITEM_TABLE = ServiceItem._meta.db_table

# Relative importance of the three texts; PostgreSQL's ts_rank_cd defaults have the
# same order (A 1.0, B 0.4, C 0.2, D 0.1). A name match must beat a material match.
WEIGHT_A, WEIGHT_B, WEIGHT_C = 1.0, 0.4, 0.1


@dataclass(frozen=True)
class Document:
    """The index row of one item: three space-separated token strings."""

    item_id: int
    a: str
    b: str
    c: str


class Backend(Protocol):
    def replace(self, item_ids: Sequence[int], documents: Sequence[Document]) -> None: ...

    def clear(self) -> None: ...

    def insert(self, documents: Sequence[Document]) -> None: ...

    def optimise(self) -> None: ...

    def match(self, query: Query, *, any_term: bool, max_level: int) -> list[int]: ...

    def render(self, query: Query, *, any_term: bool) -> str: ...

    def indexed_ids(self) -> list[int]: ...


def _in_clause(ids: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(ids))


class SQLiteBackend:
    """FTS5, ranked by bm25() with column weights (lower is better)."""

    RANK = f"bm25({TABLE}, {WEIGHT_A * 10}, {WEIGHT_B * 10}, {WEIGHT_C * 10})"

    # The item table is joined so that an item unpublished without a reindex, or a stale
    # row, never shows; FTS5 drives the plan (the MATCH is the only selective condition).
    SEARCH_SQL = (
        f"SELECT {TABLE}.rowid FROM {TABLE}"  # noqa: S608 - constant identifiers only
        f" JOIN {ITEM_TABLE} AS item ON item.id = {TABLE}.rowid"
        f" WHERE {TABLE} MATCH %s AND item.status = %s AND item.classification <= %s"
        f" ORDER BY {RANK}, {TABLE}.rowid"
    )

    @staticmethod
    def _term(term: Term) -> str:
        quoted = '"' + term.text.replace('"', '""') + '"'
        return quoted + "*" if term.prefix else quoted

    def render(self, query: Query, *, any_term: bool) -> str:
        """An FTS5 match expression: every token a quoted string, never bare syntax."""
        joiner = " OR " if any_term else " AND "
        expression = joiner.join(self._term(t) for t in query.terms)
        if query.joined is not None:
            expression = f"({expression}) OR {self._term(query.joined)}"
        return expression

    def match(self, query: Query, *, any_term: bool, max_level: int) -> list[int]:
        """Published items classified at most ``max_level`` matching ``query``, best first."""
        with connection.cursor() as cursor:
            cursor.execute(
                self.SEARCH_SQL,
                [self.render(query, any_term=any_term), ItemStatus.PUBLISHED, int(max_level)],
            )
            return [row[0] for row in cursor.fetchall()]

    def replace(self, item_ids: Sequence[int], documents: Sequence[Document]) -> None:
        with connection.cursor() as cursor:
            if item_ids:
                cursor.execute(
                    f"DELETE FROM {TABLE} WHERE rowid IN ({_in_clause(item_ids)})",  # noqa: S608
                    list(item_ids),
                )
        self.insert(documents)

    def insert(self, documents: Sequence[Document]) -> None:
        if not documents:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, a, b, c) VALUES (%s, %s, %s, %s)",  # noqa: S608
                [(d.item_id, d.a, d.b, d.c) for d in documents],
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608

    def optimise(self) -> None:
        """Merge FTS5's b-trees after a full rebuild (faster queries, smaller file)."""
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")  # noqa: S608

    def indexed_ids(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {TABLE} ORDER BY rowid")  # noqa: S608
            return [row[0] for row in cursor.fetchall()]


class PostgreSQLBackend:
    """tsvector ('simple' configuration) with a GIN index, ranked by ts_rank_cd."""

    # ts_rank_cd takes the weights as {D, C, B, A}; normalisation 1 divides by
    # 1 + log(length) so a long material list does not outrank a short name.
    WEIGHTS = f"{{{WEIGHT_C / 2}, {WEIGHT_C}, {WEIGHT_B}, {WEIGHT_A}}}"

    SEARCH_SQL = (
        f"SELECT doc.item_id FROM {TABLE} AS doc"  # noqa: S608 - constant identifiers only
        f" JOIN {ITEM_TABLE} AS item ON item.id = doc.item_id,"
        " to_tsquery('simple', %s) AS query"
        " WHERE doc.document @@ query AND item.status = %s AND item.classification <= %s"
        f" ORDER BY ts_rank_cd('{WEIGHTS}', doc.document, query, 1) DESC, doc.item_id"
    )

    DOCUMENT_SQL = (
        "setweight(to_tsvector('simple', %s), 'A')"
        " || setweight(to_tsvector('simple', %s), 'B')"
        " || setweight(to_tsvector('simple', %s), 'C')"
    )

    @staticmethod
    def _term(term: Term) -> str:
        # Tokens are letters and digits only; the quotes make even an odd one a lexeme.
        quoted = "'" + term.text.replace("'", "''").replace("\\", "\\\\") + "'"
        return quoted + ":*" if term.prefix else quoted

    def render(self, query: Query, *, any_term: bool) -> str:
        """A to_tsquery() expression: quoted lexemes joined by & or |."""
        joiner = " | " if any_term else " & "
        expression = joiner.join(self._term(t) for t in query.terms)
        if query.joined is not None:
            expression = f"({expression}) | {self._term(query.joined)}"
        return expression

    def match(self, query: Query, *, any_term: bool, max_level: int) -> list[int]:
        """Published items classified at most ``max_level`` matching ``query``, best first."""
        with connection.cursor() as cursor:
            cursor.execute(
                self.SEARCH_SQL,
                [self.render(query, any_term=any_term), ItemStatus.PUBLISHED, int(max_level)],
            )
            return [row[0] for row in cursor.fetchall()]

    def replace(self, item_ids: Sequence[int], documents: Sequence[Document]) -> None:
        # Upsert rather than delete-and-insert: two concurrent reindexes of one item
        # would otherwise collide on the primary key.
        kept = {d.item_id for d in documents}
        gone = [i for i in item_ids if i not in kept]
        with connection.cursor() as cursor:
            if gone:
                cursor.execute(
                    f"DELETE FROM {TABLE} WHERE item_id IN ({_in_clause(gone)})",  # noqa: S608
                    gone,
                )
            if documents:
                cursor.executemany(
                    f"INSERT INTO {TABLE} (item_id, document) VALUES (%s, {self.DOCUMENT_SQL})"  # noqa: S608
                    " ON CONFLICT (item_id) DO UPDATE SET document = EXCLUDED.document",
                    [(d.item_id, d.a, d.b, d.c) for d in documents],
                )

    def insert(self, documents: Sequence[Document]) -> None:
        self.replace([], documents)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608

    def optimise(self) -> None:
        """Nothing to do: the GIN index is maintained as rows change."""

    def indexed_ids(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT item_id FROM {TABLE} ORDER BY item_id")  # noqa: S608
            return [row[0] for row in cursor.fetchall()]


_BACKENDS: dict[str, Backend] = {
    "sqlite": SQLiteBackend(),
    "postgresql": PostgreSQLBackend(),
}


def backend() -> Backend:
    """The store for the current database connection."""
    try:
        return _BACKENDS[connection.vendor]
    except KeyError:
        raise ImproperlyConfigured(
            f"Catalogue search supports SQLite and PostgreSQL, not {connection.vendor}."
        ) from None
