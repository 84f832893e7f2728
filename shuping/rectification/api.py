"""JSON API for the rectification ledger, over the same services and access helpers as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from shuping.lib.errors import NotFound
from shuping.rectification import access, exports, services
from shuping.rectification.models import Item, Plan, overdue_q
from shuping.rectification.views import _campaign_for_office
from shuping.reports.views import _download

router = Router(tags=["rectification"])


class SourceOut(Schema):
    kind: str
    label: str
    excerpt: str
    url: str


class ItemOut(Schema):
    id: int
    organization: str
    year: int
    reporter_id: int | None
    number: int
    problem: str
    cause_kind: str
    cause: str
    measures: str
    leader: str
    unit: str
    deadline: date | None
    status: str
    status_label: str
    overdue: bool
    progress: str
    closed_at: datetime | None
    recurs_of_id: int | None
    similarity: float | None
    carried_from_id: int | None
    sources: list[SourceOut]


class ItemIn(Schema):
    problem: str | None = None
    cause_kind: str | None = None
    cause: str | None = None
    measures: str | None = None
    leader: str | None = None
    unit: str | None = None
    deadline: str | None = None


class NewItemIn(ItemIn):
    problem: str  # type: ignore[assignment]


class ProgressIn(Schema):
    text: str
    complete: bool = False


class ReasonIn(Schema):
    reason: str = ""


class NoteIn(Schema):
    note: str = ""


class FeedbackIn(Schema):
    text: str


class PlanOut(Schema):
    reporter_id: int
    state: str
    state_label: str
    return_reason: str
    submitted_at: datetime | None
    approved_at: datetime | None
    gaps: list[str]


class CountOut(Schema):
    created: int


def _item(item: Item, today: date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    return {
        "id": item.pk,
        "organization": item.organization.name,
        "year": item.year,
        "reporter_id": item.reporter_id,
        "number": item.number,
        "problem": item.problem,
        "cause_kind": item.cause_kind,
        "cause": item.cause,
        "measures": item.measures,
        "leader": item.leader,
        "unit": item.unit,
        "deadline": item.deadline,
        "status": item.status,
        "status_label": item.status_label(today),
        "overdue": item.is_overdue(today),
        "progress": item.progress,
        "closed_at": item.closed_at,
        "recurs_of_id": item.recurs_of_id,
        "similarity": item.similarity,
        "carried_from_id": item.carried_from_id,
        "sources": [
            {"kind": s.kind, "label": s.get_kind_display(), "excerpt": s.excerpt, "url": s.url}
            for s in item.sources.all()
        ],
    }


def _plan(plan: Plan) -> dict[str, Any]:
    return {
        "reporter_id": plan.reporter_id,
        "state": plan.state,
        "state_label": plan.get_state_display(),
        "return_reason": plan.return_reason,
        "submitted_at": plan.submitted_at,
        "approved_at": plan.approved_at,
        "gaps": services.plan_gaps(plan.reporter) if plan.editable else [],
    }


def _fields(payload: ItemIn) -> dict[str, Any]:
    return {k: v for k, v in payload.dict().items() if v is not None}


@router.get("/items", response=list[ItemOut])
def list_items(
    request: HttpRequest,
    reporter: int | None = None,
    campaign: int | None = None,
    overdue: bool = False,
) -> list[dict[str, Any]]:
    qs = access.visible_items(request.user)
    if reporter is not None:
        qs = qs.filter(reporter_id=reporter)
    if campaign is not None:
        qs = qs.filter(reporter__campaign_id=campaign)
    today = timezone.localdate()
    if overdue:
        qs = qs.filter(overdue_q(today))
    qs = qs.select_related("organization").prefetch_related("sources")
    return [_item(i, today) for i in qs.order_by("-year", "organization_id", "number", "id")[:500]]


@router.post("/reporters/{reporter_id}/items", response={201: ItemOut})
def create_item(request: HttpRequest, reporter_id: int, payload: NewItemIn) -> Status:
    reporter = access.get_reporter_for(request.user, reporter_id, write=True)
    fields = _fields(payload)
    item = services.create_item(reporter, actor=request.user, **fields)
    return Status(201, _item(access.get_item_for(request.user, item.pk)))


@router.post("/reporters/{reporter_id}/draft", response=CountOut)
def draft(request: HttpRequest, reporter_id: int) -> dict[str, int]:
    reporter = access.get_reporter_for(request.user, reporter_id, write=True)
    return {"created": len(services.draft_from_sources(reporter, actor=request.user))}


@router.post("/reporters/{reporter_id}/feedback", response=CountOut)
def feedback(request: HttpRequest, reporter_id: int, payload: FeedbackIn) -> dict[str, int]:
    reporter = access.get_reporter_for(request.user, reporter_id, write=True)
    made = services.add_feedback(reporter, actor=request.user, text=payload.text)
    return {"created": len(made)}


@router.get("/reporters/{reporter_id}/plan", response=PlanOut)
def get_plan(request: HttpRequest, reporter_id: int) -> dict[str, Any]:
    return _plan(access.get_plan_for(request.user, reporter_id))


@router.post("/reporters/{reporter_id}/plan/submit", response=PlanOut)
def submit_plan(request: HttpRequest, reporter_id: int) -> dict[str, Any]:
    plan = access.get_plan_for(request.user, reporter_id, write=True)
    return _plan(services.submit_plan(plan, actor=request.user))


@router.post("/reporters/{reporter_id}/plan/approve", response=PlanOut)
def approve_plan(request: HttpRequest, reporter_id: int) -> dict[str, Any]:
    plan = access.get_plan_for(request.user, reporter_id, write=True)
    return _plan(services.approve_plan(plan, actor=request.user))


@router.post("/reporters/{reporter_id}/plan/return", response=PlanOut)
def return_plan(request: HttpRequest, reporter_id: int, payload: ReasonIn) -> dict[str, Any]:
    plan = access.get_plan_for(request.user, reporter_id, write=True)
    return _plan(services.return_plan(plan, actor=request.user, reason=payload.reason))


@router.get("/reporters/{reporter_id}/ledger.xlsx")
def ledger_xlsx(request: HttpRequest, reporter_id: int) -> HttpResponse:
    plan = access.get_plan_for(request.user, reporter_id)
    reporter = plan.reporter
    items = Item.objects.filter(reporter=reporter).order_by("number", "id")
    title = f"{reporter.organization.name}{reporter.campaign.year}年度整改台账"
    return _download(exports.ledger_xlsx(items, title=title))


@router.get("/items/{item_id}", response=ItemOut)
def get_item(request: HttpRequest, item_id: int) -> dict[str, Any]:
    return _item(access.get_item_for(request.user, item_id))


@router.patch("/items/{item_id}", response=ItemOut)
def update_item(request: HttpRequest, item_id: int, payload: ItemIn) -> dict[str, Any]:
    item = access.get_item_for(request.user, item_id, write=True)
    services.update_item(item, actor=request.user, **_fields(payload))
    return _item(access.get_item_for(request.user, item_id))


@router.post("/items/{item_id}/progress", response=ItemOut)
def progress(request: HttpRequest, item_id: int, payload: ProgressIn) -> dict[str, Any]:
    item = access.get_item_for(request.user, item_id, write=True)
    services.add_progress(item, actor=request.user, text=payload.text, complete=payload.complete)
    return _item(access.get_item_for(request.user, item_id))


@router.post("/items/{item_id}/sign-off", response=ItemOut)
def sign_off(request: HttpRequest, item_id: int, payload: NoteIn) -> dict[str, Any]:
    item = access.get_item_for(request.user, item_id, write=True)
    services.sign_off(item, actor=request.user, note=payload.note)
    return _item(access.get_item_for(request.user, item_id))


@router.post("/items/{item_id}/send-back", response=ItemOut)
def send_back(request: HttpRequest, item_id: int, payload: ReasonIn) -> dict[str, Any]:
    item = access.get_item_for(request.user, item_id, write=True)
    services.send_back(item, actor=request.user, reason=payload.reason)
    return _item(access.get_item_for(request.user, item_id))


@router.post("/rounds/{campaign_id}/carry-over", response=CountOut)
def carry_over(request: HttpRequest, campaign_id: int) -> dict[str, int]:
    campaign = _campaign_for_office(request.user, campaign_id)
    if not access.can_review(request.user, campaign.committee):
        raise NotFound()
    return {"created": services.carry_over(campaign, actor=request.user)}
