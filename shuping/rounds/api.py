"""JSON API of rounds (/api/v1/rounds/…), over the same services and access helpers."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.responses import Status

from shuping.accounts.access import get_organization_for
from shuping.lib.errors import NotFound
from shuping.rounds import deadlines as deadline_services
from shuping.rounds import preset_services, services
from shuping.rounds import reporters as reporter_services
from shuping.rounds.access import get_campaign_for, get_reporter_for, visible_campaigns
from shuping.rounds.models import Campaign, Deadline, Reporter
from shuping.rounds.presets import get_preset, shipped_presets

router = Router(tags=["rounds"])


class CampaignOut(Schema):
    id: int
    committee_id: int
    committee: str
    year: int
    title: str
    status: str
    preset_key: str
    preset_version: int
    seed_file: str
    parent_id: int | None
    sampling_seed: int | None
    onsite_places: int | None


class CampaignDetailOut(CampaignOut):
    rules: dict[str, Any]
    warnings: list[str]
    sampling_log: list[dict[str, Any]]


class ReporterOut(Schema):
    id: int
    organization_id: int
    organization: str
    person: str | None
    position: str
    mode: str
    is_vacant: bool
    sampled: bool
    order: int
    note: str


class DeadlineOut(Schema):
    id: int
    key: str
    title: str
    starts_on: date | None
    due_on: date | None
    completed_on: date | None
    overdue: bool
    note: str


class PresetOut(Schema):
    key: str
    title: str
    seed: str
    year: str
    source: str
    version: int


class PresetDetailOut(PresetOut):
    rules: dict[str, Any]


class CampaignIn(Schema):
    committee_id: int
    preset: str
    year: int
    title: str = ""
    onsite_places: int | None = None
    sampling_seed: int | None = None


class StatusIn(Schema):
    to: str


class ReporterIn(Schema):
    organization_id: int
    mode: str = "onsite"
    reason: str


class ReporterPatch(Schema):
    mode: str
    reason: str


def _campaign(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.pk,
        "committee_id": c.committee_id,
        "committee": c.committee.name,
        "year": c.year,
        "title": c.title,
        "status": c.status,
        "preset_key": c.preset_key,
        "preset_version": c.preset_version,
        "seed_file": c.seed_file,
        "parent_id": c.parent_id,
        "sampling_seed": c.sampling_seed,
        "onsite_places": c.onsite_places,
    }


def _detail(c: Campaign) -> dict[str, Any]:
    return {
        **_campaign(c),
        "rules": c.rules,
        "warnings": reporter_services.campaign_warnings(c),
        "sampling_log": c.sampling_log,
    }


def _reporter(r: Reporter) -> dict[str, Any]:
    return {
        "id": r.pk,
        "organization_id": r.organization_id,
        "organization": r.organization.name,
        "person": r.person.name if r.person else None,
        "position": r.position,
        "mode": r.mode,
        "is_vacant": r.is_vacant,
        "sampled": r.sampled,
        "order": r.order,
        "note": r.note,
    }


def _deadline(d: Deadline) -> dict[str, Any]:
    return {
        "id": d.pk,
        "key": d.key,
        "title": d.title,
        "starts_on": d.starts_on,
        "due_on": d.due_on,
        "completed_on": d.completed_on,
        "overdue": d.is_overdue(),
        "note": d.note,
    }


@router.get("/", response=list[CampaignOut])
def list_campaigns(request: HttpRequest, year: int | None = None) -> list[dict[str, Any]]:
    qs = visible_campaigns(request.user).order_by("-year", "committee__path")
    if year is not None:
        qs = qs.filter(year=year)
    return [_campaign(c) for c in qs[:500]]


@router.post("/", response={201: CampaignDetailOut})
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status[dict[str, Any]]:
    committee = get_organization_for(request.user, payload.committee_id, write=True)
    campaign = services.create_campaign(
        committee,
        actor=request.user,
        preset=payload.preset,
        year=payload.year,
        title=payload.title,
        onsite_places=payload.onsite_places,
        sampling_seed=payload.sampling_seed,
    )
    return Status(201, _detail(campaign))


@router.get("/presets", response=list[PresetOut])
def list_presets(request: HttpRequest) -> list[dict[str, Any]]:
    out = [
        {
            "key": p.key,
            "title": p.title,
            "seed": p.seed,
            "year": p.year_label,
            "source": "shipped",
            "version": 1,
        }
        for p in shipped_presets().values()
    ]
    for office in preset_services.visible_office_presets(request.user).prefetch_related("versions"):
        out.append(
            {
                "key": office.key,
                "title": office.title,
                "seed": office.seed_file,
                "year": "",
                "source": "office",
                "version": max((v.number for v in office.versions.all()), default=0),
            }
        )
    return out


@router.get("/presets/{key}", response=PresetDetailOut)
def preset_detail(request: HttpRequest, key: str) -> dict[str, Any]:
    try:
        preset = get_preset(key)
    except KeyError:
        raise NotFound() from None
    if (
        preset.source == "office"
        and not preset_services.visible_office_presets(request.user).filter(key=key).exists()
    ):
        raise NotFound()
    return {
        "key": preset.key,
        "title": preset.title,
        "seed": preset.seed,
        "year": preset.year_label,
        "source": preset.source,
        "version": preset.version,
        "rules": preset.rules_data,
    }


@router.get("/upcoming", response=list[DeadlineOut])
def upcoming(request: HttpRequest) -> list[dict[str, Any]]:
    return [_deadline(i.deadline) for i in deadline_services.upcoming_for(request.user)]


@router.get("/{campaign_id}", response=CampaignDetailOut)
def campaign_detail(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    return _detail(get_campaign_for(request.user, campaign_id))


@router.post("/{campaign_id}/status", response=CampaignOut)
def change_status(request: HttpRequest, campaign_id: int, payload: StatusIn) -> dict[str, Any]:
    campaign = get_campaign_for(request.user, campaign_id, write=True)
    return _campaign(services.change_status(campaign, actor=request.user, to=payload.to))


@router.get(
    "/{campaign_id}/reporters",
    response=list[ReporterOut],
    summary="述职对象（分页：limit 最多 500；总数见响应头 X-Total-Count）",
)
def reporters(
    request: HttpRequest,
    response: HttpResponse,
    campaign_id: int,
    q: str = "",
    mode: str = "",
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    campaign = get_campaign_for(request.user, campaign_id)
    qs = reporter_services.reporter_list(campaign, q=q, mode=mode)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    response["X-Total-Count"] = str(qs.count())
    return [_reporter(r) for r in qs[offset : offset + limit]]


@router.post("/{campaign_id}/reporters", response={201: ReporterOut})
def add_reporter(
    request: HttpRequest, campaign_id: int, payload: ReporterIn
) -> Status[dict[str, Any]]:
    campaign = get_campaign_for(request.user, campaign_id, write=True)
    org = get_organization_for(request.user, payload.organization_id)
    entry = reporter_services.add_reporter(
        campaign, actor=request.user, organization=org, mode=payload.mode, reason=payload.reason
    )
    return Status(201, _reporter(entry))


@router.patch("/reporters/{reporter_id}", response=ReporterOut)
def adjust_reporter(
    request: HttpRequest, reporter_id: int, payload: ReporterPatch
) -> dict[str, Any]:
    entry = get_reporter_for(request.user, reporter_id, write=True)
    entry = reporter_services.set_reporter_mode(
        entry, actor=request.user, mode=payload.mode, reason=payload.reason
    )
    return _reporter(entry)


@router.delete("/reporters/{reporter_id}", response={204: None})
def remove_reporter(request: HttpRequest, reporter_id: int, reason: str = "") -> Status[None]:
    entry = get_reporter_for(request.user, reporter_id, write=True)
    reporter_services.remove_reporter(entry, actor=request.user, reason=reason)
    return Status(204, None)


@router.get("/{campaign_id}/deadlines", response=list[DeadlineOut])
def deadlines(request: HttpRequest, campaign_id: int) -> list[dict[str, Any]]:
    campaign = get_campaign_for(request.user, campaign_id)
    return [_deadline(d) for d in campaign.deadlines.all()]
