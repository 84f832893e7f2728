"""The one place this stage reads the assessment stage (issue 8's contract).

`results_of(board)` turns an approved board into `ResultInput`s; `reopen` sends an
upheld objection back through `assessment.services.reopen_grade`; `opinion_of` gives
the feedback letter its texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shuping.rounds.models import Reporter

if TYPE_CHECKING:
    from shuping.lib.types import Actor


@dataclass(frozen=True)
class Opinion:
    grade: str
    achievements: str
    problems: str
    overall: str
    rectification_required: str


def results_of(board: Any) -> list[tuple[Reporter, str]]:
    from shuping.assessment.models import Assessment

    rows = Assessment.objects.filter(reporter__campaign_id=board.campaign_id).select_related(
        "reporter__organization", "reporter__person"
    )
    return [(a.reporter, a.grade) for a in rows if a.grade]


def opinions(reporter_ids: list[int]) -> dict[int, Opinion]:
    from shuping.assessment.models import Assessment

    return {
        a.reporter_id: Opinion(
            grade=a.grade or "",
            achievements=a.achievements or "",
            problems=a.problems or "",
            overall=a.overall or "",
            rectification_required=_text(a.rectification_required),
        )
        for a in Assessment.objects.filter(reporter_id__in=reporter_ids)
    }


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "" if not value else "需要整改"
    return str(value or "")


def reopen(reporter: Reporter, *, actor: Actor, reason: str) -> None:
    from shuping.assessment.models import Assessment
    from shuping.assessment.services import reopen_grade

    assessment = Assessment.objects.get(reporter=reporter)
    reopen_grade(assessment, actor=actor, reason=reason)
