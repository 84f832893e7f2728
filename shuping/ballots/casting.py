"""Tokens and casting: issuing one-time tokens, opening a sheet by its token, and the
voter's cast (`submit_sheet`).

The phone path's hot spot: a token lookup is one query and a cast one statement on
PostgreSQL (the SQL is here), while SQLite writers queue on a lock instead of
colliding. The cast is the voter's anonymous act and is never audited (an audit row
there would tie a time to a choice); issuing tokens is the organizer's and is.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's busy timeout alone
    fcntl = None  # type: ignore[assignment]

from django.db import connection, transaction

from shuping.audit.services import record
from shuping.ballots import sealing, sheets
from shuping.ballots.common import check_write, lock_ballot
from shuping.ballots.counting import forget_turnout
from shuping.ballots.models import (
    Ballot,
    BallotState,
    BallotToken,
    MarkStatus,
    Nullifier,
    SealedSheet,
)
from shuping.lib.dbcursor import bound_cursor
from shuping.lib.errors import DomainError, StateError
from shuping.lib.types import Actor

MAX_TOKENS_PER_ISSUE = 1000


def hash_token(token: str) -> str:
    # Tokens carry 128 bits of randomness, so an unsalted hash cannot be reversed by guessing.
    return hashlib.sha256(token.encode()).hexdigest()


def issue_tokens(ballot: Ballot, *, actor: Actor, category: str, count: int) -> list[str]:
    """Create `count` one-time tokens and return them ONCE: only their hashes are stored."""
    with transaction.atomic():
        ballot = lock_ballot(ballot)
        check_write(ballot, actor)
        if ballot.state == BallotState.CLOSED:
            raise StateError("测评已结束，不能再发放二维码。")
        if category not in {c["key"] for c in ballot.categories}:
            raise DomainError("请选择本次测评的测评人类别。", field="category")
        if not 1 <= count <= MAX_TOKENS_PER_ISSUE:
            raise DomainError(f"数量应在 1 到 {MAX_TOKENS_PER_ISSUE} 之间。", field="count")
        tokens = [secrets.token_urlsafe(16) for _ in range(count)]  # 128 bits each
        BallotToken.objects.bulk_create(
            [
                BallotToken(token_hash=hash_token(t), ballot=ballot, category=category)
                for t in tokens
            ]
        )
        record(
            actor=actor,
            action="ballot.issue_tokens",
            target=ballot,
            organization=ballot.meeting.campaign.committee,
            changes={"issued": count, "category": category},
        )
    forget_turnout(ballot.pk)
    return tokens


TOKEN_MESSAGES = {
    "unknown": "二维码无效：没有找到这张测评票。请核对二维码，或向会务人员咨询。",
    "used": "这张测评票已经提交过了。每张票只能提交一次，感谢您的参与。",
    "draft": "测评尚未开始。请等主持人宣布开始测评后，刷新本页面。",
    "closed": "本次测评已经结束，不能再提交。",
}


class TokenError(DomainError):
    def __init__(self, code: str) -> None:
        # API: a known token in the wrong state is a 409, an unknown one a 400.
        super().__init__(TOKEN_MESSAGES[code], code="state" if code != "unknown" else "invalid")
        self.reason = code


@dataclass(frozen=True)
class TokenView:
    ballot: Ballot
    category: str
    nullifier: str = ""  # under the current server key, computed once for the request


def _load_sheet(ballot_id: int) -> Ballot:
    return Ballot.objects.select_related("meeting").get(pk=ballot_id)


def token_ballot(token: str) -> TokenView:
    """The ballot a token opens, or TokenError with a message for the voter (one query).

    The token's state is always read from the database; only the frozen sheet of its
    open ballot comes from the process's cache (ballots/sheets.py)."""
    token_hash = hash_token(token)
    candidates = sealing.nullifier_candidates(token, token_hash)
    marks = ", ".join(["%s"] * len(candidates))
    with bound_cursor() as cursor:
        cursor.execute(
            f"SELECT t.category, b.id, b.state, b.opened_at, EXISTS (SELECT 1 FROM"
            f" {Nullifier._meta.db_table} n WHERE n.value IN ({marks}))"
            f" FROM {BallotToken._meta.db_table} t JOIN {Ballot._meta.db_table} b"
            f" ON b.id = t.ballot_id WHERE t.token_hash = %s",
            [*candidates, token_hash],
        )
        row = cursor.fetchone()
    if row is None:
        raise TokenError("unknown")
    category, ballot_id, state, opened_at, spent = row
    if state == BallotState.CLOSED:
        raise TokenError("closed")
    if spent:
        raise TokenError("used")
    if state == BallotState.DRAFT:
        raise TokenError("draft")
    ballot = sheets.cache.ballot(ballot_id, opened_at, lambda: _load_sheet(ballot_id))
    return TokenView(ballot=ballot, category=category, nullifier=candidates[0])


def normalize(
    ballot: Ballot, choices: Mapping[str, Sequence[str]]
) -> list[tuple[int, str, str, str]]:
    """Every row of the sheet as (item, indicator, grade, status); missing rows are 未选.

    A row with one grade is valid, with none or several invalid (seed 004's form)."""
    scale = set(ballot.scale)
    sheet_rows = ballot.rows()
    known = {row["key"] for row in sheet_rows}
    for key, grades in choices.items():
        if key not in known:
            raise DomainError("测评票中有不属于本次测评的项目。")
        if any(g not in scale for g in grades):
            raise DomainError("测评票中有不在等次表中的选项。")
    out = []
    for row in sheet_rows:
        grades = sorted(set(choices.get(row["key"], ())))
        indicator = row["indicator"]["key"] if row["indicator"] else ""
        if len(grades) == 1:
            out.append((int(row["item"]["id"]), indicator, grades[0], MarkStatus.VALID.value))
        elif grades:
            out.append((int(row["item"]["id"]), indicator, "", MarkStatus.MULTIPLE.value))
        else:
            out.append((int(row["item"]["id"]), indicator, "", MarkStatus.NONE.value))
    return out


Rows = list[tuple[int, str, str, str]]


def _uuid_param(value: uuid.UUID) -> Any:
    # What UUIDField would store: a native uuid on PostgreSQL, 32 hex characters on SQLite.
    return value if connection.features.has_native_uuid_field else value.hex


def clean_text(value: str, limit: int) -> str:
    """Free text as stored: NUL characters dropped (PostgreSQL refuses them), trimmed, capped."""
    return value.replace("\x00", "").strip()[:limit]


def _codes(ballot: Ballot, rows: Rows) -> list[int]:
    """A normalized sheet as one small integer per row: the grade's place in the scale."""
    scale = list(ballot.scale)
    return [
        scale.index(grade)
        if status == MarkStatus.VALID
        else (sealing.MULTIPLE if status == MarkStatus.MULTIPLE else sealing.NONE)
        for _, _, grade, status in rows
    ]


def rows_from_codes(ballot: Ballot, codes: list[int]) -> Rows:
    out: Rows = []
    for row, code in zip(ballot.rows(), codes, strict=True):
        item = int(row["item"]["id"])
        indicator = row["indicator"]["key"] if row["indicator"] else ""
        if code >= 0:
            out.append((item, indicator, str(ballot.scale[code]), MarkStatus.VALID.value))
        elif code == sealing.MULTIPLE:
            out.append((item, indicator, "", MarkStatus.MULTIPLE.value))
        else:
            out.append((item, indicator, "", MarkStatus.NONE.value))
    return out


def submit_sheet(
    token: str,
    *,
    choices: Mapping[str, Sequence[str]],
    comment: str = "",
    view: TokenView | None = None,
) -> None:
    """Cast the sheet of a token: exactly once, whatever the concurrency.

    One transaction: insert the token's nullifier if the ballot is open (a second
    insert of the same nullifier does nothing: rowcount 0, refuse), and the sheet
    sealed under the server key — on PostgreSQL both in a single statement. The
    token row is never written; no plain choice reaches the database before close.
    No per-row queries, no tally, no audit row."""
    view = view or token_ballot(token)
    ballot = view.ballot
    rows = normalize(ballot, choices)
    comment = clean_text(comment, 500) if ballot.allow_comment else ""
    box = sealing.seal(
        ballot.pk,
        category=view.category,
        codes=_codes(ballot, rows),
        comment=comment,
        allow_comment=ballot.allow_comment,
    )
    spent = view.nullifier or sealing.nullifier(token)
    if connection.vendor == "postgresql":
        # One statement is one transaction by itself: no BEGIN/COMMIT round trips.
        claimed = _cast_postgres(ballot, spent, box)
    else:
        with _sqlite_writer(), transaction.atomic():
            claimed = _cast_generic(ballot, spent, box)
    if not claimed:
        # Lost the race (or the ballot closed meanwhile): say why.
        state = Ballot.objects.filter(pk=ballot.pk).values_list("state", flat=True).first()
        raise TokenError("closed" if state == BallotState.CLOSED else "used")


_SPEND = (
    "INSERT INTO {nullifier} (value, ballot_id)"
    " SELECT %s, id FROM {ballot} WHERE id = %s AND state = %s{lock}"
    " ON CONFLICT DO NOTHING"
)


def _spend_sql() -> str:
    """Insert the nullifier if its ballot is open and it is not spent yet: rowcount 1 or 0.

    On PostgreSQL the ballot row is read FOR KEY SHARE: many casts hold that at once,
    but `close_ballot`'s FOR UPDATE waits for every cast in flight to commit, and a
    cast arriving meanwhile waits for the close and then sees the ballot closed — so
    no sheet is ever committed after the digest. SQLite serializes writers anyway.
    Two casts of one token insert the same primary key: the second waits for the
    first to commit and then does nothing."""
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    return _SPEND.format(
        nullifier=Nullifier._meta.db_table, ballot=Ballot._meta.db_table, lock=lock
    )


def _cast_generic(ballot: Ballot, spent: str, box: bytes) -> bool:
    """Spend the nullifier (rowcount 1 or nothing), then store the sealed sheet."""
    with connection.cursor() as cursor:
        cursor.execute(_spend_sql(), [spent, ballot.pk, BallotState.OPEN.value])
        if cursor.rowcount != 1:
            return False
        cursor.execute(
            f"INSERT INTO {SealedSheet._meta.db_table} (id, ballot_id, box) VALUES (%s, %s, %s)",
            [_uuid_param(uuid.uuid4()), ballot.pk, box],
        )
    return True


def _cast_postgres(ballot: Ballot, spent: str, box: bytes) -> bool:
    """The same as `_cast_generic` in one statement: the sealed sheet is inserted only
    from the row the nullifier insert returned (none if spent or the ballot not open)."""
    sql = (
        f"WITH claimed AS ({_spend_sql()} RETURNING ballot_id),"
        f" sealed AS (INSERT INTO {SealedSheet._meta.db_table} (id, ballot_id, box)"
        "  SELECT gen_random_uuid(), ballot_id, %s FROM claimed)"
        " SELECT count(*) FROM claimed"
    )
    with bound_cursor() as cursor:
        cursor.execute(sql, [spent, ballot.pk, BallotState.OPEN.value, box])
        row = cursor.fetchone()
    return bool(row and row[0] == 1)


_WRITER = threading.Lock()
_WRITER_FILES: dict[str, Any] = {}


@contextmanager
def _sqlite_writer() -> Iterator[None]:
    """Queue SQLite writers of the casting hot path instead of letting them collide.

    SQLite admits one writer at a time and a blocked writer polls with growing sleeps
    (busy_timeout), which under a burst of hundreds of phones wastes most of the time.
    Waiting on a thread lock and an flock next to the database file wakes the next
    writer the moment the previous one commits. PostgreSQL needs none of this."""
    if connection.vendor != "sqlite":
        yield
        return
    name = str(connection.settings_dict["NAME"])
    with _WRITER:
        if fcntl is None or "memory" in name:
            yield
            return
        handle = _WRITER_FILES.get(name)
        if handle is None:
            # Beside the database, so as private as it (0600).
            fd = os.open(f"{name}.castlock", os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            handle = _WRITER_FILES[name] = os.fdopen(fd, "a+b")
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
