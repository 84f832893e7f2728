"""Pages of the rectification ledger. Thin: access helper first, then one service call."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from shuping.accounts.access import grants, is_admin, reaches
from shuping.lib import import_errors
from shuping.lib.errors import DomainError, NotFound
from shuping.lib.import_errors import RowError
from shuping.organizations.models import Organization
from shuping.organizations.roster_read import RosterInvalid
from shuping.rectification import access, exports, ledger_import, overview, services
from shuping.rectification.models import (
    CauseKind,
    Item,
    ItemStatus,
    PlanState,
    overdue_q,
)
from shuping.reports import access as report_access
from shuping.reports.views import _download
from shuping.rounds.access import get_campaign_for
from shuping.rounds.models import Campaign, Reporter

PAGE = 50


def _items(qs: QuerySet[Item]) -> QuerySet[Item]:
    return qs.select_related("organization", "recurs_of").prefetch_related("sources")


def _round_campaigns(user: Any) -> list[Campaign]:
    roles = access.READ_ROLES
    if is_admin(user):
        return list(Campaign.objects.select_related("committee").order_by("-year", "id"))
    q = Q(pk__in=[])
    for g in grants(user, roles):
        q |= Q(committee__path__startswith=g.organization.path)
    return list(Campaign.objects.filter(q).select_related("committee").order_by("-year", "id"))


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    mine = (
        Reporter.objects.filter(report_access._own_reporter_q(request.user))
        .select_related("campaign", "organization")
        .annotate(
            n_items=Count("rectification_items"),
            n_closed=Count(
                "rectification_items", filter=Q(rectification_items__status=ItemStatus.CLOSED)
            ),
            n_overdue=Count(
                "rectification_items",
                filter=overdue_q(timezone.localdate(), "rectification_items__"),
            ),
        )
        .order_by("-campaign__year", "campaign_id")
    )
    history = access.visible_items(request.user).filter(
        access.own_q(request.user), reporter__isnull=True
    )
    campaigns = _round_campaigns(request.user)
    return render(
        request,
        "rectification/index.html",
        {
            "title": "整改台账",
            "mine": mine,
            "history": _items(history).order_by("-year", "number")[:100],
            "campaigns": campaigns,
            "can_import": bool(grants(request.user, access.REVIEW_ROLES)) or is_admin(request.user),
            "can_overview": bool(grants(request.user, access.READ_ROLES)) or is_admin(request.user),
            "today": timezone.localdate(),
        },
    )


# --- one reporter's ledger ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def ledger(request: HttpRequest, reporter_pk: int) -> HttpResponse:
    plan = access.get_plan_for(request.user, reporter_pk)
    reporter = plan.reporter
    is_author = report_access.is_author(request.user, reporter)
    can_review = access.can_review(request.user, reporter.organization)
    can_write = is_author or can_review
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        if not can_write:
            raise NotFound()
        action = request.POST.get("action", "")
        try:
            if action == "draft":
                made = services.draft_from_sources(reporter, actor=request.user)
                messages.success(request, f"已从各来源生成 {len(made)} 项整改事项，请逐项完善。")
            elif action == "feedback":
                made = services.add_feedback(
                    reporter, actor=request.user, text=request.POST.get("feedback", "")
                )
                messages.success(request, f"已根据考核反馈生成 {len(made)} 项整改事项。")
            elif action == "add":
                values = {k: request.POST.get(k, "") for k in ("problem", "measures", "deadline")}
                item = services.create_item(reporter, actor=request.user, **values)
                messages.success(request, "已添加整改事项，请补充原因、责任和时限。")
                return redirect("rectification:item", pk=item.pk)
            elif action == "submit":
                services.submit_plan(plan, actor=request.user)
                messages.success(request, "整改方案已提交，等待组织部门审核。")
            elif action == "approve":
                services.approve_plan(plan, actor=request.user)
                messages.success(request, "整改方案已审核通过。")
            elif action == "return":
                services.return_plan(
                    plan, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, "整改方案已退回修改。")
            else:
                raise DomainError("未知的操作。")
        except DomainError as exc:
            errors = _field_errors(exc, LEDGER_FORM_FIELDS)
        else:
            return redirect("rectification:ledger", reporter_pk=reporter.pk)
    today = timezone.localdate()
    items = list(_items(Item.objects.filter(reporter=reporter)).order_by("number", "id"))
    plan.refresh_from_db()
    return render(
        request,
        "rectification/ledger.html",
        {
            "title": f"{reporter.organization.name}整改台账",
            "reporter": reporter,
            "plan": plan,
            "items": [(i, i.status_label(today), i.is_overdue(today)) for i in items],
            "counts": {
                "total": len(items),
                "closed": sum(i.status == ItemStatus.CLOSED for i in items),
                "overdue": sum(i.is_overdue(today) for i in items),
                "recurring": sum(i.recurs_of_id is not None for i in items),
            },
            "is_author": is_author,
            "can_review": can_review,
            "can_edit": (is_author and plan.state != PlanState.SUBMITTED) or can_review,
            "gaps": services.plan_gaps(reporter) if plan.editable and items else [],
            "previous": services.previous_items(reporter),
            "errors": errors,
            "values": values,
            "today": today,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def ledger_export(request: HttpRequest, reporter_pk: int, fmt: str) -> HttpResponse:
    plan = access.get_plan_for(request.user, reporter_pk)
    reporter = plan.reporter
    if fmt == "plan.docx":
        return _download(exports.plan_docx(plan))
    items = Item.objects.filter(reporter=reporter).order_by("number", "id")
    title = f"{reporter.organization.name}{reporter.campaign.year}年度整改台账"
    if fmt == "xlsx":
        return _download(exports.ledger_xlsx(items, title=title))
    if fmt == "docx":
        return _download(exports.ledger_docx(items, title=title))
    raise NotFound()


# --- one item -----------------------------------------------------------------------------


ITEM_FORM_FIELDS = {*services.EDIT_FIELDS, "text", "files", "reason"}
LEDGER_FORM_FIELDS = {"problem", "measures", "deadline", "text", "reason"}


def _field_errors(exc: DomainError, fields: set[str]) -> dict[str, str]:
    """The message at its field when the form has it, else above the forms."""
    return {exc.field if exc.field in fields else "general": exc.message}


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_item_for(request.user, pk)
    is_owner = access.is_owner(request.user, item)
    can_review = access.can_review(request.user, item.organization)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        if not (is_owner or can_review):
            raise NotFound()
        action = request.POST.get("action", "")
        try:
            if action == "edit":
                values = {k: request.POST.get(k, "") for k in services.EDIT_FIELDS}
                services.update_item(item, actor=request.user, **values)
                messages.success(request, "已保存。")
            elif action in ("progress", "complete"):
                values = {"text": request.POST.get("text", "")}
                files = [(f.name or "", f.read()) for f in request.FILES.getlist("files")]
                services.add_progress(
                    item,
                    actor=request.user,
                    text=values["text"],
                    files=files,
                    complete=action == "complete",
                )
                messages.success(
                    request,
                    "已报告整改完成，等待组织部门核查销号。"
                    if action == "complete"
                    else "已记录整改进展。",
                )
            elif action == "sign_off":
                services.sign_off(item, actor=request.user, note=request.POST.get("note", ""))
                messages.success(request, "已销号。")
            elif action == "send_back":
                services.send_back(item, actor=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, "已退回，责任人将继续整改。")
            elif action == "delete":
                reporter_pk = item.reporter_id
                services.delete_item(item, actor=request.user)
                messages.success(request, "已删除该整改事项。")
                if reporter_pk:
                    return redirect("rectification:ledger", reporter_pk=reporter_pk)
                return redirect("rectification:index")
            else:
                raise DomainError("未知的操作。")
        except DomainError as exc:
            errors = _field_errors(exc, ITEM_FORM_FIELDS)
        else:
            return redirect("rectification:item", pk=item.pk)
        item = access.get_item_for(request.user, pk)
    today = timezone.localdate()
    earlier = item.recurs_of
    return render(
        request,
        "rectification/item.html",
        {
            "title": "整改事项",
            "item": item,
            "status_label": item.status_label(today),
            "overdue": item.is_overdue(today),
            "sources": item.sources.all(),
            "updates": item.updates.select_related("author").prefetch_related("evidence"),
            "earlier": earlier,
            "earlier_label": earlier.status_label(today) if earlier else "",
            "is_owner": is_owner,
            "can_review": can_review,
            "can_edit": item.status != ItemStatus.CLOSED and (is_owner or can_review),
            "cause_kinds": CauseKind.choices,
            "errors": errors,
            "values": values,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    ev = access.get_evidence_for(request.user, pk)
    resp = FileResponse(
        ev.file.open("rb"),
        content_type=ev.content_type,
        as_attachment=not ev.content_type.startswith("image/"),
        filename=ev.original_name or f"佐证材料{ev.extension}",
    )
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


# --- the round, for the office ------------------------------------------------------------


def _campaign_for_office(user: Any, pk: int) -> Campaign:
    campaign = get_campaign_for(user, pk)
    if not reaches(user, campaign.committee, roles=access.READ_ROLES):
        raise NotFound()
    return campaign


@login_required
@require_http_methods(["GET", "POST"])
def round_items(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _campaign_for_office(request.user, campaign_pk)
    can_review = access.can_review(request.user, campaign.committee)
    if request.method == "POST":
        if not can_review:
            raise NotFound()
        try:
            made = services.carry_over(campaign, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已结转往年未销号的整改事项 {made} 项。")
        return redirect("rectification:round", campaign_pk=campaign.pk)
    today = timezone.localdate()
    qs = Item.objects.filter(reporter__campaign=campaign)
    show = request.GET.get("show", "open")
    filtered = {
        "open": qs.exclude(status=ItemStatus.CLOSED),
        "overdue": qs.filter(overdue_q(today)),
        "done": qs.filter(status=ItemStatus.DONE),
        "recurring": qs.filter(recurs_of__isnull=False),
        "all": qs,
    }.get(show, qs.exclude(status=ItemStatus.CLOSED))
    page = Paginator(
        _items(filtered).order_by("deadline", "organization__path", "number", "id"), PAGE
    ).get_page(request.GET.get("page"))
    totals = qs.aggregate(
        total=Count("id"),
        closed=Count("id", filter=Q(status=ItemStatus.CLOSED)),
        done=Count("id", filter=Q(status=ItemStatus.DONE)),
        overdue=Count("id", filter=overdue_q(today)),
        recurring=Count("id", filter=Q(recurs_of__isnull=False)),
    )
    return render(
        request,
        "rectification/round.html",
        {
            "title": f"{campaign.title} · 整改台账",
            "campaign": campaign,
            "page": page,
            "rows": [(i, i.status_label(today), i.is_overdue(today)) for i in page.object_list],
            "totals": totals,
            "show": show,
            "reporters": campaign.reporters.select_related("organization").order_by("order", "id"),
            "can_review": can_review,
        },
    )


@login_required
@require_GET
def round_export(request: HttpRequest, campaign_pk: int, fmt: str) -> HttpResponse:
    campaign = _campaign_for_office(request.user, campaign_pk)
    items = Item.objects.filter(reporter__campaign=campaign).order_by(
        "organization__path", "number", "id"
    )
    title = f"{campaign.title}整改台账"
    if fmt == "xlsx":
        return _download(exports.ledger_xlsx(items, title=title))
    if fmt == "docx":
        return _download(exports.ledger_docx(items, title=title))
    if fmt == "progress.docx":
        return _download(exports.progress_report_docx(campaign))
    raise NotFound()


# --- the superior's view across the subtree -----------------------------------------------


@login_required
@require_GET
def oversight(request: HttpRequest) -> HttpResponse:
    roots = [g.organization for g in grants(request.user, access.READ_ROLES)]
    if is_admin(request.user) and not roots:
        roots = list(Organization.objects.filter(parent__isnull=True))
    if not roots:
        raise NotFound()
    root = roots[0]
    if request.GET.get("org"):
        root = access.get_organization_for(request.user, request.GET["org"])
    year = overview.pick_year(root, request.GET.get("year"))
    today = timezone.localdate()
    overdue = overview.overdue_items(root, year, today)
    page = Paginator(overdue, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "rectification/oversight.html",
        {
            "title": "整改落实情况总览",
            "root": root,
            "roots": roots,
            "year": year,
            "years": overview.years(root),
            "rows": overview.by_committee(root, year, today),
            "totals": overview.totals(root, year, today),
            "page": page,
            "today": today,
        },
    )


# --- importing an earlier spreadsheet ledger ----------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_ledger(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    errors: list[RowError] = []
    listed = 0
    field_errors: dict[str, str] = {}
    values = {k: request.POST.get(k, "") for k in ("code", "year")}
    if request.method == "POST":
        import_errors.forget(request, LEDGER_ERRORS)
        org = Organization.objects.filter(code=values["code"].strip()).first()
        upload = request.FILES.get("file")
        year = int(values["year"]) if values["year"].isdigit() else 0
        if org is None or not access.can_review(request.user, org):
            field_errors["code"] = "找不到该组织编码，或不在您的管理范围内。"
        if not 2000 <= year <= 2100:
            field_errors["year"] = "请填写年度，如 2025。"
        if upload is None:
            field_errors["file"] = "请选择要导入的 .xlsx 文件。"
        elif upload.size and upload.size > ledger_import.MAX_BYTES:
            field_errors["file"] = "文件超过 5 MB，请拆分后分别导入。"
        if not field_errors:
            assert org is not None and upload is not None
            try:
                result = ledger_import.import_ledger(
                    upload.read(), actor=request.user, organization=org, year=year
                )
            except RosterInvalid as exc:
                errors = exc.errors
                listed = import_errors.keep(request, LEDGER_ERRORS, errors)
            else:
                messages.success(
                    request,
                    f"导入完成：新增整改事项 {result.created} 项"
                    + (f"，{result.skipped} 项已存在未重复导入" if result.skipped else "")
                    + "。",
                )
                return redirect("rectification:import")
    return render(
        request,
        "rectification/import.html",
        {
            "title": "导入往年整改台账",
            "errors": errors,
            "listed": listed,
            "field_errors": field_errors,
            "values": values,
            "headers": exports.HEADERS,
        },
        status=400 if errors or field_errors else 200,
    )


LEDGER_ERRORS = "rectification_ledger"


def _require_importer(request: HttpRequest) -> None:
    if not (grants(request.user, access.REVIEW_ROLES) or is_admin(request.user)):
        raise NotFound()


@login_required
@require_GET
def import_errors_xlsx(request: HttpRequest) -> HttpResponse:
    """The errors of this user's last refused ledger file."""
    _require_importer(request)
    return import_errors.download_kept(request, LEDGER_ERRORS, filename="整改台账导入错误清单.xlsx")
