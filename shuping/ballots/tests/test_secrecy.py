"""The tests play an administrator who holds the database and wants to link a voter to a choice.

Who may vote (token hashes), which slips are spent (nullifiers) and what was chosen
(sealed sheets while open, plain sheets after close) share no key; nothing plain is
written before close; the close writes every sheet at once in random order; and
neither system columns (`xmin`, `ctid`, rowid), dead tuples nor the WAL give back the
order of casting or a token's choice.
"""

from __future__ import annotations

import copy
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, models

from shuping.audit.models import AuditEntry
from shuping.ballots import casting, counting, services
from shuping.ballots.models import (
    Ballot,
    BallotToken,
    Mark,
    Nullifier,
    PaperEntry,
    SealedSheet,
    Sheet,
)
from shuping.ballots.tests.conftest import all_grade, make_meeting
from shuping.conftest import Cast
from shuping.rounds.testing import SAMPLE_RULES, sample_rules

CHOICE_TABLES = (Sheet, Mark)
GRADES = ["好", "较好", "一般", "差"]


def _columns(model: type[models.Model]) -> set[str]:
    with connection.cursor() as cursor:
        return {
            col.name
            for col in connection.introspection.get_table_description(cursor, model._meta.db_table)
        }


def _relations(model: type[models.Model]) -> set[str]:
    with connection.cursor() as cursor:
        return {
            target
            for target, _ in connection.introspection.get_relations(
                cursor, model._meta.db_table
            ).values()
        }


def commented_ballot(cast: Cast, *, year: int = 2025) -> Ballot:
    """An open ballot whose sheets carry a comment: a distinctive plaintext to hunt for."""
    meetings = copy.deepcopy(SAMPLE_RULES["meetings"])
    meetings[0]["ballot_comment"] = True
    meeting = make_meeting(cast, rules=sample_rules(meetings=meetings), year=year)
    return services.open_ballot(services.create_ballot(meeting, actor=None), actor=None)


def cast_distinct(ballot: Ballot, n: int) -> list[tuple[str, str]]:
    """Cast n sheets, each with a unique comment; returns (token, comment) in casting order."""
    tokens = casting.issue_tokens(ballot, actor=None, category="leader", count=n)
    out = []
    for i, token in enumerate(tokens):
        comment = f"意见{secrets.token_hex(8)}"
        casting.submit_sheet(
            token, choices=all_grade(ballot, GRADES[i % len(GRADES)]), comment=comment
        )
        out.append((token, comment))
    return out


# --- the schema -------------------------------------------------------------------


def test_schema_has_no_key_between_participation_and_choices(db: object) -> None:
    assert _columns(BallotToken) == {"token_hash", "ballot_id", "category"}
    assert _columns(Nullifier) == {"value", "ballot_id"}
    assert _columns(SealedSheet) == {"id", "ballot_id", "box"}
    secret_tables = {m._meta.db_table for m in (BallotToken, Nullifier, SealedSheet)}
    for model in (*CHOICE_TABLES, Nullifier, SealedSheet, BallotToken):
        assert not (_relations(model) & (secret_tables - {model._meta.db_table})), model
    for model in CHOICE_TABLES:
        cols = _columns(model)
        assert not any("token" in c or "hash" in c or "null" in c for c in cols), cols
        assert not any(c in cols for c in ("person_id", "user_id", "clerk_id", "created_at"))
        for field in model._meta.get_fields():
            assert not isinstance(field, (models.DateTimeField, models.DateField)), field
            if field.is_relation and field.related_model is not None:
                assert field.related_model in (Ballot, Sheet, Mark), field
        # Random primary keys, never an autoincrement that follows the casting order.
        assert isinstance(model._meta.pk, models.UUIDField)
    assert isinstance(SealedSheet._meta.pk, models.UUIDField)


def test_paper_entries_name_the_clerk_not_the_voter(db: object) -> None:
    cols = _columns(PaperEntry)
    assert "clerk_id" in cols and "person_id" not in cols


# --- what reaches the database while the ballot is open ------------------------------


@contextmanager
def captured_statements() -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


def test_casting_writes_no_plain_choice_and_never_the_token_row(cast: Cast) -> None:
    ballot = commented_ballot(cast)
    tokens = casting.issue_tokens(ballot, actor=None, category="leader", count=4)
    comments = [f"意见{secrets.token_hex(8)}" for _ in tokens]
    with captured_statements() as seen:
        for token, grade, comment in zip(tokens, GRADES, comments, strict=True):
            casting.submit_sheet(token, choices=all_grade(ballot, grade), comment=comment)
    token_table = BallotToken._meta.db_table
    forbidden = {*tokens, *comments, *GRADES, *(casting.hash_token(t) for t in tokens)}
    writes = [(sql, params) for sql, params in seen if not sql.lstrip().upper().startswith("SEL")]
    assert writes
    for sql, params in writes:
        assert token_table not in sql.split("SELECT")[0], sql  # the token row is never written
        assert Sheet._meta.db_table not in sql and Mark._meta.db_table not in sql, sql
        for value in params or ():
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            assert not any(f in text for f in forbidden), sql
            if isinstance(value, bytes):
                assert not any(f.encode() in value for f in forbidden)
    assert not Sheet.objects.exists() and not Mark.objects.exists()
    boxes = list(SealedSheet.objects.values_list("box", flat=True))
    # Every sealed sheet has the same length: its size tells neither grades nor comment.
    assert len(boxes) == 4 and len({len(bytes(b)) for b in boxes}) == 1
    # The nullifier is a keyed hash: not the token, not the token's stored hash.
    stored = set(BallotToken.objects.values_list("token_hash", flat=True))
    assert not set(Nullifier.objects.values_list("value", flat=True)) & (stored | set(tokens))


def test_rows_hold_no_token_and_audit_holds_no_choice(open_ballot: Ballot) -> None:
    tokens = casting.issue_tokens(open_ballot, actor=None, category="leader", count=3)
    for token, grade in zip(tokens, ["好", "较好", "差"], strict=True):
        casting.submit_sheet(token, choices=all_grade(open_ballot, grade))
    services.close_ballot(open_ballot, actor=None)
    hashes = {casting.hash_token(t) for t in tokens}
    secrets_ = set(tokens) | hashes | set(Nullifier.objects.values_list("value", flat=True))
    dump = [str(v) for row in Sheet.objects.values_list() for v in row]
    dump += [str(v) for row in Mark.objects.values_list() for v in row]
    assert not any(s in d for s in secrets_ for d in dump)
    audit = " ".join(
        f"{e.action} {e.changes} {e.note} {e.target_label}" for e in AuditEntry.objects.all()
    )
    assert not any(s in audit for s in secrets_)
    assert "较好" not in audit  # no choice reached the log
    assert not AuditEntry.objects.filter(action__contains="submit").exists()
    assert {s.id.version for s in Sheet.objects.all()} == {4}
    assert not SealedSheet.objects.exists()


def test_close_opens_every_sealed_sheet_and_removes_the_sealed_rows(open_ballot: Ballot) -> None:
    tokens = casting.issue_tokens(open_ballot, actor=None, category="leader", count=4)
    for token in tokens:
        casting.submit_sheet(token, choices=all_grade(open_ballot, "好"))
    assert SealedSheet.objects.count() == 4 and Nullifier.objects.count() == 4
    closed = services.close_ballot(open_ballot, actor=None)
    assert Sheet.objects.count() == 4 and Mark.objects.count() == 4 * 3
    assert not SealedSheet.objects.exists()
    assert closed.closed_tally is not None and closed.closed_tally["sheets"] == 4
    assert counting.verify_digest(closed)


def test_a_sealed_sheet_no_key_opens_stops_the_close(open_ballot: Ballot) -> None:
    [token] = casting.issue_tokens(open_ballot, actor=None, category="leader", count=1)
    casting.submit_sheet(token, choices=all_grade(open_ballot, "好"))
    box = bytes(SealedSheet.objects.get().box)
    SealedSheet.objects.update(box=box[:-1] + bytes([box[-1] ^ 1]))  # tampered or key changed
    with pytest.raises(services.StateError, match="无法用服务器密钥打开"):
        services.close_ballot(open_ballot, actor=None)
    assert Ballot.objects.get(pk=open_ballot.pk).is_open and SealedSheet.objects.count() == 1


def test_a_rotated_key_still_opens_and_still_refuses(open_ballot: Ballot, settings: Any) -> None:
    tokens = casting.issue_tokens(open_ballot, actor=None, category="leader", count=2)
    casting.submit_sheet(tokens[0], choices=all_grade(open_ballot, "好"))
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-" + "k" * 50
    with pytest.raises(casting.TokenError) as err:
        casting.token_ballot(tokens[0])
    assert err.value.reason == "used"
    casting.submit_sheet(tokens[1], choices=all_grade(open_ballot, "差"))
    closed = services.close_ballot(open_ballot, actor=None)
    assert closed.closed_tally is not None and closed.closed_tally["sheets"] == 2


# --- system columns and physical order ---------------------------------------------


def _physical_order(model: type[models.Model], column: str) -> list[Any]:
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} ORDER BY {order}")
        return [r[0] for r in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_physical_order_after_close_is_not_the_casting_order(cast: Cast) -> None:
    ballot = commented_ballot(cast)
    cast_order = [c for _, c in cast_distinct(ballot, 10)]
    services.close_ballot(Ballot.objects.get(pk=ballot.pk), actor=None)
    stored = _physical_order(Sheet, "comment")
    assert sorted(stored) == sorted(cast_order)
    # 10 sheets: the chance that a random order equals the casting order is 1 in 3,628,800.
    assert stored != cast_order
    # The rows of the marks follow the (random) order of the sheets, not of the casts.
    sheet_ids = _physical_order(Sheet, "id")
    mark_sheets = list(dict.fromkeys(_physical_order(Mark, "sheet_id")))
    assert mark_sheets == sheet_ids


@pytest.mark.django_db(transaction=True)
def test_xmin_join_recovers_nothing(cast: Cast) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("xmin is a PostgreSQL system column; SQLite's rowid is tested above")
    ballot = commented_ballot(cast)
    cast_distinct(ballot, 6)

    def xmins(model: type[models.Model]) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT xmin::text FROM {model._meta.db_table}")
            return [r[0] for r in cursor.fetchall()]

    # While open: the token rows all carry the issue's transaction id and no sheet is plain;
    # the join nullifier ⋈ sealed sheet on xmin pairs two opaque values.
    assert len(set(xmins(BallotToken))) == 1
    assert not set(xmins(BallotToken)) & set(xmins(SealedSheet))
    assert not Sheet.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT n.value, s.box FROM {Nullifier._meta.db_table} n"
            f" JOIN {SealedSheet._meta.db_table} s ON s.xmin = n.xmin"
        )
        pairs = cursor.fetchall()
    hashes = set(BallotToken.objects.values_list("token_hash", flat=True))
    assert len(pairs) == 6 and not {v for v, _ in pairs} & hashes
    assert all("意见".encode() not in bytes(box) for _, box in pairs)
    services.close_ballot(Ballot.objects.get(pk=ballot.pk), actor=None)
    # After close every sheet and mark carries the close's one transaction id.
    assert len(set(xmins(Sheet))) == 1 and set(xmins(Mark)) == set(xmins(Sheet))
    assert not set(xmins(Sheet)) & (set(xmins(Nullifier)) | set(xmins(BallotToken)))


@pytest.mark.django_db(transaction=True)
def test_dead_tuples_hold_no_old_copy(cast: Cast) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite: secure_delete and the -wal file are tested below")
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    except Exception:  # pragma: no cover - needs superuser
        pytest.skip("pageinspect is not available")
    ballot = commented_ballot(cast)
    comments = [c for _, c in cast_distinct(ballot, 6)]
    boxes = [bytes(b) for b in SealedSheet.objects.values_list("box", flat=True)]
    services.close_ballot(Ballot.objects.get(pk=ballot.pk), actor=None)  # scrubs on commit

    def pages(model: type[models.Model]) -> list[tuple[bytes, list[tuple[Any, ...]]]]:
        table = model._meta.db_table
        out = []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table]
            )
            for page in range(int(cursor.fetchone()[0])):
                cursor.execute("SELECT get_raw_page(%s, %s)", [table, page])
                raw = bytes(cursor.fetchone()[0])
                cursor.execute(
                    "SELECT lp_len, t_xmin::text, t_xmax::text"
                    " FROM heap_page_items(get_raw_page(%s, %s))",
                    [table, page],
                )
                out.append((raw, cursor.fetchall()))
        return out

    # The sealed rows are gone from their pages, and no ciphertext is left behind.
    for raw, items in pages(SealedSheet):
        assert all(lp_len == 0 for lp_len, _, _ in items)
        assert not any(box[-32:] in raw for box in boxes)
    # The plain sheets were only ever inserted once, all by the close: no dead copy.
    sheet_items = [i for _, items in pages(Sheet) for i in items]
    live = [(xmin, xmax) for lp, xmin, xmax in sheet_items if lp]
    [close_xid] = {xmin for xmin, _ in live}
    assert len(live) == 6
    # xmax is 0 or the close's own key-share lock taken when its marks were inserted.
    assert {xmax for _, xmax in live} <= {"0", close_xid}
    assert sum(c.encode() in raw for raw, _ in pages(Sheet) for c in comments) == 6


def _lsn_int(lsn: str) -> int:
    high, low = lsn.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def _without_page_headers(data: bytes, start: int, page: int, segment: int) -> bytes:
    """Every WAL page starts with a header (40 bytes on a segment's first page, 24 on the
    others), and a record crossing a page is split by it: without the headers, a
    record's bytes are contiguous again, so a search cannot miss a string that happens
    to straddle a page boundary."""
    out = bytearray()
    position, end = start, start + len(data)
    while position < end:
        page_start = position - position % page
        body = page_start + (40 if page_start % segment == 0 else 24)
        page_end = min(page_start + page, end)
        keep = max(position, body)
        if keep < page_end:
            out += data[keep - start : page_end - start]
        position = page_start + page
    return bytes(out)


def test_wal_reader_joins_a_record_split_by_page_headers() -> None:
    # Two 64-byte pages in a 128-byte segment: a 40-byte header on the first, 24 on the next.
    page, segment = 64, 128
    data = b"H" * 40 + b"x" * 16 + b"....secr" + b"H" * 24 + b"et......" + b"y" * 32
    assert b"secret" not in data
    joined = _without_page_headers(data, 0, page, segment)
    assert b"secret" in joined and b"H" not in joined
    # Read from inside a page: only what lies in the range is kept.
    tail = _without_page_headers(data[44:], 44, page, segment)
    assert tail == b"x" * 12 + b"....secret......" + b"y" * 32


def _wal_bytes(start: str, end: str) -> bytes:
    """The WAL between two LSNs, read from the segment files as an administrator would,
    page headers left out."""
    out = b""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('wal_block_size')::int")
        page = int(cursor.fetchone()[0])
        cursor.execute("SELECT current_setting('wal_segment_size')")
        segment = int(cursor.fetchone()[0].rstrip("MB")) * 1024 * 1024
        cursor.execute("SELECT %s::pg_lsn - %s::pg_lsn", [end, start])
        remaining = int(cursor.fetchone()[0])
        position = start
        while remaining > 0:
            cursor.execute(
                "SELECT file_name, file_offset FROM pg_walfile_name_offset(%s::pg_lsn)",
                [position],
            )
            name, offset = cursor.fetchone()
            length = min(remaining, segment - offset)
            cursor.execute(
                "SELECT pg_read_binary_file(%s, %s, %s)", [f"pg_wal/{name}", offset, length]
            )
            chunk = bytes(cursor.fetchone()[0])
            out += chunk
            remaining -= length
            cursor.execute("SELECT %s::pg_lsn + %s", [position, length])
            position = cursor.fetchone()[0]
    return _without_page_headers(out, _lsn_int(start), page, segment)


def _lsn() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_postgres_wal_holds_no_plain_sheet_from_before_close(cast: Cast) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite -wal file is tested below")
    ballot = commented_ballot(cast)
    tokens = casting.issue_tokens(ballot, actor=None, category="leader", count=5)
    start = _lsn()
    comments = []
    for token in tokens:
        comment = f"意见{secrets.token_hex(8)}"
        casting.submit_sheet(token, choices=all_grade(ballot, "较好"), comment=comment)
        comments.append(comment)
    before_close = _lsn()
    services.close_ballot(Ballot.objects.get(pk=ballot.pk), actor=None)
    after_close = _lsn()
    try:
        during, closing = _wal_bytes(start, before_close), _wal_bytes(before_close, after_close)
    except Exception as exc:  # pragma: no cover - needs superuser or pg_read_server_files
        pytest.skip(f"cannot read the WAL: {exc}")
    assert not any(c.encode() in during for c in comments)
    assert not any(t.encode() in during for t in tokens)
    # The probe works: the same reader finds the comments in what the close wrote.
    assert all(c.encode() in closing for c in comments)


@pytest.mark.django_db(transaction=True)
def test_sqlite_file_and_wal_keep_no_old_copy(cast: Cast, tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's WAL is tested above")
    ballot = commented_ballot(cast)
    tokens = casting.issue_tokens(ballot, actor=None, category="leader", count=6)
    path = tmp_path / "ballots.sqlite3"
    with on_sqlite_file(path):
        comments = []
        for i, token in enumerate(tokens):
            comment = f"意见{secrets.token_hex(8)}"
            casting.submit_sheet(token, choices=all_grade(ballot, GRADES[i % 4]), comment=comment)
            comments.append(comment)
        wal = Path(f"{path}-wal")
        during = wal.read_bytes() + path.read_bytes()
        assert wal.stat().st_size > 0  # the probe reads a live WAL
        assert not any(c.encode() in during for c in comments)
        boxes = [bytes(b) for b in SealedSheet.objects.values_list("box", flat=True)]
        assert all(box[-32:] in during for box in boxes)
        services.close_ballot(Ballot.objects.get(pk=ballot.pk), actor=None)
        assert wal.stat().st_size == 0  # checkpointed and truncated at close
        after = path.read_bytes()
        assert not any(box[-32:] in after for box in boxes)  # secure_delete overwrote them
        assert all(c.encode() in after for c in comments)
        assert _physical_order(Sheet, "comment") != comments


@contextmanager
def on_sqlite_file(path: Path) -> Iterator[None]:
    """Run the block on a file copy of the in-memory test database, WAL and all."""
    memory = connection.connection
    assert memory is not None
    target = sqlite3.connect(path)
    memory.backup(target)
    target.close()
    name = connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        connection.ensure_connection()
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory
