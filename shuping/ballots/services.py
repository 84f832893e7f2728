"""Ballot lifecycle: create, open and close a ballot, with the snapshot of the round's
rules (rows, scale, evaluator categories) that it carries.

See models.py for how secrecy is built in. Every function that changes state runs in
one transaction, checks permission and state, and writes an audit row. The rest of a
ballot's life lives beside this module, one object each:

- `ballots.casting`: one-time tokens and the voter's cast — the one act that is never
  audited (an audit row there would tie a time to a choice);
- `ballots.paper`: paper forms handed out and the clerks' double entry;
- `ballots.counting`: live turnout while open, the tally and digest fixed at close;
- `ballots.common`: the lock and the permission check they all share.
"""

from __future__ import annotations

import logging
import random
import uuid
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from shuping.audit.services import record
from shuping.ballots import items as items_mod
from shuping.ballots import sealing
from shuping.ballots.casting import Rows, clean_text, normalize, rows_from_codes
from shuping.ballots.common import check_write, lock_ballot
from shuping.ballots.counting import compute_digest, forget_turnout, recount
from shuping.ballots.models import (
    TRANSITIONS,
    Ballot,
    BallotState,
    Channel,
    Mark,
    Nullifier,
    PaperEntry,
    SealedSheet,
    Sheet,
)
from shuping.ballots.paper import paper_status
from shuping.lib.errors import DomainError, StateError
from shuping.lib.types import Actor
from shuping.meetings.attendance import quorum_status
from shuping.meetings.models import Meeting, MeetingStatus
from shuping.rounds.rules import MeetingRule

logger = logging.getLogger(__name__)


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def _check_move(ballot: Ballot, target: str) -> None:
    if not can_move(ballot.state, target):
        raise StateError(
            f"测评当前为“{ballot.get_state_display()}”，不能变为“{BallotState(target).label}”。"
        )


def _meeting_rule(meeting: Meeting) -> MeetingRule:
    rules = meeting.campaign.parsed_rules
    try:
        return rules.meeting(meeting.kind)
    except KeyError:
        return rules.meetings[0]


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
        check_write(meeting, actor)
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


def open_ballot(ballot: Ballot, *, actor: Actor, override_reason: str = "") -> Ballot:
    """Open for casting. Refused when the quorum is not met, unless a written reason is given."""
    with transaction.atomic():
        ballot = lock_ballot(ballot)
        check_write(ballot, actor)
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
    forget_turnout(ballot.pk)
    return ballot


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
        ballot = lock_ballot(ballot)
        check_write(ballot, actor)
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
    forget_turnout(ballot.pk)
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
        out.append((category, Channel.ELECTRONIC.value, comment, rows_from_codes(ballot, codes)))
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
