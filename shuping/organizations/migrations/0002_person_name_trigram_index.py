"""A trigram index for searching people by any part of their name on PostgreSQL.

`name__icontains` becomes `UPPER(name::text) LIKE UPPER('%…%')`, which no B-tree can
serve; a GIN index of pg_trgm trigrams on that same expression can (for searches of
three characters or more). Creating the extension needs the right to do so: where it
is not allowed the index is skipped and search still works, by a scan. SQLite: nothing.
"""

from __future__ import annotations

from django.db import migrations, transaction

INDEX = "person_name_trgm_idx"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    table = apps.get_model("organizations", "Person")._meta.db_table
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # noqa: BLE001 - no right to create it: search scans instead
            return
        cursor.execute(
            f'CREATE INDEX IF NOT EXISTS {INDEX} ON "{table}" '
            "USING gin (UPPER((name)::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
