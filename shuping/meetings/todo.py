"""To-do items of the meetings stage for the home page (accounts/todo.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from shuping.accounts.access import WRITE_ROLES, grants, org_scope_q
from shuping.accounts.todo import ATTENTION, NORMAL, URGENT, Todo
from shuping.meetings.models import Meeting, MeetingStatus
from shuping.rounds.documents import cn_date

LIMIT = 10


def _today_q() -> Q:
    """Meetings running now, or planned for today."""
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    start = datetime.combine(today, time.min, tz)
    return Q(status=MeetingStatus.IN_PROGRESS) | Q(
        status=MeetingStatus.PLANNED, starts_at__gte=start, starts_at__lt=start + timedelta(days=1)
    )


def host_todos(user: Any) -> list[Todo]:
    """The host: 进入今天的会议, and the next meeting they host."""
    if not user.is_authenticated:
        return []
    mine = Meeting.objects.filter(host__user_id=user.pk).select_related("campaign")
    items = [
        Todo(
            "进入今天的会议",
            reverse("meetings:host", args=[m.pk]),
            f"{m.title} · {timezone.localtime(m.starts_at):%H:%M} · {m.place or '地点待定'}",
            URGENT,
            "",
            m.get_status_display(),
            "进入会议",
        )
        for m in mine.filter(_today_q()).order_by("starts_at")[:LIMIT]
    ]
    if not items:
        upcoming = (
            mine.filter(status=MeetingStatus.PLANNED, starts_at__gte=timezone.now())
            .order_by("starts_at")
            .first()
        )
        if upcoming is not None:
            when = timezone.localtime(upcoming.starts_at)
            items.append(
                Todo(
                    "准备主持述职评议会",
                    reverse("meetings:host", args=[upcoming.pk]),
                    f"{upcoming.title} · {cn_date(when)} {when:%H:%M}",
                    NORMAL,
                    upcoming.campaign.title,
                    "筹备中",
                )
            )
    return items


def organizer_todos(user: Any) -> list[Todo]:
    """The office: today's and running meetings with sign-in turnout (one query)."""
    if not grants(user, WRITE_ROLES):
        return []
    scope = org_scope_q(user, roles=WRITE_ROLES, prefix="campaign__committee__")
    meetings = (
        Meeting.objects.filter(scope)
        .filter(_today_q())
        .select_related("campaign")
        .annotate(
            expected=Count("attendees", filter=Q(attendees__expected=True)),
            present=Count("attendees", filter=Q(attendees__signed_in_at__isnull=False)),
            walk_ins=Count(
                "attendees",
                filter=Q(attendees__signed_in_at__isnull=False, attendees__expected=False),
            ),
        )
        .order_by("starts_at")[:LIMIT]
    )
    return [
        Todo(
            "会议签到",
            reverse("meetings:attendance", args=[m.pk]),
            f"{m.title}：实到 {m.present}（应到 {m.expected}"  # type: ignore[attr-defined]
            + (f"，名单外 {m.walk_ins}）" if m.walk_ins else "）"),  # type: ignore[attr-defined]
            ATTENTION,
            m.campaign.title,
            m.get_status_display(),
            "打开签到",
        )
        for m in meetings
    ]
