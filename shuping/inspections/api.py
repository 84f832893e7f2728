"""JSON API for inspections (mounted at /api/v1/inspections/)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from shuping.inspections import access, services
from shuping.inspections.models import Inspection

router = Router(tags=["inspections"])


class FindingOut(Schema):
    id: int
    reporter_id: int
    kind: str
    kind_label: str
    text: str


class InspectionOut(Schema):
    id: int
    campaign_id: int
    held_on: date
    inspectors: str
    method: str
    method_label: str
    announced: bool
    note: str
    reporter_ids: list[int]
    findings: list[FindingOut]


class PendingOut(Schema):
    reporter_id: int
    organization: str
    name: str


class RoundOut(Schema):
    inspections: list[InspectionOut]
    not_inspected: list[PendingOut]


class InspectionIn(Schema):
    reporter_ids: list[int]
    held_on: date
    inspectors: str
    method: str
    announced: bool = False
    note: str = ""


class FindingIn(Schema):
    reporter_id: int
    kind: str
    text: str


def _out(i: Inspection) -> dict[str, Any]:
    return {
        "id": i.pk,
        "campaign_id": i.campaign_id,
        "held_on": i.held_on,
        "inspectors": i.inspectors,
        "method": i.method,
        "method_label": i.get_method_display(),
        "announced": i.announced,
        "note": i.note,
        "reporter_ids": sorted(r.pk for r in i.reporters.all()),
        "findings": [
            {
                "id": f.pk,
                "reporter_id": f.reporter_id,
                "kind": f.kind,
                "kind_label": f.get_kind_display(),
                "text": f.text,
            }
            for f in i.findings.all()
        ],
    }


@router.get("/rounds/{campaign_id}", response=RoundOut)
def round_inspections(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    campaign = access.get_campaign_for(request.user, campaign_id)
    rows = campaign.inspections.prefetch_related("reporters", "findings").order_by(
        "-held_on", "-id"
    )
    pending = [
        {
            "reporter_id": r.pk,
            "organization": r.organization.name,
            "name": r.person.name if r.person_id else "",  # type: ignore[union-attr]
        }
        for r in services.not_inspected(campaign)
    ]
    return {"inspections": [_out(i) for i in rows], "not_inspected": pending}


@router.post("/rounds/{campaign_id}", response={201: InspectionOut})
def create(request: HttpRequest, campaign_id: int, payload: InspectionIn) -> Status[Any]:
    campaign = access.get_campaign_for(request.user, campaign_id, write=True)
    inspection = services.create_inspection(
        campaign,
        actor=request.user,
        reporters=payload.reporter_ids,
        held_on=payload.held_on,
        inspectors=payload.inspectors,
        method=payload.method,
        announced=payload.announced,
        note=payload.note,
    )
    return Status(201, _out(inspection))


@router.get("/{inspection_id}", response=InspectionOut)
def get_inspection(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    return _out(access.get_inspection_for(request.user, inspection_id))


@router.post("/{inspection_id}/findings", response={201: InspectionOut})
def add_finding(request: HttpRequest, inspection_id: int, payload: FindingIn) -> Status[Any]:
    inspection = access.get_inspection_for(request.user, inspection_id, write=True)
    services.add_finding(
        inspection,
        actor=request.user,
        reporter=payload.reporter_id,
        kind=payload.kind,
        text=payload.text,
    )
    return Status(201, _out(inspection))
