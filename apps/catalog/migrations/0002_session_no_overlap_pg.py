"""No two non-cancelled sessions of one mentor may overlap (SPEC §4).

PostgreSQL enforces it with an exclusion constraint (btree_gist for the equality on mentor_id,
a half-open tstzrange so back-to-back sessions are allowed). SQLite has no exclusion constraints:
there the service checks under the database write lock (IMMEDIATE transactions).
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE catalog_session ADD CONSTRAINT session_no_overlap_per_mentor
  EXCLUDE USING gist (mentor_id WITH =, tstzrange(start, "end", '[)') WITH &&)
  WHERE (status <> 'cancelled');
"""
DROP = "ALTER TABLE catalog_session DROP CONSTRAINT IF EXISTS session_no_overlap_per_mentor;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
