from __future__ import annotations

from fractions import Fraction

import pytest

from shuping.rounds.rules import PresetError, parse_rules
from shuping.rounds.testing import sample_rules


def test_sample_rules_parse():
    rules = parse_rules(sample_rules())
    assert rules.report.sections[1].min_chars == 900
    assert rules.grading[0].share == Fraction(1, 10)
    assert rules.meeting("committee").minutes_per_report == 15


@pytest.mark.parametrize(
    ("patch", "path"),
    [
        ({"ballot_scale": ["好"]}, "ballot_scale"),
        ({"unknown": 1}, "(根)"),
        ({"grading": [{"kind": "share_exceeds", "grades": ["坏"], "result": "差"}]}, "grading[0]"),
        (
            {"grading": [{"kind": "share_exceeds", "share": "2", "result": "差"}]},
            "grading[0].share",
        ),
    ],
)
def test_bad_rules_name_the_place(patch, path):
    with pytest.raises(PresetError) as err:
        parse_rules(sample_rules(**patch))
    assert err.value.path == path
