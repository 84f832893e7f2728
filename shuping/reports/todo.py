"""To-do items of the reports stage for the home page (accounts/todo.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from shuping.accounts.access import grants, org_scope_q
from shuping.accounts.todo import ATTENTION, DONE, NORMAL, URGENT, Todo
from shuping.reports.access import REVIEW_ROLES, _own_reporter_q
from shuping.reports.models import DutyReport, ReportState
from shuping.rounds.documents import cn_date
from shuping.rounds.models import CampaignStatus, Deadline, Reporter

LIMIT = 20
WAITING = (ReportState.SUBMITTED, ReportState.RESUBMITTED)


def review_todos(user: Any) -> list[Todo]:
    """The office: reports waiting for review and returned ones not yet resubmitted,
    one line per round (one aggregate query)."""
    if not grants(user, REVIEW_ROLES):
        return []
    scope = org_scope_q(user, roles=REVIEW_ROLES, prefix="reporter__organization__")
    rows = (
        DutyReport.objects.filter(scope, reporter__campaign__status=CampaignStatus.ACTIVE)
        .values("reporter__campaign_id", "reporter__campaign__title")
        .annotate(
            waiting=Count("pk", filter=Q(state__in=WAITING)),
            returned=Count("pk", filter=Q(state=ReportState.RETURNED)),
        )
        .filter(Q(waiting__gt=0) | Q(returned__gt=0))
        .order_by("reporter__campaign_id")[:LIMIT]
    )
    items = []
    for row in rows:
        url = reverse("reports:overview", args=[row["reporter__campaign_id"]])
        group = row["reporter__campaign__title"]
        if row["waiting"]:
            items.append(
                Todo("审核述职报告", url, f"{row['waiting']} 份待审核", ATTENTION, group, "待审核")
            )
        if row["returned"]:
            items.append(
                Todo(
                    "跟进退回的述职报告",
                    url,
                    f"{row['returned']} 份已退回、尚未重新提交",
                    NORMAL,
                    group,
                    "已退回",
                )
            )
    return items


def _failing_text(report: DutyReport) -> str:
    messages = [c.get("message", "") for c in report.check_summary or [] if c.get("message")]
    if not messages:
        return ""
    return "检查提示：" + "；".join(messages[:3]) + ("等" if len(messages) > 3 else "")


def reporter_todos(user: Any) -> list[Todo]:
    """The reporter: each own report's state, the reviewer's comments, what is due
    and what the checks still flag. Three queries."""
    own = _own_reporter_q(user)
    reporters = list(
        Reporter.objects.filter(own, campaign__status=CampaignStatus.ACTIVE)
        .select_related("campaign", "organization")
        .annotate(
            n_reports=Count("reports", distinct=True),
            n_meetings=Count("campaign__meetings", distinct=True),
            n_open_meetings=Count(
                "campaign__meetings",
                filter=~Q(campaign__meetings__status="closed"),
                distinct=True,
            ),
        )[:LIMIT]
    )
    if not reporters:
        return []
    due = dict(
        Deadline.objects.filter(
            campaign__in={r.campaign_id for r in reporters}, key="report_due"
        ).values_list("campaign_id", "due_on")
    )
    reports = DutyReport.objects.filter(reporter__in=reporters).select_related("reporter__campaign")
    today = timezone.localdate()
    items = []
    for rep in reporters:
        held = rep.n_meetings and not rep.n_open_meetings  # type: ignore[attr-defined]
        if rep.n_reports == 0 and held:
            continue  # every meeting of the round is over: too late to start a report
        if rep.n_reports == 0:  # type: ignore[attr-defined]
            when = due.get(rep.campaign_id)
            items.append(
                Todo(
                    "开始撰写述职报告",
                    reverse("reports:index"),
                    f"报送截止 {cn_date(when)}" if when else "",
                    URGENT if when and when < today else ATTENTION,
                    rep.campaign.title,
                    "未开始",
                    "去撰写",
                )
            )
    for report in reports:
        campaign = report.reporter.campaign
        when = due.get(campaign.id)
        due_text = f"报送截止 {cn_date(when)}" if when else ""
        late = bool(when and when < today)
        write_url = reverse("reports:write", args=[report.pk])
        if report.state == ReportState.RETURNED:
            n = report.comments.filter(review_round=report.review_round).count()
            items.append(
                Todo(
                    "修改退回的述职报告",
                    write_url,
                    f"组织单位提出 {n} 条意见，修改后重新提交" if n else "修改后重新提交",
                    URGENT,
                    campaign.title,
                    "已退回",
                    "查看意见并修改",
                )
            )
        elif report.state == ReportState.DRAFT:
            detail = "；".join(t for t in (due_text, _failing_text(report)) if t)
            items.append(
                Todo(
                    f"完成并提交{report.title or '述职报告'}",
                    write_url,
                    detail,
                    URGENT if late else ATTENTION,
                    campaign.title,
                    "逾期" if late else "草稿",
                    "继续撰写",
                )
            )
        else:
            items.append(
                Todo(
                    report.title or "述职报告",
                    reverse("reports:detail", args=[report.pk]),
                    report.get_state_display(),
                    DONE if report.state != ReportState.SUBMITTED else NORMAL,
                    campaign.title,
                    report.get_state_display(),
                )
            )
    return items
