"""The rule set of a round, as typed, immutable values.

A preset file (TOML, under `rounds/presets/`) or an office-made preset in the
database is parsed into `Rules` once; a round stores the plain dict it was
created with (`Campaign.rules`) and reads it back through `parse_rules`, so a
round keeps its rules even when the preset changes later.

Fractions are written as strings ("1/3", "0.8") and read as `Fraction`, so
boundary comparisons (以上/不少于 include the number; 超过/不足 exclude it) are exact.

Other apps read the parts they need:
- reports: `rules.report` (sections, lengths, proportions, which checks block)
- meetings: `rules.meetings` (time per report, evaluator categories, weights,
  ballot mode, quorum) with `rules.ballot_scale` and `rules.indicators`
- assessment: `rules.assessment_scale`, `rules.grading`, `rules.consequences`
- rounds: `rules.scope` (who reports: source, kinds, sectors, exclusions, sampling,
  vacancies), `rules.modes` (on-site places, two-year rotation), `rules.timeline`
  (dates "+1-01-20" relative to the round year, or `after` + `within_days`),
  `rules.sub_round` (what child committees follow, 比照), `rules.document`
- rectification / filing / member review: `rules.rectification`, `rules.filing`,
  `rules.filing_due`, `rules.filing_to`, `rules.member_review` (民主评议党员, seed 000)
- `rules.silent` / `rules.notes`: where the seed is silent, how an unclear passage is read
"""

from __future__ import annotations

import calendar
import dataclasses
import types
import typing
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any, Literal

CheckLevel = Literal["block", "warn", "off"]
SectionRole = Literal["achievements", "problems", "plans", "rectification", "other"]
BallotMode = Literal["per_reporter", "per_indicator"]
ScopeSource = Literal["direct_children", "subtree"]
VacancyHandling = Literal["written", "flag"]
ModeName = Literal["onsite", "written"]


class PresetError(ValueError):
    """A preset that does not validate; `path` says where (e.g. report.sections[1].title)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def parse_fraction(value: Any, path: str) -> Fraction:
    try:
        result = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise PresetError(path, f"应为比例（如 1/3 或 0.8），实际为 {value!r}") from None
    if not 0 <= result <= 1:
        raise PresetError(path, "比例应在 0 到 1 之间")
    return result


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    role: SectionRole = "other"
    target_chars: int | None = None  # "左右": within report.tolerance of this
    min_chars: int | None = None  # 不少于 (inclusive)
    max_chars: int | None = None  # 不超过 (inclusive)
    min_share: Fraction | None = None  # of the whole report, inclusive
    max_share: Fraction | None = None  # inclusive
    prefill_rectification: bool = False  # opens pre-filled from last round's ledger
    target_share: Fraction | None = None  # "各占三分之一": within report.tolerance of this


@dataclass(frozen=True)
class ReportRules:
    sections: tuple[Section, ...]
    max_chars: int | None = None
    target_chars: int | None = None
    tolerance: Fraction = Fraction(1, 5)  # how far "左右" may stray
    checks: dict[str, CheckLevel] = field(default_factory=dict)
    max_pages: int | None = None
    innovation_cases: tuple[int, int] = (0, 0)  # (min, max) per unit
    innovation_case_chars: int | None = None
    slides_minutes: int | None = None
    reviewed_by: str = "organizer"  # who returns/approves
    superior_reads: bool = False  # the superior's leader marks approved reports as read
    summary_published: bool = False  # 摘要公布
    publication_range: str = ""
    audiences: tuple[str, ...] = ("committee",)  # 004 writes one report per meeting kind
    # Added by rounds (defaults keep older rule sets valid):
    requires_last_rectification: bool = False  # last year's rectification is part of it
    innovation_case_pictures: tuple[int, int] = (0, 0)  # (min, max) pictures per case
    review_before: str = ""  # e.g. "报党工委审核" — who checks the report before the meeting
    format: str = ""  # official format note (003 附件1)
    requirements: tuple[str, ...] = ()  # the seed's wording on how to write it


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Quorum:
    members_min_share: Fraction | None = None  # members present / expected, inclusive
    mass_min_share: Fraction | None = None  # mass representatives / all present, inclusive
    source: str = ""  # quote from the seed


@dataclass(frozen=True)
class EvaluatorCategory:
    key: str  # leader, member, mass, activist, guest ...
    title: str
    weight: Fraction = Fraction(1)


@dataclass(frozen=True)
class MeetingRule:
    key: str  # "committee" (to the committee) or "members" (to the members' meeting, 004)
    title: str
    minutes_per_report: int | None = None
    host: str = ""
    participants: tuple[str, ...] = ()
    evaluators: tuple[EvaluatorCategory, ...] = ()
    ballot_mode: BallotMode = "per_reporter"
    ballot_comment: bool = False
    questions: bool = True
    critique: bool = True
    evaluates_written: bool = False
    announce_on_spot: bool = True
    quorum: Quorum | None = None
    # Added by rounds:
    place: str = ""
    timing: str = ""  # the seed's own words ("12月下旬", "2月20日至24日之间")
    agenda: tuple[str, ...] = ()
    observers: tuple[str, ...] = ()  # e.g. 邀请市直工委领导指导
    # Added by member_review: a meeting with its own scale (民主评议党员: 优秀/合格/…).
    ballot_scale: tuple[str, ...] = ()


@dataclass(frozen=True)
class GradingRule:
    """One rule of the overall assessment; `kind` decides which fields matter.

    kinds: "share_exceeds" (grades in `grades` take more than `share` of valid
    votes → `result`), "flag" (an organizer-set flag such as a major failure →
    `result`), "quota_max" (at most `count` reporters may get `grade`),
    "quota_about" (about `share` of reporters at `grades` — advisory).
    """

    kind: str
    result: str = ""
    grades: tuple[str, ...] = ()
    share: Fraction | None = None
    count: int | None = None
    flag: str = ""
    text: str = ""  # the seed's own words, shown as the reason
    # Added by assessment:
    tolerance: Fraction | None = None  # quota_about: how far "左右" may stray (default 1/10)
    title: str = ""  # flag: the office's own name for its flag ("重大失误造成严重影响")


# --- assessment: how votes become a proposed grade ------------------------------

GRADING_KINDS = ("share_exceeds", "flag", "quota_max", "quota_about", "ranking")


@dataclass(frozen=True)
class GradeBand:
    """A composite score of `min_score` or more (以上, inclusive) proposes `grade`."""

    grade: str
    min_score: int


@dataclass(frozen=True)
class GradingMethod:
    """The weighted composite score against bands (see assessment/engine.py).

    Each ballot grade earns `points`; a meeting's score is the points weighted by the
    tally's shares; meetings combine by `meeting_weights` (missing: equal); the daily
    management score (0–100) enters with `daily_weight`. Bands are best first.
    """

    points: dict[str, int] = field(default_factory=dict)
    meeting_weights: dict[str, Fraction] = field(default_factory=dict)
    daily_weight: Fraction = Fraction(0)
    bands: tuple[GradeBand, ...] = ()
    text: str = ""


# --- results (结果运用与公开), added by the results stage ------------------------

# The rule kinds a consequence may name; the pure functions behind them live in
# `shuping/results/consequences.py` (a test keeps both lists equal).
#   grade: the grade equals `grade`
#   repeated: the same person got `grade` in each of `repeated_years` consecutive years
#   flag: the office set `flag` on the result (whatever the grade unless `grade` is given)
CONSEQUENCE_KINDS = ("grade", "repeated", "flag")
TaskKind = Literal[
    "talk", "reminder_talk", "rectify", "accountability", "org_handling", "commend", "revoke_awards"
]


@dataclass(frozen=True)
class ConsequenceTaskRule:
    """One task a consequence creates when the grades are approved."""

    kind: TaskKind
    title: str = ""  # the seed's words, e.g. 镇党委约谈
    due_days: int | None = None  # calendar days after approval; None = no deadline
    owner: Literal["committee", "reporter"] = "committee"  # who carries it out
    only_flag: str = ""  # created only when this flag is set (情况严重的 → serious)


@dataclass(frozen=True)
class ResultFlag:
    """A mark the office sets on one result (情况严重, 思想上不重视 …)."""

    key: str
    title: str


@dataclass(frozen=True)
class ResultsRules:
    """Feedback, 通报 and 公示 as the seed says; empty values where it is silent."""

    feedback_by: str = ""  # who gives the feedback (区委, 党工委)
    feedback_ways: tuple[str, ...] = ()  # 集中约谈、会上宣布
    announce: bool = True  # 通报
    announce_range: str = ""  # 在一定范围内 / 街道和下属单位党务公开栏
    notice: bool = False  # 公示
    notice_days: int | None = None
    notice_workdays: bool = True  # count notice_days in working days
    notice_where: tuple[str, ...] = ()
    summaries_with_results: bool = False  # 述职报告摘要随结果公布
    rectify_days: int | None = None  # 整改期限 written into the feedback letter
    flags: tuple[ResultFlag, ...] = ()
    basis: str = ""  # what the result is a basis for (003: 年度考核、评先评优、选拔任用)
    text: str = ""


@dataclass(frozen=True)
class Consequence:
    grade: str
    actions: tuple[str, ...]  # 约谈, 提醒谈话, 限期整改, 问责, 组织处理, 取消评优资格 ...
    annual_excellent_allowed: bool = True
    repeated_years: int = 0  # e.g. 基本称职 two years running → 组织处理
    text: str = ""
    # Added by results (结果运用): which pure rule decides (see CONSEQUENCE_KINDS), the
    # flag a "flag" rule reads, the tasks it creates and whether the unit loses its awards.
    kind: str = "grade"
    flag: str = ""
    tasks: tuple[ConsequenceTaskRule, ...] = ()
    unit_awards_revoked: bool = False  # 取消该单位其他评先评优资格


@dataclass(frozen=True)
class Phase:
    key: str  # plan, report_due, inspection, meeting, assessment, publication, ...
    title: str
    due: str | None = None  # "+0-12-16": year offset from the round year, month, day
    start: str | None = None
    note: str = ""
    # Added by rounds: a due date relative to another phase ("活动结束后1周内").
    after: str = ""  # key of the phase whose due date this one counts from
    within_days: int | None = None
    tier: str = ""  # "district" / "basic" in two-tier presets (003)


@dataclass(frozen=True)
class Sampling:
    """Random sampling of part of the scope ("两新组织只抽2名"), reproducible from a seed."""

    count: int
    sectors: tuple[str, ...] = ()  # organization sectors the sample is drawn from
    kinds: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class ScopeRules:
    """Who reports. `source`: the committee's direct sub-organizations, or its whole subtree."""

    source: ScopeSource = "direct_children"
    kinds: tuple[str, ...] = ()  # OrgKind values; empty = any
    sectors: tuple[str, ...] = ()  # Sector values; empty = any
    exclude_retiree: bool = False  # 老年党支部书记除外
    exclude_kinds: tuple[str, ...] = ()
    sampling: tuple[Sampling, ...] = ()
    vacancy: VacancyHandling = "flag"  # "written": seed says vacant posts report in writing
    expected_count: int | None = None  # the number the seed names (001: 13 villages)
    members_report: bool = False  # every member also reports (000 党员述职)
    text: str = ""


@dataclass(frozen=True)
class ModeRules:
    """On-site or written. With `onsite_places` set, only that many go on-site."""

    default: ModeName = "onsite"
    onsite_places: int | None = None
    onsite_sectors: tuple[str, ...] = ()  # preferred for on-site places
    onsite_names: tuple[str, ...] = ()  # name fragments the seed lists as on-site
    rotation_years: int = 0  # 2: every secretary on-site at least once in two years
    text: str = ""


@dataclass(frozen=True)
class SubRoundRules:
    """What a child committee's own round must follow (比照), seed 003's basic level."""

    title: str
    scope: ScopeRules = field(default_factory=ScopeRules)
    modes: ModeRules = field(default_factory=ModeRules)
    timeline: tuple[Phase, ...] = ()
    plan_filing: bool = True  # the child files its plan with the parent (备案)
    meeting_plan_days_before: int | None = None  # 会议方案提前N天报送
    invite_leader: str = ""
    text: str = ""


@dataclass(frozen=True)
class RectificationRules:
    lists: tuple[str, ...] = ()  # 问题清单、责任清单、整改清单
    sources: tuple[str, ...] = ()  # 自己查摆、上级点评、群众评议 ...
    fields: tuple[str, ...] = ()  # 整改措施、责任、时限 ...
    reported_to: str = ""
    next_year_content: bool = False  # 整改落实情况作为下一年度述职的重点内容
    text: str = ""


@dataclass(frozen=True)
class MemberReviewRules:
    """民主评议党员 (000): data only here; the member-review stage reads it."""

    enabled: bool = False
    who: str = ""
    scale: tuple[str, ...] = ()
    content: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    evaluators: tuple[str, ...] = ()
    meeting_due: str | None = None
    publish_within_days: int | None = None
    publish_where: str = ""
    member_confirms: bool = False
    consequences: tuple[Consequence, ...] = ()
    text: str = ""
    # Added by member_review (all optional, so older rule sets stay valid):
    self_eval_due: str | None = None  # "+0-12-16": 个人自评 handed in
    committee_due: str | None = None  # 支委会审议 done
    report_within_days: int | None = None  # calendar days after 公示 ends to 上报
    publish_days: int = 5  # 公示期, working days (seed 000 is silent: common practice)
    excellent_max_share: Fraction | None = None  # office cap on 优秀 (share of members, inclusive)
    excellent_cap_text: str = ""
    link_days: int = 30  # a personal link expires after this many days
    meeting: MeetingRule | None = None  # the members' meeting (quorum, evaluators)

    def meeting_rule(self) -> MeetingRule:
        """The members' meeting as a meeting rule, so meetings and ballots treat it as
        any other: the preset's own, or one built from `evaluators` and `scale`."""
        base = self.meeting or MeetingRule(
            key=MEMBER_REVIEW_MEETING,
            title="党员大会民主评议党员",
            evaluators=tuple(
                EvaluatorCategory(key=_EVALUATOR_KEYS.get(t, t), title=t) for t in self.evaluators
            )
            or (EvaluatorCategory(key="member", title="党员"),),
            questions=False,
            critique=False,
        )
        return dataclasses.replace(
            base, key=MEMBER_REVIEW_MEETING, ballot_scale=base.ballot_scale or self.scale
        )


MEMBER_REVIEW_MEETING = "member_review"  # meeting kind of a branch's members' meeting
_EVALUATOR_KEYS = {"党员": "member", "群众代表": "mass", "入党积极分子": "activist"}


@dataclass(frozen=True)
class DocumentRules:
    """The plan as an official document (工作方案 / 通知)."""

    issuer: str = ""  # 发文机关
    doc_number: str = ""  # 文号 pattern, {year} filled in
    title: str = ""  # {year} filled in
    recipients: str = ""  # 主送
    preamble: str = ""
    kind: str = "方案"  # 方案 / 通知
    attachments: tuple[str, ...] = ()
    cc: str = ""  # 抄送 in the 版记
    printed_by: str = ""  # 印发机关 in the 版记; default: the issuer's 办公室


@dataclass(frozen=True)
class FilingItem:
    """How one entry of `filing` is produced. `kind` names a generator of the filing
    stage (plan, reports, slides, booklet, tally, meeting_record, summary_report,
    results, archive, assessment, feedback, notice, rectification_plan,
    rectification_ledger, member_review); "upload" means the office uploads it
    (主持点评讲话, 书记总结讲话, scanned signed forms)."""

    title: str
    kind: str = "upload"
    required: bool = True
    note: str = ""


@dataclass(frozen=True)
class Rules:
    ballot_scale: tuple[str, ...]  # best first: 好/较好/一般/差
    assessment_scale: tuple[str, ...]
    report: ReportRules
    meetings: tuple[MeetingRule, ...]
    indicators: tuple[Indicator, ...] = ()
    grading: tuple[GradingRule, ...] = ()
    consequences: tuple[Consequence, ...] = ()
    timeline: tuple[Phase, ...] = ()
    filing: tuple[str, ...] = ()
    # Added by rounds (all optional, so older rule sets stay valid):
    scope: ScopeRules = field(default_factory=ScopeRules)
    modes: ModeRules = field(default_factory=ModeRules)
    sub_round: SubRoundRules | None = None
    content: tuple[str, ...] = ()  # 述职内容, the seed's items
    requirements: tuple[str, ...] = ()  # 工作要求
    rectification: RectificationRules | None = None
    member_review: MemberReviewRules | None = None
    document: DocumentRules = field(default_factory=DocumentRules)
    filing_due: str | None = None  # "+1-02-09"
    filing_to: str = ""
    publication: tuple[str, ...] = ()  # 反馈、通报、公示 as the seed says
    silent: tuple[str, ...] = ()  # where the seed says nothing (nothing invented there)
    notes: tuple[str, ...] = ()  # how the preset reads an unclear passage
    # Added by assessment: how votes become a proposed grade (None: the documented default).
    grading_method: GradingMethod | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # Added by filing: how each `filing` entry is produced (see filing_checklist).
    filing_items: tuple[FilingItem, ...] = ()
    # Added by results (feedback, 通报, 公示):
    results: ResultsRules = field(default_factory=ResultsRules)

    def meeting(self, key: str) -> MeetingRule:
        for rule in self.meetings:
            if rule.key == key:
                return rule
        if key == MEMBER_REVIEW_MEETING and self.member_review and self.member_review.enabled:
            return self.member_review.meeting_rule()
        raise KeyError(key)

    def phase(self, key: str) -> Phase | None:
        return next((p for p in self.timeline if p.key == key), None)


# --- parsing -----------------------------------------------------------------


def _convert(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value, path)
    if tp is Fraction:
        return parse_fraction(value, path)
    if origin is Literal:
        if value not in args:
            raise PresetError(path, f"应为 {' / '.join(map(str, args))} 之一，实际为 {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise PresetError(path, "应为列表")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{path}[{i}]") for i, v in enumerate(value))
        if len(value) != len(args):
            raise PresetError(path, f"应有 {len(args)} 项")
        return tuple(
            _convert(a, v, f"{path}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True))
        )
    if origin is dict:
        if not isinstance(value, dict):
            raise PresetError(path, "应为表（键值对）")
        return {str(k): _convert(args[1], v, f"{path}.{k}") for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, path)
    if tp is bool:
        if not isinstance(value, bool):
            raise PresetError(path, "应为 true 或 false")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise PresetError(path, f"应为整数，实际为 {value!r}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise PresetError(path, f"应为文字，实际为 {value!r}")
        return value
    return value


def _build(cls: Any, data: Any, path: str) -> Any:
    if not isinstance(data, dict):
        raise PresetError(path or "(根)", "应为表（键值对）")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise PresetError(path or "(根)", f"不认识的设置项：{', '.join(unknown)}")
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        sub = f"{path}.{name}" if path else name
        if name in data:
            kwargs[name] = _convert(hints[name], data[name], sub)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise PresetError(sub, "缺少必填设置项")
    return cls(**kwargs)


def parse_rules(data: dict[str, Any]) -> Rules:
    """Validate a plain dict (from TOML or JSON) into `Rules`, or raise PresetError."""
    body = {k: v for k, v in data.items() if k != "raw"}
    rules: Rules = _build(Rules, body, "")
    _check_consistency(rules)
    _check_grading(rules)
    return dataclasses.replace(rules, raw=dict(body))


def _check_consistency(rules: Rules) -> None:
    if len(rules.ballot_scale) < 2:
        raise PresetError("ballot_scale", "等次至少两档")
    if not rules.report.sections:
        raise PresetError("report.sections", "述职报告至少一个部分")
    keys = [s.key for s in rules.report.sections]
    if len(set(keys)) != len(keys):
        raise PresetError("report.sections", "部分的 key 不能重复")
    for i, rule in enumerate(rules.grading):
        for grade in (*rule.grades, *([rule.result] if rule.result else [])):
            if grade not in rules.ballot_scale and grade not in rules.assessment_scale:
                raise PresetError(f"grading[{i}]", f"等次“{grade}”不在等次表中")
    for i, cons in enumerate(rules.consequences):
        if cons.kind == "flag" and not cons.grade:
            continue  # 不论等次
        if cons.grade not in rules.assessment_scale:
            raise PresetError(f"consequences[{i}].grade", f"等次“{cons.grade}”不在综合评价等次中")
    _check_results(rules)
    if not rules.meetings:
        raise PresetError("meetings", "至少一个述职评议会")
    for i, audience in enumerate(rules.report.audiences):
        if audience not in {m.key for m in rules.meetings}:
            raise PresetError(f"report.audiences[{i}]", f"没有 key 为“{audience}”的述职评议会")
    _check_timeline(rules.timeline, "timeline")
    if rules.sub_round is not None:
        _check_timeline(rules.sub_round.timeline, "sub_round.timeline")
    _check_filing_items(rules)
    for name in ("filing_due",):
        value = getattr(rules, name)
        if value is not None:
            _check_relative_date(value, name)
    if rules.member_review is not None and rules.member_review.meeting_due:
        _check_relative_date(rules.member_review.meeting_due, "member_review.meeting_due")
    if rules.member_review is not None:
        _check_member_review(rules.member_review)
    if rules.modes.onsite_places is not None and rules.modes.onsite_places < 0:
        raise PresetError("modes.onsite_places", "现场述职名额不能为负数")
    for i, sample in enumerate(rules.scope.sampling):
        if sample.count < 1:
            raise PresetError(f"scope.sampling[{i}].count", "抽取人数至少为1")


MONTH_END = 0  # the day part of "+1-02-end": the month's last day, whatever the year


def parse_relative_date(value: str) -> tuple[int, int, int]:
    """ "+1-01-20" → (1, 1, 20): years after the round year, month, day.

    "+1-02-end" (月底) gives day `MONTH_END`. A day the month never has ("+1-04-31",
    "+1-02-30") is an error; "+1-02-29" is allowed and means 28 February in a common year.
    """
    text = value.strip()
    sign = -1 if text.startswith("-") else 1
    parts = text.lstrip("+-").split("-")
    if len(parts) == 3 and parts[2] == "end":
        parts[2] = str(MONTH_END)
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(value)
    offset, month, day = (int(p) for p in parts)
    if not 1 <= month <= 12:
        raise ValueError(value)
    if day != MONTH_END and not 1 <= day <= calendar.monthrange(2024, month)[1]:
        raise ValueError(value)  # 2024 is a leap year: the longest each month can be
    return sign * offset, month, day


def resolve_relative_date(value: str, year: int) -> date:
    """The real day a relative date means in a round of `year` ("+1-02-29" in 2026 → 2027-02-28)."""
    offset, month, day = parse_relative_date(value)
    target_year = year + offset
    last = calendar.monthrange(target_year, month)[1]
    return date(target_year, month, last if day == MONTH_END else min(day, last))


def _check_relative_date(value: str, path: str) -> None:
    try:
        parse_relative_date(value)
    except ValueError:
        message = (
            f"日期应写成“+年偏移-月-日”（如 +1-01-20，月底写 +1-02-end），"
            f"且该月须有这一天，实际为 {value!r}"
        )
        raise PresetError(path, message) from None


def _check_timeline(phases: tuple[Phase, ...], path: str) -> None:
    keys = [p.key for p in phases]
    if len(set(keys)) != len(keys):
        raise PresetError(path, "时间节点的 key 不能重复")
    for i, phase in enumerate(phases):
        for name in ("start", "due"):
            value = getattr(phase, name)
            if value is not None:
                _check_relative_date(value, f"{path}[{i}].{name}")
        if phase.after and phase.after not in keys:
            raise PresetError(f"{path}[{i}].after", f"没有 key 为“{phase.after}”的时间节点")
        if phase.after and phase.within_days is None:
            raise PresetError(f"{path}[{i}].within_days", "写了 after 就要写 within_days")


# --- filing checklist (added by filing) -------------------------------------------


def _check_filing_items(rules: Rules) -> None:
    titles = [item.title.strip() for item in rules.filing_items]
    for i, title in enumerate(titles):
        if not title:
            raise PresetError(f"filing_items[{i}].title", "请填写材料名称")
        if titles.index(title) != i:
            raise PresetError(f"filing_items[{i}].title", f"材料“{title}”重复")
        if rules.filing and title not in rules.filing:
            raise PresetError(f"filing_items[{i}].title", f"材料“{title}”不在 filing 列表中")
        kind = rules.filing_items[i].kind
        if not kind or not all(c.isalnum() or c == "_" for c in kind):
            message = f"材料类别应为字母和下划线，实际为 {kind!r}"
            raise PresetError(f"filing_items[{i}].kind", message)


def filing_checklist(rules: Rules) -> tuple[FilingItem, ...]:
    """The checklist in the order of `filing`: each title with how it is produced;
    a title without a `filing_items` entry is uploaded by the office."""
    described = {item.title: item for item in rules.filing_items}
    items = [described.get(title, FilingItem(title=title)) for title in rules.filing]
    items += [item for item in rules.filing_items if item.title not in rules.filing]
    return tuple(items)


def _check_results(rules: Rules) -> None:
    flags = {f.key for f in rules.results.flags}
    for i, cons in enumerate(rules.consequences):
        path = f"consequences[{i}]"
        if cons.kind not in CONSEQUENCE_KINDS:
            raise PresetError(
                f"{path}.kind",
                f"不认识的结果运用类型“{cons.kind}”，应为 {' / '.join(CONSEQUENCE_KINDS)}",
            )
        if cons.kind == "repeated" and cons.repeated_years < 2:
            raise PresetError(f"{path}.repeated_years", "连续年数至少为2")
        if cons.kind == "flag" and cons.flag not in flags:
            raise PresetError(f"{path}.flag", f"标记“{cons.flag}”未在 results.flags 中定义")
        for j, task in enumerate(cons.tasks):
            if task.only_flag and task.only_flag not in flags:
                raise PresetError(
                    f"{path}.tasks[{j}].only_flag",
                    f"标记“{task.only_flag}”未在 results.flags 中定义",
                )
            if task.due_days is not None and not 0 < task.due_days <= 366:
                raise PresetError(f"{path}.tasks[{j}].due_days", "期限应在1到366天之间")
    days = rules.results.notice_days
    if days is not None and not 1 <= days <= 60:
        raise PresetError("results.notice_days", "公示期应在1到60天之间")


_GRADING_NEEDS: dict[str, tuple[str, ...]] = {
    "share_exceeds": ("grades", "share", "result"),
    "flag": ("flag", "result"),
    "quota_max": ("grades", "count"),
    "quota_about": ("grades", "share"),
    "ranking": (),
}


def _check_grading(rules: Rules) -> None:
    """Assessment's part: known rule kinds with what each needs, grades in the scales."""
    for i, rule in enumerate(rules.grading):
        if rule.kind not in _GRADING_NEEDS:
            known = "、".join(GRADING_KINDS)
            raise PresetError(f"grading[{i}].kind", f"不认识的评定规则“{rule.kind}”，应为 {known}")
        for name in _GRADING_NEEDS[rule.kind]:
            if getattr(rule, name) in (None, "", ()):
                raise PresetError(f"grading[{i}].{name}", "此类规则必须填写")
        if rule.count is not None and rule.count < 0:
            raise PresetError(f"grading[{i}].count", "名额不能为负数")
        if rule.result and rule.result not in rules.assessment_scale:
            raise PresetError(f"grading[{i}].result", f"等次“{rule.result}”不在综合评价等次中")
    method = rules.grading_method
    if method is None:
        return
    for grade in method.points:
        if grade not in rules.ballot_scale:
            raise PresetError(f"grading_method.points.{grade}", f"等次“{grade}”不在测评等次中")
    for key in method.meeting_weights:
        if key not in {m.key for m in rules.meetings}:
            raise PresetError(
                f"grading_method.meeting_weights.{key}", f"没有 key 为“{key}”的述职评议会"
            )
    for i, band in enumerate(method.bands):
        if band.grade not in rules.assessment_scale:
            raise PresetError(
                f"grading_method.bands[{i}].grade", f"等次“{band.grade}”不在综合评价等次中"
            )
        if not 0 <= band.min_score <= 100:
            raise PresetError(f"grading_method.bands[{i}].min_score", "分数线应在 0 到 100 之间")


def _check_member_review(review: MemberReviewRules) -> None:
    for name in ("self_eval_due", "committee_due"):
        value = getattr(review, name)
        if value:
            _check_relative_date(value, f"member_review.{name}")
    if review.enabled and len(review.scale) < 2:
        raise PresetError("member_review.scale", "等次至少两档")
    if review.publish_days < 1:
        raise PresetError("member_review.publish_days", "公示期至少1个工作日")
    if review.link_days < 1:
        raise PresetError("member_review.link_days", "个人链接有效期至少1天")
