"""The ballot as the meeting's projector and host console show it (registered in ready()).

Counts only: turnout while a ballot is open, the tally fixed at close afterwards.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from shuping.ballots import counting
from shuping.ballots.models import Ballot, BallotState
from shuping.meetings.models import Meeting


def _latest(meeting: Meeting, state: str) -> Ballot | None:
    field = "-opened_at" if state == BallotState.OPEN else "-closed_at"
    return meeting.ballots.filter(state=state).order_by(field, "-id").first()


def turnout_panel(meeting: Meeting) -> dict[str, Any] | None:
    ballot = _latest(meeting, BallotState.OPEN)
    if ballot is None:
        return None
    return {
        "state": "open",
        "title": ballot.title,
        "url": reverse("ballots:detail", args=[ballot.pk]),
        **{k: v for k, v in counting.turnout(ballot).items() if k != "state"},
    }


def result_rows(ballot: Ballot) -> list[dict[str, Any]]:
    tally = ballot.closed_tally or {}
    scale = tally.get("scale", ballot.scale)
    rows = []
    for rep in tally.get("reporters", []):
        pct = rep.get("weighted_percent") or rep["percent"]
        rows.append(
            {
                "name": rep["name"],
                "position": rep.get("position", ""),
                "valid": rep["valid"],
                "bars": [
                    {"grade": g, "count": rep["counts"][g], "pct": pct[g], "tone": i}
                    for i, g in enumerate(scale)
                ],
            }
        )
    return rows


def results_panel(meeting: Meeting) -> dict[str, Any] | None:
    ballot = _latest(meeting, BallotState.CLOSED)
    if ballot is None:
        return None
    tally = ballot.closed_tally or {}
    return {
        "state": "closed",
        "title": ballot.title,
        "url": reverse("ballots:detail", args=[ballot.pk]),
        "sheets": tally.get("sheets", 0),
        "scale": tally.get("scale", ballot.scale),
        "per_indicator": ballot.mode == "per_indicator",
        "rows": result_rows(ballot),
    }
