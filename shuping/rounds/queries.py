"""Read queries for rounds: one definition per figure, used by pages, API and documents."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from shuping.rounds.models import Campaign, ReportMode


@dataclass(frozen=True)
class ReporterCounts:
    """How many report in a round, and how: one definition for the round page, the API
    and every document that states it. Reporters are people (one row per reporter)."""

    total: int
    onsite: int
    written: int
    vacant: int
    places: int | None


def reporter_counts(campaign: Campaign) -> ReporterCounts:
    row = campaign.reporters.aggregate(
        total=Count("pk"),
        onsite=Count("pk", filter=Q(mode=ReportMode.ONSITE)),
        written=Count("pk", filter=Q(mode=ReportMode.WRITTEN)),
        vacant=Count("pk", filter=Q(is_vacant=True)),
    )
    return ReporterCounts(
        row["total"], row["onsite"], row["written"], row["vacant"], campaign.onsite_places
    )
