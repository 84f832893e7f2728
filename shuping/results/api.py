"""JSON API of the results stage, over the same services and access helpers as the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from shuping.lib.errors import NotFound
from shuping.results import access, exports, publication, services
from shuping.results.models import (
    ConsequenceTask,
    Objection,
    PublicNotice,
    ResultRecord,
    TaskState,
)

router = Router(tags=["results"])


class RecordOut(Schema):
    id: int
    reporter_id: int
    organization: str
    person: str
    grade: str
    approved: bool
    annual_excellent: bool
    annual_excellent_reason: str
    unit_awards_revoked: bool
    flags: list[str]
    reasons: list[str]


class TaskOut(Schema):
    id: int
    campaign_id: int
    reporter_id: int
    organization: str
    kind: str
    kind_label: str
    title: str
    reason: str
    owner: str
    due_on: date | None
    state: str
    done_on: date | None
    talked_by: str
    talked_to: str
    gist: str


class FlagsIn(Schema):
    flags: list[str]


class CompleteIn(Schema):
    done_on: date | None = None
    gist: str = ""
    talked_by: str = ""
    talked_to: str = ""


class CancelIn(Schema):
    reason: str = ""


class FeedbackIn(Schema):
    reporter_ids: list[int]
    handed_over_on: date | None = None
    way: str = ""
    handed_over_by: str = ""
    note: str = ""


class NoticeOut(Schema):
    id: int
    title: str
    state: str
    days: int
    workdays: bool
    starts_on: date | None
    ends_on: date | None
    where: str
    final_note: str
    open_objections: int


class ObjectionIn(Schema):
    received_on: date | None = None
    received_by: str = ""
    raised_by: str = ""
    content: str = ""
    reporter_id: int | None = None


class ObjectionOut(Schema):
    id: int
    reporter_id: int | None
    received_on: date
    received_by: str
    content: str
    state: str
    handling: str
    answer: str


class DecideIn(Schema):
    upheld: bool
    handling: str = ""
    answer: str = ""


def _record(r: ResultRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "reporter_id": r.reporter_id,
        "organization": r.reporter.organization.name,
        "person": r.reporter.person.name if r.reporter.person else "",
        "grade": r.grade,
        "approved": r.approved,
        "annual_excellent": r.annual_excellent,
        "annual_excellent_reason": r.annual_excellent_reason,
        "unit_awards_revoked": r.unit_awards_revoked,
        "flags": list(r.flags),
        "reasons": list(r.reasons),
    }


def _task(t: ConsequenceTask) -> dict[str, Any]:
    return {
        "id": t.pk,
        "campaign_id": t.campaign_id,
        "reporter_id": t.reporter_id,
        "organization": t.reporter.organization.name,
        "kind": t.kind,
        "kind_label": t.get_kind_display(),
        "title": t.title,
        "reason": t.reason,
        "owner": t.owner.name,
        "due_on": t.due_on,
        "state": t.state,
        "done_on": t.done_on,
        "talked_by": t.talked_by,
        "talked_to": t.talked_to,
        "gist": t.gist,
    }


def _notice(n: PublicNotice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "title": n.title,
        "state": n.state,
        "days": n.days,
        "workdays": n.workdays,
        "starts_on": n.starts_on,
        "ends_on": n.ends_on,
        "where": n.where,
        "final_note": n.final_note,
        "open_objections": n.objections.filter(state="open").count(),
    }


def _objection(o: Objection) -> dict[str, Any]:
    return {
        "id": o.pk,
        "reporter_id": o.reporter_id,
        "received_on": o.received_on,
        "received_by": o.received_by,
        "content": o.content,
        "state": o.state,
        "handling": o.handling,
        "answer": o.answer,
    }


@router.get("/rounds/{campaign_id}/records", response=list[RecordOut])
def records(request: HttpRequest, campaign_id: int) -> list[dict[str, Any]]:
    campaign = access.get_results_campaign_for(request.user, campaign_id)
    qs = (
        ResultRecord.objects.filter(campaign=campaign)
        .select_related("reporter__organization", "reporter__person")
        .order_by("reporter__order", "reporter_id")
    )
    return [_record(r) for r in qs]


@router.get("/rounds/{campaign_id}/eligibility", response=list[list[str]])
def eligibility(request: HttpRequest, campaign_id: int) -> list[list[str]]:
    campaign = access.get_results_campaign_for(request.user, campaign_id)
    return [exports.ELIGIBILITY_HEADER, *exports.eligibility_rows(campaign)]


@router.post("/records/{record_id}/flags", response=RecordOut)
def set_flags(request: HttpRequest, record_id: int, payload: FlagsIn) -> dict[str, Any]:
    try:
        rec = ResultRecord.objects.select_related("reporter__organization", "reporter__person").get(
            pk=record_id
        )
    except ResultRecord.DoesNotExist:
        raise NotFound() from None
    access.get_results_campaign_for(request.user, rec.campaign_id, write=True)
    rec = services.set_flags(rec, actor=request.user, flags=payload.flags)
    return _record(rec)


@router.get("/tasks", response=list[TaskOut])
def tasks(
    request: HttpRequest, campaign: int | None = None, state: str = TaskState.OPEN
) -> list[dict[str, Any]]:
    """Every task the user reaches, open ones by default, by due date."""
    qs = access.visible_tasks(request.user).select_related("reporter__organization", "owner")
    if campaign is not None:
        qs = qs.filter(campaign_id=campaign)
    if state:
        qs = qs.filter(state=state)
    return [_task(t) for t in qs.order_by("due_on", "id")[:500]]


@router.post("/tasks/{task_id}/complete", response=TaskOut)
def complete(request: HttpRequest, task_id: int, payload: CompleteIn) -> dict[str, Any]:
    task = access.get_task_for(request.user, task_id, write=True)
    return _task(
        services.complete_task(
            task,
            actor=request.user,
            done_on=payload.done_on,
            gist=payload.gist,
            talked_by=payload.talked_by,
            talked_to=payload.talked_to,
        )
    )


@router.post("/tasks/{task_id}/cancel", response=TaskOut)
def cancel(request: HttpRequest, task_id: int, payload: CancelIn) -> dict[str, Any]:
    task = access.get_task_for(request.user, task_id, write=True)
    return _task(services.cancel_task(task, actor=request.user, reason=payload.reason))


@router.post("/rounds/{campaign_id}/feedback", response=dict[str, int])
def feedback(request: HttpRequest, campaign_id: int, payload: FeedbackIn) -> dict[str, int]:
    campaign = access.get_results_campaign_for(request.user, campaign_id, write=True)
    reporters = list(
        campaign.reporters.filter(pk__in=payload.reporter_ids).select_related("organization")
    )
    count = services.record_feedback(
        campaign,
        actor=request.user,
        reporters=reporters,
        handed_over_on=payload.handed_over_on,
        way=payload.way,
        handed_over_by=payload.handed_over_by,
        note=payload.note,
    )
    return {"recorded": count}


def _get_notice(request: HttpRequest, campaign_id: int, *, write: bool = False) -> PublicNotice:
    campaign = access.get_results_campaign_for(request.user, campaign_id, write=write)
    notice = PublicNotice.objects.filter(campaign=campaign).first()
    if notice is None:
        raise NotFound()
    notice.campaign = campaign
    return notice


@router.get("/rounds/{campaign_id}/notice", response=NoticeOut)
def notice(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    return _notice(_get_notice(request, campaign_id))


@router.post("/rounds/{campaign_id}/notice/objections", response=ObjectionOut)
def objection(request: HttpRequest, campaign_id: int, payload: ObjectionIn) -> dict[str, Any]:
    item = _get_notice(request, campaign_id, write=True)
    reporter = None
    if payload.reporter_id is not None:
        reporter = item.campaign.reporters.filter(pk=payload.reporter_id).first()
        if reporter is None:
            raise NotFound()
    return _objection(
        publication.record_objection(
            item,
            actor=request.user,
            received_on=payload.received_on,
            received_by=payload.received_by,
            raised_by=payload.raised_by,
            content=payload.content,
            reporter=reporter,
        )
    )


@router.post("/objections/{objection_id}/decide", response=ObjectionOut)
def decide(request: HttpRequest, objection_id: int, payload: DecideIn) -> dict[str, Any]:
    item = access.get_objection_for(request.user, objection_id, write=True)
    return _objection(
        publication.decide_objection(
            item,
            actor=request.user,
            upheld=payload.upheld,
            handling=payload.handling,
            answer=payload.answer,
        )
    )


@router.post("/rounds/{campaign_id}/notice/finalize", response=NoticeOut)
def finalize(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    item = _get_notice(request, campaign_id, write=True)
    return _notice(publication.finalize_notice(item, actor=request.user))
