"""The shared cache's table (CACHE=database, the default on PostgreSQL): created with
the schema, so every command that touches the cache works on a freshly migrated
database, not only after `shuping serve` has run. Idempotent; nothing for locmem."""

from __future__ import annotations

from django.core.management import call_command
from django.db import migrations


def create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("lib", "0001_calendar_correction")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop, elidable=False)]
