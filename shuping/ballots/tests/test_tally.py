from __future__ import annotations

from fractions import Fraction

import pytest

from shuping.ballots import casting, counting, services, tally
from shuping.ballots.models import Ballot, Mark
from shuping.ballots.tests.conftest import all_grade, make_meeting, weighted_rules
from shuping.conftest import Cast

RULE = tally.RuleSpec(
    kind="share_exceeds", grades=("一般", "差"), share=Fraction(1, 10), result="差", text="超过10%"
)
ITEMS = [{"id": 1, "name": "甲", "position": "书记"}]
SCALE = ["好", "较好", "一般", "差"]


def _marks(grades: list[str], category: str = "") -> list[tally.MarkRow]:
    return [tally.MarkRow(category, 1, "", g, "valid") for g in grades]


@pytest.mark.parametrize(
    ("bad", "total", "exceeds"), [(1, 10, False), (1, 9, True), (2, 20, False), (3, 20, True)]
)
def test_share_exceeds_is_exclusive(bad: int, total: int, exceeds: bool) -> None:
    grades = ["差"] * bad + ["好"] * (total - bad)
    result = tally.count(marks=_marks(grades), sheets=[], items=ITEMS, scale=SCALE, rules=[RULE])
    outcome = result["reporters"][0]["rules"][0]
    assert outcome["exceeds"] is exceeds
    assert outcome["result"] == ("差" if exceeds else "")
    assert ("未超过" in outcome["reason"]) is (not exceeds)


def test_counts_shares_and_invalid_rows() -> None:
    marks = [
        *_marks(["好", "好", "较好"]),
        tally.MarkRow("", 1, "", "", "none"),
        tally.MarkRow("", 1, "", "", "multiple"),
    ]
    rep = tally.count(marks=marks, sheets=[("", "electronic", 5)], items=ITEMS, scale=SCALE)[
        "reporters"
    ][0]
    assert rep["counts"] == {"好": 2, "较好": 1, "一般": 0, "差": 0}
    assert (rep["valid"], rep["invalid"], rep["none"], rep["multiple"]) == (3, 2, 1, 1)
    assert rep["shares"]["好"] == "2/3"
    assert rep["weighted_shares"] is None


def test_weighted_share_definition() -> None:
    cats = [{"key": "leader", "weight": "2"}, {"key": "mass", "weight": "1"}]
    marks = _marks(["好"], "leader") + _marks(["差", "差"], "mass")
    rep = tally.count(
        marks=marks, sheets=[], items=ITEMS, scale=SCALE, categories=cats, rules=[RULE]
    )["reporters"][0]
    # (2×1) / (2×1 + 1×2) = 1/2 for 好; 差: 2/4 = 1/2
    assert rep["weighted_shares"]["好"] == "1/2"
    assert rep["weighted_shares"]["差"] == "1/2"
    assert rep["rules"][0]["share"] == "1/2" and "加权" in rep["rules"][0]["reason"]


def test_per_indicator_counts(cast: Cast) -> None:
    from shuping.rounds.testing import sample_rules

    rules = sample_rules()
    rules["meetings"][0]["ballot_mode"] = "per_indicator"
    meeting = make_meeting(cast, rules=rules)
    ballot = services.open_ballot(services.create_ballot(meeting, actor=None), actor=None)
    assert len(ballot.rows()) == 3 * 2
    [token] = casting.issue_tokens(ballot, actor=None, category="leader", count=1)
    keys = [r["key"] for r in ballot.rows()]
    casting.submit_sheet(token, choices={keys[0]: ["好"], keys[1]: ["差"]})
    closed = services.close_ballot(ballot, actor=None)
    assert closed.closed_tally is not None
    first = closed.closed_tally["reporters"][0]
    assert [i["counts"]["好"] for i in first["indicators"]] == [1, 0]
    assert [i["counts"]["差"] for i in first["indicators"]] == [0, 1]


def _cast_some(ballot: Ballot) -> None:
    tokens = casting.issue_tokens(ballot, actor=None, category="leader", count=6)
    for token, grade in zip(tokens, ["好", "好", "较好", "一般", "差", "好"], strict=True):
        casting.submit_sheet(token, choices=all_grade(ballot, grade))


def test_recount_equals_figures_fixed_at_close(open_ballot: Ballot) -> None:
    _cast_some(open_ballot)
    closed = services.close_ballot(open_ballot, actor=None)
    fresh = Ballot.objects.get(pk=closed.pk)
    assert counting.recount(fresh) == fresh.closed_tally
    assert counting.results(fresh)["sheets"] == 6
    assert counting.verify_digest(fresh)


def test_tampering_breaks_the_digest(open_ballot: Ballot) -> None:
    _cast_some(open_ballot)
    closed = services.close_ballot(open_ballot, actor=None)
    mark = Mark.objects.filter(grade="差").first()
    assert mark is not None
    Mark.objects.filter(pk=mark.pk).update(grade="好")
    fresh = Ballot.objects.get(pk=closed.pk)
    assert not counting.verify_digest(fresh)
    assert counting.recount(fresh) != fresh.closed_tally


def test_deleting_a_sheet_breaks_the_digest(open_ballot: Ballot) -> None:
    _cast_some(open_ballot)
    closed = services.close_ballot(open_ballot, actor=None)
    from shuping.ballots.models import Sheet

    Sheet.objects.filter(pk=Sheet.objects.first().pk).delete()  # type: ignore[union-attr]
    assert not counting.verify_digest(Ballot.objects.get(pk=closed.pk))


def test_weighted_ballot_end_to_end(cast: Cast) -> None:
    meeting = make_meeting(cast, rules=weighted_rules())
    ballot = services.open_ballot(services.create_ballot(meeting, actor=None), actor=None)
    [lead] = casting.issue_tokens(ballot, actor=None, category="leader", count=1)
    [mass] = casting.issue_tokens(ballot, actor=None, category="mass", count=1)
    casting.submit_sheet(lead, choices=all_grade(ballot, "好"))
    casting.submit_sheet(mass, choices=all_grade(ballot, "差"))
    closed = services.close_ballot(ballot, actor=None)
    assert closed.closed_tally is not None
    rep = closed.closed_tally["reporters"][0]
    assert closed.closed_tally["weighted"] is True
    assert rep["weighted_shares"] == {"好": "2/3", "较好": "0/1", "一般": "0/1", "差": "1/3"}
    assert closed.closed_tally["by_category"] == {"leader": 1, "mass": 1}


def test_recount_query_count_is_constant(open_ballot: Ballot, django_assert_max_num_queries):
    _cast_some(open_ballot)
    closed = services.close_ballot(open_ballot, actor=None)
    fresh = Ballot.objects.select_related("meeting__campaign").get(pk=closed.pk)
    with django_assert_max_num_queries(4):
        counting.recount(fresh)
    with django_assert_max_num_queries(3):
        counting.verify_digest(fresh)


def test_verify_command(open_ballot: Ballot) -> None:
    import io

    from django.core.management import CommandError, call_command

    _cast_some(open_ballot)
    services.close_ballot(open_ballot, actor=None)
    out = io.StringIO()
    call_command("verify_ballots", stdout=out)
    assert "一致" in out.getvalue() and "不一致" not in out.getvalue()
    mark = Mark.objects.exclude(grade="差").first()
    assert mark is not None
    Mark.objects.filter(pk=mark.pk).update(grade="差")
    with pytest.raises(CommandError):
        call_command("verify_ballots", str(open_ballot.pk), stdout=io.StringIO())
