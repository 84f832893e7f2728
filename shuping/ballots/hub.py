"""The ballots stage on the round page (rounds/hub.py). Reads only each ballot's
state and its list of evaluated reporters, never a sheet."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from shuping.ballots.models import Ballot, BallotState
from shuping.meetings.models import MeetingReporter
from shuping.rounds.hub import StageLink, StatusCell
from shuping.rounds.models import Campaign, Reporter


def stage(campaign: Campaign, user: Any) -> StageLink | None:
    ballots = Ballot.objects.filter(meeting__campaign=campaign)
    counts = ballots.aggregate(
        all=Count("pk"),
        open=Count("pk", filter=Q(state=BallotState.OPEN)),
        closed=Count("pk", filter=Q(state=BallotState.CLOSED)),
    )
    if not counts["all"]:
        return StageLink("民主测评", reverse("ballots:index"), "尚未建立", 40)
    meetings = {b.meeting_id for b in ballots.only("meeting_id")}
    url = (
        reverse("ballots:meeting", args=[meetings.pop()])
        if len(meetings) == 1
        else reverse("ballots:index")
    )
    parts = [f"{counts['all']} 次"]
    if counts["open"]:
        parts.append(f"{counts['open']} 次进行中")
    if counts["closed"]:
        parts.append(f"{counts['closed']} 次已结束")
    return StageLink("民主测评", url, "，".join(parts), 40)


def column(campaign: Campaign, reporters: list[Reporter]) -> dict[int, StatusCell]:
    """Whether each reporter has been evaluated: two queries."""
    entry_of = dict(
        MeetingReporter.objects.filter(meeting__campaign=campaign).values_list("pk", "reporter_id")
    )
    state_of: dict[int, tuple[str, int]] = {}
    rank: dict[str, int] = {BallotState.DRAFT: 0, BallotState.OPEN: 1, BallotState.CLOSED: 2}
    for ballot in Ballot.objects.filter(meeting__campaign=campaign).only("pk", "state", "items"):
        for item in ballot.items:
            reporter_id = entry_of.get(item.get("id"))
            if reporter_id is None:
                continue
            seen = state_of.get(reporter_id)
            if seen is None or rank[ballot.state] > rank[seen[0]]:
                state_of[reporter_id] = (ballot.state, ballot.pk)
    labels: dict[str, tuple[str, str]] = {
        BallotState.DRAFT: ("待测评", ""),
        BallotState.OPEN: ("测评中", "warn"),
        BallotState.CLOSED: ("已测评", "ok"),
    }
    out = {}
    for r in reporters:
        if r.pk not in state_of:
            out[r.pk] = StatusCell("—")
            continue
        state, pk = state_of[r.pk]
        text, tone = labels[state]
        out[r.pk] = StatusCell(text, tone, reverse("ballots:detail", args=[pk]))
    return out
