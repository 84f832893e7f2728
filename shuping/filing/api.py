"""JSON API of filing (/api/v1/filing/…), over the same services and access helpers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from shuping.filing import services
from shuping.filing.access import get_campaign_for_filing
from shuping.filing.models import SUMMARY_PARTS, Filing, Package, SummaryReport
from shuping.lib.errors import NotFound

router = Router(tags=["filing"])


class EntryOut(Schema):
    id: int
    position: int
    title: str
    kind: str
    required: bool
    state: str
    state_label: str
    generated: bool
    source: str
    file_name: str
    missing_reason: str


class PackageOut(Schema):
    id: int
    status: str
    percent: int
    message: str
    filename: str
    size: int
    pdf_note: str


class FilingOut(Schema):
    campaign_id: int
    state: str
    state_label: str
    filed_with: str
    due_on: date | None
    submitted_at: datetime | None
    is_late: bool
    return_reason: str
    archived: bool
    entries: list[EntryOut]
    package: PackageOut | None


class ReasonIn(Schema):
    reason: str = ""


class SummaryIn(Schema):
    title: str
    situation: str = ""
    problems: str = ""
    suggestions: str = ""
    next_steps: str = ""


class SummaryOut(Schema):
    title: str
    situation: str
    problems: str
    suggestions: str
    next_steps: str


def _package(p: Package | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "id": p.pk,
        "status": p.status,
        "percent": p.percent,
        "message": p.message,
        "filename": p.filename,
        "size": p.size,
        "pdf_note": p.pdf_note,
    }


def _filing(filing: Filing) -> dict[str, Any]:
    return {
        "campaign_id": filing.campaign_id,
        "state": filing.state,
        "state_label": filing.get_state_display(),
        "filed_with": filing.filed_with,
        "due_on": filing.due_on,
        "submitted_at": filing.submitted_at,
        "is_late": filing.is_late,
        "return_reason": filing.return_reason,
        "archived": filing.campaign.archived_at is not None,
        "entries": [
            {
                "id": row.entry.pk,
                "position": row.entry.position,
                "title": row.entry.title,
                "kind": row.entry.kind,
                "required": row.entry.required,
                "state": row.state,
                "state_label": row.state_label,
                "generated": row.generated,
                "source": row.source,
                "file_name": row.entry.original_name,
                "missing_reason": row.entry.missing_reason,
            }
            for row in services.checklist(filing)
        ],
        "package": _package(filing.packages.first()),
    }


def _load(request: HttpRequest, campaign_id: int, *, write: bool = False) -> Filing:
    campaign = get_campaign_for_filing(request.user, campaign_id, write=write)
    return services.ensure_filing(campaign)


def _fresh(filing: Filing) -> dict[str, Any]:
    return _filing(_load_plain(filing))


def _load_plain(filing: Filing) -> Filing:
    fresh = Filing.objects.select_related("campaign__committee").get(pk=filing.pk)
    return fresh


def _entry(filing: Filing, entry_id: int):  # type: ignore[no-untyped-def]
    entry = filing.entries.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    return entry


@router.get("/{campaign_id}", response=FilingOut)
def filing_detail(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    return _filing(_load(request, campaign_id))


@router.post("/{campaign_id}/entries/{entry_id}/upload", response=FilingOut)
def upload(
    request: HttpRequest,
    campaign_id: int,
    entry_id: int,
    file: UploadedFile = File(...),  # noqa: B008 - ninja's way to declare a file part
) -> dict[str, Any]:
    filing = _load(request, campaign_id, write=True)
    services.upload_entry(
        _entry(filing, entry_id), actor=request.user, data=file.read(), name=file.name or ""
    )
    return _fresh(filing)


@router.post("/{campaign_id}/entries/{entry_id}/excuse", response=FilingOut)
def excuse(request: HttpRequest, campaign_id: int, entry_id: int, payload: ReasonIn) -> Any:
    filing = _load(request, campaign_id, write=True)
    services.excuse_entry(_entry(filing, entry_id), actor=request.user, reason=payload.reason)
    return _fresh(filing)


@router.post("/{campaign_id}/package", response={202: PackageOut})
def package(request: HttpRequest, campaign_id: int) -> Any:
    filing = _load(request, campaign_id, write=True)
    result = services.request_package(filing, actor=request.user)
    result.refresh_from_db()
    return Status(202, _package(result))


@router.post("/{campaign_id}/submit", response=FilingOut)
def submit(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    filing = _load(request, campaign_id, write=True)
    return _filing(services.submit_filing(filing, actor=request.user))


@router.post("/{campaign_id}/acknowledge", response=FilingOut)
def acknowledge(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    filing = _load(request, campaign_id)
    return _filing(services.acknowledge_filing(filing, actor=request.user))


@router.post("/{campaign_id}/return", response=FilingOut)
def return_(request: HttpRequest, campaign_id: int, payload: ReasonIn) -> dict[str, Any]:
    filing = _load(request, campaign_id)
    return _filing(services.return_filing(filing, actor=request.user, reason=payload.reason))


@router.post("/{campaign_id}/reopen", response=FilingOut)
def reopen(request: HttpRequest, campaign_id: int, payload: ReasonIn) -> dict[str, Any]:
    filing = _load(request, campaign_id)
    return _filing(services.reopen_filing(filing, actor=request.user, reason=payload.reason))


def _summary(report: SummaryReport) -> dict[str, Any]:
    return {"title": report.title, **{k: getattr(report, k) for k, _ in SUMMARY_PARTS}}


@router.post("/{campaign_id}/summary/draft", response=SummaryOut)
def draft_summary(request: HttpRequest, campaign_id: int, redraft: bool = False) -> Any:
    campaign = get_campaign_for_filing(request.user, campaign_id, write=True)
    return _summary(services.draft_summary_report(campaign, actor=request.user, redraft=redraft))


@router.put("/{campaign_id}/summary", response=SummaryOut)
def update_summary(request: HttpRequest, campaign_id: int, payload: SummaryIn) -> Any:
    campaign = get_campaign_for_filing(request.user, campaign_id, write=True)
    report = SummaryReport.objects.filter(campaign=campaign).first()
    if report is None:
        raise NotFound()
    parts = {k: getattr(payload, k) for k, _ in SUMMARY_PARTS}
    report = services.update_summary_report(
        report, actor=request.user, title=payload.title, parts=parts
    )
    return _summary(report)
