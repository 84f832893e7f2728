"""What follows from a grade: the preset's consequence rules as small pure functions.

Each rule kind (`rules.CONSEQUENCE_KINDS`) has one function here taking the rule and
the subject (this year's grade, the office's flags, earlier years' grades) and
returning the reason it applies, or None. `evaluate` runs them all and says which
tasks follow, whether the secretary may be 优秀 in the annual assessment (年度考核)
and whether the unit loses its other awards — each with the words that explain it.
Nothing here touches the database, so a result can always show the trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from shuping.rounds.rules import Consequence, ResultFlag, Rules


@dataclass(frozen=True)
class PastGrade:
    """An approved grade of the same person in an earlier round, wherever it was held."""

    year: int
    grade: str
    round_title: str


@dataclass(frozen=True)
class Subject:
    grade: str
    year: int
    round_title: str
    flags: frozenset[str] = frozenset()
    history: tuple[PastGrade, ...] = ()


@dataclass(frozen=True)
class PlannedTask:
    kind: str
    title: str
    due_days: int | None
    owner: str
    reason: str


@dataclass(frozen=True)
class Outcome:
    reasons: tuple[str, ...] = ()  # one line per rule that applied
    tasks: tuple[PlannedTask, ...] = ()
    annual_excellent: bool = True
    annual_excellent_reason: str = ""
    unit_awards_revoked: bool = False
    unit_awards_reason: str = ""
    flags: tuple[str, ...] = field(default=())


def _quote(rule: Consequence, fallback: str) -> str:
    return rule.text or fallback


def applies_grade(rule: Consequence, subject: Subject) -> str | None:
    if subject.grade != rule.grade:
        return None
    return _quote(rule, f"综合评价为“{rule.grade}”")


def _round_name(year: int, title: str) -> str:
    """A round as a task names it: its title in 书名号, the year unless the title says it."""
    name = title if title.startswith("《") else f"《{title}》"
    return name if str(year) in title else f"{year}年度{name}"


def applies_repeated(rule: Consequence, subject: Subject) -> str | None:
    """The same grade in each of `repeated_years` consecutive years, this year included."""
    if subject.grade != rule.grade:
        return None
    rounds = [_round_name(subject.year, subject.round_title)]
    for back in range(1, rule.repeated_years):
        year = subject.year - back
        match = next((p for p in subject.history if p.year == year and p.grade == rule.grade), None)
        if match is None:
            return None
        rounds.append(_round_name(match.year, match.round_title))
    years = "、".join(reversed(rounds))
    lead = _quote(rule, f"连续{rule.repeated_years}年为“{rule.grade}”")
    return f"{lead}（{years}均为“{rule.grade}”）"


def applies_flag(rule: Consequence, subject: Subject) -> str | None:
    if rule.flag not in subject.flags:
        return None
    if rule.grade and subject.grade != rule.grade:
        return None
    return _quote(rule, f"组织标记：{rule.flag}")


KINDS: dict[str, Callable[[Consequence, Subject], str | None]] = {
    "grade": applies_grade,
    "repeated": applies_repeated,
    "flag": applies_flag,
}


def flag_titles(rules: Rules) -> dict[str, str]:
    return {f.key: f.title for f in rules.results.flags}


def available_flags(rules: Rules) -> tuple[ResultFlag, ...]:
    return rules.results.flags


def _only_excellent(rules: Rules, subject: Subject) -> str:
    """The preset's own words on the annual assessment (年度考核), where it has them."""
    said = [c for c in rules.consequences if "年度考核" in c.text]
    said.sort(key=lambda c: c.annual_excellent_allowed)  # the restriction first
    if said:
        return said[0].text
    return f"综合评价为“{subject.grade}”，年度考核不能确定为优秀等次"


def evaluate(rules: Rules, subject: Subject) -> Outcome:
    reasons: list[str] = []
    tasks: dict[str, PlannedTask] = {}
    excellent = True
    excellent_reason = ""
    revoked_reason = ""
    grade_rules = [c for c in rules.consequences if c.grade == subject.grade]
    for rule in rules.consequences:
        reason = KINDS[rule.kind](rule, subject)
        if reason is None:
            continue
        reasons.append(reason)
        if not rule.annual_excellent_allowed and excellent:
            excellent, excellent_reason = False, _only_excellent(rules, subject)
        if rule.unit_awards_revoked and not revoked_reason:
            revoked_reason = reason
        for spec in rule.tasks:
            if spec.only_flag and spec.only_flag not in subject.flags:
                continue
            if spec.kind in tasks:  # one talk even when two rules ask for it
                continue
            tasks[spec.kind] = PlannedTask(
                kind=spec.kind,
                title=spec.title,
                due_days=spec.due_days,
                owner=spec.owner,
                reason=reason,
            )
    if excellent:
        annual = [c for c in grade_rules if c.annual_excellent_allowed and "年度考核" in c.text]
        if annual:
            excellent_reason = annual[0].text
        elif grade_rules:
            excellent_reason = f"综合评价为“{subject.grade}”，年度考核可以评为优秀"
        elif rules.consequences:
            excellent_reason = f"本方案未限制综合评价为“{subject.grade}”者年度考核评优"
        else:
            excellent_reason = rules.results.basis or "本方案未按等次规定结果运用"
    return Outcome(
        reasons=tuple(reasons),
        tasks=tuple(tasks.values()),
        annual_excellent=excellent,
        annual_excellent_reason=excellent_reason,
        unit_awards_revoked=bool(revoked_reason),
        unit_awards_reason=revoked_reason,
        flags=tuple(sorted(subject.flags)),
    )
