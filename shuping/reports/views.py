"""Pages for writing, reviewing and exporting duty reports. Thin: access helper first,
then one service call."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuping.accounts.access import org_scope_q, reaches
from shuping.accounts.models import Role
from shuping.lib.errors import DomainError, NotFound
from shuping.reports import access, checks, export, services
from shuping.reports.models import (
    APPROVED_STATES,
    Attachment,
    AttachmentKind,
    DutyReport,
    InnovationCase,
    ReportState,
    ReviewComment,
)
from shuping.rounds.models import Campaign, Reporter


def _download(result: tuple[str, str, bytes]) -> HttpResponse:
    from urllib.parse import quote

    name, ctype, data = result
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


def _check_dicts(results: list[checks.Check]) -> list[dict[str, str]]:
    return [asdict(c) for c in results]


# --- lists ----------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """My own reports (reporters) and the rounds whose reports I oversee."""
    mine = (
        Reporter.objects.filter(access._own_reporter_q(request.user))
        .select_related("campaign", "organization")
        .prefetch_related("reports")
        .order_by("-campaign__year", "campaign_id")
    )
    campaigns = (
        Campaign.objects.filter(
            org_scope_q(
                request.user, roles=(*access.MANAGE_ROLES, Role.SUPERIOR), prefix="committee__"
            )
        )
        .select_related("committee")
        .order_by("-year", "id")
    )
    # rounds of a committee above, in which organizations of the user's subtree report
    participating = (
        access.participating_reporters(request.user)
        .select_related("campaign__committee", "organization", "person")
        .prefetch_related(Prefetch("reports", queryset=DutyReport.objects.order_by("audience")))
        .order_by("-campaign__year", "campaign_id", "order")
    )
    return render(
        request,
        "reports/index.html",
        {"title": "述职报告", "mine": mine, "campaigns": campaigns, "participating": participating},
    )


def _get_campaign(user: Any, pk: Any) -> Campaign:
    try:
        campaign = Campaign.objects.select_related("committee").get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not reaches(user, campaign.committee, roles=(*access.MANAGE_ROLES, Role.SUPERIOR)):
        raise NotFound()
    return campaign


def overview_rows(user: Any, campaign: Campaign) -> list[dict[str, Any]]:
    """One row per reporter (and audience): state, length, verdict, late. Four queries."""
    due = services.report_due(campaign.pk)
    today = timezone.localdate()
    reporters = (
        access.visible_reporters(user)
        .filter(campaign=campaign)
        .select_related("organization", "person")
        .prefetch_related(Prefetch("reports", queryset=DutyReport.objects.order_by("audience")))
        .order_by("order", "id")
    )
    rows: list[dict[str, Any]] = []
    audiences = campaign.parsed_rules.report.audiences
    titles = {m.key: m.title for m in campaign.parsed_rules.meetings}
    for rep in reporters:
        # the superior sees approved reports only; drafts are for the office and the author
        sees_drafts = access.sees_drafts(user, rep)
        by_audience = {r.audience: r for r in rep.reports.all()}
        for audience in audiences:
            report = by_audience.get(audience)
            if report is not None and not sees_drafts and report.state not in APPROVED_STATES:
                report = None
            state = report.state if report else "none"
            late = services.is_late(state, report.submitted_at if report else None, due, today)
            rows.append(
                {
                    "reporter": rep,
                    "audience": titles.get(audience, audience),
                    "report": report,
                    "state": state,
                    "state_label": ReportState(state).label if report else "未开始",
                    "chars": report.total_chars if report else 0,
                    "verdict": report.check_verdict if report else "",
                    "issues": report.check_summary if report else [],
                    "late": late,
                }
            )
    return rows


def overview_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """The overview's figures. Reporters are people, reports are (reporter × meeting):
    a 双述双评 round of 11 secretaries has 11 述职对象 and 22 reports."""
    return {
        "reporters": len({r["reporter"].pk for r in rows}),
        "reports": len(rows),
        "late": sum(1 for r in rows if r["late"]),
        "submitted": sum(1 for r in rows if r["state"] not in ("none", "draft", "returned")),
        "approved": sum(1 for r in rows if r["state"] in ("approved", "summarized", "published")),
    }


@login_required
def overview(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _get_campaign(request.user, campaign_pk)
    rows = overview_rows(request.user, campaign)
    state = request.GET.get("state", "")
    verdict = request.GET.get("verdict", "")
    only_late = request.GET.get("late") == "1"
    counts = overview_counts(rows)
    if state:
        rows = [r for r in rows if r["state"] == state]
    if verdict:
        rows = [r for r in rows if r["verdict"] == verdict]
    if only_late:
        rows = [r for r in rows if r["late"]]
    return render(
        request,
        "reports/overview.html",
        {
            "title": f"{campaign.title} · 述职报告",
            "campaign": campaign,
            "rows": rows,
            "counts": counts,
            "due": services.report_due(campaign.pk),
            "states": [("none", "未开始"), *ReportState.choices],
            "filters": {"state": state, "verdict": verdict, "late": only_late},
            "multi_audience": len(campaign.parsed_rules.report.audiences) > 1,
            "meetings": list(campaign.meetings.order_by("starts_at", "id")),
        },
    )


@login_required
def summaries(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """摘要公布: the published summaries of a round, for everyone the round concerns — the
    committee's offices and superiors, and every reporter of the round."""
    try:
        campaign = Campaign.objects.select_related("committee").get(pk=campaign_pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    in_round = Reporter.objects.filter(campaign=campaign).filter(
        access._own_reporter_q(request.user)
    )
    if not (reaches(request.user, campaign.committee) or in_round.exists()):
        raise NotFound()
    reports = (
        DutyReport.objects.filter(reporter__campaign=campaign, state=ReportState.PUBLISHED)
        .select_related("reporter__organization", "reporter__person")
        .order_by("reporter__order", "reporter_id", "audience")
    )
    return render(
        request,
        "reports/summaries.html",
        {"title": "述职报告摘要公布", "campaign": campaign, "reports": reports},
    )


# --- writing ---------------------------------------------------------------------------------


@login_required
@require_POST
def open_report(request: HttpRequest, reporter_pk: int) -> HttpResponse:
    reporter = access.get_reporter_for(request.user, reporter_pk, write=True)
    audience = request.POST.get("audience") or reporter.campaign.parsed_rules.report.audiences[0]
    try:
        report = services.open_report(reporter, actor=request.user, audience=audience)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reports:index")
    return redirect("reports:write", pk=report.pk)


def _sections_view(report: DutyReport) -> list[dict[str, Any]]:
    rules = services.rules_for(report)
    comments: dict[str, list[ReviewComment]] = {}
    for c in report.comments.all():
        comments.setdefault(c.section_key, []).append(c)
    out = []
    for i, s in enumerate(rules.sections):
        text = report.sections.get(s.key, "")
        hints = []
        if s.target_chars:
            hints.append(f"{s.target_chars}字左右")
        if s.min_chars:
            hints.append(f"不少于{s.min_chars}字")
        if s.max_chars:
            hints.append(f"不超过{s.max_chars}字")
        if s.min_share:
            hints.append(f"占全文{s.min_share}以上")
        if s.max_share:
            hints.append(f"不超过全文{s.max_share}")
        out.append(
            {
                "number": "一二三四五六七八九十"[i] if i < 10 else str(i + 1),
                "section": s,
                "text": text,
                "lines": [line.strip() for line in text.splitlines() if line.strip()],
                "chars": checks.count_chars(text),
                "hint": "，".join(hints),
                "comments": comments.get(s.key, []),
            }
        )
    return out


def _returned_comments(report: DutyReport, sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For the banner of a returned report: the latest round's comments, each with the
    anchor of the section it concerns."""
    if report.state != "returned":
        return []
    latest = report.review_round
    out = [
        {"where": "总体意见", "anchor": "comments-general", "text": c.text}
        for c in report.comments.all()
        if not c.section_key and c.review_round == latest
    ]
    for s in sections:
        for c in s["comments"]:
            if c.review_round == latest:
                out.append(
                    {
                        "where": s["section"].title,
                        "anchor": f"sec-{s['section'].key}",
                        "text": c.text,
                    }
                )
    return out


def failing_checks(results: list[checks.Check]) -> list[checks.Check]:
    return [c for c in results if c.verdict != "ok"]


def submit_confirm(results: list[checks.Check]) -> str:
    """What the reporter confirms before submitting. write.js rebuilds the same text
    when the live checks change."""
    text = "提交后报告交组织单位审核，审核期间不能修改。"
    failing = failing_checks(results)
    if failing:
        text += "以下检查仍未通过：" + "；".join(c.title for c in failing) + "。"
    return text + "确定提交吗？"


@login_required
def write(request: HttpRequest, pk: int) -> HttpResponse:
    report = access.get_report_for(request.user, pk)
    is_author = access.is_author(request.user, report.reporter)
    if not (is_author and report.editable):
        return redirect("reports:detail", pk=report.pk)
    rules = services.rules_for(report)
    results = checks.run_checks(rules, report.sections)
    sections = _sections_view(report)
    return render(
        request,
        "reports/write.html",
        {
            "title": report.title,
            "report": report,
            "sections": sections,
            "returned_comments": _returned_comments(report, sections),
            "checks": results,
            "failing": failing_checks(results),
            "submit_confirm": submit_confirm(results),
            "rules": rules,
            "due": services.report_due(report.reporter.campaign_id),
            "general_comments": [c for c in report.comments.all() if not c.section_key],
            "diff": services.resubmission_diff(report),
            "versions": report.versions.select_related("author")[:10],
            "previous_items": services.previous_rectification_items(report.reporter),
            "import_error": request.session.pop(IMPORT_ERROR, ""),
        },
    )


IMPORT_ERROR = "reports_import_error"


@login_required
@require_POST
def autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """JSON {sections, revision, kind} → {revision, saved_at, checks, counts}."""
    report = access.get_report_for(request.user, pk, write=True)
    try:
        body = json.loads(request.body or b"{}")
        sections = body.get("sections") or {}
        if not isinstance(sections, dict):
            raise ValueError
    except (ValueError, AttributeError):
        return JsonResponse({"detail": "请求格式不正确。"}, status=400)
    kind = "save" if body.get("kind") == "save" else "autosave"
    try:
        report = services.save_sections(
            report,
            actor=request.user,
            sections=sections,
            kind=kind,
            title=body.get("title"),
            subtitle=body.get("subtitle"),
            base_revision=body.get("revision"),
        )
    except DomainError as exc:
        status = 409 if exc.code == "state" else 403 if exc.code == "forbidden" else 400
        return JsonResponse({"detail": exc.message, "field": exc.field}, status=status)
    rules = services.rules_for(report)
    return JsonResponse(
        {
            "revision": report.revision,
            "saved_at": timezone.localtime(report.updated_at).strftime("%H:%M:%S"),
            "checks": _check_dicts(checks.run_checks(rules, report.sections)),
            "counts": checks.section_counts(rules, report.sections),
        }
    )


@login_required
@require_POST
def live_checks(request: HttpRequest, pk: int) -> JsonResponse:
    """The checks for unsaved text, as the writer types (nothing is stored)."""
    report = access.get_report_for(request.user, pk)
    try:
        sections = json.loads(request.body or b"{}").get("sections") or {}
        if not isinstance(sections, dict):
            raise ValueError
        text = {k: str(v)[: services.MAX_SECTION_CHARS] for k, v in sections.items()}
    except (ValueError, AttributeError):
        return JsonResponse({"detail": "请求格式不正确。"}, status=400)
    rules = services.rules_for(report)
    merged = {s.key: text.get(s.key, report.sections.get(s.key, "")) for s in rules.sections}
    return JsonResponse(
        {
            "checks": _check_dicts(checks.run_checks(rules, merged)),
            "counts": checks.section_counts(rules, merged),
        }
    )


@login_required
@require_POST
def import_docx(request: HttpRequest, pk: int) -> HttpResponse:
    report = access.get_report_for(request.user, pk, write=True)
    upload = request.FILES.get("file")
    if upload is None:
        request.session[IMPORT_ERROR] = "请选择要导入的 Word 文档。"
        return redirect("reports:write", pk=report.pk)
    try:
        result = services.import_docx(report, actor=request.user, data=upload.read())
    except DomainError as exc:
        # Shown under the upload field of the writing page, not as a banner far above it.
        request.session[IMPORT_ERROR] = exc.message
        return redirect("reports:write", pk=report.pk)
    return render(
        request,
        "reports/import_result.html",
        {"title": "导入结果", "report": report, "result": result},
    )


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = access.get_report_for(request.user, pk, write=True)
    try:
        services.submit_report(report, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reports:write", pk=report.pk)
    messages.success(request, "报告已提交，等待审核。")
    return redirect("reports:detail", pk=report.pk)


# --- reading and review -----------------------------------------------------------------------


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = access.get_report_for(request.user, pk)
    rules = services.rules_for(report)
    reporter = report.reporter
    results = checks.run_checks(rules, report.sections)
    history = access.sees_drafts(request.user, reporter)
    return render(
        request,
        "reports/detail.html",
        {
            "title": report.title,
            "report": report,
            "rules": rules,
            "sections": _sections_view(report),
            "checks": results,
            "failing": failing_checks(results),
            "diff": services.resubmission_diff(report) if history else None,
            "is_author": access.is_author(request.user, reporter),
            "can_review": access.can_review(request.user, reporter),
            "can_mark_read": rules.superior_reads
            and report.read_by_superior_at is None
            and report.state in ("approved", "summarized", "published")
            and (
                access.is_superior(request.user, reporter)
                or access.can_review(request.user, reporter)
            ),
            "general_comments": [c for c in report.comments.all() if not c.section_key],
            "versions": report.versions.select_related("author")[:20] if history else [],
            "due": services.report_due(reporter.campaign_id),
            "previous_items": services.previous_rectification_items(reporter),
        },
    )


def _review_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = access.get_report_for(request.user, pk, write=True)
    try:
        if action == "return":
            comments = {
                key[len("comment_") :]: request.POST.get(key, "")
                for key in request.POST
                if key.startswith("comment_")
            }
            services.return_report(
                report, actor=request.user, comments=comments, note=request.POST.get("note", "")
            )
            messages.success(request, "已退回修改。")
        elif action == "approve":
            services.approve_report(
                report, actor=request.user, comment=request.POST.get("note", "")
            )
            messages.success(request, "审核通过。")
        elif action == "read":
            services.mark_read_by_superior(report, actor=request.user)
            messages.success(request, "已登记上级领导审阅。")
        elif action == "summary":
            services.write_summary(
                report, actor=request.user, summary=request.POST.get("summary", "")
            )
            messages.success(request, "摘要已保存。")
        elif action == "publish":
            services.publish_summary(report, actor=request.user)
            messages.success(request, "摘要已公布。")
    except DomainError as exc:
        messages.error(request, exc.message)
        status = 409 if exc.code == "state" else 403 if exc.code == "forbidden" else 400
        resp = detail(request, pk)
        resp.status_code = status
        return resp
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("return", "approve", "read", "summary", "publish"):
        raise NotFound()
    return _review_action(request, pk, action)


@login_required
def version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    report = access.get_report_for(request.user, pk)
    v = report.versions.filter(number=number).select_related("author").first()
    # earlier versions are drafts: never shown to a reader of approved reports only
    if v is None or not access.sees_drafts(request.user, report.reporter):
        raise NotFound()
    rules = services.rules_for(report)
    parts = [(s.title, v.sections.get(s.key, "")) for s in rules.sections]
    return render(
        request,
        "reports/version.html",
        {"title": f"第{v.number}版", "report": report, "v": v, "parts": parts},
    )


@login_required
def export_docx(request: HttpRequest, pk: int) -> HttpResponse:
    report = access.get_report_for(request.user, pk)
    return _download(export.export_report(report))


# --- innovation cases, pictures and slides ------------------------------------------------------


@login_required
def materials(request: HttpRequest, reporter_pk: int) -> HttpResponse:
    reporter = access.get_reporter_for(request.user, reporter_pk)
    rules = reporter.campaign.parsed_rules.report
    if request.method == "POST":
        reporter = access.get_reporter_for(request.user, reporter_pk, write=True)
        try:
            if "slides" in request.FILES:
                f = request.FILES.getlist("slides")[0]
                services.add_attachment(
                    reporter,
                    actor=request.user,
                    kind=AttachmentKind.SLIDES,
                    data=f.read(),
                    filename=f.name or "",
                )
                messages.success(request, "演示文稿已上传。")
            else:
                case = services.save_case(reporter, actor=request.user, data=request.POST.dict())
                return redirect("reports:case", pk=case.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("reports:materials", reporter_pk=reporter.pk)
    cases = reporter.innovation_cases.prefetch_related("pictures")
    slides = reporter.attachments.filter(kind=AttachmentKind.SLIDES)
    return render(
        request,
        "reports/materials.html",
        {
            "title": "创新案例和演示文稿",
            "reporter": reporter,
            "rules": rules,
            "cases": cases,
            "slides": slides,
            "can_write": access.is_author(request.user, reporter)
            or access.can_review(request.user, reporter),
        },
    )


@login_required
def case(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.get_case_for(request.user, pk)
    can_write = access.is_author(request.user, obj.reporter) or access.can_review(
        request.user, obj.reporter
    )
    if request.method == "POST":
        obj = access.get_case_for(request.user, pk, write=True)
        try:
            if "picture" in request.FILES:
                f = request.FILES.getlist("picture")[0]
                services.add_attachment(
                    obj.reporter,
                    actor=request.user,
                    kind=AttachmentKind.PICTURE,
                    data=f.read(),
                    filename=f.name or "",
                    case=obj,
                    caption=request.POST.get("caption", ""),
                )
                messages.success(request, "配图已上传。")
            else:
                services.save_case(
                    obj.reporter, actor=request.user, data=request.POST.dict(), case=obj
                )
                messages.success(request, "案例已保存。")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("reports:case", pk=obj.pk)
    chars = sum(checks.count_chars(getattr(obj, a)) for a, _ in InnovationCase.PARTS)
    return render(
        request,
        "reports/case.html",
        {
            "title": obj.title,
            "case": obj,
            "pictures": obj.pictures.all(),
            "chars": chars,
            "target": obj.reporter.campaign.parsed_rules.report.innovation_case_chars,
            "can_write": can_write,
        },
    )


@login_required
def case_export(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(export.export_case(access.get_case_for(request.user, pk)))


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    att = access.get_attachment_for(request.user, pk, write=True)
    back = (
        reverse("reports:case", args=[att.case_id])
        if att.case_id
        else reverse("reports:materials", args=[att.reporter_id])
    )
    try:
        services.delete_attachment(att, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(back)


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Uploads come back only through here: access-checked, the type we sniffed on upload,
    never rendered by the browser as anything else; images inline, the rest downloaded."""
    from urllib.parse import quote

    att: Attachment = access.get_attachment_for(request.user, pk)
    try:
        fh = att.file.open("rb")
    except OSError:
        raise NotFound() from None
    resp = FileResponse(fh, content_type=att.content_type)
    name = quote(att.original_name or f"附件{att.pk}{att.extension}")
    disposition = "inline" if att.inline else "attachment"
    resp["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{name}"
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp


# --- the booklet ------------------------------------------------------------------------------


def _get_meeting(user: Any, pk: Any) -> Any:
    from shuping.meetings.models import Meeting

    try:
        meeting = Meeting.objects.select_related("campaign__committee").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not reaches(user, meeting.campaign.committee, roles=(*access.MANAGE_ROLES, Role.SUPERIOR)):
        raise NotFound()
    return meeting


@login_required
def booklet(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _get_meeting(request.user, meeting_pk)
    try:
        unapproved = access.booklet_unapproved(
            request.user, meeting.campaign, request.GET.get("unapproved")
        )
    except DomainError as e:
        messages.error(request, e.message)
        unapproved = export.Unapproved.OMIT
    mode = export.Unapproved(unapproved)
    if request.GET.get("format") == "zip":
        return _download(export.export_booklet_zip(meeting, unapproved=mode))
    if request.GET.get("format") == "docx":
        return _download(export.export_booklet(meeting, unapproved=mode))
    entries = export.booklet_entries(meeting, unapproved=mode)
    included = {e.report.reporter_id for e in entries if e.report is not None}
    missing = [
        row.reporter
        for row in meeting.agenda.select_related("reporter__organization").order_by("order")
        if row.reporter_id not in included
    ]
    # the choice is offered to those who may read reports under review at all
    can_choose = reaches(request.user, meeting.campaign.committee, roles=access.MANAGE_ROLES)
    return render(
        request,
        "reports/booklet.html",
        {
            "title": "述职材料汇编",
            "meeting": meeting,
            "entries": entries,
            "missing": missing,
            "unapproved": mode,
            "choices": export.Unapproved.choices if can_choose else [],
        },
    )


def bad_request(message: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(message)
