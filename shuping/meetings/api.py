"""JSON API for meetings (mounted at /api/v1/meetings/). Same access helpers and
services as the pages; DomainError/NotFound become 4xx in shuping/api.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from shuping.lib.errors import DomainError, NotFound
from shuping.meetings import attendance as roll  # the view below is named attendance
from shuping.meetings import critiques, services
from shuping.meetings import projector as projector_screen
from shuping.meetings.access import get_campaign_for_meetings, get_meeting_for, visible_meetings
from shuping.meetings.models import Attendee, Critique, Meeting, MeetingReporter, Question
from shuping.organizations.models import Person

router = Router(tags=["meetings"])


class MeetingOut(Schema):
    id: int
    campaign_id: int
    kind: str
    title: str
    starts_at: datetime
    place: str
    status: str
    host: str | None


class MeetingIn(Schema):
    campaign_id: int
    kind: str
    title: str
    starts_at: datetime
    place: str = ""
    host_id: int | None = None


class StatusIn(Schema):
    action: Literal["open", "close"]


class EntryOut(Schema):
    id: int
    order: int
    reporter_id: int
    name: str
    position: str
    organization: str
    speaks: bool
    evaluated: bool
    started_at: datetime | None
    ended_at: datetime | None


class OrderIn(Schema):
    entry_ids: list[int]


class AttendeeOut(Schema):
    id: int
    name: str
    unit: str
    category: str
    expected: bool
    signed_in_at: datetime | None
    method: str


class AttendeeIn(Schema):
    name: str
    category: str
    unit: str = ""
    walk_in: bool = False


class CountOut(Schema):
    key: str
    title: str
    expected: int
    present: int


class QuorumOut(Schema):
    met: bool
    lines: list[str]
    overridden: bool
    override_reason: str


class AttendanceOut(Schema):
    attendees: list[AttendeeOut]
    categories: list[CountOut]
    expected: int
    present: int
    quorum: QuorumOut


class ReasonIn(Schema):
    reason: str


class QuestionOut(Schema):
    id: int
    asker_category: str
    asker_name: str
    text: str
    answer: str
    promise: str
    promised_by: date | None
    created_at: datetime


class QuestionIn(Schema):
    text: str
    answer: str = ""
    asker_category: str = ""
    asker_name: str = ""
    promise: str = ""
    promised_by: date | None = None


class QuestionUpdateIn(Schema):
    answer: str
    promise: str = ""
    promised_by: date | None = None


class CritiqueOut(Schema):
    text: str
    status: str
    finalized_at: datetime | None


class CritiqueIn(Schema):
    text: str


def _meeting_out(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "campaign_id": m.campaign_id,
        "kind": m.kind,
        "title": m.title,
        "starts_at": m.starts_at,
        "place": m.place,
        "status": m.status,
        "host": m.host.name if m.host is not None else None,
    }


def _entry_out(e: MeetingReporter) -> dict[str, Any]:
    r = e.reporter
    return {
        "id": e.pk,
        "order": e.order,
        "reporter_id": r.pk,
        "name": r.person.name if r.person is not None else "",
        "position": r.position,
        "organization": r.organization.name,
        "speaks": e.speaks,
        "evaluated": e.evaluated,
        "started_at": e.started_at,
        "ended_at": e.ended_at,
    }


def _entry(meeting: Meeting, entry_id: int) -> MeetingReporter:
    try:
        entry = meeting.agenda.select_related("reporter__person", "reporter__organization").get(
            pk=entry_id
        )
    except MeetingReporter.DoesNotExist:
        raise NotFound() from None
    entry.meeting = meeting
    return entry


def _quorum(meeting: Meeting) -> dict[str, Any]:
    q = roll.quorum_status(meeting)
    return {
        "met": q.met,
        "lines": q.lines,
        "overridden": q.overridden,
        "override_reason": q.override_reason,
    }


@router.get("/", response=list[MeetingOut])
def list_meetings(request: HttpRequest, campaign_id: int | None = None) -> list[dict[str, Any]]:
    qs = visible_meetings(request.user).select_related("host").order_by("starts_at", "id")
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    return [_meeting_out(m) for m in qs]


@router.post("/", response={201: MeetingOut})
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status[dict[str, Any]]:
    campaign = get_campaign_for_meetings(request.user, payload.campaign_id, write=True)
    host = None
    if payload.host_id is not None:
        # Only people of the round's own subtree: an id from elsewhere must not come back
        # with a name (the same answer as an id that does not exist).
        host = Person.objects.filter(
            campaign.committee.subtree_q("organization__"), pk=payload.host_id
        ).first()
        if host is None:
            raise DomainError("找不到该主持人：请从本组织及下级组织的人员中选择。", field="host_id")
    meeting = services.create_meeting(
        campaign,
        actor=request.user,
        kind=payload.kind,
        title=payload.title,
        starts_at=payload.starts_at,
        place=payload.place,
        host=host,
    )
    return Status(201, _meeting_out(meeting))


@router.get("/{meeting_id}", response=MeetingOut)
def get_meeting(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return _meeting_out(get_meeting_for(request.user, meeting_id))


@router.post("/{meeting_id}/status", response=MeetingOut)
def change_status(request: HttpRequest, meeting_id: int, payload: StatusIn) -> dict[str, Any]:
    meeting = get_meeting_for(request.user, meeting_id, write=True)
    if payload.action == "open":
        services.open_meeting(meeting, actor=request.user)
    else:
        services.close_meeting(meeting, actor=request.user)
    meeting.refresh_from_db()
    return _meeting_out(meeting)


@router.get("/{meeting_id}/agenda", response=list[EntryOut])
def agenda(request: HttpRequest, meeting_id: int) -> list[dict[str, Any]]:
    meeting = get_meeting_for(request.user, meeting_id)
    entries = meeting.agenda.select_related("reporter__person", "reporter__organization")
    return [_entry_out(e) for e in entries.order_by("order", "id")]


@router.put("/{meeting_id}/agenda/order", response=list[EntryOut])
def reorder(request: HttpRequest, meeting_id: int, payload: OrderIn) -> list[dict[str, Any]]:
    meeting = get_meeting_for(request.user, meeting_id, write=True)
    services.reorder_agenda(meeting, actor=request.user, entry_ids=payload.entry_ids)
    return agenda(request, meeting_id)


@router.get("/{meeting_id}/attendance", response=AttendanceOut)
def attendance(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    meeting = get_meeting_for(request.user, meeting_id)
    counts = roll.attendance_counts(meeting)
    rows: list[Attendee] = list(meeting.attendees.order_by("category", "name", "id"))
    return {
        "attendees": rows,
        "categories": [vars(r) for r in counts.rows],
        "expected": counts.expected,
        "present": counts.present,
        "quorum": _quorum(meeting),
    }


@router.post("/{meeting_id}/attendees", response={201: AttendeeOut})
def add_attendee(request: HttpRequest, meeting_id: int, payload: AttendeeIn) -> Status[Attendee]:
    meeting = get_meeting_for(request.user, meeting_id, write=True)
    row = roll.add_attendee(
        meeting,
        actor=request.user,
        name=payload.name,
        category=payload.category,
        unit=payload.unit,
        walk_in=payload.walk_in,
    )
    return Status(201, row)


@router.post("/{meeting_id}/attendees/{attendee_id}/sign-in", response=AttendeeOut)
def sign_in(request: HttpRequest, meeting_id: int, attendee_id: int) -> Attendee:
    meeting = get_meeting_for(request.user, meeting_id, write=True)
    row = meeting.attendees.filter(pk=attendee_id).first()
    if row is None:
        raise NotFound()
    row.meeting = meeting
    signed, _ = roll.sign_in(row, actor=request.user)
    return signed


@router.get("/{meeting_id}/quorum", response=QuorumOut)
def quorum(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return _quorum(get_meeting_for(request.user, meeting_id))


@router.post("/{meeting_id}/quorum/override", response=QuorumOut)
def override(request: HttpRequest, meeting_id: int, payload: ReasonIn) -> dict[str, Any]:
    meeting = get_meeting_for(request.user, meeting_id, write=True)
    return _quorum(roll.override_quorum(meeting, actor=request.user, reason=payload.reason))


@router.get("/{meeting_id}/state")
def state(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return services.room_state(get_meeting_for(request.user, meeting_id))


@router.get("/{meeting_id}/projector")
def projector(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    """What the meeting's projector shows now: the same state the screen polls."""
    meeting = get_meeting_for(request.user, meeting_id)
    return projector_screen.screen_state(meeting, services.room_state(meeting))


@router.post("/{meeting_id}/entries/{entry_id}/start", response=EntryOut)
def start(request: HttpRequest, meeting_id: int, entry_id: int) -> dict[str, Any]:
    meeting = get_meeting_for(request.user, meeting_id, write=True)
    entry = _entry(meeting, entry_id)
    services.start_report(entry, actor=request.user)
    entry.refresh_from_db()
    return _entry_out(entry)


@router.post("/{meeting_id}/entries/{entry_id}/end", response=EntryOut)
def end(request: HttpRequest, meeting_id: int, entry_id: int) -> dict[str, Any]:
    meeting = get_meeting_for(request.user, meeting_id, write=True)
    entry = _entry(meeting, entry_id)
    services.end_report(entry, actor=request.user)
    entry.refresh_from_db()
    return _entry_out(entry)


@router.post("/{meeting_id}/advance")
def advance(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    meeting = get_meeting_for(request.user, meeting_id, write=True)
    services.advance(meeting, actor=request.user)
    meeting.refresh_from_db()
    return services.room_state(meeting)


@router.get("/{meeting_id}/entries/{entry_id}/questions", response=list[QuestionOut])
def questions(request: HttpRequest, meeting_id: int, entry_id: int) -> list[Question]:
    entry = _entry(get_meeting_for(request.user, meeting_id), entry_id)
    return list(entry.questions.all())


@router.post("/{meeting_id}/entries/{entry_id}/questions", response={201: QuestionOut})
def add_question(
    request: HttpRequest, meeting_id: int, entry_id: int, payload: QuestionIn
) -> Status[Question]:
    entry = _entry(get_meeting_for(request.user, meeting_id, write=True), entry_id)
    return Status(201, critiques.add_question(entry, actor=request.user, **payload.dict()))


@router.put("/{meeting_id}/entries/{entry_id}/questions/{question_id}", response=QuestionOut)
def update_question(
    request: HttpRequest,
    meeting_id: int,
    entry_id: int,
    question_id: int,
    payload: QuestionUpdateIn,
) -> Question:
    entry = _entry(get_meeting_for(request.user, meeting_id, write=True), entry_id)
    question = entry.questions.filter(pk=question_id).first()
    if question is None:
        raise NotFound()
    question.entry = entry
    return critiques.update_question(question, actor=request.user, **payload.dict())


@router.get("/{meeting_id}/entries/{entry_id}/critique", response=CritiqueOut)
def critique(request: HttpRequest, meeting_id: int, entry_id: int) -> dict[str, Any]:
    entry = _entry(get_meeting_for(request.user, meeting_id), entry_id)
    try:
        c = entry.critique
    except Critique.DoesNotExist:
        return {"text": critiques.critique_prefill(entry), "status": "draft", "finalized_at": None}
    return {"text": c.text, "status": c.status, "finalized_at": c.finalized_at}


@router.put("/{meeting_id}/entries/{entry_id}/critique", response=CritiqueOut)
def save_critique(
    request: HttpRequest, meeting_id: int, entry_id: int, payload: CritiqueIn
) -> Critique:
    entry = _entry(get_meeting_for(request.user, meeting_id, write=True), entry_id)
    return critiques.save_critique(entry, actor=request.user, text=payload.text)


@router.post("/{meeting_id}/entries/{entry_id}/critique/finalize", response=CritiqueOut)
def finalize_critique(request: HttpRequest, meeting_id: int, entry_id: int) -> Critique:
    """Finalize the saved draft (PUT the text first)."""
    entry = _entry(get_meeting_for(request.user, meeting_id, write=True), entry_id)
    return critiques.finalize_critique(entry, actor=request.user)
