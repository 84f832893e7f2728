"""Helpers for tests here and in the stages above: closed tallies without casting.

`close_with_counts` closes a ballot whose fixed tally is computed by the ballots
app's own `tally.count` from synthetic marks, so tests state "8 好, 1 一般" per
reporter instead of casting sheets one by one.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from shuping.ballots import services as ballot_services
from shuping.ballots import tally
from shuping.ballots.models import Ballot, BallotState
from shuping.meetings.models import Meeting


def close_with_counts(
    meeting: Meeting,
    counts: Mapping[int, Mapping[str, int]],
    *,
    category: str = "",
    by_category: Mapping[int, Mapping[str, Mapping[str, int]]] | None = None,
) -> Ballot:
    """A closed ballot of `meeting`: {reporter id: {grade: votes}} (or per category)."""
    ballot = ballot_services.create_ballot(meeting, actor=None, category=category)
    entry_of = {e.reporter_id: e.pk for e in meeting.agenda.all()}
    marks: list[tally.MarkRow] = []
    source = by_category or {rid: {category: c} for rid, c in counts.items()}
    for reporter_id, cats in source.items():
        for cat, grades in cats.items():
            for grade, n in grades.items():
                marks.extend(
                    tally.MarkRow(
                        category=cat,
                        item=entry_of[reporter_id],
                        indicator="",
                        grade=grade,
                        status="valid",
                    )
                    for _ in range(n)
                )
    ballot.closed_tally = tally.count(
        marks=marks,
        sheets=[],
        items=ballot.items,
        scale=ballot.scale,
        categories=ballot.categories,
    )
    ballot.state = BallotState.CLOSED
    ballot.closed_at = timezone.now()
    ballot.save(update_fields=["closed_tally", "state", "closed_at"])
    return ballot
