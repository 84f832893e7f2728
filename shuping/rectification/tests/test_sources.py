"""Items drafted from each source, each remembering where it came from; drafting twice adds
nothing; mass comments are read as texts only."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from shuping.ballots.models import Ballot, BallotState, Channel, Sheet
from shuping.conftest import Cast
from shuping.meetings.models import Critique, CritiqueStatus, Meeting, MeetingReporter, Question
from shuping.rectification import services, sources
from shuping.rectification.models import Item, ItemSource, SourceKind
from shuping.reports.models import DutyReport
from shuping.rounds.models import Reporter

pytestmark = pytest.mark.django_db

PROBLEMS = (
    "（一）存在的主要问题\n"
    "一是“三会一课”制度落实不到位，支委会未能按月召开。\n"
    "二是流动党员管理不够严格，个别党员长期不参加组织生活。\n"
)
CRITIQUE = (
    "王建国同志述职实事求是，党建工作有思路。"
    "指出问题：一是对流动党员的教育管理不够到位；二是党建与社区治理结合不紧，网格党小组作用发挥不明显。"
    "希望今后把党建责任扛在肩上。"
)


def _meeting(reporter: Reporter, *, items: int = 1) -> MeetingReporter:
    meeting = Meeting.objects.create(
        campaign=reporter.campaign, kind="committee", title="述职评议会", starts_at=timezone.now()
    )
    entry = MeetingReporter.objects.create(meeting=meeting, reporter=reporter, order=1)
    return entry


def _ballot(entry: MeetingReporter, comments: list[str], *, items: int = 1) -> Ballot:
    ballot = Ballot.objects.create(
        meeting=entry.meeting,
        title="民主测评",
        state=BallotState.CLOSED,
        allow_comment=True,
        items=[{"id": entry.pk + i, "name": "x"} for i in range(items)],
    )
    for text in comments:
        Sheet.objects.create(ballot=ballot, channel=Channel.ELECTRONIC, comment=text)
    return ballot


def test_from_the_report_problems_section(cast: Cast, reporter: Reporter) -> None:
    report = DutyReport.objects.create(reporter=reporter, sections={"problems": PROBLEMS})
    made = services.draft_from_sources(reporter, actor=cast.reporter)
    assert [i.problem[:6] for i in made] == ["一是“三会一", "二是流动党员"]
    src = made[0].sources.get()
    assert src.kind == SourceKind.SELF and src.url == f"/reports/{report.pk}/"
    assert services.draft_from_sources(reporter, actor=cast.reporter) == []


def test_from_questions_with_promises(cast: Cast, reporter: Reporter) -> None:
    entry = _meeting(reporter)
    q = Question.objects.create(
        entry=entry,
        text="小区停车难的问题什么时候解决？",
        promise="协调共建单位开放停车位",
        promised_by=date(2026, 6, 30),
    )
    (item,) = services.draft_from_sources(reporter, actor=cast.reporter)
    assert item.problem == q.text and item.deadline == date(2026, 6, 30)
    assert item.measures == "协调共建单位开放停车位"
    src = item.sources.get()
    assert src.kind == SourceKind.QUESTION and src.ref == f"question:{q.pk}"
    assert src.url == f"/meetings/{entry.meeting_id}/entry/{entry.pk}/"


def test_from_the_final_critique_one_item_per_point(cast: Cast, reporter: Reporter) -> None:
    entry = _meeting(reporter)
    critique = Critique.objects.create(entry=entry, text=CRITIQUE, status=CritiqueStatus.DRAFT)
    assert services.draft_from_sources(reporter, actor=cast.reporter) == []  # drafts don't count
    Critique.objects.filter(pk=critique.pk).update(status=CritiqueStatus.FINAL)
    made = services.draft_from_sources(reporter, actor=cast.reporter)
    assert len(made) == 3
    assert made[0].problem.startswith("一是对流动党员")
    assert made[1].problem.startswith("二是党建与社区治理")
    assert {i.sources.get().kind for i in made} == {SourceKind.CRITIQUE}


def test_from_mass_comments_texts_only(cast: Cast, reporter: Reporter) -> None:
    entry = _meeting(reporter)
    ballot = _ballot(entry, ["希望支部多组织志愿服务活动", "好", "希望支部多组织志愿服务活动"])
    made = services.draft_from_sources(reporter, actor=cast.reporter)
    assert [i.problem for i in made] == ["希望支部多组织志愿服务活动"]  # short and repeated dropped
    src = made[0].sources.get()
    assert src.kind == SourceKind.MASS and src.url == ""
    sheet_ids = {str(s) for s in Sheet.objects.filter(ballot=ballot).values_list("pk", flat=True)}
    assert not any(sid in src.ref or sid in src.excerpt for sid in sheet_ids)


def test_mass_comments_of_a_shared_ballot_must_name_the_reporter(
    cast: Cast, reporter: Reporter
) -> None:
    entry = _meeting(reporter)
    _ballot(
        entry,
        ["甲街道第二党支部的党员活动室经常不开门", "另一个社区的停车问题要重视起来"],
        items=2,
    )
    made = services.draft_from_sources(reporter, actor=cast.reporter)
    assert [i.problem for i in made] == ["甲街道第二党支部的党员活动室经常不开门"]


def test_open_ballot_comments_are_not_read(cast: Cast, reporter: Reporter) -> None:
    ballot = _ballot(_meeting(reporter), ["希望支部多组织志愿服务活动"])
    Ballot.objects.filter(pk=ballot.pk).update(state=BallotState.OPEN)
    assert services.draft_from_sources(reporter, actor=cast.reporter) == []


def test_from_typed_in_feedback(cast: Cast, reporter: Reporter) -> None:
    text = "反馈意见：一是发展党员工作不够规范；二是党务公开不及时，公开栏更新滞后。"
    made = services.add_feedback(reporter, actor=cast.street_organizer, text=text)
    assert [i.problem for i in made] == [
        "一是发展党员工作不够规范。",
        "二是党务公开不及时，公开栏更新滞后。",
    ]
    assert services.add_feedback(reporter, actor=cast.street_organizer, text=text) == []
    with pytest.raises(Exception, match="请填写反馈意见"):
        services.add_feedback(reporter, actor=cast.street_organizer, text=" ")


def test_other_reporters_sources_stay_theirs(
    cast: Cast, reporter: Reporter, other: Reporter
) -> None:
    DutyReport.objects.create(reporter=other, sections={"problems": PROBLEMS})
    assert services.draft_from_sources(reporter, actor=cast.reporter) == []
    assert len(services.draft_from_sources(other, actor=None)) == 2
    assert Item.objects.filter(reporter=reporter).count() == 0
    assert ItemSource.objects.filter(item__reporter=other).count() == 2


def test_points_splitting() -> None:
    assert sources.points("一是学习不够深入；二是制度落实不到位。") == [
        "一是学习不够深入。",
        "二是制度落实不到位。",
    ]
    assert sources.points("工作很好。") == []


def test_from_inspection_findings(cast: Cast, reporter: Reporter) -> None:
    from shuping.inspections.models import FindingKind, Inspection, InspectionFinding

    inspection = Inspection.objects.create(
        campaign=reporter.campaign,
        held_on=date(2026, 11, 20),
        inspectors="组织科",
        method="documents",
    )
    inspection.reporters.add(reporter)
    kinds = (FindingKind.ACHIEVEMENT, FindingKind.PROBLEM, FindingKind.NOT_HELD_UP)
    for i, kind in enumerate(kinds):
        InspectionFinding.objects.create(
            inspection=inspection,
            reporter=reporter,
            kind=kind,
            text=f"党员发展档案缺少政审材料{i}",
            order=i,
        )
    made = services.draft_from_sources(reporter, actor=cast.reporter)
    assert [i.problem for i in made] == [
        "党员发展档案缺少政审材料1",
        "报告所述未得到印证：党员发展档案缺少政审材料2",
    ]
    src = made[0].sources.get()
    assert src.kind == SourceKind.INSPECTION and src.url == f"/inspections/{inspection.pk}/"


def test_from_the_approved_assessment_opinion(cast: Cast, reporter: Reporter) -> None:
    from shuping.assessment.models import Assessment, AssessmentBoard, BoardState

    board = AssessmentBoard.objects.create(campaign=reporter.campaign)
    Assessment.objects.create(
        board=board,
        reporter=reporter,
        problems="一是理论学习不够深入；二是党员队伍结构老化。",
        rectification_required="限期整改党员教育管理不严格的问题。",
    )
    assert services.draft_from_sources(reporter, actor=cast.reporter) == []  # not yet approved
    AssessmentBoard.objects.filter(pk=board.pk).update(state=BoardState.APPROVED)
    made = services.draft_from_sources(reporter, actor=cast.reporter)
    assert [i.problem for i in made] == [
        "一是理论学习不够深入。",
        "二是党员队伍结构老化。",
        "限期整改党员教育管理不严格的问题。",
    ]
    assert {i.sources.get().kind for i in made} == {SourceKind.ASSESSMENT}
