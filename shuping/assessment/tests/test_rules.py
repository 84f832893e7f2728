"""Every grading rule at and around its boundary, as pure functions (no database)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from shuping.assessment import engine
from shuping.assessment.engine import MeetingTally, ReporterInput
from shuping.assessment.tests.conftest import rules_002, rules_004
from shuping.rounds.rules import GRADING_KINDS, PresetError, parse_rules


def tally(
    counts: dict[str, int], key: str = "committee", title: str = "述职评议会"
) -> MeetingTally:
    valid = sum(counts.values())
    return MeetingTally(
        key=key,
        title=title,
        valid=valid,
        counts=counts,
        shares={g: Fraction(n, valid) for g, n in counts.items()},
    )


def person(i: int, *meetings: MeetingTally, **kw: Any) -> ReporterInput:
    return ReporterInput(reporter_id=i, name=f"书记{i}", order=i, meetings=meetings, **kw)


def test_every_kind_has_one_function() -> None:
    assert set(engine.REPORTER_RULES) | set(engine.BOARD_RULES) == set(GRADING_KINDS)
    assert not set(engine.REPORTER_RULES) & set(engine.BOARD_RULES)


@pytest.mark.parametrize(
    ("bad", "good", "grade"),
    [
        (1, 9, "好"),  # exactly 10%: not over
        (2, 18, "好"),  # exactly 10% again, other numbers
        (2, 17, "差"),  # 2/19 ≈ 10.5%: over
    ],
)
def test_share_exceeds_at_ten_percent(bad: int, good: int, grade: str) -> None:
    rules = parse_rules(rules_002())
    out = engine.propose(rules, [person(1, tally({"好": good, "较好": 0, "一般": bad, "差": 0}))])
    step = next(s for s in out.proposals[0].steps if "10%" in s.rule)
    assert out.proposals[0].grade == grade
    assert ("未超过" in step.reason) == (grade == "好")


def test_share_exceeds_just_over_with_many_votes() -> None:
    rules = parse_rules(rules_002())
    # 10 of 99 valid = 10.1% > 10%
    out = engine.propose(rules, [person(1, tally({"好": 89, "一般": 5, "差": 5}))])
    assert out.proposals[0].grade == "差"
    out = engine.propose(rules, [person(1, tally({"好": 90, "一般": 5, "差": 5}))])
    assert out.proposals[0].grade != "差"


def test_flag_forces_grade_with_basis_in_trace() -> None:
    rules = parse_rules(rules_002())
    clean = person(1, tally({"好": 10}))
    flagged = person(2, tally({"好": 10}), flags={"accountability": "2025年6月被区纪委问责"})
    out = engine.propose(rules, [clean, flagged])
    assert [p.grade for p in out.proposals] == ["好", "差"]
    reasons = " ".join(s.reason for s in out.proposals[1].steps)
    assert "2025年6月被区纪委问责" in reasons
    assert "未记录" in " ".join(s.reason for s in out.proposals[0].steps)


def test_weighted_two_meetings_and_daily_score() -> None:
    rules = parse_rules(rules_004())
    members = tally({"优秀": 10, "称职": 0}, key="members", title="向党员大会述职")  # 100
    committee = tally({"优秀": 5, "称职": 5}, key="committee", title="向党工委述职")  # 90
    out = engine.propose(rules, [person(1, members, committee, daily_score=Fraction(80))])
    p = out.proposals[0]
    # (100×1/2 + 90×1/2) × 70% + 80 × 30% = 66.5 + 24 = 90.5
    assert p.score == Fraction(181, 2)
    assert p.grade == "优秀"
    joined = "\n".join(p.inputs)
    assert "100.00×50.0%" in joined and "90.00×50.0%" in joined and "90.50" in joined


def test_band_boundary_is_inclusive() -> None:
    rules = parse_rules(rules_004())
    # exactly 90 → 优秀 (90分以上 includes 90)
    out = engine.propose(
        rules,
        [
            person(
                1,
                tally({"优秀": 1, "称职": 1}, key="members"),
                tally({"优秀": 1}, key="committee"),
                daily_score=Fraction(90),
            )
        ],
    )
    # members 90, committee 100 → 95 ×0.7 = 66.5 + 27 = 93.5
    assert out.proposals[0].grade == "优秀"
    exact = engine.band_grade(Fraction(90), engine.method_for(rules).bands)
    below = engine.band_grade(Fraction(8999, 100), engine.method_for(rules).bands)
    assert exact[0] == "优秀" and below[0] == "称职"


def _quota_inputs(scores: list[int]) -> list[ReporterInput]:
    # one meeting, all 优秀 → meeting score 100; the daily score sets the composite
    return [
        person(
            i,
            tally({"优秀": 10}, key="members"),
            tally({"优秀": 10}, key="committee"),
            daily_score=Fraction(s),
        )
        for i, s in enumerate(scores, start=1)
    ]


def test_quota_max_cuts_beyond_four() -> None:
    rules = parse_rules(rules_004())
    out = engine.propose(rules, _quota_inputs([100, 99, 98, 97, 96, 95]))
    grades = [p.grade for p in out.proposals]
    assert grades == ["优秀"] * 4 + ["称职"] * 2
    assert any("超出名额" in s.reason for s in out.proposals[4].steps)
    assert not out.warnings


def test_quota_max_tie_at_cut_is_deterministic_and_warned() -> None:
    rules = parse_rules(rules_004())
    # 4th and 5th tie on score and top share: round order decides, the page warns
    out = engine.propose(rules, _quota_inputs([100, 99, 98, 97, 97]))
    assert [p.grade for p in out.proposals] == ["优秀"] * 4 + ["称职"]
    assert out.warnings and "并列" in out.warnings[0] and "述职顺序" in out.warnings[0]
    again = engine.propose(rules, list(reversed(_quota_inputs([100, 99, 98, 97, 97]))))
    assert {p.reporter_id: p.grade for p in again.proposals}[5] == "称职"


def test_quota_max_exactly_four_passes() -> None:
    rules = parse_rules(rules_004())
    out = engine.propose(rules, _quota_inputs([100, 99, 98, 97]))
    assert all(p.grade == "优秀" for p in out.proposals)
    assert engine.quota_max_violations(rules, ["优秀"] * 4) == []
    assert engine.quota_max_violations(rules, ["优秀"] * 5)


@pytest.mark.parametrize(
    ("below", "total", "warns"),
    [(2, 5, False), (3, 10, False), (5, 10, False), (2, 10, True), (6, 10, True), (0, 5, True)],
)
def test_quota_about_forty_percent_warns_never_blocks(below: int, total: int, warns: bool) -> None:
    rules = parse_rules(rules_002())
    rule = next(r for r in rules.grading if r.kind == "quota_about")
    grades = ["较好"] * below + ["好"] * (total - below)
    warning = engine.quota_about_warning(rule, grades)
    assert bool(warning) == warns
    if warns:
        assert f"{below}/{total}" in warning


def test_ranking_competition_order() -> None:
    rules = parse_rules(rules_004())
    out = engine.propose(rules, _quota_inputs([90, 95, 95, 80]))
    assert [p.rank for p in out.proposals] == [3, 1, 1, 4]


def test_no_votes_no_daily_no_grade() -> None:
    rules = parse_rules(rules_002())
    out = engine.propose(rules, [person(1)])
    assert out.proposals[0].grade == ""
    assert "无法建议等次" in out.proposals[0].steps[0].reason


def test_default_method_without_preset_setting() -> None:
    rules = parse_rules(rules_002(grading_method=None))
    method = engine.method_for(rules)
    assert method.points == {"好": 100, "较好": 67, "一般": 33, "差": 0}
    assert [b.min_score for b in method.bands] == [90, 75, 60, 0]


@pytest.mark.parametrize(
    ("grading", "path"),
    [
        ([{"kind": "lottery"}], "grading[0].kind"),
        ([{"kind": "flag", "result": "差"}], "grading[0].flag"),
        ([{"kind": "quota_max", "grades": ["优秀"]}], "grading[0]"),
        (
            [{"kind": "share_exceeds", "grades": ["一般"], "share": "1/10", "result": "较差"}],
            "grading[0]",
        ),
    ],
)
def test_preset_with_unknown_rule_or_grade_fails_with_path(
    grading: list[dict[str, Any]], path: str
) -> None:
    with pytest.raises(PresetError) as exc:
        parse_rules(rules_002(grading=grading))
    assert exc.value.path.startswith(path)


def test_preset_grading_method_validated() -> None:
    data = rules_004()
    data["grading_method"]["bands"][0]["grade"] = "卓越"
    with pytest.raises(PresetError) as exc:
        parse_rules(data)
    assert exc.value.path == "grading_method.bands[0].grade"
    data = rules_004()
    data["grading_method"]["meeting_weights"] = {"plenary": "1/2"}
    with pytest.raises(PresetError) as exc:
        parse_rules(data)
    assert exc.value.path == "grading_method.meeting_weights.plenary"
