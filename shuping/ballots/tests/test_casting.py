from __future__ import annotations

import threading

import pytest
from django.db import connection

from shuping.ballots import casting, counting, services
from shuping.ballots.models import Ballot, BallotToken, Mark, Nullifier, SealedSheet, Sheet
from shuping.ballots.tests.conftest import all_grade, make_meeting, unsealed
from shuping.conftest import Cast
from shuping.lib.errors import DomainError, StateError


def test_issue_tokens_stores_only_hashes(open_ballot: Ballot) -> None:
    tokens = casting.issue_tokens(open_ballot, actor=None, category="leader", count=5)
    assert len(set(tokens)) == 5 and all(len(t) >= 22 for t in tokens)
    stored = set(BallotToken.objects.values_list("token_hash", flat=True))
    assert stored == {casting.hash_token(t) for t in tokens}
    assert not stored & set(tokens)


def test_issue_tokens_bad_input(open_ballot: Ballot) -> None:
    with pytest.raises(DomainError) as err:
        casting.issue_tokens(open_ballot, actor=None, category="leader", count=0)
    assert err.value.field == "count"
    with pytest.raises(DomainError) as err:
        casting.issue_tokens(open_ballot, actor=None, category="nobody", count=1)
    assert err.value.field == "category"


def test_token_single_use(open_ballot: Ballot) -> None:
    [token] = casting.issue_tokens(open_ballot, actor=None, category="leader", count=1)
    casting.submit_sheet(token, choices=all_grade(open_ballot, "好"))
    with pytest.raises(casting.TokenError) as err:
        casting.submit_sheet(token, choices=all_grade(open_ballot, "差"))
    assert err.value.reason == "used"
    [(_, rows, _)] = unsealed(open_ballot)
    assert {r[2] for r in rows} == {"好"}
    services.close_ballot(open_ballot, actor=None)
    assert Sheet.objects.count() == 1
    assert set(Mark.objects.values_list("grade", flat=True)) == {"好"}


@pytest.mark.parametrize(
    ("state", "reason"), [("draft", "draft"), ("closed", "closed"), ("unknown", "unknown")]
)
def test_token_messages(ballot: Ballot, state: str, reason: str) -> None:
    [token] = casting.issue_tokens(ballot, actor=None, category="leader", count=1)
    if state == "closed":
        services.open_ballot(ballot, actor=None)
        services.close_ballot(ballot, actor=None)
    if state == "unknown":
        token = "x" * 22
    with pytest.raises(casting.TokenError) as err:
        casting.token_ballot(token)
    assert err.value.reason == reason
    assert err.value.message == casting.TOKEN_MESSAGES[reason]


def test_tokens_cannot_be_issued_after_close(open_ballot: Ballot) -> None:
    services.close_ballot(open_ballot, actor=None)
    with pytest.raises(StateError):
        casting.issue_tokens(open_ballot, actor=None, category="leader", count=1)


def test_invalid_rows_are_stored_as_invalid_and_the_rest_counts(open_ballot: Ballot) -> None:
    [token] = casting.issue_tokens(open_ballot, actor=None, category="leader", count=1)
    keys = [r["key"] for r in open_ballot.rows()]
    casting.submit_sheet(token, choices={keys[0]: ["好"], keys[1]: ["好", "差"]})
    closed = services.close_ballot(open_ballot, actor=None)
    statuses = dict(Mark.objects.values_list("item", "status"))
    items = [int(i["id"]) for i in open_ballot.items]
    assert statuses == {items[0]: "valid", items[1]: "multiple", items[2]: "none"}
    assert closed.closed_tally is not None
    first, second, third = closed.closed_tally["reporters"]
    assert first["valid"] == 1 and first["counts"]["好"] == 1
    assert second["invalid"] == 1 and second["multiple"] == 1
    assert third["invalid"] == 1 and third["none"] == 1


def test_unknown_rows_or_grades_are_refused(open_ballot: Ballot) -> None:
    [token] = casting.issue_tokens(open_ballot, actor=None, category="leader", count=1)
    with pytest.raises(DomainError):
        casting.submit_sheet(token, choices={"r999": ["好"]})
    with pytest.raises(DomainError):
        casting.submit_sheet(token, choices={open_ballot.rows()[0]["key"]: ["优秀"]})
    assert not Sheet.objects.exists() and not SealedSheet.objects.exists()
    assert not Nullifier.objects.exists()  # the token is still unspent


def test_submit_query_count_does_not_grow_with_reporters(
    cast: Cast, django_assert_max_num_queries
) -> None:
    counts = []
    for n in (2, 5):
        meeting = make_meeting(cast, n=n, year=2020 + n)
        ballot = services.open_ballot(services.create_ballot(meeting, actor=None), actor=None)
        [token] = casting.issue_tokens(ballot, actor=None, category="leader", count=1)
        with django_assert_max_num_queries(8) as ctx:
            casting.submit_sheet(token, choices=all_grade(ballot, "好"))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db(transaction=True)
def test_one_submission_per_token_under_concurrency(cast: Cast) -> None:
    meeting = make_meeting(cast)
    ballot = services.open_ballot(services.create_ballot(meeting, actor=None), actor=None)
    [token] = casting.issue_tokens(ballot, actor=None, category="leader", count=1)
    choices = all_grade(ballot, "较好")
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def cast_one() -> None:
        try:
            barrier.wait()
            casting.submit_sheet(token, choices=choices)
            outcomes.append("ok")
        except casting.TokenError as exc:
            outcomes.append(exc.reason)
        except Exception as exc:  # pragma: no cover - shown on failure
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=cast_one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    refusals = [o for o in outcomes if o != "ok"]
    if connection.vendor == "sqlite":
        # The in-memory test database uses SQLite's shared cache, which reports contention
        # as "table is locked" instead of waiting; either way the sheet was refused.
        assert all(o == "used" or "locked" in o for o in refusals), refusals
    else:
        assert refusals == ["used"] * 7
    assert SealedSheet.objects.count() == 1 and Nullifier.objects.count() == 1
    services.close_ballot(Ballot.objects.get(pk=ballot.pk), actor=None)
    assert Sheet.objects.count() == 1
    assert Mark.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_no_sheet_slips_in_after_close(cast: Cast) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes every writer; the race exists only on PostgreSQL")
    meeting = make_meeting(cast)
    ballot = services.open_ballot(services.create_ballot(meeting, actor=None), actor=None)
    tokens = casting.issue_tokens(ballot, actor=None, category="leader", count=12)
    choices = all_grade(ballot, "好")
    barrier = threading.Barrier(13)

    def cast_one(token: str) -> None:
        try:
            barrier.wait()
            casting.submit_sheet(token, choices=choices)
        except casting.TokenError:
            pass
        finally:
            connection.close()

    def close() -> None:
        try:
            barrier.wait()
            services.close_ballot(Ballot.objects.get(pk=ballot.pk), actor=None)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast_one, args=(t,)) for t in tokens]
    threads.append(threading.Thread(target=close))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    closed = Ballot.objects.get(pk=ballot.pk)
    assert closed.closed_tally is not None
    assert counting.verify_digest(closed)
    assert Sheet.objects.count() == closed.closed_tally["sheets"]
    assert Nullifier.objects.filter(ballot=ballot).count() == Sheet.objects.count()
    assert not SealedSheet.objects.exists()


def test_the_hot_statements_are_prepared_on_postgresql(open_ballot: Ballot) -> None:
    """The token lookup and the cast are parsed and planned once per connection, not per
    ballot; the ORM's statements stay unprepared (bound client-side, spliced text)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite caches its statements itself")
    tokens = casting.issue_tokens(open_ballot, actor=None, category="leader", count=8)
    choices = all_grade(open_ballot, "好")
    for token in tokens:
        casting.submit_sheet(token, choices=choices)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("ballots_ballottoken" in s and "token_hash" in s for s in prepared), prepared
    assert any("INSERT INTO ballots_nullifier" in s for s in prepared), prepared
    assert all("$1" in s for s in prepared)  # parameters are never part of the statement
    assert Nullifier.objects.count() == 8
