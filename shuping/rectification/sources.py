"""Drafting items from where problems are said: one action per finding, question, point.

Each function reads one source for one round entry and returns `Draft`s; the service
`draft_from_sources` turns those not drafted before into items (a draft's `ref` names its
origin, so running it again adds nothing). Mass evaluation comments are read as texts
only: never a sheet id, category, channel or order that could point at who wrote them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from django.urls import reverse

from shuping.assessment.models import Assessment, BoardState
from shuping.ballots.models import BallotState, Sheet
from shuping.inspections.models import FindingKind, InspectionFinding
from shuping.meetings.models import Critique, CritiqueStatus, MeetingReporter, Question
from shuping.rectification.models import SourceKind
from shuping.reports.models import DutyReport
from shuping.rounds.models import Reporter

MIN_CHARS = 8
MAX_PROBLEM = 2000


@dataclass(frozen=True)
class Draft:
    kind: str
    ref: str
    problem: str
    excerpt: str = ""
    url: str = ""
    deadline: date | None = None
    measures: str = ""


def digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


# a heading line ("一、存在的问题", "（一）…") or the praise before the problems
_HEADING = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*\S{0,14}$")
_POINT = re.compile(
    r"(?:^|[。；;：:\n])\s*(?:[一二三四五六七八九十]是|\d+[.．、]|[（(][一二三四五六七八九十\d]+[)）])"
)
# sentences that name a shortcoming or ask for an action
_CRITICAL = re.compile(
    r"不够|不足|不到位|不强|不高|不严|不实|不力|不明显|不及时|不规范|问题|短板|差距|薄弱|滞后|"
    r"缺乏|欠缺|流于形式|需要|要进一步|希望|建议|应当|亟待|有待"
)


def paragraphs(text: str) -> list[str]:
    out = []
    for para in text.replace("\r", "").split("\n"):
        para = para.strip()
        if len(para) >= MIN_CHARS and not _HEADING.match(para) and not para.startswith("【"):
            out.append(para[:MAX_PROBLEM])
    return out


# paragraphs of the problem section that analyse causes rather than name a problem
CAUSE_OPENINGS = (
    "分析原因",
    "原因",
    "究其原因",
    "产生问题的原因",
    "主观上",
    "客观上",
    "从主观",
    "从客观",
)


def split_points(para: str) -> list[str]:
    """A paragraph cut at its numbered points (一是…/1．…/（一）…), each point ending at
    its full stop; a paragraph without two points is one piece."""
    marks = [m.start() for m in _POINT.finditer(para)]
    if len(marks) < 2:
        return [para]
    bounds = [*marks, len(para)]
    pieces = [para[a:b] for a, b in pairwise(bounds)]
    if marks[0] > 0:
        pieces.insert(0, para[: marks[0]])
    return pieces


def _clean_piece(piece: str) -> str:
    return piece.strip(" 。；;：:\n")


def points(text: str, *, critical: bool = True) -> list[str]:
    """One action each: numbered points or, failing that, sentences — only those that
    name a shortcoming or ask for something unless the whole text is about problems
    (`critical=False`)."""
    out: list[str] = []
    for para in paragraphs(text):
        # a critique's point ends at its full stop; what follows is a sentence of its own
        pieces = [s for piece in split_points(para) for s in re.split(r"(?<=[。；;！])", piece)]
        for piece in map(_clean_piece, pieces):
            if len(piece) >= MIN_CHARS and (not critical or _CRITICAL.search(piece)):
                out.append(piece[:MAX_PROBLEM] + "。")
    return out


def from_report(reporter: Reporter) -> list[Draft]:
    """自己查摆: every paragraph of the report's problem sections."""
    drafts: list[Draft] = []
    rules = reporter.campaign.parsed_rules.report
    keys = [s.key for s in rules.sections if s.role == "problems"]
    seen: set[str] = set()  # 双述双评 writes two reports: the same point is one item
    for report in DutyReport.objects.filter(reporter=reporter).order_by("id"):
        url = reverse("reports:detail", args=[report.pk])
        for key in keys:
            for para in paragraphs(str(report.sections.get(key, ""))):
                for point in map(_clean_piece, split_points(para)):
                    ref = f"report:{digest(point)}"
                    if len(point) < MIN_CHARS or point.startswith(CAUSE_OPENINGS) or ref in seen:
                        continue
                    seen.add(ref)
                    drafts.append(Draft(SourceKind.SELF, ref, point + "。", para, url))
    return drafts


def _entries(reporter: Reporter) -> list[MeetingReporter]:
    return list(
        MeetingReporter.objects.filter(reporter=reporter).select_related("meeting").order_by("id")
    )


def from_questions(reporter: Reporter) -> list[Draft]:
    """现场提问: each question (with its promise and promised date) is one item."""
    drafts = []
    questions = Question.objects.filter(entry__reporter=reporter).select_related("entry__meeting")
    for q in questions.order_by("id"):
        problem = q.text.strip()
        excerpt = problem + (f"\n承诺：{q.promise}" if q.promise else "")
        url = reverse("meetings:entry", args=[q.entry.meeting_id, q.entry_id])
        drafts.append(
            Draft(
                SourceKind.QUESTION,
                f"question:{q.pk}",
                problem[:MAX_PROBLEM],
                excerpt,
                url,
                deadline=q.promised_by,
                measures=q.promise,
            )
        )
    return drafts


def from_critique(reporter: Reporter) -> list[Draft]:
    """上级点评: one item per point of the final critique."""
    drafts = []
    critiques = Critique.objects.filter(
        entry__reporter=reporter, status=CritiqueStatus.FINAL
    ).select_related("entry")
    for critique in critiques.order_by("id"):
        url = reverse("meetings:entry", args=[critique.entry.meeting_id, critique.entry_id])
        for point in points(critique.text):
            drafts.append(
                Draft(
                    SourceKind.CRITIQUE,
                    f"critique:{critique.pk}:{digest(point)}",
                    point,
                    point,
                    url,
                )
            )
    return drafts


def _mentions(comment: str, reporter: Reporter) -> bool:
    names = [reporter.organization.name]
    if reporter.person_id is not None:
        names.append(reporter.person.name)  # type: ignore[union-attr]
    short = re.sub(r"(党委|党总支|党支部|党工委|工委|委员会)$", "", reporter.organization.name)
    if len(short) >= 2:
        names.append(short)
    return any(n and n in comment for n in names)


def from_mass_comments(reporter: Reporter) -> list[Draft]:
    """群众评议: comment texts of closed ballots of the reporter's meetings. A ballot on
    several reporters yields only the comments that name this one."""
    drafts = []
    for entry in _entries(reporter):
        for ballot in entry.meeting.ballots.filter(state=BallotState.CLOSED, allow_comment=True):
            # texts only, de-duplicated and sorted: no sheet id, category, channel or order
            texts = sorted(
                set(
                    Sheet.objects.filter(ballot=ballot)
                    .exclude(comment="")
                    .values_list("comment", flat=True)
                )
            )
            several = len(ballot.items) > 1
            for text in texts:
                text = text.strip()
                if len(text) < MIN_CHARS or (several and not _mentions(text, reporter)):
                    continue
                drafts.append(
                    Draft(
                        SourceKind.MASS, f"mass:{digest(ballot.pk, text)}", text[:MAX_PROBLEM], text
                    )
                )
    return drafts


def from_feedback(text: str) -> list[Draft]:
    """考核反馈: the superior's feedback as typed in, one item per point."""
    return [
        Draft(SourceKind.FEEDBACK, f"feedback:{digest(point)}", point, point)
        for point in (points(text) or paragraphs(text))
    ]


def from_inspections(reporter: Reporter) -> list[Draft]:
    """会前督查/调研: each problem found (and each claim of the report not borne out)."""
    findings = (
        InspectionFinding.objects.filter(
            reporter=reporter, kind__in=(FindingKind.PROBLEM, FindingKind.NOT_HELD_UP)
        )
        .select_related("inspection")
        .order_by("inspection__held_on", "order", "id")
    )
    drafts = []
    for finding in findings:
        text = finding.text.strip()
        if finding.kind == FindingKind.NOT_HELD_UP:
            text = f"报告所述未得到印证：{text}"
        if len(text) < MIN_CHARS:
            continue
        url = reverse("inspections:detail", args=[finding.inspection_id])
        excerpt = f"{finding.inspection}：{finding.text}"
        drafts.append(
            Draft(SourceKind.INSPECTION, f"finding:{finding.pk}", text[:MAX_PROBLEM], excerpt, url)
        )
    return drafts


def from_assessment(reporter: Reporter) -> list[Draft]:
    """综合评价意见: the problems and rectification requirements of the approved opinion."""
    assessment = (
        Assessment.objects.filter(reporter=reporter, board__state=BoardState.APPROVED)
        .select_related("board")
        .first()
    )
    if assessment is None:
        return []
    url = reverse("assessment:detail", args=[assessment.pk])
    drafts = []
    for text in (assessment.problems, assessment.rectification_required):
        for point in points(text, critical=False):
            ref = f"assessment:{assessment.pk}:{digest(point)}"
            drafts.append(Draft(SourceKind.ASSESSMENT, ref, point, text, url))
    return drafts


SOURCES: list[Callable[[Reporter], list[Draft]]] = [
    from_report,
    from_inspections,
    from_questions,
    from_critique,
    from_mass_comments,
    from_assessment,
]
