"""JSON API of the superior's view (/api/v1/oversight/), the same figures as the page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from shuping.lib.errors import DomainError
from shuping.oversight.access import get_oversight_root
from shuping.oversight.queries import OVERDUE, STAGES, Figures, dashboard

router = Router(tags=["oversight"])


def _rect(f: Figures) -> dict[str, Any]:
    return {
        "items": f.rect_items,
        "done": f.rect_done,
        "overdue": f.rect_overdue,
        "percent": f.rect_percent,
    }


@router.get("/")
def overview(request: HttpRequest, org: int | None = None, year: int | None = None) -> Any:
    if year is not None and not 2000 <= year <= 2100:  # the page's range, too
        raise DomainError("年度应在2000年至2100年之间。", field="year")
    board = dashboard(get_oversight_root(request.user, org), year=year, today=timezone.localdate())
    return {
        "organization": {"id": board.root.pk, "name": board.root.name},
        "year": board.year,
        "rounds": board.total,
        "stages": {key: n for key, _, n in board.stages},
        "overdue": {key: n for (key, _), (_, n) in zip(OVERDUE, board.overdue, strict=True)},
        "grades": dict(board.grades),
        "rectification": _rect(board.figures),
        "member_reviews": {
            "total": board.figures.mr_total,
            "archived": board.figures.mr_done,
            "overdue": board.figures.mr_overdue,
            "stages": dict(board.review_stages),
        },
        "branches": [
            {
                "id": b.org.pk,
                "name": b.org.name,
                "rounds": b.rounds,
                "stages": b.stages,
                "overdue": b.overdue,
                "rectification": _rect(b),
                "member_reviews": {
                    "total": b.mr_total,
                    "archived": b.mr_done,
                    "overdue": b.mr_overdue,
                },
            }
            for b in board.branches
        ],
        "stage_labels": dict(STAGES),
    }
