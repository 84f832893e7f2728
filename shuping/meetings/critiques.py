"""What the meeting says about each reporter: questions (with the promises made in
answer) and the host's critique (一述一评).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shuping.audit.services import record
from shuping.lib.errors import DomainError, StateError
from shuping.meetings import prefill
from shuping.meetings.models import (
    CRITIQUE_TRANSITIONS,
    Critique,
    CritiqueStatus,
    MeetingReporter,
    Question,
)
from shuping.rounds.models import Campaign

if TYPE_CHECKING:
    from shuping.lib.types import Actor

from shuping.meetings.services import (
    DEFAULT_TITLES,
    _locked,
    _not_closed,
    _require_run,
    _required_text,
    _user,
)

# --- questions -------------------------------------------------------------------


def _check_entry_writable(entry: MeetingReporter, actor: Actor) -> None:
    _require_run(actor, entry.meeting)
    _not_closed(entry.meeting)


def add_question(
    entry: MeetingReporter,
    *,
    actor: Actor,
    text: str,
    answer: str = "",
    asker_category: str = "",
    asker_name: str = "",
    promise: str = "",
    promised_by: date | None = None,
) -> Question:
    text = _required_text(text, "text", "请填写问题。")
    if promised_by is not None and promised_by < entry.meeting.starts_at.date():
        raise DomainError("承诺完成时间不能早于会议日期。", field="promised_by")
    if promise.strip() and promised_by is None:
        raise DomainError("作出承诺时请填写承诺完成时间。", field="promised_by")
    with transaction.atomic():
        _locked(entry.meeting)
        _check_entry_writable(entry, actor)
        question = Question.objects.create(
            entry=entry,
            text=text,
            answer=answer.strip(),
            asker_category=asker_category,
            asker_name=asker_name.strip(),
            promise=promise.strip(),
            promised_by=promised_by,
            created_by=_user(actor),
        )
        record(
            actor=actor,
            action="meeting.question_add",
            target=question,
            organization=entry.reporter.organization,
            changes={"reporter": str(entry.reporter), "promised_by": promised_by},
        )
    return question


def update_question(
    question: Question,
    *,
    actor: Actor,
    answer: str,
    promise: str = "",
    promised_by: date | None = None,
) -> Question:
    entry = question.entry
    if promise.strip() and promised_by is None:
        raise DomainError("作出承诺时请填写承诺完成时间。", field="promised_by")
    if promised_by is not None and promised_by < entry.meeting.starts_at.date():
        raise DomainError("承诺完成时间不能早于会议日期。", field="promised_by")
    with transaction.atomic():
        _locked(entry.meeting)
        _check_entry_writable(entry, actor)
        locked = Question.objects.select_for_update().get(pk=question.pk)
        before = [locked.answer, locked.promise, locked.promised_by]
        locked.answer, locked.promise, locked.promised_by = (
            answer.strip(),
            promise.strip(),
            promised_by,
        )
        locked.save(update_fields=["answer", "promise", "promised_by"])
        record(
            actor=actor,
            action="meeting.question_update",
            target=locked,
            organization=entry.reporter.organization,
            changes={
                "answer/promise/promised_by": [before, [locked.answer, locked.promise, promised_by]]
            },
        )
    return locked


def asker_label(question: Question, titles: dict[str, str]) -> str:
    """ "党员、张三" — the asker's category and name, either may be blank."""
    category = titles.get(question.asker_category) or DEFAULT_TITLES.get(
        question.asker_category, question.asker_category
    )
    return "、".join(x for x in (category, question.asker_name) if x)


def promises_for(campaign: Campaign) -> QuerySet[Question]:
    """Every promise made at the round's meetings, for the rectification ledger:
    questions with a promised completion date, with their reporter and meeting."""
    return (
        Question.objects.filter(entry__meeting__campaign=campaign, promised_by__isnull=False)
        .select_related(
            "entry__reporter__organization", "entry__reporter__person", "entry__meeting"
        )
        .order_by("promised_by", "id")
    )


# --- critiques ("一述一评") -----------------------------------------------------------


def critique_prefill(entry: MeetingReporter) -> str:
    """Material for the host's draft, from every app registered in `meetings.prefill`."""
    return prefill.critique_prefill(entry)


def save_critique(entry: MeetingReporter, *, actor: Actor, text: str) -> Critique:
    """Write or revise the draft critique of one entry (before or during the meeting)."""
    with transaction.atomic():
        _locked(entry.meeting)
        _check_entry_writable(entry, actor)
        critique, _ = Critique.objects.select_for_update().get_or_create(entry=entry)
        if critique.status == CritiqueStatus.FINAL:
            raise StateError("点评已定稿，不能再修改。")
        before = critique.text
        critique.text = text.strip()
        critique.updated_at = timezone.now()
        critique.save(update_fields=["text", "updated_at"])
        record(
            actor=actor,
            action="meeting.critique_save",
            target=critique,
            organization=entry.reporter.organization,
            changes={"text": [before, critique.text]},
        )
    return critique


def finalize_critique(entry: MeetingReporter, *, actor: Actor, text: str | None = None) -> Critique:
    """Fix the critique after the report: draft → final; a final critique is locked."""
    with transaction.atomic():
        _locked(entry.meeting)
        _check_entry_writable(entry, actor)
        fresh = MeetingReporter.objects.get(pk=entry.pk)
        if fresh.speaks and fresh.ended_at is None:
            raise StateError("述职结束后才能定稿点评。")
        critique, _ = Critique.objects.select_for_update().get_or_create(entry=entry)
        if CritiqueStatus.FINAL not in CRITIQUE_TRANSITIONS[critique.status]:
            raise StateError("点评已定稿。")
        if text is not None:
            critique.text = text.strip()
        if not critique.text:
            raise DomainError("请填写点评意见。", field="text")
        critique.status = CritiqueStatus.FINAL
        critique.finalized_at = critique.updated_at = timezone.now()
        critique.finalized_by = _user(actor)
        critique.save(
            update_fields=["text", "status", "finalized_at", "updated_at", "finalized_by"]
        )
        record(
            actor=actor,
            action="meeting.critique_final",
            target=critique,
            organization=entry.reporter.organization,
            changes={"status": [CritiqueStatus.DRAFT, CritiqueStatus.FINAL], "text": critique.text},
        )
    return critique
