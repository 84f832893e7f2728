"""Ballot state changes: create, issue tokens, open, cast, paper entry, close.

See models.py for how secrecy is built in. Every function that changes state
runs in one transaction, checks permission and state, and writes an audit row —
except `submit_sheet`, which is the voter's anonymous act and is never audited
(an audit row there would tie a time to a choice).
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import secrets
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's busy timeout alone
    fcntl = None  # type: ignore[assignment]

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from shuping.audit.services import record
from shuping.ballots import items as items_mod
from shuping.ballots import sealing, sheets
from shuping.ballots import tally as tally_mod
from shuping.ballots.models import (
    TRANSITIONS,
    Ballot,
    BallotState,
    BallotToken,
    Channel,
    Mark,
    MarkStatus,
    Nullifier,
    PaperEntry,
    SealedSheet,
    Sheet,
)
from shuping.lib.dbcursor import bound_cursor
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.lib.types import Actor
from shuping.meetings.access import can_run_meeting
from shuping.meetings.attendance import quorum_status
from shuping.meetings.models import Meeting, MeetingStatus
from shuping.rounds.archive import require_not_archived
from shuping.rounds.rules import MeetingRule

logger = logging.getLogger(__name__)

MAX_TOKENS_PER_ISSUE = 1000
TURNOUT_CACHE_SECONDS = 1.0
# Each process also keeps the answer this long, so the projector and host pages' polls
# cost no round trip at a meeting's peak. A change made through this process is seen at
# once; through another server, within this plus the shared second above.
TURNOUT_LOCAL_SECONDS = 0.5


# --- helpers --------------------------------------------------------------------


def hash_token(token: str) -> str:
    # Tokens carry 128 bits of randomness, so an unsalted hash cannot be reversed by guessing.
    return hashlib.sha256(token.encode()).hexdigest()


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def _check_move(ballot: Ballot, target: str) -> None:
    if not can_move(ballot.state, target):
        raise StateError(
            f"测评当前为“{ballot.get_state_display()}”，不能变为“{BallotState(target).label}”。"
        )


def _check_write(ballot_or_meeting: Ballot | Meeting, actor: Actor) -> None:
    if actor is None:  # the system (demo loader, commands)
        return
    meeting = (
        ballot_or_meeting.meeting if isinstance(ballot_or_meeting, Ballot) else ballot_or_meeting
    )
    if not can_run_meeting(actor, meeting):
        raise PermissionDenied("只有组织单位的组织员或主持人可以管理测评。")


def _lock(ballot: Ballot) -> Ballot:
    locked = (
        Ballot.objects.select_for_update(of=("self",))
        .select_related("meeting__campaign__committee", "meeting__host")
        .get(pk=ballot.pk)
    )
    require_not_archived(locked.meeting.campaign)
    return locked


def _meeting_rule(meeting: Meeting) -> MeetingRule:
    rules = meeting.campaign.parsed_rules
    try:
        return rules.meeting(meeting.kind)
    except KeyError:
        return rules.meetings[0]


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


def _snapshot_items(meeting: Meeting) -> list[dict[str, Any]]:
    provider = items_mod.provider_for(meeting.kind)
    if provider is not None:  # e.g. a branch's members (member_review)
        return provider(meeting)
    entries = (
        meeting.agenda.filter(evaluated=True)
        .select_related("reporter__person", "reporter__organization")
        .order_by("order", "id")
    )
    items = []
    for entry in entries:
        rep = entry.reporter
        name = rep.person.name if rep.person_id else "（书记空缺）"  # type: ignore[union-attr]
        items.append(
            {
                "id": entry.pk,
                "name": name,
                "position": rep.position or rep.organization.name,
                "org": rep.organization.name,
            }
        )
    return items


def _apply_rules(ballot: Ballot) -> None:
    """Copy what the sheet needs from the round's rules (snapshot: rules may change later)."""
    meeting = ballot.meeting
    rules = meeting.campaign.parsed_rules
    rule = _meeting_rule(meeting)
    ballot.items = _snapshot_items(meeting)
    ballot.scale = list(rule.ballot_scale or rules.ballot_scale)
    ballot.mode = rule.ballot_mode
    ballot.allow_comment = rule.ballot_comment
    ballot.indicators = (
        [{"key": i.key, "title": i.title} for i in rules.indicators]
        if rule.ballot_mode == "per_indicator"
        else []
    )
    cats = [{"key": c.key, "title": c.title, "weight": str(c.weight)} for c in rule.evaluators]
    if ballot.category:
        cats = [c for c in cats if c["key"] == ballot.category]
    ballot.categories = cats or [{"key": "", "title": "参会人员", "weight": "1"}]


# --- set-up ---------------------------------------------------------------------


def _check_no_double_vote(meeting: Meeting, category: str) -> None:
    """Every ballot of a meeting covers the same reporters, so one evaluator category may
    appear in one ballot only: a whole-meeting ballot excludes every per-category one."""
    taken = set(Ballot.objects.filter(meeting=meeting).values_list("category", flat=True))
    if category in taken:
        raise DomainError("本次会议已有此范围的测评。", field="category")
    if "" in taken:
        raise DomainError(
            "本次会议已有面向全体测评人的测评，同一类测评人不能对同一述职对象测评两次。",
            field="category",
        )
    if taken and not category:
        raise DomainError(
            "本次会议已按测评人类别建立了测评，不能再建立面向全体测评人的测评"
            "（同一类测评人不能对同一述职对象测评两次）。",
            field="category",
        )


def create_ballot(meeting: Meeting, *, actor: Actor, category: str = "", title: str = "") -> Ballot:
    with transaction.atomic():
        _check_write(meeting, actor)
        rule = _meeting_rule(meeting)
        keys = {c.key for c in rule.evaluators}
        if category and category not in keys:
            raise DomainError("测评人类别不在本次会议的规则中。", field="category")
        if meeting.status == MeetingStatus.CLOSED:
            raise StateError("会议已结束，不能再新建测评。")
        _check_no_double_vote(meeting, category)
        ballot = Ballot(meeting=meeting, category=category)
        _apply_rules(ballot)
        label = ballot.category_title(category) if category else ""
        ballot.title = title.strip() or f"{meeting.title}民主测评{f'（{label}）' if label else ''}"
        ballot.save()
        record(
            actor=actor,
            action="ballot.create",
            target=ballot,
            organization=meeting.campaign.committee,
            changes={"category": [None, category]},
        )
    return ballot


def issue_tokens(ballot: Ballot, *, actor: Actor, category: str, count: int) -> list[str]:
    """Create `count` one-time tokens and return them ONCE: only their hashes are stored."""
    with transaction.atomic():
        ballot = _lock(ballot)
        _check_write(ballot, actor)
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
    _forget_turnout(ballot.pk)
    return tokens


def set_paper_handed_out(ballot: Ballot, *, actor: Actor, count: int) -> Ballot:
    with transaction.atomic():
        ballot = _lock(ballot)
        _check_write(ballot, actor)
        if ballot.state == BallotState.CLOSED:
            raise StateError("测评已结束。")
        if not 0 <= count <= 100000:
            raise DomainError("请填写发出的纸质票张数。", field="paper_handed_out")
        before = ballot.paper_handed_out
        ballot.paper_handed_out = count
        ballot.save(update_fields=["paper_handed_out"])
        record(
            actor=actor,
            action="ballot.paper_handed_out",
            target=ballot,
            organization=ballot.meeting.campaign.committee,
            changes={"paper_handed_out": [before, count]},
        )
    _forget_turnout(ballot.pk)
    return ballot


def open_ballot(ballot: Ballot, *, actor: Actor, override_reason: str = "") -> Ballot:
    """Open for casting. Refused when the quorum is not met, unless a written reason is given."""
    with transaction.atomic():
        ballot = _lock(ballot)
        _check_write(ballot, actor)
        _check_move(ballot, BallotState.OPEN)
        status = ballot.meeting.status
        if status != MeetingStatus.IN_PROGRESS:
            raise StateError(
                "会议已结束，不能再开始测评。"
                if status == MeetingStatus.CLOSED
                else "会议尚未开始。请先在会议页面宣布会议开始，再开始测评。"
            )
        _apply_rules(ballot)
        if not ballot.items:
            raise DomainError("本次会议没有参加测评的述职对象。")
        quorum = quorum_status(ballot.meeting)
        reason = override_reason.strip()
        if not quorum.met and not reason:
            raise DomainError(
                "到会人数未达到要求，不能开始测评："
                + "；".join(quorum.lines)
                + "。如确需开始，请由主持人填写理由。",
                field="override_reason",
            )
        ballot.state = BallotState.OPEN
        ballot.opened_at = timezone.now()
        # Either the host overrides here, or the meeting's own override (meetings app) let
        # the quorum count as met; the ballot keeps whichever reason applies.
        if not quorum.met:
            ballot.override_reason = reason
        elif quorum.overridden:
            ballot.override_reason = quorum.override_reason
        else:
            ballot.override_reason = ""
        ballot.save(
            update_fields=[
                "state",
                "opened_at",
                "override_reason",
                "items",
                "scale",
                "mode",
                "allow_comment",
                "indicators",
                "categories",
            ]
        )
        record(
            actor=actor,
            action="ballot.open",
            target=ballot,
            organization=ballot.meeting.campaign.committee,
            changes={"state": [BallotState.DRAFT, BallotState.OPEN]},
            note=(
                f"到会人数未达要求，主持人说明理由：{ballot.override_reason}"
                if ballot.override_reason
                else ""
            ),
        )
    _forget_turnout(ballot.pk)
    return ballot


# --- casting --------------------------------------------------------------------


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


def _rows_from_codes(ballot: Ballot, codes: list[int]) -> Rows:
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


# --- paper ----------------------------------------------------------------------


def record_paper_entry(
    ballot: Ballot,
    *,
    actor: Actor,
    number: int,
    category: str,
    choices: Mapping[str, Sequence[str]],
    comment: str = "",
    correct: bool = False,
) -> PaperEntry:
    """One clerk's transcription of paper form `number`. The first entry of a number is
    pass 1; a different clerk's entry is pass 2 (the same clerk can never do both);
    with `correct=True` a clerk overwrites their own pass after a mismatch."""
    with transaction.atomic():
        ballot = _lock(ballot)
        _check_write(ballot, actor)
        if ballot.state != BallotState.OPEN:
            raise StateError("只有测评进行中才能录入纸质票。")
        if number < 1:
            raise DomainError("票号应为正整数。", field="number")
        if category not in {c["key"] for c in ballot.categories}:
            raise DomainError("请选择测评人类别。", field="category")
        normalize(ballot, choices)  # validates keys and grades
        missing = [r["key"] for r in ballot.rows() if r["key"] not in choices]
        if missing:
            raise DomainError(
                "还有未录入的行，请对每一行选择等次、“未选”或“多选”。", field="choices"
            )
        clean = {k: sorted(set(v)) for k, v in choices.items()}
        existing = {e.pass_no: e for e in PaperEntry.objects.filter(ballot=ballot, number=number)}
        user_id = getattr(actor, "pk", None)
        mine = next((e for e in existing.values() if e.clerk_id == user_id), None)
        if mine is not None and not correct:
            raise DomainError(
                f"您已录入过第 {number} 号票。第二次录入须由另一位计票人完成；"
                "如需更正自己的录入，请勾选“更正我的录入”。",
                field="number",
            )
        if mine is None and correct:
            raise DomainError(f"您尚未录入第 {number} 号票，无可更正。", field="number")
        if mine is not None:
            entry = mine
            entry.category, entry.choices, entry.comment = category, clean, comment.strip()
            entry.save(update_fields=["category", "choices", "comment"])
            action = "ballot.paper_correct"
        elif len(existing) >= 2:
            raise DomainError(f"第 {number} 号票已由两人录入完毕。", field="number")
        else:
            if actor is None or user_id is None:
                raise PermissionDenied("纸质票须由登录的计票人录入。")
            entry = PaperEntry.objects.create(
                ballot=ballot,
                number=number,
                pass_no=2 if existing else 1,
                clerk_id=user_id,
                category=category,
                choices=clean,
                comment=comment.strip(),
            )
            action = "ballot.paper_enter"
        # The clerk's transcription is not a voter's act; log the sheet number only.
        record(
            actor=actor,
            action=action,
            target=ballot,
            organization=ballot.meeting.campaign.committee,
            changes={"number": number, "pass": entry.pass_no},
        )
    _forget_turnout(ballot.pk)
    return entry


@dataclass
class PaperStatus:
    matched: list[int]
    mismatched: list[dict[str, Any]]  # {"number", "rows": [row titles that differ]}
    single: list[int]  # only one pass so far
    entered: int  # distinct sheet numbers entered at least once


def _entry_key(entry: PaperEntry) -> tuple[str, str, tuple[tuple[str, tuple[str, ...]], ...]]:
    return (
        entry.category,
        entry.comment,
        tuple(sorted((k, tuple(v)) for k, v in entry.choices.items())),
    )


def paper_status(ballot: Ballot) -> PaperStatus:
    by_number: dict[int, list[PaperEntry]] = {}
    for entry in PaperEntry.objects.filter(ballot=ballot).order_by("number", "pass_no"):
        by_number.setdefault(entry.number, []).append(entry)
    titles = {
        r["key"]: r["item"]["name"] + (f"·{r['indicator']['title']}" if r["indicator"] else "")
        for r in ballot.rows()
    }
    status = PaperStatus(matched=[], mismatched=[], single=[], entered=len(by_number))
    for number, entries in by_number.items():
        if len(entries) < 2:
            status.single.append(number)
        elif _entry_key(entries[0]) == _entry_key(entries[1]):
            status.matched.append(number)
        else:
            a, b = entries[0], entries[1]
            rows = [titles.get(k, k) for k in titles if a.choices.get(k) != b.choices.get(k)]
            if a.category != b.category:
                rows.insert(0, "测评人类别")
            if a.comment != b.comment:
                rows.append("意见建议")
            status.mismatched.append({"number": number, "rows": rows})
    return status


# --- closing and results --------------------------------------------------------


def close_ballot(
    ballot: Ballot,
    *,
    actor: Actor,
    exclude_unmatched: bool = False,
    paper_excess_reason: str = "",
) -> Ballot:
    """Close: sealed and matched paper sheets become plain sheets in random order, in
    this one transaction; the sealed rows go, and the tally and a digest are fixed.
    Counting more paper sheets than were handed out needs a written reason."""
    with transaction.atomic():
        ballot = _lock(ballot)
        _check_write(ballot, actor)
        _check_move(ballot, BallotState.CLOSED)
        paper = paper_status(ballot)
        pending = len(paper.mismatched) + len(paper.single)
        if pending and not exclude_unmatched:
            raise StateError(
                f"有 {pending} 张纸质票尚未完成两人一致的录入（不一致 {len(paper.mismatched)} 张，"
                f"只录入一次 {len(paper.single)} 张）。请先核对，或确认不计入这些票后结束测评。"
            )
        counted, handed = len(paper.matched), ballot.paper_handed_out
        reason = clean_text(paper_excess_reason, 2000)
        if counted > handed and not reason:
            raise DomainError(
                f"计入的纸质票 {counted} 张，多于登记发出的 {handed} 张。"
                "请核对发出张数，或说明原因后再结束测评。",
                field="paper_excess_reason",
            )
        ballot.paper_excess_reason = reason if counted > handed else ""
        sheets = _legacy_plain_sheets(ballot) + _unsealed_sheets(ballot)
        entries = PaperEntry.objects.filter(ballot=ballot, number__in=paper.matched, pass_no=1)
        sheets += [
            (
                e.category,
                Channel.PAPER.value,
                e.comment if ballot.allow_comment else "",
                normalize(ballot, e.choices),
            )
            for e in entries
        ]
        _write_plain_sheets(ballot, sheets)
        SealedSheet.objects.filter(ballot=ballot).delete()
        ballot.state = BallotState.CLOSED
        ballot.closed_at = timezone.now()
        ballot.closed_tally = recount(ballot)
        ballot.digest = compute_digest(ballot)
        ballot.save(
            update_fields=["state", "closed_at", "closed_tally", "digest", "paper_excess_reason"]
        )
        record(
            actor=actor,
            action="ballot.close",
            note=(
                f"计入纸质票多于发出张数，说明：{ballot.paper_excess_reason}"
                if ballot.paper_excess_reason
                else ""
            ),
            target=ballot,
            organization=ballot.meeting.campaign.committee,
            changes={
                "state": [BallotState.OPEN, BallotState.CLOSED],
                "digest": ballot.digest,
                "sheets": ballot.closed_tally["sheets"],
                "paper_excluded": pending,
            },
        )
        transaction.on_commit(scrub_storage)
    _forget_turnout(ballot.pk)
    return ballot


PlainSheet = tuple[str, str, str, Rows]  # category, channel, comment, rows


def _unsealed_sheets(ballot: Ballot) -> list[PlainSheet]:
    out: list[PlainSheet] = []
    broken = 0
    for box in SealedSheet.objects.filter(ballot=ballot).values_list("box", flat=True).iterator():
        try:
            category, codes, comment = sealing.unseal(ballot.pk, bytes(box))
        except sealing.SealError:
            broken += 1
            continue
        out.append((category, Channel.ELECTRONIC.value, comment, _rows_from_codes(ballot, codes)))
    if broken:
        raise StateError(
            f"有 {broken} 张电子测评票无法用服务器密钥打开（服务器密钥可能在测评期间被更换）。"
            "请恢复原密钥（或将其列入 SECRET_KEY_FALLBACKS）后再结束测评。"
        )
    return out


def _legacy_plain_sheets(ballot: Ballot) -> list[PlainSheet]:
    """Plain sheets an open ballot received before sealing existed: rewritten with the rest."""
    found = list(
        Sheet.objects.filter(ballot=ballot).values_list("id", "category", "channel", "comment")
    )
    if not found:
        return []
    marks: dict[uuid.UUID, Rows] = {}
    for sid, item, ind, grade, status in Mark.objects.filter(ballot=ballot).values_list(
        "sheet_id", "item", "indicator", "grade", "status"
    ):
        marks.setdefault(sid, []).append((item, ind, grade, status))
    Mark.objects.filter(ballot=ballot).delete()
    Sheet.objects.filter(ballot=ballot).delete()
    return [(cat, ch, comment, marks.get(sid, [])) for sid, cat, ch, comment in found]


def _write_plain_sheets(ballot: Ballot, sheets: list[PlainSheet]) -> None:
    """Insert every sheet and its rows in random order with fresh random ids, so neither
    the physical row order nor (on PostgreSQL) the transaction id follows the casting order."""
    random.SystemRandom().shuffle(sheets)
    new_sheets: list[Sheet] = []
    new_marks: list[Mark] = []
    for category, channel, comment, rows in sheets:
        sheet = Sheet(id=uuid.uuid4(), ballot_id=ballot.pk, category=category)
        sheet.channel, sheet.comment = channel, comment
        new_sheets.append(sheet)
        new_marks.extend(
            Mark(
                id=uuid.uuid4(),
                sheet_id=sheet.id,
                ballot_id=ballot.pk,
                item=i,
                indicator=ind,
                grade=g,
                status=st,
            )
            for i, ind, g, st in rows
        )
    Sheet.objects.bulk_create(new_sheets, batch_size=500)
    Mark.objects.bulk_create(new_marks, batch_size=500)


def scrub_storage() -> None:
    """After a close commits, leave no old copy of what was deleted.

    PostgreSQL: VACUUM removes the dead tuples of the sealed rows (ciphertext anyway)
    and of any rewritten legacy sheets. SQLite: deleted rows are overwritten at once
    (secure_delete, see settings) and the -wal file, which still holds the pages as
    they were during the ballot, is checkpointed and truncated to zero bytes. A failure
    here never undoes the close; the next close, or `verify-ballots`, scrubs again."""
    if connection.in_atomic_block:
        return  # VACUUM cannot run in a transaction; on_commit callers never are in one
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                tables = ", ".join(m._meta.db_table for m in (SealedSheet, Sheet, Mark, Nullifier))
                cursor.execute(f"VACUUM {tables}")
            elif connection.vendor == "sqlite":
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except DatabaseError:  # pragma: no cover - e.g. a reader holding the WAL open
        logger.warning("ballots: could not scrub storage after close", exc_info=True)


def _rule_specs(ballot: Ballot) -> list[tally_mod.RuleSpec]:
    return [
        tally_mod.RuleSpec(
            kind=r.kind, grades=r.grades, share=r.share, result=r.result, text=r.text
        )
        for r in ballot.meeting.campaign.parsed_rules.grading
        if r.kind == "share_exceeds" and set(r.grades) <= set(ballot.scale)
    ]


def recount(ballot: Ballot) -> dict[str, Any]:
    """The tally recomputed from the stored sheets (three queries)."""
    marks = [
        tally_mod.MarkRow(category=c, item=i, indicator=ind, grade=g, status=s)
        for c, i, ind, g, s in Mark.objects.filter(ballot=ballot).values_list(
            "sheet__category", "item", "indicator", "grade", "status"
        )
    ]
    sheets = [
        (r["category"], r["channel"], r["n"])
        for r in Sheet.objects.filter(ballot=ballot)
        .values("category", "channel")
        .annotate(n=Count("id"))
        .order_by("category", "channel")
    ]
    comments = (
        Sheet.objects.filter(ballot=ballot).exclude(comment="").values_list("comment", flat=True)
    )
    return tally_mod.count(
        marks=marks,
        sheets=sheets,
        items=ballot.items,
        scale=ballot.scale,
        indicators=ballot.indicators,
        categories=ballot.categories,
        rules=_rule_specs(ballot),
        comments=list(comments),
        unit="项次" if ballot.mode == "per_indicator" else "票",
    )


def compute_digest(ballot: Ballot) -> str:
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for sid, item, ind, grade, status in Mark.objects.filter(ballot=ballot).values_list(
        "sheet_id", "item", "indicator", "grade", "status"
    ):
        rows.setdefault(str(sid), []).append((item, ind, grade, status))
    sheets = [
        (str(sid), cat, channel, comment, rows.get(str(sid), []))
        for sid, cat, channel, comment in Sheet.objects.filter(ballot=ballot).values_list(
            "id", "category", "channel", "comment"
        )
    ]
    return tally_mod.digest(ballot.pk, sheets)


def verify_digest(ballot: Ballot) -> bool:
    """Whether the stored sheets still hash to the digest fixed at close."""
    return bool(ballot.digest) and compute_digest(ballot) == ballot.digest


def results(ballot: Ballot) -> dict[str, Any]:
    """The figures fixed at close. Hidden while the ballot is open."""
    if ballot.state != BallotState.CLOSED or ballot.closed_tally is None:
        raise StateError("测评结束后才能查看结果。")
    return ballot.closed_tally


def _turnout_key(ballot_id: int) -> str:
    return f"ballots:turnout:{ballot_id}"


def _count_turnout(ballot_id: int) -> dict[str, Any] | None:
    """State and counts in one query (each count an index range on ballot_id)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b.state, b.paper_handed_out,"
            f" (SELECT count(*) FROM {BallotToken._meta.db_table} WHERE ballot_id = b.id),"
            f" (SELECT count(*) FROM {Nullifier._meta.db_table} WHERE ballot_id = b.id),"
            f" (SELECT count(*) FROM {PaperEntry._meta.db_table}"
            "  WHERE ballot_id = b.id AND pass_no = 1)"
            f" FROM {Ballot._meta.db_table} b WHERE b.id = %s",
            [ballot_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    state, handed_out, issued, submitted, entered = row
    return {
        "state": state,
        "issued": issued,
        "submitted": submitted,
        "paper_handed_out": handed_out,
        "paper_entered": entered,
    }


# ballot id -> (monotonic deadline, turnout); bounded like _PROJECTOR_IDS below.
_LOCAL_TURNOUT: dict[int, tuple[float, dict[str, Any]]] = {}
_LOCAL_TURNOUT_MAX = 10000


def _forget_turnout(ballot_id: int) -> None:
    _LOCAL_TURNOUT.pop(ballot_id, None)
    cache.delete(_turnout_key(ballot_id))


def _cached_turnout(ballot_id: int) -> dict[str, Any] | None:
    """Cached a second in the shared cache, so many viewers on any number of servers cost
    one query a second, and half a second in the process in front of it; every change
    of state or count above deletes both."""
    now = time.monotonic()
    local = _LOCAL_TURNOUT.get(ballot_id)
    if local is not None and local[0] > now:
        return local[1]
    key = _turnout_key(ballot_id)
    data: dict[str, Any] | None = cache.get(key)
    if data is None:
        data = _count_turnout(ballot_id)
        if data is not None:
            cache.set(key, data, TURNOUT_CACHE_SECONDS)
    if data is not None:
        if len(_LOCAL_TURNOUT) >= _LOCAL_TURNOUT_MAX:
            _LOCAL_TURNOUT.clear()
        _LOCAL_TURNOUT[ballot_id] = (now + TURNOUT_LOCAL_SECONDS, data)
    return data


def turnout(ballot: Ballot) -> dict[str, Any]:
    """Live turnout: counts only."""
    data = _cached_turnout(ballot.pk) or {
        "state": ballot.state,
        "issued": 0,
        "submitted": 0,
        "paper_handed_out": ballot.paper_handed_out,
        "paper_entered": 0,
    }
    return {**data, "state": ballot.state}  # the caller's row is the freshest word on state


# Projector keys never change, so each process remembers which ballot a key names (the
# keys of ballots that exist only: guessing fills nothing). Bounded all the same.
_PROJECTOR_IDS: dict[str, int] = {}
_PROJECTOR_IDS_MAX = 10000


def turnout_by_projector_key(key: str) -> dict[str, Any] | None:
    """The projector's and host page's poll: no query at all while the shared cache is
    fresh (on PostgreSQL one, the cache's own), or None for an unknown key."""
    ballot_id = _PROJECTOR_IDS.get(key)
    if ballot_id is None:
        ballot_id = Ballot.objects.filter(projector_key=key).values_list("id", flat=True).first()
        if ballot_id is None:
            return None
        if len(_PROJECTOR_IDS) >= _PROJECTOR_IDS_MAX:
            _PROJECTOR_IDS.clear()
        _PROJECTOR_IDS[key] = ballot_id
    data = _cached_turnout(ballot_id)
    if data is None:  # the ballot was deleted
        _PROJECTOR_IDS.pop(key, None)
    return data
