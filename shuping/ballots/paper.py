"""Paper ballots: how many forms were handed out, and the clerks' transcription of
each returned form — two passes by two different clerks, matched before close.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from shuping.audit.services import record
from shuping.ballots.casting import normalize
from shuping.ballots.common import check_write, lock_ballot
from shuping.ballots.counting import forget_turnout
from shuping.ballots.models import Ballot, BallotState, PaperEntry
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.lib.types import Actor


def set_paper_handed_out(ballot: Ballot, *, actor: Actor, count: int) -> Ballot:
    with transaction.atomic():
        ballot = lock_ballot(ballot)
        check_write(ballot, actor)
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
    forget_turnout(ballot.pk)
    return ballot


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
        ballot = lock_ballot(ballot)
        check_write(ballot, actor)
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
    forget_turnout(ballot.pk)
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
