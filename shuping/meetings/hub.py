"""The meetings stage on the round page (rounds/hub.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from shuping.meetings.models import MeetingReporter, MeetingStatus
from shuping.rounds.hub import StageLink, StatusCell
from shuping.rounds.models import Campaign, Reporter


def stage(campaign: Campaign, user: Any) -> StageLink:
    counts = campaign.meetings.aggregate(  # type: ignore[attr-defined]
        all=Count("pk"), live=Count("pk", filter=Q(status=MeetingStatus.IN_PROGRESS))
    )
    note = f"{counts['all']} 场" + (f"，{counts['live']} 场进行中" if counts["live"] else "")
    if not counts["all"]:
        note = "尚未安排"
    return StageLink("述职评议会", reverse("meetings:campaign", args=[campaign.pk]), note, 30)


def column(campaign: Campaign, reporters: list[Reporter]) -> dict[int, StatusCell]:
    """Which meeting each reporter is on, and whether they have reported (one query)."""
    several = campaign.meetings.count() > 1  # type: ignore[attr-defined]
    cells: dict[int, list[str]] = {}
    done: dict[int, bool] = {}
    entries = MeetingReporter.objects.filter(meeting__campaign=campaign).select_related("meeting")
    for e in entries.order_by("meeting__starts_at", "order"):
        if not e.speaks:
            state = "书面"
        elif e.ended_at:
            state = "已述职"
        elif e.started_at:
            state = "述职中"
        else:
            state = f"第{e.order}位"
        prefix = f"{e.meeting.title}：" if several else ""
        cells.setdefault(e.reporter_id, []).append(prefix + state)
        done[e.reporter_id] = done.get(e.reporter_id, True) and bool(e.ended_at or not e.speaks)
    return {
        r.pk: StatusCell(
            "\n".join(cells[r.pk]),
            "ok" if done.get(r.pk) else "",
            reverse("meetings:campaign", args=[campaign.pk]),
        )
        if r.pk in cells
        else StatusCell("未列入会议")
        for r in reporters
    }


def step(campaign: Campaign) -> str:
    return reverse("meetings:campaign", args=[campaign.pk])
