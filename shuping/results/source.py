"""The one place this stage reads the assessment stage.

Only approved grades count (`assessment.queries.approved_results`); an upheld
objection goes back through `assessment.services.reopen_grade`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shuping.assessment.models import Assessment, AssessmentBoard, BoardState
from shuping.assessment.queries import ApprovedRow, approved_results
from shuping.assessment.services import mark_published as assessment_mark_published
from shuping.assessment.services import reopen_grade
from shuping.results.consequences import PastGrade
from shuping.rounds.models import Campaign, Reporter

if TYPE_CHECKING:
    from shuping.lib.types import Actor

Opinion = ApprovedRow


def approved(campaign: Campaign) -> list[ApprovedRow]:
    return approved_results(campaign)


def opinions(campaign: Campaign) -> dict[int, ApprovedRow]:
    """{reporter id: approved grade and opinion texts}."""
    return {row.reporter_id: row for row in approved_results(campaign)}


def reopen(reporter: Reporter, *, actor: Actor, reason: str) -> None:
    assessment = Assessment.objects.select_related("board__campaign", "reporter").get(
        reporter=reporter
    )
    reopen_grade(assessment, actor=actor, reason=reason)


def past_grades(person_ids: list[int], *, years: list[int]) -> dict[int, list[PastGrade]]:
    """Approved grades of these people in `years`, in any round wherever it was held,
    with the round's title so a task can name the rounds that triggered it (1 query)."""
    found: dict[int, list[PastGrade]] = {}
    if not person_ids or not years:
        return found
    rows = (
        Assessment.objects.filter(
            reporter__person_id__in=person_ids, board__campaign__year__in=years
        )
        .exclude(approved_grade="")
        .order_by("board__campaign_id")
        .values_list(
            "reporter__person_id",
            "board__campaign__year",
            "approved_grade",
            "board__campaign__title",
        )
    )
    for person_id, year, grade, title in rows:
        found.setdefault(person_id, []).append(PastGrade(year=year, grade=grade, round_title=title))
    return found


def mark_published(campaign: Campaign, *, actor: Actor) -> None:
    """Results went out (feedback, 通报 or 公示): each reporter may now see their own.
    Idempotent; skipped while a grade is being reconsidered."""
    board = AssessmentBoard.objects.filter(campaign=campaign).first()
    if board is None or board.published or board.state != BoardState.APPROVED:
        return
    board.campaign = campaign
    assessment_mark_published(board, actor=actor)
