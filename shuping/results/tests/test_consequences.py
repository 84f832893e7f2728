"""Each seed's consequences, read from its shipped preset (pure functions, no database)."""

from __future__ import annotations

import copy

import pytest

from shuping.results.consequences import KINDS, PastGrade, Subject, evaluate
from shuping.rounds.presets import shipped_presets
from shuping.rounds.rules import CONSEQUENCE_KINDS, PresetError, parse_rules


def rules_of(key: str):
    return shipped_presets()[key].rules


def kinds(outcome) -> list[str]:
    return sorted(t.kind for t in outcome.tasks)


def test_every_kind_has_a_function():
    assert set(KINDS) == set(CONSEQUENCE_KINDS)


@pytest.mark.parametrize("key", ["000_shizong_jiguan", "001_zhen_dangwei"])
def test_000_001_only_good_may_be_excellent_and_weak_grades_are_talked_to(key):
    rules = rules_of(key)
    good = evaluate(rules, Subject(grade="好", year=2017, round_title="r"))
    assert good.annual_excellent and good.tasks == ()
    fair = evaluate(rules, Subject(grade="较好", year=2017, round_title="r"))
    assert not fair.annual_excellent and "优秀" in fair.annual_excellent_reason
    for grade in ("一般", "差"):
        outcome = evaluate(rules, Subject(grade=grade, year=2017, round_title="r"))
        assert kinds(outcome) == ["rectify", "talk"]  # 问责 only where serious
        assert not outcome.annual_excellent
        serious = evaluate(
            rules, Subject(grade=grade, year=2017, round_title="r", flags=frozenset({"serious"}))
        )
        assert kinds(serious) == ["accountability", "rectify", "talk"]


def test_001_inattentive_flag_means_a_talk_whatever_the_grade():
    rules = rules_of("001_zhen_dangwei")
    outcome = evaluate(
        rules, Subject(grade="好", year=2017, round_title="r", flags=frozenset({"inattentive"}))
    )
    assert kinds(outcome) == ["rectify", "talk"]
    assert any("思想上不重视" in r for r in outcome.reasons)
    both = evaluate(
        rules, Subject(grade="差", year=2017, round_title="r", flags=frozenset({"inattentive"}))
    )
    assert kinds(both) == ["rectify", "talk"]  # one talk, not two


def test_002_poor_means_talk_and_rectification():
    rules = rules_of("002_shichang_jianguan")
    assert kinds(evaluate(rules, Subject(grade="差", year=2023, round_title="r"))) == [
        "rectify",
        "talk",
    ]
    assert evaluate(rules, Subject(grade="一般", year=2023, round_title="r")).tasks == ()


def test_003_no_automatic_task_only_the_basis_for_the_eligibility_list():
    rules = rules_of("003_quwei_liangji")
    for grade in rules.assessment_scale:
        outcome = evaluate(rules, Subject(grade=grade, year=2020, round_title="r"))
        assert outcome.tasks == () and outcome.annual_excellent
        assert "年度考核" in outcome.annual_excellent_reason


def test_004_each_grade():
    rules = rules_of("004_jiedao_shuangshu")
    best = evaluate(rules, Subject(grade="优秀", year=2018, round_title="r"))
    assert kinds(best) == ["commend"] and best.annual_excellent
    ok = evaluate(rules, Subject(grade="称职", year=2018, round_title="r"))
    assert ok.tasks == () and not ok.annual_excellent and "优秀个人" in ok.annual_excellent_reason
    basic = evaluate(rules, Subject(grade="基本称职", year=2018, round_title="r"))
    assert kinds(basic) == ["rectify", "reminder_talk", "revoke_awards"]
    assert basic.unit_awards_revoked and "取消该单位" in basic.unit_awards_reason
    bad = evaluate(rules, Subject(grade="不称职", year=2018, round_title="r"))
    assert kinds(bad) == ["org_handling"]


def test_004_basic_two_consecutive_years_means_organizational_handling():
    rules = rules_of("004_jiedao_shuangshu")
    last = PastGrade(year=2017, grade="基本称职", round_title="区委2017年度述职评议")
    outcome = evaluate(
        rules,
        Subject(grade="基本称职", year=2018, round_title="街道2018年度双述双评", history=(last,)),
    )
    assert "org_handling" in kinds(outcome)
    task = next(t for t in outcome.tasks if t.kind == "org_handling")
    assert "《区委2017年度述职评议》" in task.reason
    assert "《街道2018年度双述双评》" in task.reason


@pytest.mark.parametrize(
    "history",
    [
        (PastGrade(year=2016, grade="基本称职", round_title="a"),),  # not consecutive
        (PastGrade(year=2017, grade="称职", round_title="a"),),  # other grade
        (),
    ],
)
def test_004_repeated_rule_not_triggered(history):
    rules = rules_of("004_jiedao_shuangshu")
    outcome = evaluate(
        rules, Subject(grade="基本称职", year=2018, round_title="r", history=history)
    )
    assert "org_handling" not in kinds(outcome)


def _with(key: str, path: list, value):
    data = copy.deepcopy(shipped_presets()[key].rules_data)
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return data


def test_unknown_kind_fails_validation_with_the_field_path():
    data = _with("004_jiedao_shuangshu", ["consequences", 2, "kind"], "lottery")
    with pytest.raises(PresetError) as err:
        parse_rules(data)
    assert err.value.path == "consequences[2].kind"


def test_unknown_task_kind_and_flag_fail_validation():
    data = _with("004_jiedao_shuangshu", ["consequences", 2, "tasks", 0, "kind"], "party")
    with pytest.raises(PresetError) as err:
        parse_rules(data)
    assert err.value.path == "consequences[2].tasks[0].kind"
    data = _with("000_shizong_jiguan", ["consequences", 2, "tasks", 2, "only_flag"], "nope")
    with pytest.raises(PresetError) as err:
        parse_rules(data)
    assert err.value.path == "consequences[2].tasks[2].only_flag"
