"""Read-only questions the later stages ask about approved grades.

Only grades the committee approved (`Assessment.approved_grade`) are answered:
a grade being reconsidered after a reopening keeps its last approved value here
until it is approved again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from shuping.assessment.models import Assessment
from shuping.rounds.models import Campaign


@dataclass(frozen=True)
class ApprovedRow:
    assessment_id: int
    reporter_id: int
    person_id: int | None
    person_name: str
    organization_id: int
    organization_name: str
    position: str
    grade: str
    achievements: str
    problems: str
    overall: str
    rectification_required: str


def approved_results(campaign: Campaign) -> list[ApprovedRow]:
    """Every approved grade of a round with its reporter and opinion, in round order (1 query)."""
    rows = (
        Assessment.objects.filter(board__campaign=campaign)
        .exclude(approved_grade="")
        .select_related("reporter__person", "reporter__organization")
        .order_by("reporter__order", "reporter_id")
    )
    return [
        ApprovedRow(
            assessment_id=a.pk,
            reporter_id=a.reporter_id,
            person_id=a.reporter.person_id,
            person_name=a.reporter.person.name if a.reporter.person_id else "",  # type: ignore[union-attr]
            organization_id=a.reporter.organization_id,
            organization_name=a.reporter.organization.name,
            position=a.reporter.position,
            grade=a.approved_grade,
            achievements=a.achievements,
            problems=a.problems,
            overall=a.overall,
            rectification_required=a.rectification_required,
        )
        for a in rows
    ]


def grades_by_person(
    person_ids: Iterable[int], *, years: Iterable[int]
) -> dict[int, dict[int, str]]:
    """{person id: {year: approved grade}} across all rounds, wherever held (1 query).

    A person graded in two rounds of the same year (reporting to two committees) gets
    the later round's grade (by round id): the most recent approved decision answers.
    """
    ids = list(set(person_ids))
    wanted = list(set(years))
    result: dict[int, dict[int, str]] = {}
    if not ids or not wanted:
        return result
    rows = (
        Assessment.objects.filter(reporter__person_id__in=ids, board__campaign__year__in=wanted)
        .exclude(approved_grade="")
        .order_by("board__campaign_id", "id")
        .values_list("reporter__person_id", "board__campaign__year", "approved_grade")
    )
    for person_id, year, grade in rows:
        result.setdefault(person_id, {})[year] = grade
    return result


def grade_distribution(campaign: Campaign) -> dict[str, int]:
    """{grade: number of reporters} over the approved grades, in the scale's order (1 query).

    Every grade of the round's assessment scale is present (0 when nobody has it).
    """
    counts = dict(
        Assessment.objects.filter(board__campaign=campaign)
        .exclude(approved_grade="")
        .order_by()
        .values_list("approved_grade")
        .annotate(n=Count("id"))
    )
    scale = campaign.parsed_rules.assessment_scale
    return {g: counts.get(g, 0) for g in scale}
