"""The grading engine: pure functions from inputs to proposed grades with their trace.

No database here. `services.propose_grades` gathers the inputs (tallies read from
the ballots app, inspection findings, the office's scores and flags), calls
`propose`, and stores what comes back.

How votes become a proposed grade (the documented default, a preset setting
`[grading_method]`, see rounds/rules.py::GradingMethod):

    meeting score  = Σ_g share(g) × points(g)          (shares from the closed tally,
                                                         weighted where categories carry weights)
    vote score     = Σ_m w_m × meeting score_m / Σ_m w_m  (meetings with valid votes only)
    composite      = (1 − d) × vote score + d × daily management score   (d = daily_weight)
    proposed grade = the first band whose min_score the composite reaches (以上, inclusive)

Without `[grading_method]`: ballot grades earn 100 … 0 in equal steps, meetings weigh
the same, the daily score does not enter, bands are 90 / 75 / 60 / 45 … and 0.

Then the preset's `[[grading]]` rules run in order, each a small function returning
(verdict, reason): per reporter `share_exceeds` and `flag` (a verdict is the grade
the rule fixes; the worse of all verdicts wins), then over the whole list `quota_max`
(beyond the quota, the next grade down; tie-break below), `quota_about` (a warning,
never a block) and `ranking`.

Quota tie-break (stated on the page): higher composite score first; equal scores →
larger share of the best ballot grade; still equal → earlier in the round's order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from shuping.ballots.tally import fmt_percent
from shuping.rounds.rules import GradeBand, GradingMethod, GradingRule, Rules

TIE_BREAK = "综合得分高者在前；得分相同的，最高等次票占比高者在前；仍相同的，按述职顺序在前者在前"
DEFAULT_TOLERANCE = Fraction(1, 10)
BUILTIN_FLAGS = {
    "major_failure": "年度基层党建工作出现重大失误造成严重影响",
    "accountability": "抓基层党建工作不力被问责追责",
}


@dataclass(frozen=True)
class MeetingTally:
    key: str  # the meeting's kind, as in the preset (committee / members)
    title: str
    valid: int
    counts: dict[str, int]
    shares: dict[str, Fraction]  # weighted where the tally is weighted
    weighted: bool = False


@dataclass(frozen=True)
class ReporterInput:
    reporter_id: int
    name: str
    order: int
    meetings: tuple[MeetingTally, ...] = ()
    daily_score: Fraction | None = None
    annual_result: str = ""
    flags: dict[str, str] = field(default_factory=dict)  # key → written basis
    findings: dict[str, int] = field(default_factory=dict)  # finding kind label → count


@dataclass
class Step:
    rule: str
    verdict: str  # the grade this step fixes, "" when it fixes none
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "verdict": self.verdict, "reason": self.reason}


@dataclass
class Proposal:
    reporter_id: int
    name: str
    order: int
    score: Fraction | None
    top_share: Fraction
    grade: str
    inputs: list[str]
    steps: list[Step]
    rank: int | None = None

    def trace(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "steps": [s.as_dict() for s in self.steps],
            "proposed": self.grade,
            "score": fmt_score(self.score),
        }


@dataclass
class Outcome:
    proposals: list[Proposal]
    warnings: list[str]


def fmt_score(value: Fraction | None) -> str:
    if value is None:
        return ""
    return f"{float(value):.2f}"


def flag_title(rule_or_key: GradingRule | str) -> str:
    if isinstance(rule_or_key, GradingRule):
        if rule_or_key.title:
            return rule_or_key.title
        key = rule_or_key.flag
    else:
        key = rule_or_key
    return BUILTIN_FLAGS.get(key, key)


def flag_choices(rules: Rules) -> list[tuple[str, str]]:
    """Flags the office may record: the two the seeds name, then the preset's own."""
    choices = dict(BUILTIN_FLAGS)
    for rule in rules.grading:
        if rule.kind == "flag":
            choices[rule.flag] = flag_title(rule)
    return list(choices.items())


# --- the default method ------------------------------------------------------------


def method_for(rules: Rules) -> GradingMethod:
    """The preset's `[grading_method]`, with every missing part filled by the default."""
    given = rules.grading_method or GradingMethod()
    scale = rules.ballot_scale
    n = len(scale)
    points = given.points or {g: round(100 * (n - 1 - i) / (n - 1)) for i, g in enumerate(scale)}
    bands = given.bands
    if not bands:
        grades = rules.assessment_scale
        lines = [max(0, 90 - 15 * i) for i in range(len(grades) - 1)] + [0]
        bands = tuple(GradeBand(grade=g, min_score=m) for g, m in zip(grades, lines, strict=True))
    return GradingMethod(
        points=points,
        meeting_weights=given.meeting_weights,
        daily_weight=given.daily_weight,
        bands=bands,
        text=given.text or "方案未规定测评票如何折算为等次，按本系统默认办法计算。",
    )


def meeting_score(tally: MeetingTally, points: dict[str, int]) -> Fraction | None:
    if tally.valid <= 0:
        return None
    return sum((share * points.get(g, 0) for g, share in tally.shares.items()), Fraction(0))


def _shares_text(tally: MeetingTally) -> str:
    parts = [f"“{g}”{tally.counts.get(g, 0)}票" for g in tally.counts]
    basis = "（按测评人类别加权）" if tally.weighted else ""
    return f"{'、'.join(parts)}，有效票{tally.valid}票{basis}"


def composite(inp: ReporterInput, method: GradingMethod) -> tuple[Fraction | None, list[str]]:
    """The composite score and the lines that show how it was made."""
    lines: list[str] = []
    scored: list[tuple[MeetingTally, Fraction, Fraction]] = []
    for tally in inp.meetings:
        score = meeting_score(tally, method.points)
        if score is None:
            lines.append(f"{tally.title}：没有有效票，不计入")
            continue
        if method.meeting_weights:
            weight = method.meeting_weights.get(tally.key, Fraction(0))
        else:
            weight = Fraction(1)
        scored.append((tally, score, weight))
        lines.append(f"{tally.title}：{_shares_text(tally)}，测评得分 {fmt_score(score)}")
    total_weight = sum((w for _, _, w in scored), Fraction(0))
    vote: Fraction | None = None
    if scored and total_weight > 0:
        vote = sum((s * w for _, s, w in scored), Fraction(0)) / total_weight
        if len(scored) > 1:
            terms = " + ".join(
                f"{fmt_score(s)}×{fmt_percent(w / total_weight)}" for _, s, w in scored
            )
            lines.append(f"各次会议按权重合并：{terms} = {fmt_score(vote)}")
    dw = method.daily_weight
    if inp.daily_score is not None:
        lines.append(f"日常管理考核得分：{fmt_score(inp.daily_score)}")
    if dw > 0:
        if vote is not None and inp.daily_score is not None:
            result = (1 - dw) * vote + dw * inp.daily_score
            lines.append(
                f"综合得分 = 测评得分 {fmt_score(vote)}×{fmt_percent(1 - dw)} + "
                f"日常管理考核 {fmt_score(inp.daily_score)}×{fmt_percent(dw)} = {fmt_score(result)}"
            )
            return result, lines
        if vote is None and inp.daily_score is not None:
            lines.append(f"没有测评结果，综合得分按日常管理考核计：{fmt_score(inp.daily_score)}")
            return inp.daily_score, lines
        if vote is not None:
            lines.append(f"日常管理考核得分未录入，综合得分按测评得分计：{fmt_score(vote)}")
    elif vote is not None:
        lines.append(f"综合得分：{fmt_score(vote)}")
    return vote, lines


def band_grade(score: Fraction | None, bands: Sequence[GradeBand]) -> tuple[str, str]:
    if score is None:
        return "", "没有测评结果和日常管理考核得分，无法建议等次，请组织员填写等次和理由"
    for band in bands:
        if score >= band.min_score:
            return (
                band.grade,
                f"综合得分 {fmt_score(score)}，达到“{band.grade}”分数线 {band.min_score} 分",
            )
    last = bands[-1]
    return last.grade, f"综合得分 {fmt_score(score)}，低于所有分数线，按“{last.grade}”"


# --- rules: one small function per kind -----------------------------------------

Verdict = tuple[str, str]  # (grade fixed by the rule or "", the reason)
ReporterRule = Callable[[GradingRule, ReporterInput], Verdict]


def rule_share_exceeds(rule: GradingRule, inp: ReporterInput) -> Verdict:
    """Grades in `rule.grades` take more than `rule.share` (超过: strictly more)."""
    threshold = rule.share or Fraction(0)
    names = "".join(f"“{g}”" for g in rule.grades)
    if not any(t.valid for t in inp.meetings):
        return "", "没有有效票，不适用此规则"
    reasons: list[str] = []
    hit = False
    for tally in inp.meetings:
        if tally.valid <= 0:
            continue
        share = sum((tally.shares.get(g, Fraction(0)) for g in rule.grades), Fraction(0))
        picked = sum(tally.counts.get(g, 0) for g in rule.grades)
        exceeds = share > threshold
        hit = hit or exceeds
        word = "超过" if exceeds else "未超过"
        reasons.append(
            f"{tally.title}{names}共{picked}票，占{fmt_percent(share)}，{word}{fmt_percent(threshold)}"
        )
    text = "；".join(reasons)
    if hit:
        return rule.result, f"{text}，按规则为“{rule.result}”"
    return "", text


def rule_flag(rule: GradingRule, inp: ReporterInput) -> Verdict:
    title = flag_title(rule)
    basis = inp.flags.get(rule.flag)
    if basis is None:
        return "", f"未记录“{title}”情形"
    return rule.result, f"已记录“{title}”，依据：{basis}；按规则为“{rule.result}”"


REPORTER_RULES: dict[str, ReporterRule] = {
    "share_exceeds": rule_share_exceeds,
    "flag": rule_flag,
}


def _rule_title(rule: GradingRule) -> str:
    return rule.text or {
        "share_exceeds": "票数比例",
        "flag": "评定情形",
        "quota_max": "名额上限",
        "quota_about": "等次比例",
        "ranking": "排名",
    }.get(rule.kind, rule.kind)


def _worse(scale: Sequence[str], a: str, b: str) -> str:
    if not a:
        return b
    if not b:
        return a
    return a if scale.index(a) >= scale.index(b) else b


def _next_grade_below(scale: Sequence[str], grades: Sequence[str]) -> str:
    worst = max(scale.index(g) for g in grades if g in scale)
    return scale[worst + 1] if worst + 1 < len(scale) else scale[worst]


def _tie_key(p: Proposal) -> tuple[Fraction, Fraction, int, int]:
    return (
        -(p.score if p.score is not None else Fraction(-1)),
        -p.top_share,
        p.order,
        p.reporter_id,
    )


def board_quota_max(rule: GradingRule, proposals: list[Proposal], rules: Rules) -> list[str]:
    """At most `count` at `grades`; beyond the cut, the next grade down (tie-break stated)."""
    scale = rules.assessment_scale
    count = rule.count or 0
    names = "、".join(f"“{g}”" for g in rule.grades)
    title = _rule_title(rule)
    candidates = sorted((p for p in proposals if p.grade in rule.grades), key=_tie_key)
    warnings: list[str] = []
    lower = _next_grade_below(scale, rule.grades)
    for i, p in enumerate(candidates, start=1):
        if i <= count:
            p.steps.append(
                Step(
                    title,
                    "",
                    f"建议{names}共{len(candidates)}人，名额{count}个，按排序第{i}位，在名额内",
                )
            )
        else:
            p.steps.append(
                Step(
                    title,
                    lower,
                    f"建议{names}共{len(candidates)}人，名额{count}个，按排序第{i}位，超出名额，"
                    f"建议为“{lower}”（排序：{TIE_BREAK}）",
                )
            )
            p.grade = lower
    if len(candidates) > count > 0:
        last, first_out = candidates[count - 1], candidates[count]
        if last.score == first_out.score:
            how = "最高等次票占比" if last.top_share != first_out.top_share else "述职顺序"
            warnings.append(
                f"{names}名额线上并列：{last.name}与{first_out.name}综合得分同为"
                f"{fmt_score(last.score)}，按{how}确定{last.name}在名额内，审定时请确认"
            )
    return warnings


def quota_share(rule: GradingRule, grades: Sequence[str]) -> tuple[Fraction, int, int]:
    graded = [g for g in grades if g]
    picked = sum(1 for g in graded if g in rule.grades)
    return (Fraction(picked, len(graded)) if graded else Fraction(0)), picked, len(graded)


def board_quota_about(rule: GradingRule, proposals: list[Proposal], rules: Rules) -> list[str]:
    """About `share` at `grades`: a warning with the actual share, never a block."""
    warning = quota_about_warning(rule, [p.grade for p in proposals])
    return [warning] if warning else []


def quota_about_warning(rule: GradingRule, grades: Sequence[str]) -> str:
    target = rule.share or Fraction(0)
    tolerance = rule.tolerance if rule.tolerance is not None else DEFAULT_TOLERANCE
    share, picked, total = quota_share(rule, grades)
    if total == 0 or abs(share - target) <= tolerance:
        return ""
    names = "".join(f"“{g}”" for g in rule.grades)
    return (
        f"{names}等次占{fmt_percent(share)}（{picked}/{total}人），"
        f"方案要求{fmt_percent(target)}左右（上下{fmt_percent(tolerance)}以内），请审定时考虑"
    )


def board_ranking(rule: GradingRule, proposals: list[Proposal], rules: Rules) -> list[str]:
    scored = [p for p in proposals if p.rank is not None]
    for p in proposals:
        if p.rank is None:
            p.steps.append(Step(_rule_title(rule), "", "没有综合得分，不参加排名"))
        else:
            p.steps.append(
                Step(
                    _rule_title(rule),
                    "",
                    f"综合得分{fmt_score(p.score)}，在{len(scored)}人中排第{p.rank}名",
                )
            )
    return []


BoardRule = Callable[[GradingRule, list[Proposal], Rules], list[str]]
BOARD_RULES: dict[str, BoardRule] = {
    "quota_max": board_quota_max,
    "quota_about": board_quota_about,
    "ranking": board_ranking,
}


def quota_max_violations(rules: Rules, grades: Sequence[str]) -> list[str]:
    """The hard block at approval: every quota_max checked against the whole list."""
    problems = []
    for rule in rules.grading:
        if rule.kind != "quota_max":
            continue
        n = sum(1 for g in grades if g in rule.grades)
        if n > (rule.count or 0):
            names = "、".join(f"“{g}”" for g in rule.grades)
            problems.append(f"{names}共{n}人，超过名额{rule.count}个（{_rule_title(rule)}）")
    return problems


def _ranks(proposals: list[Proposal]) -> None:
    """Competition ranking (1, 2, 2, 4) by composite score."""
    scored = sorted((p for p in proposals if p.score is not None), key=lambda p: -p.score)  # type: ignore[operator]
    for i, p in enumerate(scored):
        prev = scored[i - 1] if i else None
        p.rank = prev.rank if prev is not None and prev.score == p.score else i + 1


def _input_lines(inp: ReporterInput) -> list[str]:
    lines = []
    if inp.annual_result:
        lines.append(f"年度党建考核结果：{inp.annual_result}")
    if inp.findings:
        found = "、".join(f"{k}{n}条" for k, n in inp.findings.items())
        lines.append(f"督查调研：{found}")
    for key, basis in inp.flags.items():
        lines.append(f"评定情形：{flag_title(key)}（依据：{basis}）")
    return lines


def propose(rules: Rules, inputs: Sequence[ReporterInput]) -> Outcome:
    method = method_for(rules)
    scale = rules.assessment_scale
    best = rules.ballot_scale[0]
    proposals: list[Proposal] = []
    for inp in inputs:
        score, lines = composite(inp, method)
        grade, reason = band_grade(score, method.bands)
        steps = [
            Step(
                "测评折算（默认办法）" if rules.grading_method is None else "测评折算",
                grade,
                reason,
            )
        ]
        for rule in rules.grading:
            fn = REPORTER_RULES.get(rule.kind)
            if fn is None:
                continue
            verdict, why = fn(rule, inp)
            steps.append(Step(_rule_title(rule), verdict, why))
            grade = _worse(scale, grade, verdict)
        shares = [t.shares.get(best, Fraction(0)) for t in inp.meetings if t.valid]
        top = sum(shares, Fraction(0)) / len(shares) if shares else Fraction(0)
        proposals.append(
            Proposal(
                reporter_id=inp.reporter_id,
                name=inp.name,
                order=inp.order,
                score=score,
                top_share=top,
                grade=grade,
                inputs=[*lines, *_input_lines(inp)],
                steps=steps,
            )
        )
    _ranks(proposals)
    warnings: list[str] = []
    # Quotas cut first, so ratios and ranks describe the list as proposed.
    board_rules = sorted(
        (r for r in rules.grading if r.kind in BOARD_RULES), key=lambda r: r.kind != "quota_max"
    )
    for rule in board_rules:
        warnings.extend(BOARD_RULES[rule.kind](rule, proposals, rules))
    for p in proposals:
        p.steps.append(
            Step("建议等次", p.grade, f"建议等次为“{p.grade}”" if p.grade else "暂无建议等次")
        )
    return Outcome(proposals=proposals, warnings=warnings)
