"""The two index stores: an FTS5 table on SQLite, a tsvector table on PostgreSQL.

Both hold one row per published item and per published bundle (a bundle's id is negated,
see ``documents.bundle_doc_id``) with three weighted texts of pre-tokenised words
(see ``documents.py``): A (names and pinyin), B (summary, department, result, themes),
C (materials, acceptance conditions; a bundle's member items). Beside it a plain table
holds each entry's exact keys (``text.name_keys``), so that an entry whose name *is* the
query ranks first. The tables are created by migrations ``0002_search_index`` and
``*_search_synonyms`` and are not Django models: no other code reads them.

Queries are rendered from a ``text.Query`` whose tokens are runs of letters and digits
only, so no user text can reach the match syntax; every token is quoted anyway, and the
match expression travels as a bound parameter.

Classification: the index holds every published item, internal ones included, so that
officials can search them; ``match`` joins the item table and keeps only items classified
at or below ``max_level`` (the reader's clearance), read live from the item row. A stale
index row can therefore never show an item to someone who may not see it. Bundles are
public once published (also read live).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from tongban.catalog.models import Bundle, ItemStatus, ServiceItem
from tongban.catalog.search.text import Conjunction, Group, Query, Term

TABLE = "catalog_search_document"
KEY_TABLE = "catalog_search_key"
ITEM_TABLE = ServiceItem._meta.db_table
BUNDLE_TABLE = Bundle._meta.db_table


class Kind(enum.Enum):
    """Which entries a search returns: items (positive ids), bundles (negative) or both."""

    ITEMS = "items"
    BUNDLES = "bundles"
    ALL = "all"


_KIND_CONDITION = {Kind.ITEMS: " AND {id} > 0", Kind.BUNDLES: " AND {id} < 0", Kind.ALL: ""}

# Relative importance of the three texts; PostgreSQL's ts_rank_cd defaults have the
# same order (A 1.0, B 0.4, C 0.2, D 0.1). A name match must beat a material match.
WEIGHT_A, WEIGHT_B, WEIGHT_C = 1.0, 0.4, 0.1


@dataclass(frozen=True)
class Document:
    """The index row of one entry: three space-separated token strings and exact keys.

    ``doc_id``: an item's id, or a bundle's id negated.
    """

    doc_id: int
    a: str
    b: str
    c: str
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One matching entry: ``score`` higher is better on every store; ``exact`` when one
    of the query's keys is one of the entry's exact keys; ``named`` when the query also
    matches the names alone (text A)."""

    doc_id: int
    score: float
    popularity: int
    exact: bool
    named: bool = False


class Backend(Protocol):
    def replace(self, doc_ids: Sequence[int], documents: Sequence[Document]) -> None: ...

    def clear(self) -> None: ...

    def insert(self, documents: Sequence[Document]) -> None: ...

    def optimise(self) -> None: ...

    def match(
        self, query: Query, *, any_term: bool, max_level: int, kind: Kind = Kind.ITEMS
    ) -> list[Hit]: ...

    def render(self, query: Query, *, any_term: bool) -> str: ...

    def indexed_ids(self, kind: Kind = Kind.ITEMS) -> list[int]: ...


def _in_clause(ids: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(ids))


def _groups(query: Query) -> tuple[Group, ...]:
    return query.groups or tuple(((term,),) for term in query.terms)


def _render(
    query: Query, *, any_term: bool, term: Callable[[Term], str], and_: str, or_: str
) -> str:
    """A match expression of quoted terms: groups joined by ``and_`` (``or_`` when
    ``any_term``), the alternatives of a group by ``or_``; ``joined`` as one more way."""

    def conjunction(terms: Conjunction) -> str:
        rendered = and_.join(term(t) for t in terms)
        return f"({rendered})" if len(terms) > 1 else rendered

    def group(alternatives: Group) -> str:
        rendered = or_.join(conjunction(alt) for alt in alternatives)
        return f"({rendered})" if len(alternatives) > 1 else rendered

    expression = (or_ if any_term else and_).join(group(g) for g in _groups(query))
    if query.joined is not None:
        expression = f"({expression}){or_}{term(query.joined)}"
    return expression


def _delete_keys(cursor: Any, doc_ids: Sequence[int]) -> None:
    if doc_ids:
        cursor.execute(
            f"DELETE FROM {KEY_TABLE} WHERE doc_id IN ({_in_clause(doc_ids)})",  # noqa: S608
            list(doc_ids),
        )


def _key_rows(documents: Sequence[Document]) -> list[tuple[str, int]]:
    return [(key, d.doc_id) for d in documents for key in dict.fromkeys(d.keys) if key]


def _exact_sql(id_column: str, keys: Sequence[str]) -> str:
    if not keys:
        return "0"
    return (
        f"EXISTS (SELECT 1 FROM {KEY_TABLE} AS k WHERE k.doc_id = {id_column}"  # noqa: S608
        f" AND k.key IN ({_in_clause(keys)}))"
    )


def _search_sql(template: str, id_column: str, query: Query, kind: Kind) -> str:
    return template.replace("{exact}", _exact_sql(id_column, query.keys)).replace(
        "{visible}", _visible_sql(id_column, kind)
    )


def _visible_sql(id_column: str, kind: Kind) -> str:
    """Published items up to the clearance, and published bundles (read live)."""
    return (
        "((item.id IS NOT NULL AND item.status = %s AND item.classification <= %s)"
        " OR (bundle.id IS NOT NULL AND bundle.status = %s))"
        + _KIND_CONDITION[kind].format(id=id_column)
    )


class SQLiteBackend:
    """FTS5, ranked by bm25() with column weights (lower is better; negated in ``Hit``)."""

    RANK = f"bm25({TABLE}, {WEIGHT_A * 10}, {WEIGHT_B * 10}, {WEIGHT_C * 10})"

    # The item and bundle tables are joined so that an entry unpublished without a
    # reindex, or a stale row, never shows; FTS5 drives the plan (the MATCH is the only
    # selective condition).
    SEARCH_SQL = (
        f"SELECT {TABLE}.rowid, {RANK}, COALESCE(item.popularity, bundle.popularity, 0),"  # noqa: S608 - constant identifiers only
        " {exact},"
        f" {TABLE}.rowid IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s)"
        f" FROM {TABLE}"
        f" LEFT JOIN {ITEM_TABLE} AS item ON item.id = {TABLE}.rowid"
        f" LEFT JOIN {BUNDLE_TABLE} AS bundle ON bundle.id = -{TABLE}.rowid"
        f" WHERE {TABLE} MATCH %s AND {{visible}}"
    )

    @staticmethod
    def _term(term: Term) -> str:
        quoted = '"' + term.text.replace('"', '""') + '"'
        return quoted + "*" if term.prefix else quoted

    def render(self, query: Query, *, any_term: bool) -> str:
        """An FTS5 match expression: every token a quoted string, never bare syntax."""
        return _render(query, any_term=any_term, term=self._term, and_=" AND ", or_=" OR ")

    def render_names(self, query: Query, *, any_term: bool) -> str:
        """The same expression restricted to the names (column ``a``)."""
        return f"a : ({self.render(query, any_term=any_term)})"

    def match(
        self, query: Query, *, any_term: bool, max_level: int, kind: Kind = Kind.ITEMS
    ) -> list[Hit]:
        """Published entries (items classified at most ``max_level``) matching ``query``."""
        column = f"{TABLE}.rowid"
        sql = _search_sql(self.SEARCH_SQL, column, query, kind)
        params: list[Any] = [
            *query.keys,
            self.render_names(query, any_term=any_term),
            self.render(query, any_term=any_term),
            ItemStatus.PUBLISHED,
            int(max_level),
            ItemStatus.PUBLISHED,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [
                Hit(
                    doc_id=row[0],
                    score=-float(row[1]),
                    popularity=row[2],
                    exact=bool(row[3]),
                    named=bool(row[4]),
                )
                for row in cursor.fetchall()
            ]

    def replace(self, doc_ids: Sequence[int], documents: Sequence[Document]) -> None:
        with connection.cursor() as cursor:
            if doc_ids:
                cursor.execute(
                    f"DELETE FROM {TABLE} WHERE rowid IN ({_in_clause(doc_ids)})",  # noqa: S608
                    list(doc_ids),
                )
            _delete_keys(cursor, doc_ids)
        self.insert(documents)

    def insert(self, documents: Sequence[Document]) -> None:
        if not documents:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, a, b, c) VALUES (%s, %s, %s, %s)",  # noqa: S608
                [(d.doc_id, d.a, d.b, d.c) for d in documents],
            )
            cursor.executemany(
                f"INSERT OR IGNORE INTO {KEY_TABLE} (key, doc_id) VALUES (%s, %s)",  # noqa: S608
                _key_rows(documents),
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
            cursor.execute(f"DELETE FROM {KEY_TABLE}")  # noqa: S608

    def optimise(self) -> None:
        """Merge FTS5's b-trees after a full rebuild (faster queries, smaller file)."""
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")  # noqa: S608

    def indexed_ids(self, kind: Kind = Kind.ITEMS) -> list[int]:
        """Indexed document ids of ``kind`` (bundles' negated)."""
        where = _KIND_CONDITION[kind].format(id="rowid").replace(" AND ", " WHERE ", 1)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {TABLE}{where} ORDER BY rowid")  # noqa: S608
            return [row[0] for row in cursor.fetchall()]


class PostgreSQLBackend:
    """tsvector ('simple' configuration) with a GIN index, ranked by ts_rank_cd."""

    # ts_rank_cd takes the weights as {D, C, B, A}; normalisation 1 divides by
    # 1 + log(length) so a long material list does not outrank a short name.
    WEIGHTS = f"{{{WEIGHT_C / 2}, {WEIGHT_C}, {WEIGHT_B}, {WEIGHT_A}}}"

    # doc.item_id holds an item's id, or a bundle's id negated (the column predates bundles).
    SEARCH_SQL = (
        f"SELECT doc.item_id, ts_rank_cd('{WEIGHTS}', doc.document, query, 1),"  # noqa: S608 - constant identifiers only
        " COALESCE(item.popularity, bundle.popularity, 0), {exact},"
        " doc.document @@ to_tsquery('simple', %s)"
        f" FROM {TABLE} AS doc"
        f" LEFT JOIN {ITEM_TABLE} AS item ON item.id = doc.item_id"
        f" LEFT JOIN {BUNDLE_TABLE} AS bundle ON bundle.id = -doc.item_id"
        ", to_tsquery('simple', %s) AS query"
        " WHERE doc.document @@ query AND {visible}"
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
        return _render(query, any_term=any_term, term=self._term, and_=" & ", or_=" | ")

    def render_names(self, query: Query, *, any_term: bool) -> str:
        """The same expression restricted to the names (lexemes of weight A)."""

        def name_term(term: Term) -> str:
            return self._term(term) + ("A" if term.prefix else ":A")

        return _render(query, any_term=any_term, term=name_term, and_=" & ", or_=" | ")

    def match(
        self, query: Query, *, any_term: bool, max_level: int, kind: Kind = Kind.ITEMS
    ) -> list[Hit]:
        """Published entries (items classified at most ``max_level``) matching ``query``."""
        column = "doc.item_id"
        sql = _search_sql(self.SEARCH_SQL, column, query, kind)
        params: list[Any] = [
            *query.keys,
            self.render_names(query, any_term=any_term),
            self.render(query, any_term=any_term),
            ItemStatus.PUBLISHED,
            int(max_level),
            ItemStatus.PUBLISHED,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [
                Hit(
                    doc_id=row[0],
                    score=float(row[1]),
                    popularity=row[2],
                    exact=bool(row[3]),
                    named=bool(row[4]),
                )
                for row in cursor.fetchall()
            ]

    def replace(self, doc_ids: Sequence[int], documents: Sequence[Document]) -> None:
        # Upsert rather than delete-and-insert: two concurrent reindexes of one entry
        # would otherwise collide on the primary key.
        kept = {d.doc_id for d in documents}
        gone = [i for i in doc_ids if i not in kept]
        with connection.cursor() as cursor:
            if gone:
                cursor.execute(
                    f"DELETE FROM {TABLE} WHERE item_id IN ({_in_clause(gone)})",  # noqa: S608
                    gone,
                )
            _delete_keys(cursor, doc_ids)
            if documents:
                cursor.executemany(
                    f"INSERT INTO {TABLE} (item_id, document) VALUES (%s, {self.DOCUMENT_SQL})"  # noqa: S608
                    " ON CONFLICT (item_id) DO UPDATE SET document = EXCLUDED.document",
                    [(d.doc_id, d.a, d.b, d.c) for d in documents],
                )
                cursor.executemany(
                    f"INSERT INTO {KEY_TABLE} (key, doc_id) VALUES (%s, %s)"  # noqa: S608
                    " ON CONFLICT DO NOTHING",
                    _key_rows(documents),
                )

    def insert(self, documents: Sequence[Document]) -> None:
        self.replace([], documents)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
            cursor.execute(f"DELETE FROM {KEY_TABLE}")  # noqa: S608

    def optimise(self) -> None:
        """Nothing to do: the GIN index is maintained as rows change."""

    def indexed_ids(self, kind: Kind = Kind.ITEMS) -> list[int]:
        """Indexed document ids of ``kind`` (bundles' negated)."""
        where = _KIND_CONDITION[kind].format(id="item_id").replace(" AND ", " WHERE ", 1)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT item_id FROM {TABLE}{where} ORDER BY item_id")  # noqa: S608
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
