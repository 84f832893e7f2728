"""Per-organization people counts kept by the database itself.

A whole-tree COUNT of people reads every person row (600,000 at province size, ~1 s on
a loaded PostgreSQL); an index on (organization, category) does not change that. So each
organization's direct counts live in `OrgPeopleCount`, and triggers on the person table
keep them exact on every write - service, bulk import, raw SQL or test fixture alike -
inside the writing transaction, so there is no cache to go stale and nothing to forget.

PostgreSQL: statement-level triggers with transition tables, so a bulk insert of 100,000
people does one grouped upsert per statement instead of one per row; every trigger
upserts its rows in (organization, category) order, so two concurrent imports lock
the count rows in the same order and cannot deadlock on them. SQLite has no
statement triggers: row-level ones, which are cheap there (in-process, no round trip).

SQLite drops a table's triggers when a migration rebuilds that table (any column change
on Person), so `ensure_triggers` runs after every migrate and, when it finds them missing,
recounts from scratch.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

PEOPLE = "organizations_person"
COUNTS = "organizations_orgpeoplecount"

_PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION shuping_people_count_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {COUNTS} AS t (organization_id, category, n)
    SELECT organization_id, category, count(*) FROM new_rows
    WHERE organization_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (organization_id, category) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION shuping_people_count_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {COUNTS} AS t (organization_id, category, n)
    SELECT organization_id, category, -count(*) FROM old_rows
    WHERE organization_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (organization_id, category) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION shuping_people_count_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Net change per (organization, category); an update that moves nobody writes nothing.
    INSERT INTO {COUNTS} AS t (organization_id, category, n)
    SELECT organization_id, category, sum(k) FROM (
        SELECT organization_id, category, -1 AS k FROM old_rows
        UNION ALL
        SELECT organization_id, category, 1 AS k FROM new_rows
    ) AS d
    WHERE organization_id IS NOT NULL GROUP BY 1, 2 HAVING sum(k) <> 0 ORDER BY 1, 2
    ON CONFLICT (organization_id, category) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END $$;
"""

_PG_TRIGGERS = {
    "people_count_insert": f"""CREATE TRIGGER people_count_insert AFTER INSERT ON {PEOPLE}
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION shuping_people_count_insert()""",
    "people_count_delete": f"""CREATE TRIGGER people_count_delete AFTER DELETE ON {PEOPLE}
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION shuping_people_count_delete()""",
    "people_count_update": f"""CREATE TRIGGER people_count_update AFTER UPDATE ON {PEOPLE}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION shuping_people_count_update()""",
}

_SQLITE_ADD = f"""INSERT INTO {COUNTS} (organization_id, category, n)
        SELECT NEW.organization_id, NEW.category, 1 WHERE NEW.organization_id IS NOT NULL
        ON CONFLICT (organization_id, category) DO UPDATE SET n = {COUNTS}.n + 1;"""
_SQLITE_SUB = f"""UPDATE {COUNTS} SET n = n - 1
        WHERE organization_id = OLD.organization_id AND category = OLD.category;"""

_SQLITE_TRIGGERS = {
    "people_count_insert": f"""CREATE TRIGGER people_count_insert AFTER INSERT ON {PEOPLE}
        BEGIN {_SQLITE_ADD} END""",
    "people_count_delete": f"""CREATE TRIGGER people_count_delete AFTER DELETE ON {PEOPLE}
        BEGIN {_SQLITE_SUB} END""",
    "people_count_update": f"""CREATE TRIGGER people_count_update
        AFTER UPDATE OF organization_id, category ON {PEOPLE}
        WHEN OLD.organization_id IS NOT NEW.organization_id OR OLD.category <> NEW.category
        BEGIN {_SQLITE_SUB} {_SQLITE_ADD} END""",
}


def _existing_triggers(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [PEOPLE],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [PEOPLE],
            )
        return {row[0] for row in cursor.fetchall()}


def recount(connection: BaseDatabaseWrapper) -> None:
    """Rebuild every organization's counts from the person table (one grouped query)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {COUNTS}")
        cursor.execute(
            f"INSERT INTO {COUNTS} (organization_id, category, n) "
            f"SELECT organization_id, category, COUNT(*) FROM {PEOPLE} "
            "WHERE organization_id IS NOT NULL GROUP BY organization_id, category"
        )


def ensure_triggers(connection: BaseDatabaseWrapper) -> bool:
    """Create the missing triggers (recounting, since writes went uncounted meanwhile).
    Returns whether anything was missing."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return False
    wanted = _PG_TRIGGERS if connection.vendor == "postgresql" else _SQLITE_TRIGGERS
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTIONS)  # replaced each time: a changed body takes effect
        missing = set(wanted) - _existing_triggers(connection)
        if not missing:
            return False
        if connection.vendor == "postgresql":
            # Block writers between the recount and the triggers taking over.
            cursor.execute(f"LOCK TABLE {PEOPLE} IN SHARE ROW EXCLUSIVE MODE")
        for name in missing:
            cursor.execute(wanted[name])
        recount(connection)
    return True


def after_migrate(using: str = "default", **kwargs: Any) -> None:
    """post_migrate: the person table may have been rebuilt (SQLite) without its triggers."""
    connection = connections[using]
    tables = connection.introspection.table_names()
    if PEOPLE in tables and COUNTS in tables:
        ensure_triggers(connection)
