"""JSON API for duty reports, over the same services and access helpers as the pages."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from shuping.reports import access, checks, export, services
from shuping.reports.models import DutyReport

router = Router(tags=["reports"])


class CheckOut(Schema):
    key: str
    title: str
    measured: str
    rule: str
    verdict: str
    message: str
    section: str


class ReportSummaryOut(Schema):
    id: int
    reporter_id: int
    organization: str
    audience: str
    state: str
    title: str
    total_chars: int
    check_verdict: str
    submitted_at: datetime | None
    approved_at: datetime | None


class CommentOut(Schema):
    review_round: int
    section_key: str
    text: str
    created_at: datetime


class ReportOut(ReportSummaryOut):
    subtitle: str
    sections: dict[str, str]
    revision: int
    review_round: int
    read_by_superior_at: datetime | None
    summary: str
    summary_published_at: datetime | None
    checks: list[CheckOut]
    comments: list[CommentOut]


class SectionsIn(Schema):
    sections: dict[str, str]
    revision: int | None = None
    title: str | None = None
    subtitle: str | None = None


class ReturnIn(Schema):
    comments: dict[str, str] = {}
    note: str = ""


class ApproveIn(Schema):
    comment: str = ""


class SummaryIn(Schema):
    summary: str


class OpenIn(Schema):
    audience: str = "committee"


def _summary(r: DutyReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "reporter_id": r.reporter_id,
        "organization": r.reporter.organization.name,
        "audience": r.audience,
        "state": r.state,
        "title": r.title,
        "total_chars": r.total_chars,
        "check_verdict": r.check_verdict,
        "submitted_at": r.submitted_at,
        "approved_at": r.approved_at,
    }


def _detail(r: DutyReport) -> dict[str, Any]:
    rules = services.rules_for(r)
    return {
        **_summary(r),
        "subtitle": r.subtitle,
        "sections": r.sections,
        "revision": r.revision,
        "review_round": r.review_round,
        "read_by_superior_at": r.read_by_superior_at,
        "summary": r.summary,
        "summary_published_at": r.summary_published_at,
        "checks": [asdict(c) for c in checks.run_checks(rules, r.sections)],
        "comments": list(r.comments.values("review_round", "section_key", "text", "created_at")),
    }


@router.get("/", response=list[ReportSummaryOut])
def list_reports(
    request: HttpRequest, campaign: int | None = None, state: str | None = None
) -> list[dict[str, Any]]:
    qs = access.visible_reports(request.user).select_related("reporter__organization")
    if campaign is not None:
        qs = qs.filter(reporter__campaign_id=campaign)
    if state:
        qs = qs.filter(state=state)
    return [_summary(r) for r in qs.order_by("reporter__campaign_id", "reporter__order", "id")]


@router.post("/reporters/{reporter_id}/open", response=ReportOut)
def open_report(request: HttpRequest, reporter_id: int, payload: OpenIn) -> dict[str, Any]:
    reporter = access.get_reporter_for(request.user, reporter_id, write=True)
    return _detail(services.open_report(reporter, actor=request.user, audience=payload.audience))


@router.get("/{report_id}", response=ReportOut)
def get_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return _detail(access.get_report_for(request.user, report_id))


@router.put("/{report_id}/sections", response=ReportOut)
def save_sections(request: HttpRequest, report_id: int, payload: SectionsIn) -> dict[str, Any]:
    report = access.get_report_for(request.user, report_id, write=True)
    report = services.save_sections(
        report,
        actor=request.user,
        sections=payload.sections,
        base_revision=payload.revision,
        title=payload.title,
        subtitle=payload.subtitle,
    )
    return _detail(report)


@router.post("/{report_id}/submit", response=ReportOut)
def submit(request: HttpRequest, report_id: int) -> dict[str, Any]:
    report = access.get_report_for(request.user, report_id, write=True)
    return _detail(services.submit_report(report, actor=request.user))


@router.post("/{report_id}/return", response=ReportOut)
def return_report(request: HttpRequest, report_id: int, payload: ReturnIn) -> dict[str, Any]:
    report = access.get_report_for(request.user, report_id, write=True)
    report = services.return_report(
        report, actor=request.user, comments=payload.comments, note=payload.note
    )
    return _detail(report)


@router.post("/{report_id}/approve", response=ReportOut)
def approve(request: HttpRequest, report_id: int, payload: ApproveIn) -> dict[str, Any]:
    report = access.get_report_for(request.user, report_id, write=True)
    return _detail(services.approve_report(report, actor=request.user, comment=payload.comment))


@router.post("/{report_id}/read", response=ReportOut)
def mark_read(request: HttpRequest, report_id: int) -> dict[str, Any]:
    report = access.get_report_for(request.user, report_id)
    return _detail(services.mark_read_by_superior(report, actor=request.user))


@router.post("/{report_id}/summary", response=ReportOut)
def write_summary(request: HttpRequest, report_id: int, payload: SummaryIn) -> dict[str, Any]:
    report = access.get_report_for(request.user, report_id, write=True)
    return _detail(services.write_summary(report, actor=request.user, summary=payload.summary))


@router.post("/{report_id}/publish", response=ReportOut)
def publish(request: HttpRequest, report_id: int) -> dict[str, Any]:
    report = access.get_report_for(request.user, report_id, write=True)
    return _detail(services.publish_summary(report, actor=request.user))


@router.get("/{report_id}/export")
def export_docx(request: HttpRequest, report_id: int) -> HttpResponse:
    name, ctype, data = export.export_report(access.get_report_for(request.user, report_id))
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@router.get("/meetings/{meeting_id}/booklet")
def booklet(
    request: HttpRequest, meeting_id: int, format: str = "docx", unapproved: str = ""
) -> HttpResponse:
    """述职材料汇编 as one .docx, or `?format=zip` for separate files.

    `unapproved=omit` leaves reports under review out, `unapproved=mark` puts them in
    marked "（审核中）" (organizer, host and admin of the round only); without it the
    organizing office gets them marked and everyone else left out."""
    from shuping.reports.views import _get_meeting

    meeting = _get_meeting(request.user, meeting_id)
    mode = export.Unapproved(
        access.booklet_unapproved(request.user, meeting.campaign, unapproved or None)
    )
    result = (
        export.export_booklet_zip(meeting, unapproved=mode)
        if format == "zip"
        else export.export_booklet(meeting, unapproved=mode)
    )
    name, ctype, data = result
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
