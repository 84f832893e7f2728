"""A cursor for the few hand-written statements on the busiest path.

Django sends PostgreSQL its statements with the parameters spliced in (client-side
binding, the simple query protocol), because the ORM's SQL is not always preparable
(Django ticket #20516). For a short fixed statement that costs the database twice the
time of sending the parameters apart (extended protocol): 263 µs against 129 µs per
token lookup, measured on this project's benchmark machine. `bound_cursor` gives such
a statement the latter (and, after five runs on a connection, a prepared statement:
settings.py, `DB_PREPARED_STATEMENTS`), still through Django's cursor wrapper, so query
logging, `execute_wrapper` and error translation behave as for any other cursor. Only
raw SQL whose placeholders all have a type PostgreSQL can infer belongs here;
everywhere else, and on SQLite, it is the ordinary cursor.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorWrapper


@contextmanager
def bound_cursor() -> Iterator[CursorWrapper]:
    # The wrapper itself, not the `connection` proxy: every attribute read through the
    # proxy is a context-local lookup, and this runs twice per ballot cast.
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,  # psycopg 3 only
    )

    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = ServerBindingCursor(db.connection)
    # The same wrapping Django applies to the cursors it creates itself.
    with db._prepare_cursor(raw) as cursor:  # type: ignore[attr-defined]
        yield cursor
