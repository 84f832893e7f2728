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
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

CheckLevel = Literal["block", "warn", "off"]
SectionRole = Literal["achievements", "problems", "plans", "rectification", "other"]
BallotMode = Literal["per_reporter", "per_indicator"]


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


@dataclass(frozen=True)
class Consequence:
    grade: str
    actions: tuple[str, ...]  # 约谈, 提醒谈话, 限期整改, 问责, 组织处理, 取消评优资格 ...
    annual_excellent_allowed: bool = True
    repeated_years: int = 0  # e.g. 基本称职 two years running → 组织处理
    text: str = ""


@dataclass(frozen=True)
class Phase:
    key: str  # plan, report_due, inspection, meeting, assessment, publication, ...
    title: str
    due: str | None = None  # "+0-12-16": year offset from the round year, month, day
    start: str | None = None
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
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def meeting(self, key: str) -> MeetingRule:
        for rule in self.meetings:
            if rule.key == key:
                return rule
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
        if cons.grade not in rules.assessment_scale:
            raise PresetError(f"consequences[{i}].grade", f"等次“{cons.grade}”不在综合评价等次中")
    if not rules.meetings:
        raise PresetError("meetings", "至少一个述职评议会")
