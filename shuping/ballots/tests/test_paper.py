from __future__ import annotations

import pytest

from shuping.ballots import casting, counting, paper, services
from shuping.ballots.models import Ballot, Sheet
from shuping.ballots.tests.conftest import all_grade
from shuping.conftest import Cast
from shuping.lib.errors import DomainError, PermissionDenied, StateError


def _enter(ballot: Ballot, user, number: int, choices, **kw):  # type: ignore[no-untyped-def]
    return paper.record_paper_entry(
        ballot, actor=user, number=number, category="leader", choices=choices, **kw
    )


@pytest.fixture(autouse=True)
def handed_out(open_ballot: Ballot) -> None:
    paper.set_paper_handed_out(open_ballot, actor=None, count=10)


def test_two_matching_passes_count(cast: Cast, open_ballot: Ballot) -> None:
    choices = all_grade(open_ballot, "较好")
    first = _enter(open_ballot, cast.organizer, 1, choices)
    second = _enter(open_ballot, cast.host, 1, choices)
    assert (first.pass_no, second.pass_no) == (1, 2)
    status = paper.paper_status(open_ballot)
    assert status.matched == [1] and not status.mismatched and not status.single
    closed = services.close_ballot(open_ballot, actor=cast.host)
    assert closed.closed_tally is not None
    assert closed.closed_tally["by_channel"] == {"paper": 1}
    assert closed.closed_tally["reporters"][0]["counts"]["较好"] == 1


def test_same_clerk_cannot_do_both_passes(cast: Cast, open_ballot: Ballot) -> None:
    choices = all_grade(open_ballot, "好")
    _enter(open_ballot, cast.organizer, 7, choices)
    with pytest.raises(DomainError) as err:
        _enter(open_ballot, cast.organizer, 7, choices)
    assert err.value.field == "number"
    assert paper.paper_status(open_ballot).single == [7]


def test_mismatch_is_listed_and_excluded_until_resolved(cast: Cast, open_ballot: Ballot) -> None:
    keys = [r["key"] for r in open_ballot.rows()]
    a = all_grade(open_ballot, "好")
    b = {**a, keys[1]: ["一般"]}
    _enter(open_ballot, cast.organizer, 3, a)
    _enter(open_ballot, cast.host, 3, b)
    _enter(open_ballot, cast.organizer, 4, a)  # single pass
    status = paper.paper_status(open_ballot)
    assert status.mismatched == [{"number": 3, "rows": [open_ballot.items[1]["name"]]}]
    assert status.single == [4]
    with pytest.raises(StateError):
        services.close_ballot(open_ballot, actor=cast.host)
    # The host's clerk re-reads the form and corrects their own pass.
    _enter(open_ballot, cast.host, 3, a, correct=True)
    assert paper.paper_status(open_ballot).matched == [3]
    closed = services.close_ballot(open_ballot, actor=cast.host, exclude_unmatched=True)
    assert closed.closed_tally is not None and closed.closed_tally["sheets"] == 1
    assert Sheet.objects.count() == 1


def test_invalid_paper_rows(cast: Cast, open_ballot: Ballot) -> None:
    keys = [r["key"] for r in open_ballot.rows()]
    choices = {keys[0]: ["好"], keys[1]: [], keys[2]: ["好", "差"]}
    _enter(open_ballot, cast.organizer, 1, choices)
    _enter(open_ballot, cast.host, 1, choices)
    closed = services.close_ballot(open_ballot, actor=cast.host)
    assert closed.closed_tally is not None
    reps = closed.closed_tally["reporters"]
    assert [r["valid"] for r in reps] == [1, 0, 0]
    assert (reps[1]["none"], reps[2]["multiple"]) == (1, 1)


def test_paper_bad_input_and_state(cast: Cast, ballot: Ballot, open_ballot: Ballot) -> None:
    with pytest.raises(DomainError) as err:
        _enter(open_ballot, cast.organizer, 0, all_grade(open_ballot, "好"))
    assert err.value.field == "number"
    with pytest.raises(DomainError) as err:
        _enter(open_ballot, cast.organizer, 1, {open_ballot.rows()[0]["key"]: ["好"]})
    assert err.value.field == "choices"
    with pytest.raises(PermissionDenied):
        _enter(open_ballot, cast.superior, 1, all_grade(open_ballot, "好"))
    services.close_ballot(open_ballot, actor=None)
    with pytest.raises(StateError):
        _enter(open_ballot, cast.organizer, 1, all_grade(open_ballot, "好"))


def test_turnout_counts_paper_against_handed_out(cast: Cast, open_ballot: Ballot) -> None:
    paper.set_paper_handed_out(open_ballot, actor=cast.host, count=30)
    _enter(open_ballot, cast.organizer, 1, all_grade(open_ballot, "好"))
    casting.issue_tokens(open_ballot, actor=None, category="leader", count=5)
    t = counting.turnout(Ballot.objects.get(pk=open_ballot.pk))
    assert t == {
        "state": "open",
        "issued": 5,
        "submitted": 0,
        "paper_handed_out": 30,
        "paper_entered": 1,
    }
