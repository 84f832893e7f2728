"""The quality checks on real-length Chinese samples, one good text per seed shape and
texts broken in one way each."""

from __future__ import annotations

from fractions import Fraction

import pytest

from shuping.reports import checks
from shuping.reports.samples import load_sample
from shuping.reports.tests.conftest import rules_for_shape
from shuping.rounds.presets import shipped_presets
from shuping.rounds.rules import ReportRules, Section, parse_rules


def rules(shape: str) -> ReportRules:
    return parse_rules(rules_for_shape(shape)).report


def verdicts(shape: str, sample: str) -> dict[tuple[str, str], str]:
    return {
        (c.key, c.section): c.verdict for c in checks.run_checks(rules(shape), load_sample(sample))
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("党建", 2),
        ("全年发展党员12名，占比85%。", 13),  # the module docstring's example
        ("一、履职主要情况和特点", 11),
        ("“两学一做”学习教育", 10),
        ("召开会议 18 次", 6),  # spaces do not count; 18 is one
        ("推广APP和PPT", 5),  # 推 广 + APP + 和 + PPT
        ("增长3.5个百分点", 7),
        ("第1.2万小时……", 7),  # 第 + 1.2 + 万 小 时 + … + …
        ("line one\nline two", 4),
    ],
)
def test_count_chars(text: str, expected: int) -> None:
    assert checks.count_chars(text) == expected


def test_samples_are_real_length() -> None:
    total = {
        name: sum(checks.count_chars(t) for t in load_sample(name).values())
        for name in ("000_good", "001_good", "003_good", "004_good")
    }
    assert 700 <= total["000_good"] <= 1000
    assert 2000 <= total["001_good"] <= 3000
    assert 2400 <= total["003_good"] <= 3600
    assert 900 <= total["004_good"] <= 1500


@pytest.mark.parametrize("shape", ["000", "001", "003", "004"])
def test_good_samples_pass_everything(shape: str) -> None:
    results = checks.run_checks(rules(shape), load_sample(f"{shape}_good"))
    bad = [(c.key, c.message) for c in results if c.verdict != "ok"]
    assert bad == []


def test_003_rules_conflict_is_said_once_on_the_plan() -> None:
    """Seed 003 asks for ~3000 characters and at most 6 pages in 小二 body text at a 32 pt
    pitch; a well-formed 2816-character report needs about 8 pages in that layout (confirmed
    with LibreOffice). The plan says so once (方案说明) and the page check measures against
    what the length rule needs, so a compliant report is not warned."""
    shipped = shipped_presets()["003_quwei_liangji"].rules
    notes = checks.length_page_conflict(shipped)
    assert len(notes) == 1 and "约需8页" in notes[0] and "不超过6页" in notes[0]
    results = checks.run_checks(rules("003"), load_sample("003_good"))
    pages = next(c for c in results if c.key == "pages")
    assert pages.verdict == "ok" and pages.measured == "按正式格式估算约8页"
    assert pages.rule == "按正式格式不超过8页（方案字数要求约需8页，见方案说明）"
    # twice the length is still flagged, with the estimate next to the warning
    doubled = {k: v + "\n" + v for k, v in load_sample("003_good").items()}
    pages = next(c for c in checks.run_checks(rules("003"), doubled) if c.key == "pages")
    assert pages.verdict == "warn" and "估算约" in pages.message


@pytest.mark.parametrize("key", ["000_shizong_jiguan", "001_zhen_dangwei", "004_jiedao_shuangshu"])
def test_presets_without_conflict_have_no_note(key: str) -> None:
    assert checks.length_page_conflict(shipped_presets()[key].rules) == []


def test_003_sections_measured() -> None:
    results = checks.run_checks(rules("003"), load_sample("003_good"))
    by = {(c.key, c.section): c for c in results}
    assert by[("sections", "problems")].measured == "931字"
    assert by[("sections", "problems")].rule == "不少于900字"
    assert by[("sections", "performance")].rule == "1500字左右（1200–1800字）"
    assert by[("length", "")].measured == "2816字"


def test_003_short_problems_blocks_and_says_why() -> None:
    results = checks.run_checks(rules("003"), load_sample("003_bad_short_problems"))
    problems = next(c for c in results if c.key == "sections" and c.section == "problems")
    assert problems.verdict == "block"  # SAMPLE_RULES: sections → block
    assert "551字" in problems.message and "不少于900字" in problems.message
    assert checks.blocking(results) == [problems]


def test_003_without_self_critique_warns() -> None:
    v = verdicts("003", "003_bad_no_self")
    assert v[("self_critique", "")] == "warn"
    assert v[("subjective_causes", "")] == "warn"
    assert v[("length", "")] == "ok"


def test_003_too_long_warns_on_length_and_pages() -> None:
    v = verdicts("003", "003_bad_too_long")
    assert v[("length", "")] == "warn"
    assert v[("pages", "")] == "warn"
    assert v[("sections", "performance")] == "block"


def test_000_too_long_blocks_on_length_and_share() -> None:
    v = verdicts("000", "000_bad_too_long")
    assert v[("length", "")] == "block"
    assert v[("shares", "work")] == "block"  # 769/1227 > 1/2


def test_000_without_figures_warns() -> None:
    results = checks.run_checks(rules("000"), load_sample("000_bad_no_figures"))
    fig = next(c for c in results if c.key == "figures")
    assert fig.verdict == "warn"
    assert fig.measured.startswith("数据0处")


def test_001_thirds_block() -> None:
    v = verdicts("001", "001_bad_thirds")
    assert v[("shares", "problems")] == "block"
    assert v[("shares", "performance")] == "block"  # 879/1708 > 2/5


def test_004_missing_rectification_blocks() -> None:
    v = verdicts("004", "004_bad_no_rectification")
    assert v[("rectification", "")] == "block"
    assert v[("shares", "problems")] == "block"


def _share_rules(min_share: str | None = None, max_share: str | None = None) -> ReportRules:
    return ReportRules(
        sections=(
            Section(
                "a",
                "主要工作",
                role="achievements",
                max_share=Fraction(max_share) if max_share else None,
            ),
            Section(
                "p",
                "存在问题",
                role="problems",
                min_share=Fraction(min_share) if min_share else None,
            ),
        ),
        checks={"shares": "block"},
    )


@pytest.mark.parametrize(
    ("problem_chars", "ok"),
    [(100, True), (99, False), (101, True)],  # of 300: exactly 1/3 satisfies 不少于1/3
)
def test_share_boundary_inclusive_min(problem_chars: int, ok: bool) -> None:
    r = _share_rules(min_share="1/3")
    check = checks.check_share(r, r.sections[1], problem_chars, 300)
    assert check is not None and (check.verdict == "ok") is ok


@pytest.mark.parametrize(("work_chars", "ok"), [(150, True), (151, False)])  # 不超过1/2
def test_share_boundary_inclusive_max(work_chars: int, ok: bool) -> None:
    r = _share_rules(max_share="1/2")
    check = checks.check_share(r, r.sections[0], work_chars, 300)
    assert check is not None and (check.verdict == "ok") is ok


@pytest.mark.parametrize(("total", "ok"), [(1000, True), (1001, False)])  # 1000字以内
def test_max_chars_inclusive(total: int, ok: bool) -> None:
    r = ReportRules(sections=(Section("a", "甲"),), max_chars=1000, checks={"length": "block"})
    check = checks.check_length(r, total)
    assert check is not None and (check.verdict == "ok") is ok


@pytest.mark.parametrize(
    ("total", "ok"), [(2399, False), (2400, True), (3600, True), (3601, False)]
)
def test_target_tolerance(total: int, ok: bool) -> None:
    r = ReportRules(sections=(Section("a", "甲"),), target_chars=3000)
    check = checks.check_length(r, total)
    assert check is not None and (check.verdict == "ok") is ok


def test_figures_and_cases_counted() -> None:
    text = "全年发展党员18名，占比77.8%，走访136户。例如，金顶街社区建立驿站。两学一做，一个问题。"
    assert checks.count_figures(text) == 3
    assert checks.count_cases(text) == 1
    assert checks.count_cases("如模式口社区推行包楼包户；以西山小区为例") == 2


def test_off_checks_are_left_out() -> None:
    r = parse_rules(rules_for_shape("003")).report
    r = ReportRules(sections=r.sections, target_chars=3000, checks={"figures": "off"})
    keys = {c.key for c in checks.run_checks(r, load_sample("003_good"))}
    assert "figures" not in keys and "length" in keys


def test_page_estimate_for_the_official_layout() -> None:
    pairs = [(s.title, load_sample("003_good")[s.key]) for s in rules("003").sections]
    # 2816 characters in 小二 at 24 a line and 19 lines a page, paragraph ends included
    assert checks.estimate_pages(pairs) == 8


def test_shipped_preset_001_thirds_use_target_share():
    """Seed 001: 履职情况、存在问题和原因、下一步措施 "各占三分之一" (within the 左右 tolerance)."""
    from shuping.rounds.presets import get_preset

    rules = parse_rules(get_preset("001_zhen_dangwei").rules_data).report
    keys = [s.key for s in rules.sections]
    even = dict.fromkeys(keys, "党" * 800)
    assert {c.verdict for c in checks.run_checks(rules, even) if c.key == "shares"} == {"ok"}
    # 1300/3100 = 41.9% is past 1/3 + 1/5 of it (40%); 900/3100 = 29.0% is within (26.7%–40%).
    lopsided = {keys[0]: "党" * 1300, keys[1]: "党" * 900, keys[2]: "党" * 900}
    verdicts = {(c.key, c.section): c.verdict for c in checks.run_checks(rules, lopsided)}
    assert verdicts[("shares", keys[0])] != "ok"
    assert verdicts[("shares", keys[1])] == "ok"
