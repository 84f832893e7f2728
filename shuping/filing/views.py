"""Pages of filing: thin — each starts with an access helper and calls one service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuping.accounts.access import WRITE_ROLES, grants, is_admin
from shuping.accounts.models import Role
from shuping.filing import services
from shuping.filing.access import can_answer, get_campaign_for_filing
from shuping.filing.forms import ExcuseForm, ReasonForm, SummaryForm, UploadForm
from shuping.filing.models import SUMMARY_PARTS, Filing, FilingState, PackageStatus, SummaryReport
from shuping.filing.summary import summary_docx
from shuping.lib.errors import DomainError, NotFound, PermissionDenied
from shuping.meetings.exports import content_disposition
from shuping.rounds.access import can_write_campaign, visible_campaigns
from shuping.rounds.forms import add_domain_error
from shuping.rounds.models import Campaign


def guarded(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrong role: a Chinese 403 page (out of reach stays a 404 from the access helper)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return render(
                request,
                "filing/forbidden.html",
                {"title": "无权操作", "message": exc.message},
                status=403,
            )

    return wrapper


def _forbidden_passes(exc: DomainError) -> None:
    if isinstance(exc, PermissionDenied):
        raise exc


def _answerable_q(request: HttpRequest) -> Q:
    """Rounds whose filing this user answers: under a superior grant, or one level below
    an organizer grant (never the organizer's own committee)."""
    if is_admin(request.user):
        return Q()
    q = Q(pk__in=[])
    for grant in grants(request.user, (Role.SUPERIOR,)):
        q |= Q(committee__path__startswith=grant.organization.path)
    for grant in grants(request.user, WRITE_ROLES):
        q |= Q(committee__path__startswith=grant.organization.path) & ~Q(
            committee_id=grant.organization_id
        )
    return q


@login_required
@guarded
def index(request: HttpRequest) -> HttpResponse:
    own = visible_campaigns(request.user)
    inbox = (
        Filing.objects.filter(state=FilingState.SUBMITTED)
        .filter(campaign__in=Campaign.objects.filter(_answerable_q(request)))
        .select_related("campaign__committee")
        .order_by("submitted_at")[:200]
    )
    rounds = own.select_related("filing").order_by("-year", "committee__path")[:200]
    return render(
        request,
        "filing/index.html",
        {"title": "材料备案", "inbox": inbox, "rounds": rounds, "today": timezone.localdate()},
    )


def _context(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    filing = services.ensure_filing(campaign)
    rows = services.checklist(filing)
    package = filing.packages.first()
    writable = can_write_campaign(request.user, campaign)
    return {
        "title": f"{campaign.title}：材料备案",
        "campaign": campaign,
        "filing": filing,
        "rows": rows,
        "blocking": [r for r in rows if r.blocks],
        "package": package,
        "refresh": package is not None and not package.finished,
        "writable": writable,
        "editable": writable and filing.state in services.EDITABLE and not campaign.archived_at,
        "answerer": can_answer(request.user, campaign),
        "summary": SummaryReport.objects.filter(campaign=campaign).first(),
        "has_summary_item": any(r.entry.kind == "summary_report" for r in rows),
        "today": timezone.localdate(),
        "upload_form": UploadForm(),
        "excuse_form": ExcuseForm(),
        "reason_form": ReasonForm(),
    }


@login_required
@guarded
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_filing(request.user, pk)
    return render(request, "filing/detail.html", _context(request, campaign))


def _entry(filing: Filing, entry_pk: int):  # type: ignore[no-untyped-def]
    try:
        return filing.entries.get(pk=entry_pk)
    except (ValueError, filing.entries.model.DoesNotExist):
        raise NotFound() from None


@login_required
@guarded
def entry(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    campaign = get_campaign_for_filing(request.user, pk, write=True)
    filing = services.ensure_filing(campaign)
    item = _entry(filing, entry_pk)
    upload_form = UploadForm()
    excuse_form = ExcuseForm(initial={"reason": item.missing_reason})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "upload":
                upload_form = UploadForm(request.POST, request.FILES)
                if upload_form.is_valid():
                    upload = upload_form.cleaned_data["file"]
                    services.upload_entry(
                        item, actor=request.user, data=upload.read(), name=upload.name
                    )
                    messages.success(request, f"“{item.title}”已上传。")
                    return redirect("filing:detail", pk=campaign.pk)
            elif action == "remove":
                services.remove_upload(item, actor=request.user)
                messages.success(request, f"已删除“{item.title}”的上传文件。")
                return redirect("filing:detail", pk=campaign.pk)
            else:
                excuse_form = ExcuseForm(request.POST)
                if excuse_form.is_valid():
                    services.excuse_entry(
                        item, actor=request.user, reason=excuse_form.cleaned_data["reason"]
                    )
                    messages.success(request, "缺项理由已保存。")
                    return redirect("filing:detail", pk=campaign.pk)
        except DomainError as exc:
            _forbidden_passes(exc)
            add_domain_error(upload_form if action == "upload" else excuse_form, exc)
    return render(
        request,
        "filing/entry.html",
        {
            "title": item.title,
            "campaign": campaign,
            "filing": filing,
            "entry": item,
            "upload_form": upload_form,
            "excuse_form": excuse_form,
        },
    )


@login_required
@guarded
def entry_file(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponseBase:
    campaign = get_campaign_for_filing(request.user, pk)
    item = _entry(services.ensure_filing(campaign), entry_pk)
    if not item.file:
        raise NotFound()
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = content_disposition(f"{item.title}{item.extension}")
    return response


@login_required
@require_POST
@guarded
def package(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_filing(request.user, pk, write=True)
    try:
        services.request_package(services.ensure_filing(campaign), actor=request.user)
    except DomainError as exc:
        _forbidden_passes(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, "已开始生成材料包，完成后可下载。")
    return redirect("filing:detail", pk=campaign.pk)


@login_required
@guarded
def package_download(request: HttpRequest, pk: int, package_pk: int) -> HttpResponseBase:
    campaign = get_campaign_for_filing(request.user, pk)
    filing = services.ensure_filing(campaign)
    item = filing.packages.filter(pk=package_pk, status=PackageStatus.DONE).first()
    if item is None or not item.file:
        raise NotFound()
    response = FileResponse(item.file.open("rb"), content_type="application/zip")
    response["Content-Disposition"] = content_disposition(item.filename)
    return response


@login_required
@guarded
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirmation page, then the one action that sends everything to the superior."""
    campaign = get_campaign_for_filing(request.user, pk, write=True)
    context = _context(request, campaign)
    if request.method == "POST":
        try:
            services.submit_filing(context["filing"], actor=request.user)
        except DomainError as exc:
            _forbidden_passes(exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已报送{context['filing'].filed_with}，材料包正在生成。")
            return redirect("filing:detail", pk=campaign.pk)
    context["title"] = "确认报送备案材料"
    return render(request, "filing/submit.html", context)


@login_required
@guarded
def answer(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The superior: acknowledge (备案, archives the round), return, or reopen."""
    campaign = get_campaign_for_filing(request.user, pk)
    if action not in ("acknowledge", "return", "reopen"):
        raise NotFound()
    context = _context(request, campaign)
    filing = context["filing"]
    form = ReasonForm(request.POST or None) if action != "acknowledge" else None
    if request.method == "POST":
        try:
            if action == "acknowledge":
                services.acknowledge_filing(filing, actor=request.user)
                messages.success(request, "已确认备案，本轮材料已归档。")
                return redirect("filing:detail", pk=campaign.pk)
            assert form is not None
            if form.is_valid():
                reason = form.cleaned_data["reason"]
                if action == "return":
                    services.return_filing(filing, actor=request.user, reason=reason)
                    messages.success(request, "已退回，并通知报送单位。")
                else:
                    services.reopen_filing(filing, actor=request.user, reason=reason)
                    messages.success(request, "已重新打开，本轮材料可以修改。")
                return redirect("filing:detail", pk=campaign.pk)
        except DomainError as exc:
            _forbidden_passes(exc)
            if form is not None:
                add_domain_error(form, exc)
            else:
                messages.error(request, exc.message)
    context.update(
        {
            "title": {"acknowledge": "确认备案", "return": "退回备案材料", "reopen": "重新打开"}[
                action
            ],
            "action": action,
            "form": form,
        }
    )
    return render(request, "filing/answer.html", context)


@login_required
@guarded
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_filing(request.user, pk)
    writable = can_write_campaign(request.user, campaign) and campaign.archived_at is None
    report = SummaryReport.objects.filter(campaign=campaign).first()
    form = None
    if report is not None:
        initial = {"title": report.title, **{k: getattr(report, k) for k, _ in SUMMARY_PARTS}}
        form = SummaryForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not writable:
            raise PermissionDenied("只有本轮的组织部门可以修改专题报告（已归档的只能查看）。")
        try:
            if request.POST.get("action") in ("draft", "redraft"):
                services.draft_summary_report(
                    campaign, actor=request.user, redraft=request.POST["action"] == "redraft"
                )
                messages.success(request, "已根据本轮数据起草专题报告，请修改完善。")
                return redirect("filing:summary", pk=campaign.pk)
            if report is not None and form is not None and form.is_valid():
                data = form.cleaned_data
                services.update_summary_report(
                    report,
                    actor=request.user,
                    title=data["title"],
                    parts={k: data[k] for k, _ in SUMMARY_PARTS},
                )
                messages.success(request, "专题报告已保存。")
                return redirect("filing:summary", pk=campaign.pk)
        except DomainError as exc:
            _forbidden_passes(exc)
            if form is not None:
                add_domain_error(form, exc)
            else:
                messages.error(request, exc.message)
    return render(
        request,
        "filing/summary.html",
        {
            "title": "专题报告",
            "campaign": campaign,
            "report": report,
            "form": form,
            "writable": writable,
            "parts": [(label, getattr(report, key)) for key, label in SUMMARY_PARTS]
            if report
            else [],
        },
    )


@login_required
@guarded
def summary_download(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_filing(request.user, pk)
    report = SummaryReport.objects.filter(campaign=campaign).select_related("campaign").first()
    if report is None:
        raise NotFound()
    filename, content_type, data = summary_docx(report)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response
