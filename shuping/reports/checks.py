"""Quality checks of a duty report: pure functions over the section texts and the rules.

Each check returns a `Check(key, title, measured, rule, verdict, message)`; the
round's `report.checks` table decides which keys block submission and which only
warn (a key the table does not name warns; "off" hides it).

Check keys a preset can name in `report.checks`:
  length            total length (不超过 / 左右)
  sections          each section's own length (左右 / 不少于 / 不超过)
  proportions       section shares of the whole (achievements ≤ 1/2, problems ≥ 1/3, thirds)
  figures           用数据和事例说话: numbers with units and concrete cases
  self_critique     把自己摆进去: first-person responsibility in the problems section
  subjective_causes 分析主观原因: the problems section names subjective causes
  rectification     last year's rectification is reported
  pages             the official layout fits in `max_pages`

How characters are counted (the convention offices use — Word/WPS "字数"):
  * every CJK ideograph counts 1;
  * every full-width / CJK punctuation mark counts 1 (，。、；：？！“”‘’（）《》【】—…·);
  * a run of Latin letters, digits and the marks that join them (. , % - / : +) counts 1
    in all — "2025", "85.6%", "PPT" and "APP" are one each, like Word's non-Asian word;
  * spaces, tabs and line breaks count 0; any other symbol counts 1.
So "全年发展党员12名，占比85%。" counts 6 + 1 + 1 + 1 + 2 + 1 + 1 = 13.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from shuping.rounds.rules import ReportRules, Rules, Section

Verdict = Literal["ok", "warn", "block"]

_CJK = (
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # ideographs
    r"\U00020000-\U0002ebef"
)
_CJK_PUNCT = (
    r"\u3000-\u303f"  # CJK symbols and punctuation 、。〈〉《》「」『』【】〔〕
    r"\uff00-\uffef"  # full-width forms ，：；！？（）％
    r"\u2010-\u2027"  # dashes, quotes “”‘’, ellipsis …, ·
    r"\u00b7"
)
_TOKEN = re.compile(
    rf"(?P<cjk>[{_CJK}])|(?P<punct>[{_CJK_PUNCT}])"
    r"|(?P<latin>[A-Za-z0-9]+(?:[.,%\-/:+][A-Za-z0-9%]+)*%?)"
    r"|(?P<space>\s+)|(?P<other>.)",
    re.S,
)


def count_chars(text: str) -> int:
    """Characters as offices count them (see the module docstring)."""
    total = 0
    for m in _TOKEN.finditer(text):
        if m.lastgroup != "space":
            total += 1
    return total


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    measured: str
    rule: str
    verdict: Verdict
    message: str
    section: str = ""  # section key when the check concerns one section


def _fmt_share(value: Fraction) -> str:
    return f"{float(value) * 100:.1f}%"


def _level(rules: ReportRules, key: str) -> str:
    return rules.checks.get(key, "warn")


def _verdict(rules: ReportRules, key: str, passed: bool) -> Verdict:
    if passed:
        return "ok"
    return "block" if _level(rules, key) == "block" else "warn"


def _within_target(chars: int, target: int, tolerance: Fraction) -> bool:
    return target * (1 - tolerance) <= chars <= target * (1 + tolerance)


def _target_range(target: int, tolerance: Fraction) -> str:
    low = math.ceil(target * (1 - tolerance))
    high = math.floor(target * (1 + tolerance))
    return f"{target}字左右（{low}–{high}字）"


def check_length(rules: ReportRules, total: int) -> Check | None:
    rule_parts: list[str] = []
    ok = True
    if rules.max_chars is not None:
        rule_parts.append(f"不超过{rules.max_chars}字")
        ok = ok and total <= rules.max_chars  # 不超过/以内: inclusive
    if rules.target_chars is not None:
        rule_parts.append(_target_range(rules.target_chars, rules.tolerance))
        ok = ok and _within_target(total, rules.target_chars, rules.tolerance)
    if not rule_parts:
        return None
    verdict = _verdict(rules, "length", ok)
    msg = "篇幅符合要求" if ok else f"全文{total}字，不符合“{'；'.join(rule_parts)}”"
    return Check("length", "全文篇幅", f"{total}字", "；".join(rule_parts), verdict, msg)


def check_section_length(rules: ReportRules, section: Section, chars: int) -> Check | None:
    rule_parts: list[str] = []
    ok = True
    if section.target_chars is not None:
        rule_parts.append(_target_range(section.target_chars, rules.tolerance))
        ok = ok and _within_target(chars, section.target_chars, rules.tolerance)
    if section.min_chars is not None:
        rule_parts.append(f"不少于{section.min_chars}字")
        ok = ok and chars >= section.min_chars
    if section.max_chars is not None:
        rule_parts.append(f"不超过{section.max_chars}字")
        ok = ok and chars <= section.max_chars
    if not rule_parts:
        return None
    verdict = _verdict(rules, "sections", ok)
    rule = "；".join(rule_parts)
    msg = "符合要求" if ok else f"“{section.title}”{chars}字，要求{rule}"
    return Check(
        "sections", f"“{section.title}”篇幅", f"{chars}字", rule, verdict, msg, section.key
    )


def check_share(rules: ReportRules, section: Section, chars: int, total: int) -> Check | None:
    if section.min_share is None and section.max_share is None and section.target_share is None:
        return None
    share = Fraction(chars, total) if total else Fraction(0)
    rule_parts: list[str] = []
    ok = total > 0
    if section.target_share is not None:
        # "各占三分之一": the same latitude as "左右" for lengths, relative to the target share.
        low = section.target_share * (1 - rules.tolerance)
        high = section.target_share * (1 + rules.tolerance)
        rule_parts.append(
            f"约占全文的{section.target_share}（{_fmt_share(low)}–{_fmt_share(high)}）"
        )
        ok = ok and low <= share <= high
    if section.min_share is not None:
        rule_parts.append(f"不少于全文的{section.min_share}")  # 以上/不少于: inclusive
        ok = ok and share >= section.min_share
    if section.max_share is not None:
        rule_parts.append(f"不超过全文的{section.max_share}")
        ok = ok and share <= section.max_share
    rule = "；".join(rule_parts)
    verdict = _verdict(rules, "shares", ok)
    msg = "比例符合要求" if ok else f"“{section.title}”占全文{_fmt_share(share)}，要求{rule}"
    return Check(
        "shares",
        f"“{section.title}”占比",
        f"{chars}/{total}字（{_fmt_share(share)}）",
        rule,
        verdict,
        msg,
        section.key,
    )


# 用数据和事例说话 ----------------------------------------------------------------

# Chinese numerals only from two characters on ("十二名", "三十余人"),
# so "一个" and "两学一做" stay out
_NUM = r"(?:\d+(?:[.,]\d+)*|[一二两三四五六七八九十百千万]{2,})"
_UNIT = (
    r"(?:%|％|个百分点|余?(?:个|名|人次|人|次|件|项|场|户|家|篇|期|条|天|小时|"
    r"万元|亿元|元|万|亿|平方米|米|公里|亩|所|支|批|轮|份|处|栋|间|台|套|组|类|本|册|部|座|门|笔))"
)
FIGURE_RE = re.compile(rf"(?:{_NUM}{_UNIT})|(?:\d+(?:\.\d+)?\s?[%％])")
# a figure counts only if it is not a list marker like "一是" / "（一）" / "第一"
CASE_RE = re.compile(
    r"例如|比如|譬如|如[\u4e00-\u9fff]{1,12}?(?:村|社区|支部|党支部|小区|街道|企业|公司|学校|医院)"
    r"|以[\u4e00-\u9fff]{1,12}为例|典型案例|典型事例"
)


def count_figures(text: str) -> int:
    return len(FIGURE_RE.findall(text))


def count_cases(text: str) -> int:
    return len(CASE_RE.findall(text))


MIN_FIGURES = 3
MIN_CASES = 1


def check_figures(rules: ReportRules, text: str) -> Check:
    figures = count_figures(text)
    cases = count_cases(text)
    ok = figures >= MIN_FIGURES and cases >= MIN_CASES
    rule = f"用数据和事例说话：至少{MIN_FIGURES}处带单位的数据、{MIN_CASES}处具体事例"
    if ok:
        msg = "数据和事例充分"
    elif figures < MIN_FIGURES:
        msg = f"只找到{figures}处带单位的数据（如“12名”“85%”），请用数据说话"
    else:
        msg = "没有找到具体事例（如“例如……”“如××村……”“以××为例”）"
    return Check(
        "figures",
        "数据和事例",
        f"数据{figures}处，事例{cases}处",
        rule,
        _verdict(rules, "figures", ok),
        msg,
    )


# 把自己摆进去 ---------------------------------------------------------------------

SELF_RE = re.compile(
    r"我作为|作为(?:党组织|党支部|党委|党工委|党总支)?书记|本人|我自身|我个人|自身|我本人|"
    r"我对|我在|我没有|我抓|我的"
)
SUBJECTIVE_RE = re.compile(r"主观")


def _problem_text(rules: ReportRules, sections: Mapping[str, str]) -> tuple[str, str]:
    problem = [s for s in rules.sections if s.role == "problems"]
    if not problem:
        return "全文", "\n".join(sections.values())
    return problem[0].title, "\n".join(sections.get(s.key, "") for s in problem)


def check_self_critique(rules: ReportRules, sections: Mapping[str, str]) -> Check:
    where, text = _problem_text(rules, sections)
    hits = SELF_RE.findall(text)
    ok = bool(hits)
    return Check(
        "self_critique",
        "把自己摆进去",
        f"“{where}”中第一人称责任表述{len(hits)}处",
        "查找问题要讲本人责任（如“我作为书记”“本人”“自身”）",
        _verdict(rules, "self_critique", ok),
        "有本人责任表述" if ok else f"“{where}”没有讲到本人的责任，防止只讲面上问题",
    )


def check_subjective_causes(rules: ReportRules, sections: Mapping[str, str]) -> Check:
    where, text = _problem_text(rules, sections)
    hits = SUBJECTIVE_RE.findall(text)
    ok = bool(hits)
    return Check(
        "subjective_causes",
        "分析主观原因",
        f"“{where}”中“主观”{len(hits)}处",
        "分析原因特别是主观方面的原因",
        _verdict(rules, "subjective_causes", ok),
        "分析了主观原因" if ok else f"“{where}”没有分析主观方面的原因",
    )


def check_rectification(rules: ReportRules, sections: Mapping[str, str]) -> Check:
    rect = [s for s in rules.sections if s.role == "rectification" or s.prefill_rectification]
    if rect:
        chars = sum(count_chars(sections.get(s.key, "")) for s in rect)
        ok = chars > 0
        measured = f"“{rect[0].title}”{chars}字"
        rule = f"“{rect[0].title}”不能为空"
    else:
        text = "\n".join(sections.values())
        hits = text.count("整改")
        ok = hits > 0
        measured = f"“整改”{hits}处"
        rule = "报告上年度整改落实情况"
    return Check(
        "rectification",
        "上年度整改情况",
        measured,
        rule,
        _verdict(rules, "rectification", ok),
        "已报告整改情况" if ok else "没有报告上年度述职评议问题的整改落实情况",
    )


# pages -----------------------------------------------------------------------------

# Seed 003 附件1 layout on A4: text width 21 − 2.8 − 2.6 = 15.6 cm = 442 pt, body 小二 18 pt
# → 24 characters a line; text height 29.7 − 3.7 − 3.5 = 22.5 cm = 638 pt at a fixed
# 32 pt line pitch → 19 lines a page (checked against LibreOffice, see tests/test_export.py).
CHARS_PER_LINE = 24
LINES_PER_PAGE = 19
TITLE_LINES = 4  # title (22 pt bold, may wrap), subtitle, date and a blank line


def estimate_lines(paragraphs: list[str]) -> int:
    lines = 0
    for para in paragraphs:
        # two-character first-line indent; Latin runs count as one here but take about
        # half a cell per letter — close enough for a page estimate
        width = 2 + sum(1 if ord(c) > 0x2E7F else 0.5 for c in para.strip())
        lines += max(1, math.ceil(width / CHARS_PER_LINE))
    return lines


def estimate_pages(sections: list[tuple[str, str]]) -> int:
    """Pages of the official layout for [(heading, body)], from line counts."""
    lines = TITLE_LINES
    for heading, body in sections:
        lines += estimate_lines([heading])
        lines += estimate_lines([p for p in body.splitlines() if p.strip()])
    return max(1, math.ceil(lines / LINES_PER_PAGE))


# Paragraphs of the seeds' sample reports run 150–250 characters; the estimate of what
# the preset's own length needs uses the middle of that.
TYPICAL_PARAGRAPH_CHARS = 200


def required_chars(rules: ReportRules) -> list[tuple[str, int]]:
    """(section title, characters) of a report that just meets the preset's length rules."""
    per_section = [(s.title, s.target_chars or s.min_chars or 0) for s in rules.sections]
    total = rules.target_chars or 0
    known = sum(n for _, n in per_section)
    if known < total and per_section:
        share = (total - known) // max(1, sum(1 for _, n in per_section if not n))
        per_section = [(t, n or share) for t, n in per_section]
    return per_section


def pages_at_required_length(rules: ReportRules) -> int | None:
    """Pages the official layout needs for a report of the preset's own length."""
    wanted = required_chars(rules)
    if not any(n for _, n in wanted):
        return None
    pairs = []
    for title, n in wanted:
        paragraphs = [
            "字" * min(TYPICAL_PARAGRAPH_CHARS, n - i) for i in range(0, n, TYPICAL_PARAGRAPH_CHARS)
        ]
        pairs.append((title, "\n".join(paragraphs)))
    return estimate_pages(pairs)


def page_limit(rules: ReportRules) -> tuple[int | None, int | None]:
    """(the page limit checked, the pages the length rule needs when it overrides the limit)."""
    if rules.max_pages is None:
        return None, None
    needed = pages_at_required_length(rules)
    if needed is not None and needed > rules.max_pages:
        return needed, needed
    return rules.max_pages, None


def length_page_conflict(rules: Rules) -> list[str]:
    """方案说明 when the preset's length and page rules cannot both be met."""
    report = rules.report
    _, needed = page_limit(report)
    if needed is None:
        return []
    length = "、".join(f"{t}{n}字" for t, n in required_chars(report) if n)
    return [
        f"方案要求述职报告约{sum(n for _, n in required_chars(report))}字（{length}），"
        f"按正式格式（每行{CHARS_PER_LINE}字、每页{LINES_PER_PAGE}行）约需{needed}页，"
        f"与“不超过{report.max_pages}页”不能同时满足。系统以字数要求为准，"
        f"页数按约{needed}页提示，不再逐份报告警告。"
    ]


def check_pages(rules: ReportRules, sections: Mapping[str, str]) -> Check | None:
    limit, needed = page_limit(rules)
    if limit is None:
        return None
    pairs = [(s.title, sections.get(s.key, "")) for s in rules.sections]
    pages = estimate_pages(pairs)
    ok = pages <= limit
    expected = f"按正式格式不超过{limit}页"
    if needed is not None:
        expected += f"（方案字数要求约需{needed}页，见方案说明）"
    return Check(
        "pages",
        "篇幅页数",
        f"按正式格式估算约{pages}页",
        expected,
        _verdict(rules, "pages", ok),
        "页数符合要求" if ok else f"按正式格式估算约{pages}页，超过{limit}页",
    )


# all together ------------------------------------------------------------------------


def run_checks(rules: ReportRules, sections: Mapping[str, str]) -> list[Check]:
    """Every check the rules ask for, in a fixed order; checks set to "off" are left out."""
    counts = {s.key: count_chars(sections.get(s.key, "")) for s in rules.sections}
    total = sum(counts.values())
    results: list[Check | None] = [check_length(rules, total)]
    for s in rules.sections:
        results.append(check_section_length(rules, s, counts[s.key]))
    for s in rules.sections:
        results.append(check_share(rules, s, counts[s.key], total))
    text = "\n".join(sections.get(s.key, "") for s in rules.sections)
    results.append(check_figures(rules, text))
    results.append(check_self_critique(rules, sections))
    results.append(check_subjective_causes(rules, sections))
    wants_rect = "rectification" in rules.checks or any(
        s.role == "rectification" or s.prefill_rectification for s in rules.sections
    )
    if wants_rect:
        results.append(check_rectification(rules, sections))
    results.append(check_pages(rules, sections))
    return [c for c in results if c is not None and _level(rules, c.key) != "off"]


def blocking(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.verdict == "block"]


def worst(checks: list[Check]) -> Verdict:
    verdicts = {c.verdict for c in checks}
    return "block" if "block" in verdicts else "warn" if "warn" in verdicts else "ok"


def section_counts(rules: ReportRules, sections: Mapping[str, str]) -> dict[str, int]:
    return {s.key: count_chars(sections.get(s.key, "")) for s in rules.sections}
