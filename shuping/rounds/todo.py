"""To-do items of the rounds stage for the home page (accounts/todo.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from shuping.accounts.access import WRITE_ROLES, grants, org_scope_q
from shuping.accounts.models import Role
from shuping.accounts.todo import ATTENTION, NORMAL, URGENT, Todo
from shuping.rounds.documents import cn_date
from shuping.rounds.models import Campaign, CampaignStatus, Deadline, FilingState, PlanFiling

LIMIT = 20


def _managed(user: Any) -> Q:
    return org_scope_q(user, roles=WRITE_ROLES, prefix="committee__")


def overdue_todos(user: Any) -> list[Todo]:
    """Overdue deadlines of the open rounds the user organizes: one line per round
    (one aggregate query), not a flat list of every unit's dates."""
    if not grants(user, WRITE_ROLES):
        return []
    today = timezone.localdate()
    rows = (
        Deadline.objects.filter(
            campaign__in=Campaign.objects.filter(_managed(user)).exclude(
                status=CampaignStatus.CLOSED
            ),
            completed_on__isnull=True,
            due_on__lt=today,
        )
        .values("campaign_id", "campaign__title")
        .annotate(n=Count("pk"), first=Min("due_on"))
        .order_by("first")[:LIMIT]
    )
    return [
        Todo(
            "处理逾期的时间节点",
            reverse("rounds:detail", args=[row["campaign_id"]]),
            f"{row['n']} 个节点已过截止日期（最早 {cn_date(row['first'])}），"
            "完成的请登记完成，需要延期的请修改日期",
            URGENT,
            row["campaign__title"],
            "逾期",
        )
        for row in rows
    ]


def next_due_todos(user: Any) -> list[Todo]:
    """The next open deadline of each open round the user organizes (two queries)."""
    if not grants(user, WRITE_ROLES):
        return []
    today = timezone.localdate()
    open_deadlines = Deadline.objects.filter(
        campaign__in=Campaign.objects.filter(_managed(user)).exclude(status=CampaignStatus.CLOSED),
        completed_on__isnull=True,
        due_on__gte=today,
    )
    firsts = (
        open_deadlines.values("campaign_id").annotate(first=Min("due_on")).order_by("first")[:LIMIT]
    )
    wanted = Q(pk__in=[])
    for row in firsts:
        wanted |= Q(campaign_id=row["campaign_id"], due_on=row["first"])
    seen: set[int] = set()
    items = []
    for d in (
        open_deadlines.filter(wanted).select_related("campaign").order_by("due_on", "position")
    ):
        if d.campaign_id in seen:
            continue
        seen.add(d.campaign_id)
        assert d.due_on is not None  # filtered above
        days = (d.due_on - today).days
        items.append(
            Todo(
                d.title,
                reverse("rounds:deadline", args=[d.campaign_id, d.pk]),
                f"{cn_date(d.due_on)}截止" + ("（今天）" if days == 0 else f"，还有 {days} 天"),
                ATTENTION if days <= 3 else NORMAL,
                d.campaign.title,
                "下一节点",
            )
        )
    return items


def filing_todos(user: Any) -> list[Todo]:
    """Plans and meeting plans the sub-rounds filed, waiting for acknowledgement."""
    if not grants(user, WRITE_ROLES):
        return []
    rows = (
        PlanFiling.objects.filter(
            state=FilingState.SUBMITTED,
            campaign__parent__in=Campaign.objects.filter(_managed(user)),
        )
        .values("campaign__parent_id", "campaign__parent__title")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(is_late=True)))
        .order_by("campaign__parent_id")[:LIMIT]
    )
    return [
        Todo(
            "确认下级报送的备案材料",
            reverse("rounds:detail", args=[row["campaign__parent_id"]]),
            f"{row['n']} 件待确认" + (f"，其中 {row['late']} 件未按期" if row["late"] else ""),
            ATTENTION,
            row["campaign__parent__title"],
            "待确认",
        )
        for row in rows
    ]


def _oversight_url() -> str:
    # The oversight view is built in its own app; until it is installed, the rounds list.
    try:
        return reverse("oversight:index")
    except NoReverseMatch:
        return reverse("rounds:index")


def superior_todos(user: Any) -> list[Todo]:
    """The superior: the sub-rounds' state in one line, linking to the oversight view."""
    if not grants(user, (Role.SUPERIOR,)):
        return []
    scope = org_scope_q(user, roles=(Role.SUPERIOR,), prefix="committee__")
    counts = Campaign.objects.filter(scope).aggregate(
        draft=Count("pk", filter=Q(status=CampaignStatus.DRAFT)),
        active=Count("pk", filter=Q(status=CampaignStatus.ACTIVE)),
        closed=Count("pk", filter=Q(status=CampaignStatus.CLOSED)),
    )
    if not any(counts.values()):
        return []
    return [
        Todo(
            "查看下级述职评议考核进展",
            _oversight_url(),
            f"进行中 {counts['active']} 个，草拟 {counts['draft']} 个，"
            f"已结束 {counts['closed']} 个",
            NORMAL,
            "",
            "督导",
        )
    ]
