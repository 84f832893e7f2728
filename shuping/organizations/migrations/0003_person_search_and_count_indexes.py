"""Member search by one- and two-character names, and subtree counts from an index.

Most Chinese names have two or three characters, so most searches are one or two
characters long: pg_trgm extracts no trigram from '%张伟%' and its index cannot serve
them (the search scanned 600,000 rows). On PostgreSQL each name's characters and
character pairs go into a GIN index over an immutable SQL function (no extension
needed, nothing to keep in sync on write); a search asks for the query's pairs (or its
one character) and the LIKE still decides, so the result is exactly `icontains`. This
index serves every length, so the trigram index goes. SQLite: nothing (it scans).

The (organization, category) index lets the per-category counts of a subtree read the
index alone.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.db import migrations, models

INDEX = "person_name_grams_idx"
FUNCTIONS = """
CREATE OR REPLACE FUNCTION shuping_name_grams(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(name, i, n)), '{}')
    FROM generate_series(1, 2) AS n
    CROSS JOIN LATERAL generate_series(1, char_length(name) - n + 1) AS i
$$;
CREATE OR REPLACE FUNCTION shuping_query_grams(query text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN char_length(query) < 2 THEN ARRAY[query] ELSE ARRAY(
        SELECT DISTINCT substr(query, i, 2) FROM generate_series(1, char_length(query) - 1) AS i
    ) END
$$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("organizations", "Person")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTIONS)
        cursor.execute(
            f'CREATE INDEX IF NOT EXISTS {INDEX} ON "{table}" '
            "USING gin (shuping_name_grams(UPPER((name)::text)))"
        )
        cursor.execute("DROP INDEX IF EXISTS person_name_trgm_idx")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        cursor.execute("DROP FUNCTION IF EXISTS shuping_name_grams(text)")
        cursor.execute("DROP FUNCTION IF EXISTS shuping_query_grams(text)")
    # Back to the trigram index of 0002 (a module name that starts with a digit)
    trigram = import_module("shuping.organizations.migrations.0002_person_name_trigram_index")
    trigram.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0002_person_name_trigram_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["organization", "category"], name="person_org_category_idx"),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
