"""Pages of the results stage. Thin: access helper first, then one service call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shuping.accounts.access import SUBTREE_ROLES, org_scope_q
from shuping.lib import workdays
from shuping.lib.errors import DomainError, NotFound
from shuping.lib.http import apply_to_form as _apply
from shuping.lib.http import download as _download
from shuping.lib.models import CalendarCorrection
from shuping.reports.models import DutyReport, ReportState
from shuping.results import access, exports, publication, services
from shuping.results.forms import (
    AnnouncementForm,
    CalendarForm,
    CancelTaskForm,
    CompleteTaskForm,
    DecideObjectionForm,
    DueForm,
    FeedbackForm,
    FlagsForm,
    NoticeForm,
    ObjectionForm,
    StartNoticeForm,
)
from shuping.results.models import (
    TALK_KINDS,
    Announcement,
    ConsequenceTask,
    Feedback,
    NoticeState,
    ObjectionState,
    PublicationState,
    PublicNotice,
    ResultRecord,
    TaskState,
)
from shuping.rounds.models import Campaign
from shuping.rounds.rules import ResultsRules

PAGE_SIZE = 50


def _act(request: HttpRequest, action: Callable[[], Any], done: str) -> bool:
    """Run a service from a button; its DomainError becomes the page's message."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    if done:
        messages.success(request, done)
    return True


# --- lists ---------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The rounds whose results I follow, and every open task with its due date."""
    campaigns = (
        Campaign.objects.filter(
            org_scope_q(request.user, roles=SUBTREE_ROLES, prefix="committee__")
        )
        .filter(result_records__isnull=False)
        .distinct()
        .select_related("committee")
        .order_by("-year", "committee__path")
    )
    tasks = services.open_tasks(access.visible_tasks(request.user)).order_by("due_on", "id")
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "results/index.html",
        {
            "title": "结果运用",
            "campaigns": campaigns,
            "page": page,
            "today": timezone.localdate(),
        },
    )


@login_required
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    camp = access.get_results_campaign_for(request.user, pk)
    can_manage = access.can_manage_results(request.user, camp)
    rules = camp.parsed_rules
    records = list(
        ResultRecord.objects.filter(campaign=camp)
        .select_related("reporter__organization", "reporter__person")
        .order_by("reporter__order", "reporter_id")
    )
    tasks: dict[int, list[ConsequenceTask]] = {}
    for task in ConsequenceTask.objects.filter(campaign=camp).order_by("due_on", "id"):
        tasks.setdefault(task.reporter_id, []).append(task)
    feedback = {f.reporter_id: f for f in Feedback.objects.filter(campaign=camp)}
    titles = {f.key: f.title for f in rules.results.flags}
    rows = [
        {
            "rec": rec,
            "tasks": tasks.get(rec.reporter_id, []),
            "feedback": feedback.get(rec.reporter_id),
            "flags": [titles.get(f, f) for f in rec.flags],
        }
        for rec in records
    ]
    feedback_form = FeedbackForm(
        request.POST if request.method == "POST" else None,
        reporters=[(r.reporter_id, _label(r)) for r in records if r.approved],
        initial={
            "handed_over_on": timezone.localdate(),
            "way": "、".join(rules.results.feedback_ways),
            "reporters": [r.reporter_id for r in records if r.approved],
        },
    )
    if request.method == "POST":
        access.get_results_campaign_for(request.user, pk, write=True)
        if feedback_form.is_valid():
            data = feedback_form.cleaned_data
            chosen = {int(x) for x in data["reporters"]}
            reporters = [r.reporter for r in records if r.reporter_id in chosen]
            if _apply(
                feedback_form,
                lambda: services.record_feedback(
                    camp,
                    actor=request.user,
                    reporters=reporters,
                    handed_over_on=data["handed_over_on"],
                    way=data["way"],
                    handed_over_by=data["handed_over_by"],
                    note=data["note"],
                ),
            ):
                messages.success(request, f"已记录{len(reporters)}名书记的反馈。")
                return redirect("results:campaign", pk=camp.pk)
    return render(
        request,
        "results/campaign.html",
        {
            "title": f"{camp.title} · 结果运用",
            "campaign": camp,
            "rules": rules,
            "rows": rows,
            "can_manage": can_manage,
            "flag_choices": [(f.key, f.title) for f in rules.results.flags],
            "feedback_form": feedback_form,
            "announcement": Announcement.objects.filter(campaign=camp).first(),
            "notice": PublicNotice.objects.filter(campaign=camp).first(),
            "open_count": sum(1 for t in tasks.values() for x in t if x.state == TaskState.OPEN),
            "today": timezone.localdate(),
        },
    )


def _label(rec: ResultRecord) -> str:
    who = rec.reporter.person.name if rec.reporter.person else "书记空缺"
    return f"{rec.reporter.organization.name} · {who}（{rec.grade}）"


@login_required
@require_POST
def flags(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        rec = ResultRecord.objects.select_related("campaign__committee").get(pk=pk)
    except (ResultRecord.DoesNotExist, ValueError):
        raise NotFound() from None
    camp = access.get_results_campaign_for(request.user, rec.campaign_id, write=True)
    form = FlagsForm(
        request.POST, choices=[(f.key, f.title) for f in camp.parsed_rules.results.flags]
    )
    if not form.is_valid():
        messages.error(request, "所选标记不在本方案中。")
    else:
        _act(
            request,
            lambda: services.set_flags(rec, actor=request.user, flags=form.cleaned_data["flags"]),
            "标记已保存，相应的结果运用事项已生成。",
        )
    return redirect("results:campaign", pk=camp.pk)


# --- eligibility and letters -------------------------------------------------------------


@login_required
def eligibility(request: HttpRequest, pk: int) -> HttpResponse:
    camp = access.get_results_campaign_for(request.user, pk)
    if request.GET.get("format") == "xlsx":
        return _download(exports.eligibility_xlsx(camp))
    rows = exports.eligibility_rows(camp)
    return render(
        request,
        "results/eligibility.html",
        {
            "title": f"{camp.title} · 评优资格名单",
            "campaign": camp,
            "header": exports.ELIGIBILITY_HEADER,
            "rows": rows,
            "revoked": [row[1] for row in rows if row[6] == "取消"],
            "basis": camp.parsed_rules.results.basis,
        },
    )


@login_required
def letters(request: HttpRequest, pk: int) -> HttpResponse:
    camp = access.get_results_campaign_for(request.user, pk)
    records = list(publication.approved_records(camp))
    if not records:
        messages.error(request, "综合评价等次尚未批准，没有可打印的反馈意见。")
        return redirect("results:campaign", pk=camp.pk)
    return _download(exports.feedback_letters(camp, records))


@login_required
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        rec = ResultRecord.objects.select_related(
            "reporter__organization", "reporter__person", "campaign"
        ).get(pk=pk)
    except (ResultRecord.DoesNotExist, ValueError):
        raise NotFound() from None
    camp = access.get_results_campaign_for(request.user, rec.campaign_id)
    if not rec.approved:
        messages.error(request, "该等次正在复核，暂不能打印反馈意见。")
        return redirect("results:campaign", pk=camp.pk)
    return _download(exports.feedback_letters(camp, [rec]))


# --- tasks -----------------------------------------------------------------------


@login_required
def task(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_task_for(request.user, pk)
    can_manage = access.can_manage_results(request.user, item.campaign)
    talk = item.kind in TALK_KINDS
    action = request.POST.get("action") if request.method == "POST" else None
    complete_form = CompleteTaskForm(
        request.POST if action == "complete" else None,
        request.FILES if action == "complete" else None,
        talk=talk,
        initial={"done_on": timezone.localdate(), "talked_to": _person(item)},
    )
    cancel_form = CancelTaskForm(request.POST if action == "cancel" else None)
    due_form = DueForm(request.POST if action == "due" else None, initial={"due_on": item.due_on})
    if action:
        item = access.get_task_for(request.user, pk, write=True)
        done = False
        if action == "complete" and complete_form.is_valid():
            data = complete_form.cleaned_data
            upload = data.get("scan")
            done = _apply(
                complete_form,
                lambda: services.complete_task(
                    item,
                    actor=request.user,
                    done_on=data["done_on"],
                    gist=data["gist"],
                    talked_by=data.get("talked_by", ""),
                    talked_to=data.get("talked_to", ""),
                    scan=upload.read() if upload else None,
                ),
            )
        elif action == "cancel" and cancel_form.is_valid():
            done = _apply(
                cancel_form,
                lambda: services.cancel_task(
                    item, actor=request.user, reason=cancel_form.cleaned_data["reason"]
                ),
            )
        elif action == "due" and due_form.is_valid():
            done = _apply(
                due_form,
                lambda: services.set_task_due(
                    item, actor=request.user, due_on=due_form.cleaned_data["due_on"]
                ),
            )
        if done:
            messages.success(request, "已保存。")
            return redirect("results:task", pk=item.pk)
    return render(
        request,
        "results/task.html",
        {
            "title": f"{item.title} · {item.reporter.organization.name}",
            "task": item,
            "talk": talk,
            "can_manage": can_manage and item.state == TaskState.OPEN,
            "complete_form": complete_form,
            "cancel_form": cancel_form,
            "due_form": due_form,
            "today": timezone.localdate(),
        },
    )


def _person(item: ConsequenceTask) -> str:
    person = item.reporter.person
    return f"{item.reporter.organization.name}书记{person.name}" if person else ""


@login_required
def task_scan(request: HttpRequest, pk: int) -> FileResponse:
    item = access.get_task_for(request.user, pk)
    if not item.scan:
        raise NotFound()
    resp = FileResponse(item.scan.open("rb"), content_type=item.scan_content_type)
    resp["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote('扫描件' + item.scan_extension)}"
    )
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


# --- 通报 and 公示 ----------------------------------------------------------------------
#
# Both pages run the same flow: find the round's one document, download it as .docx,
# check write access before any button, generate the draft; only their own buttons and
# what the page shows around the document differ.

Doc = TypeVar("Doc", Announcement, PublicNotice)
# A page's own buttons: None once the action is done and the page is to be reloaded
# (its messages already posted), else what the page shows next to the document.
Buttons = Callable[[HttpRequest, Campaign, Doc, str | None], dict[str, Any] | None]


@dataclass(frozen=True)
class _Publication(Generic[Doc]):
    model: type[Doc]
    name: str  # url name, template and the document's name in the page
    what: str
    enabled: Callable[[ResultsRules], bool]
    document: Callable[[Doc], tuple[str, str, bytes]]
    prepare: Callable[..., Doc]
    prepared: str
    buttons: Buttons[Doc]


def _publication_page(request: HttpRequest, pk: int, kind: _Publication[Doc]) -> HttpResponse:
    camp = access.get_results_campaign_for(request.user, pk)
    item = kind.model.objects.filter(campaign=camp).first()
    if request.GET.get("format") == "docx" and item is not None:
        item.campaign = camp
        return _download(kind.document(item))
    action = request.POST.get("action") if request.method == "POST" else None
    if action:
        access.get_results_campaign_for(request.user, pk, write=True)
    if action == "prepare":
        _act(request, lambda: kind.prepare(camp, actor=request.user), kind.prepared)
        return redirect(f"results:{kind.name}", pk=camp.pk)
    ctx: dict[str, Any] = {
        "title": f"{camp.title} · {kind.what}",
        "campaign": camp,
        kind.name: item,
        "can_manage": access.can_manage_results(request.user, camp),
        "enabled": kind.enabled(camp.parsed_rules.results),
        "today": timezone.localdate(),
    }
    if item is not None:
        shown = kind.buttons(request, camp, item, action)
        if shown is None:
            return redirect(f"results:{kind.name}", pk=camp.pk)
        ctx.update(shown)
    return render(request, f"results/{kind.name}.html", ctx)


def _announcement_buttons(
    request: HttpRequest, camp: Campaign, ann: Announcement, action: str | None
) -> dict[str, Any] | None:
    form = AnnouncementForm(
        request.POST if action == "save" else None,
        initial={
            "title": ann.title,
            "doc_number": ann.doc_number,
            "recipients": ann.recipients,
            "range_text": ann.range_text,
            "body": ann.body,
        },
    )
    if action == "save" and form.is_valid():
        data = form.cleaned_data
        if _apply(form, lambda: publication.edit_announcement(ann, actor=request.user, **data)):
            messages.success(request, "通报已保存。")
            return None
    if action == "issue":
        _act(
            request,
            lambda: publication.issue_announcement(ann, actor=request.user),
            "通报已印发。",
        )
        return None
    return {"form": form, "draft": ann.state == PublicationState.DRAFT}


def _notice_buttons(
    request: HttpRequest, camp: Campaign, item: PublicNotice, action: str | None
) -> dict[str, Any] | None:
    if action == "finalize":
        _act(
            request,
            lambda: publication.finalize_notice(item, actor=request.user),
            "公示期满，结果已确定。",
        )
        return None
    records = list(publication.approved_records(camp))
    reporters = [(r.reporter_id, _label(r)) for r in records]
    forms_ = {
        "edit_form": NoticeForm(
            request.POST if action == "save" else None,
            initial={
                "title": item.title,
                "body": item.body,
                "where": item.where,
                "contact": item.contact,
                "days": item.days,
            },
        ),
        "start_form": StartNoticeForm(
            request.POST if action == "start" else None,
            initial={"starts_on": timezone.localdate()},
        ),
        "objection_form": ObjectionForm(
            request.POST if action == "objection" else None,
            reporters=reporters,
            initial={"received_on": timezone.localdate()},
        ),
    }
    done = _notice_action(request, action, item, forms_, records)
    if done:
        messages.success(request, done)
        return None
    objections = list(item.objections.select_related("reporter__organization", "reporter__person"))
    return {
        **forms_,
        "records": records,
        "objections": objections,
        "decide_form": DecideObjectionForm(),
        "open_objections": sum(1 for o in objections if o.state == ObjectionState.OPEN),
        "unknown_year": item.starts_on is not None
        and not workdays.is_known_year(item.starts_on.year),
    }


ANNOUNCEMENT = _Publication(
    model=Announcement,
    name="announcement",
    what="通报",
    enabled=lambda rules: rules.announce,
    document=exports.announcement_document,
    prepare=publication.prepare_announcement,
    prepared="通报草稿已生成，可修改后印发。",
    buttons=_announcement_buttons,
)
NOTICE = _Publication(
    model=PublicNotice,
    name="notice",
    what="公示",
    enabled=lambda rules: rules.notice,
    document=exports.notice_document,
    prepare=publication.prepare_notice,
    prepared="公示草稿已生成。",
    buttons=_notice_buttons,
)


@login_required
def announcement(request: HttpRequest, pk: int) -> HttpResponse:
    return _publication_page(request, pk, ANNOUNCEMENT)


@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    return _publication_page(request, pk, NOTICE)


def _notice_action(
    request: HttpRequest,
    action: str | None,
    item: PublicNotice,
    forms_: dict[str, forms.Form],
    records: list[ResultRecord],
) -> str:
    if action == "save":
        form = forms_["edit_form"]
        if form.is_valid() and _apply(
            form, lambda: publication.edit_notice(item, actor=request.user, **form.cleaned_data)
        ):
            return "公示内容已保存。"
    elif action == "start":
        form = forms_["start_form"]
        if form.is_valid() and _apply(
            form,
            lambda: publication.start_notice(
                item, actor=request.user, starts_on=form.cleaned_data["starts_on"]
            ),
        ):
            return "公示已开始，公开页面已可访问。"
    elif action == "objection":
        form = forms_["objection_form"]
        if form.is_valid():
            data = form.cleaned_data
            reporter = next(
                (r.reporter for r in records if str(r.reporter_id) == data["reporter"]), None
            )
            if _apply(
                form,
                lambda: publication.record_objection(
                    item,
                    actor=request.user,
                    received_on=data["received_on"],
                    received_by=data["received_by"],
                    raised_by=data["raised_by"],
                    content=data["content"],
                    reporter=reporter,
                ),
            ):
                return "异议已登记。"
    return ""


@login_required
@require_POST
def decide_objection(request: HttpRequest, pk: int) -> HttpResponse:
    objection = access.get_objection_for(request.user, pk, write=True)
    form = DecideObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择核查结论，并填写核查处理情况和答复意见。")
    else:
        data = form.cleaned_data
        _act(
            request,
            lambda: publication.decide_objection(
                objection,
                actor=request.user,
                upheld=data["upheld"],
                handling=data["handling"],
                answer=data["answer"],
            ),
            "异议已处理。" + ("该对象的等次已退回复核。" if data["upheld"] else ""),
        )
    return redirect("results:notice", pk=objection.notice.campaign_id)


@never_cache
def public_notice(request: HttpRequest, code: str) -> HttpResponse:
    """The intranet page of a 公示: no login, only what was published."""
    item = access.get_public_notice(code)
    camp = item.campaign
    records = list(publication.approved_records(camp))
    summaries = list(
        DutyReport.objects.filter(reporter__campaign=camp, state=ReportState.PUBLISHED)
        .select_related("reporter__organization", "reporter__person")
        .order_by("reporter__order", "id")
    )
    return render(
        request,
        "results/public_notice.html",
        {
            "title": item.title,
            "notice": item,
            "issuer": exports.issuer_of(camp),
            "records": records,
            "summaries": summaries,
            "final": item.state == NoticeState.FINAL,
        },
    )


# --- calendar corrections ------------------------------------------------------------


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    if not publication.can_correct_calendar(request.user):
        raise NotFound()
    form = CalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _apply(
            form,
            lambda: publication.set_calendar_day(
                data["day"], actor=request.user, is_workday=data["is_workday"], note=data["note"]
            ),
        ):
            messages.success(request, "日历更正已保存，此后开始的公示按更正后的日历计算。")
            return redirect("results:calendar")
    this_year = date.today().year
    years = [(y, workdays.is_known_year(y)) for y in range(this_year - 1, this_year + 3)]
    return render(
        request,
        "results/calendar.html",
        {
            "title": "工作日更正",
            "form": form,
            "rows": CalendarCorrection.objects.order_by("-day")[:200],
            "years": years,
        },
    )
