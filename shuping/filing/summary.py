"""The round's summary report (专题报告 / 工作总结, seed 003): the figures it is drafted
from, the draft in four parts (开展情况、存在问题、意见建议、下一步计划) and the
official .docx. The figures are counted in SQL, a fixed number of queries per round;
a stage that has no data yet simply contributes no sentence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from shuping.assessment.models import AssessmentBoard, BoardState
from shuping.assessment.queries import grade_distribution
from shuping.ballots.models import Ballot, BallotState, BallotToken, Mark, MarkStatus, Sheet
from shuping.filing.models import SUMMARY_PARTS, SummaryReport
from shuping.meetings.models import Attendee, Critique, Meeting, MeetingStatus, Question
from shuping.reports.models import REVIEWED_STATES, DutyReport
from shuping.rounds.documents import DOCX, PlanWriter, cn_date, cn_number
from shuping.rounds.models import Campaign, Reporter, ReportMode


@dataclass
class Facts:
    reporters: int = 0
    onsite: int = 0
    written: int = 0
    vacant: int = 0
    reports_in: int = 0
    meetings: int = 0
    meetings_held: int = 0
    expected: int = 0
    present: int = 0
    ballots: int = 0
    issued: int = 0
    returned: int = 0
    grades: dict[str, int] = field(default_factory=dict)  # valid votes per grade
    questions: int = 0
    promises: int = 0
    critiques: int = 0
    approved: dict[str, int] = field(default_factory=dict)  # approved grade → reporters

    def share(self, part: int, whole: int) -> str:
        return f"{part * 100 / whole:.1f}%" if whole else "—"


def gather(campaign: Campaign) -> Facts:
    facts = Facts()
    modes = dict(
        Reporter.objects.filter(campaign=campaign)
        .values_list("mode")
        .annotate(n=Count("pk"))
        .values_list("mode", "n")
    )
    facts.onsite = modes.get(ReportMode.ONSITE, 0)
    facts.written = modes.get(ReportMode.WRITTEN, 0)
    facts.reporters = facts.onsite + facts.written
    facts.vacant = Reporter.objects.filter(campaign=campaign, is_vacant=True).count()
    facts.reports_in = (
        DutyReport.objects.filter(reporter__campaign=campaign, state__in=REVIEWED_STATES)
        .values("reporter_id")
        .distinct()
        .count()
    )
    meetings = Meeting.objects.filter(campaign=campaign).aggregate(
        n=Count("pk"), held=Count("pk", filter=Q(status=MeetingStatus.CLOSED))
    )
    facts.meetings, facts.meetings_held = meetings["n"], meetings["held"]
    attendance = Attendee.objects.filter(meeting__campaign=campaign, expected=True).aggregate(
        n=Count("pk"), present=Count("pk", filter=Q(signed_in_at__isnull=False))
    )
    facts.expected, facts.present = attendance["n"], attendance["present"]
    closed = Ballot.objects.filter(meeting__campaign=campaign, state=BallotState.CLOSED)
    facts.ballots = closed.count()
    paper = sum(closed.values_list("paper_handed_out", flat=True))
    facts.issued = BallotToken.objects.filter(ballot__in=closed).count() + paper
    facts.returned = Sheet.objects.filter(ballot__in=closed).count()
    facts.grades = dict(
        Mark.objects.filter(ballot__in=closed, status=MarkStatus.VALID)
        .values_list("grade")
        .annotate(n=Count("pk"))
        .values_list("grade", "n")
    )
    facts.questions = Question.objects.filter(entry__meeting__campaign=campaign).count()
    facts.promises = (
        Question.objects.filter(entry__meeting__campaign=campaign).exclude(promise="").count()
    )
    approved = AssessmentBoard.objects.filter(campaign=campaign, state=BoardState.APPROVED)
    facts.approved = grade_distribution(campaign) if approved.exists() else {}
    facts.critiques = (
        Critique.objects.filter(entry__meeting__campaign=campaign).exclude(text="").count()
    )
    return facts


def _default_title(campaign: Campaign) -> str:
    return f"关于{campaign.year}年度基层党组织书记抓党建工作述职评议考核情况的专题报告"


def draft_parts(campaign: Campaign) -> dict[str, str]:
    """The first draft, from the round's own figures; the office edits it afterwards."""
    facts = gather(campaign)
    rules = campaign.parsed_rules
    scale = rules.ballot_scale
    situation = [
        f"按照{campaign.title}的部署，{campaign.committee.name}组织{facts.reporters}名党组织书记"
        f"进行述职，其中现场述职{facts.onsite}名、书面述职{facts.written}名"
        + (f"（书记空缺{facts.vacant}个，由负责人书面述职）" if facts.vacant else "")
        + "。",
    ]
    if facts.reports_in:
        situation.append(
            f"已提交述职报告{facts.reports_in}份，占应述职人数的"
            f"{facts.share(facts.reports_in, facts.reporters)}。"
        )
    if facts.meetings:
        text = f"召开述职评议会{facts.meetings_held}场"
        if facts.expected:
            text += (
                f"，应到{facts.expected}人，实到{facts.present}人，"
                f"到会率{facts.share(facts.present, facts.expected)}"
            )
        situation.append(text + "。")
    if facts.ballots:
        valid = sum(facts.grades.values())
        dist = "、".join(
            f"“{g}”{facts.grades.get(g, 0)}人次（{facts.share(facts.grades.get(g, 0), valid)}）"
            for g in scale
        )
        situation.append(
            f"开展民主测评{facts.ballots}次，发出测评票{facts.issued}张，收回{facts.returned}张，"
            f"参评率{facts.share(facts.returned, facts.issued)}；述职人共获有效评价{valid}人次，"
            f"其中{dist}。"
        )
    if facts.approved:
        dist = "、".join(f"“{g}”{n}名" for g, n in facts.approved.items())
        situation.append(f"经研究审定，综合评价等次为{dist}。")
    problems = []
    if facts.questions or facts.critiques:
        problems.append(
            f"会上现场提问{facts.questions}个，述职人作出承诺{facts.promises}项；"
            f"主持人逐一点评{facts.critiques}人，指出的问题主要集中在以下方面："
        )
    problems += [
        "（一）抓党建工作的主体责任落实还有差距，存在重业务、轻党建的现象。",
        "（二）问题查摆不够深入，原因分析偏重客观因素。",
        "（三）整改措施针对性不强，部分问题整改不到位。",
        DRAFT_HINT,
    ]
    low = [g for g in scale[len(scale) // 2 :]]
    low_votes = sum(facts.grades.get(g, 0) for g in low)
    suggestions = [
        "（一）压实书记第一责任人责任，把述职评议结果作为年度考核和评先评优的重要依据。",
        "（二）坚持问题导向，对点评指出的问题建立清单、限期整改。",
    ]
    if facts.written > facts.onsite:
        suggestions.append("（三）扩大现场述职覆盖面，确保每名书记两年内至少现场述职一次。")
    if low_votes:
        suggestions.append(
            f"（{cn_number(len(suggestions) + 1)}）对测评中“{'”“'.join(low)}”票较多的党组织，"
            "由上级党组织负责同志进行约谈，督促整改。"
        )
    next_steps = []
    if rules.rectification and rules.rectification.text:
        next_steps.append(f"（一）{rules.rectification.text}。")
    else:
        next_steps.append("（一）建立问题清单、责任清单和整改清单，明确整改时限，逐项销号。")
    next_steps.append(
        f"（{cn_number(len(next_steps) + 1)}）把整改落实情况作为{campaign.year + 1}年度述职的"
        "重点内容，防止“年年述、年年改、年年在”。"
    )
    next_steps.append(
        f"（{cn_number(len(next_steps) + 1)}）总结推广好的经验做法，建立健全长效机制。"
    )
    return {
        "title": _default_title(campaign),
        "situation": "\n".join(situation),
        "problems": "\n".join(problems),
        "suggestions": "\n".join(suggestions),
        "next_steps": "\n".join(next_steps),
    }


# A note to the office in the draft; it never reaches the official document.
DRAFT_HINT = "（以上三条为起草提示，请结合点评意见和督查调研情况修改。）"


def summary_docx(report: SummaryReport, *, issued_on: date | None = None) -> tuple[str, str, bytes]:
    """The report as an official document (GB/T 9704 layout, like the plan)."""
    campaign = report.campaign
    issued_on = issued_on or timezone.localdate(report.updated_at)
    issuer = f"中共{campaign.committee.name}"
    w = PlanWriter()
    w.title(report.title)
    rules = campaign.parsed_rules
    if rules.filing_to:
        w.para(f"{rules.filing_to}：", indent=False)
    for i, (key, label) in enumerate(SUMMARY_PARTS, start=1):
        w.heading(f"{cn_number(i)}、{label}")
        for line in (getattr(report, key) or "").splitlines():
            if line.strip() and line.strip() != DRAFT_HINT:
                w.para(line.strip())
    w.para()
    w.para(issuer, align=_right(), indent=False)
    w.para(cn_date(issued_on), align=_right(), indent=False)
    name = f"{campaign.committee.name}{campaign.year}年度述职评议考核专题报告.docx"
    return name, DOCX, w.save()


def _right():  # type: ignore[no-untyped-def]
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    return WD_ALIGN_PARAGRAPH.RIGHT
