"""The superior's view (督导), aggregated in SQL.

For a node of the tree and a year: every round whose committee lies in its subtree
(the node's own round, 比照 sub-rounds, basic-level rounds), each placed in a stage
and checked for what is overdue — all as SQL annotations, then grouped by the node's
direct children with one CASE expression. The number of queries is fixed whatever
the size of the tree; only one row per child (and per round at the top two levels)
reaches Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from shuping.assessment.models import Assessment, AssessmentBoard, BoardState
from shuping.ballots.models import Ballot, BallotState, Mark, MarkStatus
from shuping.filing.models import Filing, FilingState
from shuping.meetings.models import Meeting, MeetingStatus
from shuping.member_review.models import MemberReview
from shuping.member_review.models import Stage as ReviewStage
from shuping.organizations.models import Organization
from shuping.rectification.models import Item, ItemStatus, overdue_q
from shuping.reports.models import REVIEWED_STATES, DutyReport
from shuping.rounds.models import (
    Campaign,
    CampaignStatus,
    Deadline,
    FilingKind,
    PlanFiling,
    Reporter,
)

# Seed 003: a sub-round files its meeting plan 10 days before the meeting.
MEETING_PLAN_DAYS = 10

FILED = [FilingState.SUBMITTED, FilingState.ACKNOWLEDGED]

# Stages in process order; a round is in the last one it has reached.
STAGES: tuple[tuple[str, str], ...] = (
    ("plan", "方案制定"),
    ("reporting", "撰写述职报告"),
    ("meeting", "述职评议会"),
    ("evaluated", "测评完成"),
    ("graded", "等次审定"),
    ("filed", "已报送备案"),
    ("archived", "备案归档"),
)
STAGE_LABELS = dict(STAGES)

# What can be overdue, with the words a superior reads.
OVERDUE: tuple[tuple[str, str], ...] = (
    ("plan_overdue", "方案未备案"),
    ("meeting_plan_overdue", "会议方案未提前报送"),
    ("reports_overdue", "述职报告未交齐"),
    ("meeting_overdue", "会议逾期未开"),
    ("grading_overdue", "等次未审定"),
    ("filing_overdue", "备案逾期"),
    ("rectification_overdue", "整改事项逾期"),
    ("member_review_overdue", "党员评议超期"),
)


# The members' review (民主评议党员) of a branch, in its fixed order of stages.
REVIEW_STAGES: tuple[tuple[str, str], ...] = tuple(
    (str(value), str(label)) for value, label in ReviewStage.choices
)
# A review past these stages has nothing left to do but report.
REVIEW_DONE = [ReviewStage.ARCHIVED, ReviewStage.REPORTED]
# Rectification items counted as completed: reported done (awaiting sign-off) or signed off.
RECT_DONE = [ItemStatus.DONE, ItemStatus.CLOSED]


def review_overdue_q(today: date, prefix: str = "") -> Q:
    """A review late on the step it has not finished — the SQL twin of
    member_review.overview.overdue_reason (the deadline day itself is still in time)."""
    order = [s for s, _ in REVIEW_STAGES]
    checks = (
        (ReviewStage.SELF_EVAL, "self_eval_due"),
        (ReviewStage.COMMITTEE, "committee_due"),
        (ReviewStage.MEETING, "meeting_due"),
        (ReviewStage.CONFIRMATION, "publish_due"),
        (ReviewStage.ARCHIVED, "report_due"),
    )
    q = Q()
    for stage, due in checks:
        upto = order[: order.index(stage) + 1]
        q |= Q(**{f"{prefix}stage__in": upto, f"{prefix}{due}__lt": today})
    return q


def _count(qs: QuerySet[Any], group: str = "campaign_id", where: Q | None = None) -> Coalesce:
    """A correlated COUNT(*) of `qs`, 0 when there is none. A condition given as `where`
    counts inside the aggregate instead of filtering the rows: SQLite otherwise picks the
    condition's index (e.g. the items' deadline) over the round's and scans per round."""
    count = qs.order_by().values(group).annotate(n=Count("pk", filter=where)).values("n")[:1]
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def _due(key: str, field_name: str = "due_on") -> Subquery:
    return Subquery(
        Deadline.objects.filter(campaign=OuterRef("pk"), key=key).values(field_name)[:1]
    )


def annotated_rounds(root: Organization, year: int, today: date) -> QuerySet[Campaign]:
    """Rounds under `root` in `year`, each with its figures, stage and overdue flags."""
    reports = (
        DutyReport.objects.filter(reporter__campaign=OuterRef("pk"), state__in=REVIEWED_STATES)
        .order_by()
        .values("reporter__campaign")
        .annotate(n=Count("reporter_id", distinct=True))
        .values("n")[:1]
    )
    filing = Filing.objects.filter(campaign=OuterRef("pk"))
    qs = Campaign.objects.filter(committee__path__startswith=root.path, year=year).annotate(
        n_reporters=_count(Reporter.objects.filter(campaign=OuterRef("pk"))),
        n_reports=Coalesce(Subquery(reports, output_field=IntegerField()), 0),
        n_held=_count(Meeting.objects.filter(campaign=OuterRef("pk"), status=MeetingStatus.CLOSED)),
        n_started=_count(
            Meeting.objects.filter(campaign=OuterRef("pk")).exclude(status=MeetingStatus.PLANNED)
        ),
        n_ballots=_count(
            Ballot.objects.filter(meeting__campaign=OuterRef("pk"), state=BallotState.CLOSED),
            "meeting__campaign_id",
        ),
        graded=Exists(
            AssessmentBoard.objects.filter(campaign=OuterRef("pk"), state=BoardState.APPROVED)
        ),
        plan_filed=Exists(PlanFiling.objects.filter(campaign=OuterRef("pk"), kind=FilingKind.PLAN)),
        meeting_plan_filed=Exists(
            PlanFiling.objects.filter(
                campaign=OuterRef("pk"), kind=FilingKind.MEETING_PLAN, is_late=False
            )
        ),
        filing_state=Coalesce(
            Subquery(filing.values("state")[:1]), Value(FilingState.DRAFT), output_field=CharField()
        ),
        filing_late=Coalesce(
            Subquery(filing.values("is_late")[:1]), Value(False), output_field=BooleanField()
        ),
        report_due=_due("report_due"),
        meeting_start=Coalesce(_due("meeting", "starts_on"), _due("meeting")),
        meeting_due=_due("meeting"),
        filing_due=_due("filing"),
        # rectification of this round's reporters (整改完成情况)
        rect_items=_count(
            Item.objects.filter(reporter__campaign=OuterRef("pk")), "reporter__campaign_id"
        ),
        rect_done=_count(
            Item.objects.filter(reporter__campaign=OuterRef("pk")),
            "reporter__campaign_id",
            where=Q(status__in=RECT_DONE),
        ),
        rect_overdue=_count(
            Item.objects.filter(reporter__campaign=OuterRef("pk")),
            "reporter__campaign_id",
            where=overdue_q(today),
        ),
        # the members' reviews of the round's branches (民主评议党员)
        mr_total=_count(MemberReview.objects.filter(campaign=OuterRef("pk"))),
        mr_done=_count(
            MemberReview.objects.filter(campaign=OuterRef("pk")), where=Q(stage__in=REVIEW_DONE)
        ),
        mr_overdue=_count(
            MemberReview.objects.filter(campaign=OuterRef("pk")), where=review_overdue_q(today)
        ),
    )
    qs = qs.annotate(
        stage=Case(
            When(archived_at__isnull=False, then=Value("archived")),
            When(
                filing_state__in=[FilingState.SUBMITTED, FilingState.ACKNOWLEDGED],
                then=Value("filed"),
            ),
            When(graded=True, then=Value("graded")),
            When(n_ballots__gt=0, then=Value("evaluated")),
            When(n_started__gt=0, then=Value("meeting")),
            When(status=CampaignStatus.DRAFT, then=Value("plan")),
            default=Value("reporting"),
            output_field=CharField(),
        ),
    )
    sub = Q(parent__isnull=False)
    flags = {
        "plan_overdue": sub & Q(plan_filed=False) & ~Q(status=CampaignStatus.DRAFT),
        "meeting_plan_overdue": sub
        & Q(meeting_plan_filed=False, n_held=0)
        & Q(meeting_start__lte=today + timedelta(days=MEETING_PLAN_DAYS)),
        "reports_overdue": Q(report_due__lt=today, n_reports__lt=F("n_reporters"), n_held=0),
        "meeting_overdue": Q(meeting_due__lt=today, n_held=0),
        "grading_overdue": Q(n_held__gt=0, graded=False, meeting_due__lt=today),
        "filing_overdue": Q(filing_late=True)
        | (Q(filing_due__lt=today) & Q(filing_state__in=[FilingState.DRAFT, FilingState.RETURNED])),
        "rectification_overdue": Q(rect_overdue__gt=0),
        "member_review_overdue": Q(mr_overdue__gt=0),
    }
    return qs.annotate(
        **{
            key: ExpressionWrapper(Case(When(q, then=Value(1)), default=Value(0)), IntegerField())
            for key, q in flags.items()
        }
    )


# Per-round figures summed per branch and over the whole view.
FIGURES = ("rect_items", "rect_done", "rect_overdue", "mr_total", "mr_done", "mr_overdue")


def percent(done: int, total: int) -> int | None:
    return round(100 * done / total) if total else None


@dataclass
class Figures:
    """Rectification completion and member reviews of one or more rounds."""

    rect_items: int = 0
    rect_done: int = 0
    rect_overdue: int = 0
    mr_total: int = 0
    mr_done: int = 0
    mr_overdue: int = 0

    @property
    def rect_percent(self) -> int | None:
        return percent(self.rect_done, self.rect_items)


@dataclass(kw_only=True)
class Branch(Figures):
    org: Organization
    rounds: int = 0
    stages: dict[str, int] = field(default_factory=dict)
    overdue: dict[str, int] = field(default_factory=dict)

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue.values())


@dataclass
class Dashboard:
    root: Organization
    year: int
    years: list[int]
    total: int
    stages: list[tuple[str, str, int]]  # key, label, rounds in this stage
    funnel: list[tuple[str, int]]  # label, rounds that reached it
    overdue: list[tuple[str, int]]
    grades: list[tuple[str, int]]
    grades_title: str
    branches: list[Branch]
    rounds: list[Campaign]  # the root's own round and its direct children's
    figures: Figures = field(default_factory=Figures)
    review_stages: list[tuple[str, int]] = field(default_factory=list)  # label, reviews
    member_reviews: Sequence[MemberReview] = ()  # the root's own branches

    @property
    def overdue_total(self) -> int:
        return sum(n for _, n in self.overdue)


def available_years(root: Organization) -> list[int]:
    return list(
        Campaign.objects.filter(committee__path__startswith=root.path)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def _per_branch(rounds: QuerySet[Campaign]) -> list[dict[str, Any]]:
    """Rounds summed per branch in one statement. Each round's figures are computed once,
    in a materialized CTE: aggregating the annotated queryset directly would repeat every
    correlated subquery inside each of the ~30 aggregates (minutes on a province)."""
    keys = ["stage", *[key for key, _ in OVERDUE], *FIGURES]
    inner_sql, params = rounds.order_by().values("branch", *keys).query.sql_with_params()
    q = connection.ops.quote_name
    columns = [
        ("n", "COUNT(*)"),
        *[
            (f"s_{key}", f"SUM(CASE WHEN r.{q('stage')} = %s THEN 1 ELSE 0 END)")
            for key, _ in STAGES
        ],
        *[(f"o_{key}", f"SUM(r.{q(key)})") for key, _ in OVERDUE],
        *[(f"f_{key}", f"SUM(r.{q(key)})") for key in FIGURES],
    ]
    sql = (
        f"WITH r AS MATERIALIZED ({inner_sql}) "
        f"SELECT r.{q('branch')}, {', '.join(expr for _, expr in columns)} "
        f"FROM r GROUP BY r.{q('branch')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *[key for key, _ in STAGES]])
        names = ["branch", *[name for name, _ in columns]]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def dashboard(root: Organization, *, year: int | None = None, today: date) -> Dashboard:
    years = available_years(root)
    year = year if year is not None else (years[0] if years else today.year)
    children = list(
        Organization.objects.filter(parent=root, is_active=True).order_by("sort_order", "code")
    )
    rounds = annotated_rounds(root, year, today)
    branch = Case(
        *[When(committee__path__startswith=c.path, then=Value(c.pk)) for c in children],
        default=Value(root.pk),
        output_field=IntegerField(),
    )
    per_branch = _per_branch(rounds.annotate(branch=branch))
    by_id = {row["branch"]: row for row in per_branch}
    branches = []
    for org in [root, *children]:
        row = by_id.get(org.pk, {})
        branches.append(
            Branch(
                org=org,
                rounds=row.get("n", 0),
                stages={key: row.get(f"s_{key}", 0) for key, _ in STAGES},
                overdue={key: row.get(f"o_{key}", 0) for key, _ in OVERDUE},
                **{key: row.get(f"f_{key}") or 0 for key in FIGURES},
            )
        )
    stage_totals = {key: sum(b.stages[key] for b in branches) for key, _ in STAGES}
    total = sum(b.rounds for b in branches)
    reached = total
    funnel = []
    for key, label in STAGES:
        funnel.append((label, reached))
        reached -= stage_totals[key]
    overdue = [(label, sum(b.overdue[key] for b in branches)) for key, label in OVERDUE]
    figures = Figures(**{key: sum(getattr(b, key) for b in branches) for key in FIGURES})
    in_view = Q(campaign__committee__path__startswith=root.path, campaign__year=year)
    by_stage = dict(
        MemberReview.objects.filter(in_view)
        .order_by()
        .values_list("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    # the root's own branches, one row each (bounded by its children, not by the tree)
    member_reviews = list(
        MemberReview.objects.filter(in_view, branch__parent=root)
        .select_related("branch", "campaign")
        .annotate(
            is_overdue=ExpressionWrapper(
                Case(When(review_overdue_q(today), then=Value(1)), default=Value(0)),
                IntegerField(),
            ),
            n_members=Count("evaluations"),
            n_graded=Count("evaluations", filter=~Q(evaluations__final_grade="")),
        )
        .order_by("branch__sort_order", "branch__path")
    )
    approved = dict(
        Assessment.objects.filter(
            board__campaign__committee__path__startswith=root.path,
            board__campaign__year=year,
        )
        .exclude(approved_grade="")
        .order_by()
        .values_list("approved_grade")
        .annotate(n=Count("pk"))
        .values_list("approved_grade", "n")
    )
    grade_rows = approved or dict(
        Mark.objects.filter(
            ballot__meeting__campaign__committee__path__startswith=root.path,
            ballot__meeting__campaign__year=year,
            ballot__state=BallotState.CLOSED,
            status=MarkStatus.VALID,
        )
        # the members' meetings of 民主评议党员 grade members, not the secretaries
        .exclude(ballot__meeting__kind="member_review")
        .order_by()
        .values_list("grade")
        .annotate(n=Count("pk"))
        .values_list("grade", "n")
    )
    scale = _scale(root, year, "assessment_scale" if approved else "ballot_scale")
    grades = [(g, grade_rows.pop(g, 0)) for g in scale] + sorted(grade_rows.items())
    top = list(
        rounds.filter(Q(committee=root) | Q(committee__parent=root))
        .select_related("committee", "parent")
        .order_by("committee__path")
    )
    for r in top:
        r.stage_label = STAGE_LABELS[r.stage]  # type: ignore[attr-defined]
        r.flags = [label for key, label in OVERDUE if getattr(r, key)]  # type: ignore[attr-defined]
        r.rect_percent = percent(r.rect_done, r.rect_items)  # type: ignore[attr-defined]
    return Dashboard(
        root=root,
        year=year,
        years=years,
        total=total,
        stages=[(key, label, stage_totals[key]) for key, label in STAGES],
        funnel=funnel,
        overdue=overdue,
        grades=grades,
        grades_title="综合评价等次（已审定，人）" if approved else "测评等次分布（有效票）",
        branches=[b for b in branches if b.rounds or b.org.pk != root.pk],
        rounds=top,
        figures=figures,
        review_stages=[(label, by_stage.get(key, 0)) for key, label in REVIEW_STAGES]
        if by_stage
        else [],
        member_reviews=member_reviews,
    )


def _scale(root: Organization, year: int, key: str) -> list[str]:
    """The grade scale of the nearest round (scales differ between presets: 好… / 优秀…)."""
    rules = (
        Campaign.objects.filter(committee__path__startswith=root.path, year=year)
        .order_by("committee__depth")
        .values_list("rules", flat=True)
        .first()
    )
    return list((rules or {}).get(key, []))
