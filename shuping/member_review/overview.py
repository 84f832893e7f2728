"""The committee's view of a round's member reviews: progress and grades per branch,
counted in SQL (one query for every branch's figures), and which branches are late."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q

from shuping.lib.types import Viewer
from shuping.member_review.access import review_scope_q
from shuping.member_review.models import Confirmation, MemberReview, Stage
from shuping.rounds.models import Campaign

STAGE_INDEX = {s: i for i, s in enumerate(Stage.values)}


def _grade_key(i: int) -> str:
    return f"g{i}"


def grade_counts(review: MemberReview) -> list[tuple[str, int]]:
    agg = review.evaluations.aggregate(
        **{_grade_key(i): Count("id", filter=Q(final_grade=g)) for i, g in enumerate(review.scale)}
    )
    return [(g, agg[_grade_key(i)]) for i, g in enumerate(review.scale)]


def overdue_reason(review: MemberReview, today: date) -> str:
    """Why a branch is late, or "": the deadline of the step it has not finished."""
    at = STAGE_INDEX[review.stage]
    checks = [
        (Stage.SELF_EVAL, review.self_eval_due, "个人自评"),
        (Stage.COMMITTEE, review.committee_due, "支委会审议"),
        (Stage.MEETING, review.meeting_due, "党员大会"),
        (Stage.CONFIRMATION, review.publish_due, "公示"),
        (Stage.ARCHIVED, review.report_due, "上报"),
    ]
    for stage, due, what in checks:
        if at <= STAGE_INDEX[stage] and due is not None and today > due:
            return f"{what}已超期（截止 {due:%m-%d}）"
    return ""


@dataclass
class RoundView:
    scale: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    grade_totals: list[tuple[str, int]] = field(default_factory=list)
    stage_totals: list[tuple[str, int]] = field(default_factory=list)
    overdue: int = 0
    graded: int = 0  # members with a determined grade
    graded_branches: int = 0


def round_rows(campaign: Campaign, *, user: Viewer, today: date) -> RoundView:
    rules = campaign.parsed_rules.member_review
    scale = list(rules.scale) if rules else []
    grades = {
        _grade_key(i): Count("evaluations", filter=Q(evaluations__final_grade=g))
        for i, g in enumerate(scale)
    }
    reviews = (
        MemberReview.objects.filter(campaign=campaign)
        .filter(review_scope_q(user))
        .select_related("branch")
        .annotate(
            total=Count("evaluations"),
            self_in=Count("evaluations", filter=Q(evaluations__self_submitted_at__isnull=False)),
            proposed=Count("evaluations", filter=~Q(evaluations__proposed_grade="")),
            confirmed=Count(
                "evaluations",
                filter=Q(
                    evaluations__confirmation__in=[Confirmation.CONFIRMED, Confirmation.ANSWERED]
                ),
            ),
            **grades,
        )
        .order_by("branch__path")
    )
    view = RoundView(scale=scale)
    totals = dict.fromkeys(["total", "self_in", "proposed", "confirmed"], 0)
    grade_totals = dict.fromkeys(scale, 0)
    stage_totals = dict.fromkeys(Stage.values, 0)
    for r in reviews:
        at = STAGE_INDEX[r.stage]
        reason = overdue_reason(r, today)
        row = {
            "review": r,
            "stage": r.stage,
            "stage_label": r.get_stage_display(),
            "branch": r.branch.name,
            "total": r.total,  # type: ignore[attr-defined]
            "self_in": r.self_in,  # type: ignore[attr-defined]
            "proposed": r.proposed,  # type: ignore[attr-defined]
            "confirmed": r.confirmed,  # type: ignore[attr-defined]
            "reviewed": at > STAGE_INDEX[Stage.COMMITTEE],
            "meeting_held": at > STAGE_INDEX[Stage.MEETING],
            "published": at >= STAGE_INDEX[Stage.PUBLICITY],
            "publicity_done": at >= STAGE_INDEX[Stage.ARCHIVED],
            "reported": r.stage == Stage.REPORTED,
            "grades": [(g, getattr(r, _grade_key(i))) for i, g in enumerate(scale)],
            "overdue": reason,
        }
        view.rows.append(row)
        for k in totals:
            totals[k] += row[k]
        for g, n in row["grades"]:
            grade_totals[g] += n
        stage_totals[r.stage] += 1
        view.overdue += bool(reason)
        graded = sum(n for _, n in row["grades"])
        view.graded += graded
        view.graded_branches += bool(graded)
    view.totals = totals
    view.grade_totals = list(grade_totals.items())
    view.stage_totals = [(Stage(s).label, n) for s, n in stage_totals.items()]
    return view
