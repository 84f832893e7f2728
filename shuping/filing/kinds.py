"""The filing item kinds Shuping generates: a table of small functions keyed by kind.

Each kind has `available(campaign)` (is there material yet — a cheap query) and
`build(campaign)`, which returns the files from the owning app's exporter, each as
(filename, content_type, bytes). A kind not in the table (or a preset's "upload") is
uploaded by the office. Adding a kind is adding one entry here and one test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef
from django.utils import timezone

from shuping.assessment.exports import summary_docx as assessment_docx
from shuping.assessment.exports import summary_xlsx as assessment_xlsx
from shuping.assessment.models import AssessmentBoard, BoardState
from shuping.ballots.exports import results_docx, results_xlsx
from shuping.ballots.models import Ballot, BallotState
from shuping.meetings.exports import meeting_record_docx
from shuping.meetings.models import Meeting, MeetingStatus
from shuping.member_review.exports import round_xlsx as member_review_xlsx
from shuping.member_review.models import MemberEvaluation, MemberReview
from shuping.member_review.models import Stage as ReviewStage
from shuping.rectification.exports import ledger_xlsx, plan_docx
from shuping.rectification.models import Item, Plan
from shuping.reports.export import export_booklet, export_case, export_report
from shuping.reports.models import (
    APPROVED_STATES,
    Attachment,
    AttachmentKind,
    DutyReport,
    InnovationCase,
)
from shuping.rounds.documents import plan_document
from shuping.rounds.models import Campaign

File = tuple[str, str, bytes]


@dataclass(frozen=True)
class Kind:
    label: str  # what Shuping puts in, shown on the checklist
    available: Callable[[Campaign], bool]
    build: Callable[[Campaign], list[File]]


def _reports(campaign: Campaign):  # type: ignore[no-untyped-def]
    return (
        # the bundle goes to the superior, who reads approved reports only
        DutyReport.objects.filter(reporter__campaign=campaign, state__in=APPROVED_STATES)
        .select_related("reporter__organization", "reporter__campaign")
        .order_by("reporter__order", "audience", "pk")
    )


def _cases(campaign: Campaign):  # type: ignore[no-untyped-def]
    return (
        InnovationCase.objects.filter(reporter__campaign=campaign)
        .select_related("reporter__organization")
        .order_by("reporter__order", "order")
    )


def _closed_meetings(campaign: Campaign):  # type: ignore[no-untyped-def]
    return Meeting.objects.filter(campaign=campaign, status=MeetingStatus.CLOSED).order_by(
        "starts_at", "pk"
    )


def _closed_ballots(campaign: Campaign):  # type: ignore[no-untyped-def]
    return (
        Ballot.objects.filter(meeting__campaign=campaign, state=BallotState.CLOSED)
        .select_related("meeting__campaign")
        .order_by("meeting__starts_at", "pk")
    )


def _slides(campaign: Campaign):  # type: ignore[no-untyped-def]
    return (
        Attachment.objects.filter(reporter__campaign=campaign, kind=AttachmentKind.SLIDES)
        .select_related("reporter__organization")
        .order_by("reporter__order", "order")
    )


def build_plan(campaign: Campaign) -> list[File]:
    return [plan_document(campaign)]


def build_reports(campaign: Campaign) -> list[File]:
    files = [export_report(r) for r in _reports(campaign)]
    return files + [export_case(c) for c in _cases(campaign)]


def build_slides(campaign: Campaign) -> list[File]:
    files = []
    for attachment in _slides(campaign):
        with attachment.file.open("rb") as fh:
            data = fh.read()
        name = f"{attachment.reporter.organization.name}演示文稿{attachment.extension}"
        files.append((name, attachment.content_type, data))
    return files


def build_booklet(campaign: Campaign) -> list[File]:
    meetings = Meeting.objects.filter(campaign=campaign).order_by("starts_at", "pk")
    return [export_booklet(m) for m in meetings]


def build_meeting_record(campaign: Campaign) -> list[File]:
    return [meeting_record_docx(m) for m in _closed_meetings(campaign)]


def build_tally(campaign: Campaign) -> list[File]:
    files: list[File] = []
    for ballot in _closed_ballots(campaign):
        files += [results_docx(ballot), results_xlsx(ballot)]
    return files


def _approved_board(campaign: Campaign) -> AssessmentBoard | None:
    return (
        AssessmentBoard.objects.filter(campaign=campaign, state=BoardState.APPROVED)
        .select_related("campaign__committee")
        .first()
    )


def build_assessment(campaign: Campaign) -> list[File]:
    board = _approved_board(campaign)
    return [assessment_docx(board), assessment_xlsx(board)] if board else []


def build_results(campaign: Campaign) -> list[File]:
    # The approved 综合评价汇总表 when the committee has approved the grades; before
    # that, the closed tallies are the round's results.
    board = _approved_board(campaign)
    if board is not None:
        return [assessment_docx(board)]
    return [results_docx(b) for b in _closed_ballots(campaign)]


def _plans(campaign: Campaign):  # type: ignore[no-untyped-def]
    return Plan.objects.filter(reporter__campaign=campaign).order_by("reporter__order")


def _ledger(campaign: Campaign):  # type: ignore[no-untyped-def]
    return Item.objects.filter(reporter__campaign=campaign)


def build_rectification_plan(campaign: Campaign) -> list[File]:
    return [plan_docx(plan) for plan in _plans(campaign)]


def build_rectification_ledger(campaign: Campaign) -> list[File]:
    return [ledger_xlsx(_ledger(campaign), title=f"{campaign.title}整改台账")]


def _member_reviews_done(campaign: Campaign) -> bool:
    """Every branch's review archived (公示期满存档) or reported: the results are final.
    A branch without members has nothing to review and does not hold the others up."""
    reviews = MemberReview.objects.filter(
        Exists(MemberEvaluation.objects.filter(review=OuterRef("pk"))), campaign=campaign
    )
    return (
        reviews.exists()
        and not reviews.exclude(stage__in=[ReviewStage.ARCHIVED, ReviewStage.REPORTED]).exists()
    )


def build_member_review(campaign: Campaign) -> list[File]:
    # The package is the round office's own filing: it lists every branch of the round,
    # whoever pressed the button, so it is read as the system (an unsaved superuser).
    system = User(is_superuser=True)
    return [member_review_xlsx(campaign, user=system, today=timezone.localdate())]


def build_summary_report(campaign: Campaign) -> list[File]:
    from shuping.filing.summary import summary_docx

    return [summary_docx(campaign.summary_report)]


def build_archive(campaign: Campaign) -> list[File]:
    return (
        build_plan(campaign)
        + build_booklet(campaign)
        + build_meeting_record(campaign)
        + build_tally(campaign)
        + build_assessment(campaign)
    )


def _always(campaign: Campaign) -> bool:
    return True


def _has_summary(campaign: Campaign) -> bool:
    from shuping.filing.models import SummaryReport

    return SummaryReport.objects.filter(campaign=campaign).exists()


KINDS: dict[str, Kind] = {
    "plan": Kind("工作方案（系统生成）", _always, build_plan),
    "reports": Kind(
        "已提交的述职报告和创新案例（系统生成）",
        lambda c: _reports(c).exists() or _cases(c).exists(),
        build_reports,
    ),
    "slides": Kind("述职人上传的演示文稿", lambda c: _slides(c).exists(), build_slides),
    "booklet": Kind(
        "述职材料汇编（系统生成）",
        lambda c: Meeting.objects.filter(campaign=c).exists(),
        build_booklet,
    ),
    "meeting_record": Kind(
        "述职评议会记录（系统生成）",
        lambda c: _closed_meetings(c).exists(),
        build_meeting_record,
    ),
    "tally": Kind("测评结果汇总表（系统生成）", lambda c: _closed_ballots(c).exists(), build_tally),
    "results": Kind(
        "述职评议结果：已审定的综合评价汇总表，未审定时为测评结果（系统生成）",
        lambda c: _closed_ballots(c).exists() or _approved_board(c) is not None,
        build_results,
    ),
    "assessment": Kind(
        "已审定的综合评价汇总表和评价意见（系统生成）",
        lambda c: _approved_board(c) is not None,
        build_assessment,
    ),
    "rectification_plan": Kind(
        "各述职人的整改方案（系统生成）",
        lambda c: _plans(c).exists(),
        build_rectification_plan,
    ),
    "rectification_ledger": Kind(
        "整改台账（系统生成）", lambda c: _ledger(c).exists(), build_rectification_ledger
    ),
    "member_review": Kind(
        "民主评议党员进度及结果汇总表，各支部存档后生成（系统生成）",
        _member_reviews_done,
        build_member_review,
    ),
    "summary_report": Kind("专题报告（在本系统撰写）", _has_summary, build_summary_report),
    "archive": Kind("方案、材料汇编、会议记录和测评结果（系统生成）", _always, build_archive),
}


def get_kind(key: str) -> Kind | None:
    return KINDS.get(key)
