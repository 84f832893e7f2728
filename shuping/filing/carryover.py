"""Carry-over providers from the stages filing reads (registered in FilingConfig.ready()):
last year's grades and evaluation outcome per reporter, open rectification items and
recurring problems, and how last year's round was filed."""

from __future__ import annotations

from shuping.assessment.queries import approved_results
from shuping.ballots.models import Ballot, BallotState
from shuping.filing.models import Filing
from shuping.rectification.models import Item, ItemStatus
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


# A long ledger is summarised: the round page and the snapshot stay a readable size.
ITEM_LINES = 60


def _more(lines: list[str], total: int) -> list[str]:
    if total > len(lines):
        lines.append(f"……另有{total - len(lines)}项，见整改台账")
    return lines


def open_rectification(previous: Campaign) -> tuple[str, list[str]] | None:
    """Items of last year's reporters not signed off (销号): next year's ledger takes them
    over as carried items when the round starts (rectification.services.carry_over)."""
    # an item already taken into a later ledger (next year's round started before this
    # one closed) is still open at this round's close
    items = (
        Item.objects.filter(
            organization__in=previous.reporters.values("organization_id"),
            year__lte=previous.year,
        )
        .exclude(status=ItemStatus.CLOSED)
        .exclude(carried_into__year__lte=previous.year)
    )
    total = items.count()
    if not total:
        return None
    rows = items.select_related("organization").order_by("organization__path", "year", "number")
    lines = [
        f"{i.organization.name}（{i.year}年度）：{i.problem[:60]}（{i.status_label()}）"
        for i in rows[:ITEM_LINES]
    ]
    return (f"{previous.year}年度未销号的整改事项（结转入本年度整改台账）", _more(lines, total))


def recurring_problems(previous: Campaign) -> tuple[str, list[str]] | None:
    """Problems of last year's round that had been found before (年年在): this year's
    critique and inspections look at them first."""
    items = Item.objects.filter(reporter__campaign=previous, recurs_of__isnull=False)
    total = items.count()
    if not total:
        return None
    rows = items.select_related("organization", "recurs_of").order_by(
        "organization__path", "number"
    )
    lines = [
        f"{i.organization.name}：{i.problem[:60]}（{i.recurs_of.year}年度已查摆过相似问题）"  # type: ignore[union-attr]
        for i in rows[:ITEM_LINES]
    ]
    return (f"{previous.year}年度反复出现的问题", _more(lines, total))
