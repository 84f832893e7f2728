"""JSON API for the overall assessment (mounted at /api/v1/assessment/). Same access
helpers and services as the pages; DomainError/NotFound become 4xx in shuping/api.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from shuping.assessment import access, services
from shuping.assessment.models import Assessment, AssessmentBoard

router = Router(tags=["assessment"])


class ItemOut(Schema):
    id: int
    reporter_id: int
    name: str
    organization: str
    score: str | None
    rank: int | None
    proposed_grade: str
    grade: str
    approved_grade: str
    override_reason: str
    locked: bool
    daily_score: str | None
    annual_result: str


class ItemDetailOut(ItemOut):
    trace: dict[str, Any]
    achievements: str
    problems: str
    overall: str
    rectification_required: str


class OwnResultOut(Schema):
    id: int
    name: str
    organization: str
    grade: str
    trace: dict[str, Any]
    achievements: str
    problems: str
    overall: str
    rectification_required: str


class BoardOut(Schema):
    campaign_id: int
    state: str
    state_label: str
    warnings: list[str]
    approved_by: str
    approved_at: datetime | None
    minute_ref: str
    published: bool
    problems: list[str]
    items: list[ItemOut]


class OverrideIn(Schema):
    grade: str
    reason: str


class ReasonIn(Schema):
    reason: str


class ApproveIn(Schema):
    minute_ref: str = ""


class InputsIn(Schema):
    daily_score: str | None = None
    annual_result: str = ""


class FlagIn(Schema):
    key: str
    basis: str


class OpinionIn(Schema):
    achievements: str | None = None
    problems: str | None = None
    overall: str | None = None
    rectification_required: str | None = None


def _item(a: Assessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "reporter_id": a.reporter_id,
        "name": services.display_name(a),
        "organization": a.reporter.organization.name,
        "score": str(a.score) if a.score is not None else None,
        "rank": a.rank,
        "proposed_grade": a.proposed_grade,
        "grade": a.grade,
        "approved_grade": a.approved_grade,
        "override_reason": a.override_reason,
        "locked": a.locked,
        "daily_score": str(a.daily_score) if a.daily_score is not None else None,
        "annual_result": a.annual_result,
    }


def _detail(a: Assessment) -> dict[str, Any]:
    return {
        **_item(a),
        "trace": a.trace or {},
        **{f: getattr(a, f) for f in services.OPINION_FIELDS},
    }


def _board(board: AssessmentBoard) -> dict[str, Any]:
    items = board.items.select_related("reporter__person", "reporter__organization").order_by(
        "reporter__order", "reporter_id"
    )
    return {
        "campaign_id": board.campaign_id,
        "state": board.state,
        "state_label": board.get_state_display(),
        "warnings": board.warnings,
        "approved_by": board.approved_by_name,
        "approved_at": board.approved_at,
        "minute_ref": board.minute_ref,
        "published": board.published,
        "problems": services.approval_problems(board),
        "items": [_item(a) for a in items],
    }


@router.get("/rounds/{campaign_id}", response=BoardOut)
def get_board(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    campaign = access.get_campaign_for(request.user, campaign_id)
    return _board(services.ensure_board(campaign))


@router.post("/rounds/{campaign_id}/propose", response=BoardOut)
def propose(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    campaign = access.get_campaign_for(request.user, campaign_id, write=True)
    return _board(services.propose_grades(campaign, actor=request.user))


@router.post("/rounds/{campaign_id}/approve", response=BoardOut)
def approve(request: HttpRequest, campaign_id: int, payload: ApproveIn) -> dict[str, Any]:
    campaign = access.get_campaign_for(request.user, campaign_id, write=True)
    return _board(
        services.approve_grades(campaign, actor=request.user, minute_ref=payload.minute_ref)
    )


@router.get("/mine", response=list[OwnResultOut])
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    """The reporter's own published results: grade, trace and opinion."""
    rows = access.own_assessments(request.user).select_related(
        "reporter__person", "reporter__organization"
    )
    return [
        {
            "id": a.pk,
            "name": services.display_name(a),
            "organization": a.reporter.organization.name,
            "grade": a.approved_grade,
            "trace": a.trace or {},
            **{f: getattr(a, f) for f in services.OPINION_FIELDS},
        }
        for a in rows
    ]


@router.get("/items/{item_id}", response=ItemDetailOut)
def get_item(request: HttpRequest, item_id: int) -> dict[str, Any]:
    item = access.get_assessment_for(request.user, item_id)
    if access.is_own(request.user, item):
        # the reporter reads the approved grade only, never the working figures
        data = _detail(item)
        data.update(grade=item.approved_grade, proposed_grade="", override_reason="")
        return data
    return _detail(item)


@router.post("/items/{item_id}/override", response=ItemDetailOut)
def override(request: HttpRequest, item_id: int, payload: OverrideIn) -> dict[str, Any]:
    item = access.get_assessment_for(request.user, item_id, write=True)
    return _detail(
        services.override_grade(
            item, actor=request.user, grade=payload.grade, reason=payload.reason
        )
    )


@router.post("/items/{item_id}/reopen", response=ItemDetailOut)
def reopen(request: HttpRequest, item_id: int, payload: ReasonIn) -> dict[str, Any]:
    item = access.get_assessment_for(request.user, item_id, write=True)
    return _detail(services.reopen_grade(item, actor=request.user, reason=payload.reason))


@router.post("/items/{item_id}/inputs", response=ItemDetailOut)
def inputs(request: HttpRequest, item_id: int, payload: InputsIn) -> dict[str, Any]:
    item = access.get_assessment_for(request.user, item_id, write=True)
    return _detail(
        services.set_inputs(
            item,
            actor=request.user,
            daily_score=payload.daily_score,
            annual_result=payload.annual_result,
        )
    )


@router.post("/items/{item_id}/flags", response=ItemDetailOut)
def flag(request: HttpRequest, item_id: int, payload: FlagIn) -> dict[str, Any]:
    item = access.get_assessment_for(request.user, item_id, write=True)
    services.set_flag(item, actor=request.user, key=payload.key, basis=payload.basis)
    return _detail(item)


@router.post("/items/{item_id}/opinion", response=ItemDetailOut)
def opinion(request: HttpRequest, item_id: int, payload: OpinionIn) -> dict[str, Any]:
    item = access.get_assessment_for(request.user, item_id, write=True)
    texts = {k: v for k, v in payload.dict().items() if v is not None}
    return _detail(services.save_opinion(item, actor=request.user, **texts))
