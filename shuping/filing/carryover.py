"""Carry-over providers from the stages filing reads (registered in FilingConfig.ready()):
last year's evaluation outcome per reporter, and how last year's round was filed."""

from __future__ import annotations

from shuping.assessment.queries import approved_results
from shuping.ballots.models import Ballot, BallotState
from shuping.filing.models import Filing
from shuping.rounds.models import Campaign


def last_evaluation(previous: Campaign) -> tuple[str, list[str]] | None:
    """Reporters whose tally tripped a grading rule last year (e.g. 一般+差 over 10%):
    the consecutive-year rules look at them again this year."""
    lines = []
    ballots = Ballot.objects.filter(
        meeting__campaign=previous, state=BallotState.CLOSED
    ).select_related("meeting")
    for ballot in ballots.order_by("meeting__starts_at", "pk"):
        for reporter in (ballot.closed_tally or {}).get("reporters", []):
            for rule in reporter.get("rules", []):
                if rule.get("exceeds") and rule.get("result"):
                    lines.append(f"{reporter['name']}（{ballot.meeting.title}）：{rule['reason']}")
    if not lines:
        return None
    return (f"{previous.year}年度测评触发等次规则的述职人", lines)


def last_grades(previous: Campaign) -> tuple[str, list[str]] | None:
    """Last year's approved grades, lowest first: next year's consecutive-year rules
    (e.g. 基本称职 two years running → 组织处理) start from them."""
    rows = approved_results(previous)
    if not rows:
        return None
    scale = list(previous.parsed_rules.assessment_scale)
    rows.sort(key=lambda r: -scale.index(r.grade) if r.grade in scale else 0)
    lines = [f"{r.organization_name} {r.person_name}：{r.grade}" for r in rows]
    return (f"{previous.year}年度综合评价等次（连续两年等次规则的依据）", lines)


def last_filing(previous: Campaign) -> tuple[str, list[str]] | None:
    filing = Filing.objects.filter(campaign=previous).first()
    if filing is None:
        return (f"{previous.year}年度材料备案", [f"{previous.title}尚未整理报送备案材料"])
    missing = list(filing.entries.exclude(missing_reason="").values_list("title", "missing_reason"))
    lines = [
        f"{previous.title}：{filing.get_state_display()}"
        + ("（逾期报送）" if filing.is_late else "")
    ]
    lines += [f"缺项“{title}”：{reason}" for title, reason in missing]
    return (f"{previous.year}年度材料备案", lines)
