"""Catalogue search on PostgreSQL without scanning every session (SQLite: nothing to do).

* Trigram GIN indexes (pg_trgm) on the expressions the search's ``icontains`` compiles to,
  ``UPPER(column::text) LIKE UPPER('%term%')``, so a term's matches come from a BitmapOr of index
  scans instead of a LIKE on each of the 10,000+ rows.
* Two stored tsvector columns the relevance sort reads instead of parsing every matching row's
  text on each search: ``search_head`` (title A, topics B) and ``search_tail`` (description C).
  ``apps/site/selectors.py`` ranks ``search_head || mentor's name (B) || search_tail``: the same
  vector, in the same order, as the four ``SearchVector``s it replaces, so ranks are unchanged.

Both live outside Django's model state (the columns are not model fields; SQLite has neither), so
they are created and dropped here on PostgreSQL only.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# The expressions exactly as the search's icontains compiles them. (Written out rather than as
# GinIndex(OpClass(Upper(...))): without django.contrib.postgres in INSTALLED_APPS, OpClass is not
# registered as an index wrapper and its SQL comes out inside the expression's parentheses.)
TRIGRAM_INDEXES = {
    "session_title_trgm_idx": "UPPER((title)::text)",
    "session_description_trgm_idx": "UPPER(description)",
    "session_topics_trgm_idx": "UPPER((topics)::text)",
}
VECTORS = {
    "search_head": "setweight(to_tsvector('simple'::regconfig, COALESCE(title, '')::text), 'A')"
    " || setweight(to_tsvector('simple'::regconfig, COALESCE((topics)::text, '')), 'B')",
    "search_tail": "setweight(to_tsvector('simple'::regconfig, COALESCE(description, '')), 'C')",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in TRIGRAM_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON catalog_session USING gin ({expression} gin_trgm_ops)")
    for column, expression in VECTORS.items():
        schema_editor.execute(
            f"ALTER TABLE catalog_session ADD COLUMN {column} tsvector GENERATED ALWAYS AS ({expression}) STORED"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in VECTORS:
        schema_editor.execute(f"ALTER TABLE catalog_session DROP COLUMN IF EXISTS {column}")
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_session_updated_index"),
    ]

    operations = [
        TrigramExtension(),  # itself a no-op on other databases
        migrations.RunPython(forwards, backwards),
    ]
