"""The reports stage on the round page (rounds/hub.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from shuping.reports.models import DutyReport, ReportState
from shuping.rounds.hub import StageLink, StatusCell
from shuping.rounds.models import Campaign, Reporter

TONES: dict[str, str] = {
    ReportState.DRAFT: "",
    ReportState.SUBMITTED: "info",
    ReportState.RESUBMITTED: "info",
    ReportState.RETURNED: "bad",
    ReportState.APPROVED: "ok",
    ReportState.SUMMARIZED: "ok",
    ReportState.PUBLISHED: "ok",
}
WAITING = (ReportState.SUBMITTED, ReportState.RESUBMITTED)


def stage(campaign: Campaign, user: Any) -> StageLink:
    counts = DutyReport.objects.filter(reporter__campaign=campaign).aggregate(
        all=Count("pk"),
        waiting=Count("pk", filter=Q(state__in=WAITING)),
        returned=Count("pk", filter=Q(state=ReportState.RETURNED)),
    )
    parts = [f"{counts['all']} 份"]
    if counts["waiting"]:
        parts.append(f"{counts['waiting']} 份待审核")
    if counts["returned"]:
        parts.append(f"{counts['returned']} 份已退回")
    return StageLink(
        "述职报告", reverse("reports:overview", args=[campaign.pk]), "，".join(parts), 20
    )


def column(campaign: Campaign, reporters: list[Reporter]) -> dict[int, StatusCell]:
    """Each reporter's report state(s), one query."""
    titles = {m.key: m.title for m in campaign.parsed_rules.meetings}
    several = len(campaign.parsed_rules.report.audiences) > 1
    cells: dict[int, list[tuple[str, str]]] = {}
    for report in DutyReport.objects.filter(reporter__campaign=campaign).only(
        "pk", "reporter_id", "state", "audience"
    ):
        label = ReportState(report.state).label
        if several:
            label = f"{titles.get(report.audience, '')}：{label}"
        cells.setdefault(report.reporter_id, []).append((label, TONES.get(report.state, "")))
    out = {}
    for r in reporters:
        found = cells.get(r.pk)
        if not found:
            out[r.pk] = StatusCell("未开始")
            continue
        worst = next((tone for _, tone in found if tone == "bad"), found[0][1])
        out[r.pk] = StatusCell(
            "\n".join(label for label, _ in found),
            worst,
            reverse("reports:overview", args=[campaign.pk]),
        )
    return out


def step(campaign: Campaign) -> str:
    return reverse("reports:overview", args=[campaign.pk])
