"""The superior's dashboard: thin — access helper, one aggregated query set, a template."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shuping.filing.views import guarded
from shuping.meetings.exports import content_disposition
from shuping.organizations.queries import ancestors
from shuping.oversight.access import get_oversight_root
from shuping.oversight.charts import bars
from shuping.oversight.exports import dashboard_xlsx
from shuping.oversight.queries import Dashboard, dashboard


def _board(request: HttpRequest) -> Dashboard:
    root = get_oversight_root(request.user, request.GET.get("org"))
    year = request.GET.get("year", "")
    return dashboard(
        root,
        year=int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None,
        today=timezone.localdate(),
    )


@login_required
@guarded
def index(request: HttpRequest) -> HttpResponse:
    board = _board(request)
    return render(
        request,
        "oversight/index.html",
        {
            "title": f"督导：{board.root.name}",
            "board": board,
            "chain": ancestors(request.user, board.root),
            "funnel": bars(board.funnel),
            "grades": bars(board.grades),
            # only the committees with something overdue, most first: read at a glance
            "overdue_by_branch": bars(
                sorted(
                    ((b.org.name, b.overdue_total) for b in board.branches if b.overdue_total),
                    key=lambda item: -item[1],
                ),
                tone="bad",
            ),
            "overdue_kinds": bars(board.overdue, tone="bad"),
            "rectification": bars(
                [(b.org.name, b.rect_percent or 0) for b in board.branches if b.rect_items],
                tone="ok",
            ),
            "review_stages": bars(board.review_stages),
        },
    )


@login_required
@guarded
def export(request: HttpRequest) -> HttpResponse:
    filename, content_type, data = dashboard_xlsx(_board(request))
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response
