"""The full-text search table of the catalogue (see tongban/catalog/search/).

Not a Django model: on SQLite an FTS5 virtual table, on PostgreSQL a tsvector table with a
GIN index. Each holds pre-tokenised text (jieba words and pinyin separated by spaces) in
three weights: A names, B summary/department/result/themes, C materials/conditions.
Fill it with ``tongban reindex_search`` after loading items outside the services.
"""

from django.db import migrations

TABLE = "catalog_search_document"

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "a, b, c, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3')"
)

POSTGRESQL_CREATE = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} ( item_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_gin ON {TABLE} USING gin (document)",
]


def create_search_table(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRESQL_CREATE:
            schema_editor.execute(statement)


def drop_search_table(apps, schema_editor):
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_search_table, drop_search_table),
    ]
