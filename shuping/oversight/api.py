"""JSON API of the superior's view (/api/v1/oversight/), the same figures as the page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from shuping.oversight.access import get_oversight_root
from shuping.oversight.queries import OVERDUE, STAGES, dashboard

router = Router(tags=["oversight"])


@router.get("/")
def overview(request: HttpRequest, org: int | None = None, year: int | None = None) -> Any:
    board = dashboard(get_oversight_root(request.user, org), year=year, today=timezone.localdate())
    return {
        "organization": {"id": board.root.pk, "name": board.root.name},
        "year": board.year,
        "rounds": board.total,
        "stages": {key: n for key, _, n in board.stages},
        "overdue": {key: n for (key, _), (_, n) in zip(OVERDUE, board.overdue, strict=True)},
        "grades": dict(board.grades),
        "branches": [
            {
                "id": b.org.pk,
                "name": b.org.name,
                "rounds": b.rounds,
                "stages": b.stages,
                "overdue": b.overdue,
            }
            for b in board.branches
        ],
        "stage_labels": dict(STAGES),
    }
