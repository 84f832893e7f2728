from __future__ import annotations

import pytest

from shuping.audit.models import AuditEntry
from shuping.ballots import counting, services
from shuping.ballots.models import TRANSITIONS, Ballot, BallotState
from shuping.conftest import Cast
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.meetings.models import Meeting

STATES = list(BallotState.values)


@pytest.mark.parametrize("current", STATES)
@pytest.mark.parametrize("target", STATES)
def test_transition_matrix(current: str, target: str) -> None:
    allowed = (current, target) in {("draft", "open"), ("open", "closed")}
    assert services.can_move(current, target) is allowed
    assert (target in TRANSITIONS[current]) is allowed


def test_open_and_close_through_services(cast: Cast, ballot: Ballot) -> None:
    ballot = services.open_ballot(ballot, actor=cast.host)
    assert ballot.state == BallotState.OPEN
    assert len(ballot.items) == 3
    with pytest.raises(StateError):
        services.open_ballot(ballot, actor=cast.host)
    ballot = services.close_ballot(ballot, actor=cast.organizer)
    assert ballot.state == BallotState.CLOSED and len(ballot.digest) == 64
    with pytest.raises(StateError):
        services.close_ballot(ballot, actor=cast.organizer)
    with pytest.raises(StateError):
        services.open_ballot(ballot, actor=cast.organizer)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"ballot.create", "ballot.open", "ballot.close"} <= actions


def test_close_a_draft_is_refused(ballot: Ballot) -> None:
    with pytest.raises(StateError):
        services.close_ballot(ballot, actor=None)


@pytest.mark.parametrize("who", ["superior", "reporter", "outsider", "street_organizer"])
def test_only_organizer_or_host_of_the_committee_may_open(cast: Cast, ballot: Ballot, who: str):
    with pytest.raises(PermissionDenied):
        services.open_ballot(ballot, actor=getattr(cast, who))
    ballot.refresh_from_db()
    assert ballot.state == BallotState.DRAFT


def test_quorum_gate_refuses_without_reason(cast: Cast, ballot: Ballot, no_quorum: None) -> None:
    with pytest.raises(DomainError) as err:
        services.open_ballot(ballot, actor=cast.host)
    assert err.value.field == "override_reason"
    assert "不足 80%" in err.value.message
    ballot.refresh_from_db()
    assert ballot.state == BallotState.DRAFT


def test_quorum_override_with_reason_is_recorded(
    cast: Cast, ballot: Ballot, no_quorum: None
) -> None:
    ballot = services.open_ballot(
        ballot, actor=cast.host, override_reason="因疫情请假 3 人，经研究继续"
    )
    assert ballot.state == BallotState.OPEN
    assert ballot.override_reason.startswith("因疫情")
    entry = AuditEntry.objects.get(action="ballot.open")
    assert "因疫情" in entry.note and entry.actor == cast.host


def test_reason_not_kept_when_quorum_met(cast: Cast, ballot: Ballot) -> None:
    ballot = services.open_ballot(ballot, actor=cast.host, override_reason="多余")
    assert ballot.override_reason == ""


def test_open_without_evaluated_reporters_is_refused(ballot: Ballot, meeting: Meeting) -> None:
    meeting.agenda.update(evaluated=False)
    with pytest.raises(DomainError):
        services.open_ballot(ballot, actor=None)


def test_one_ballot_per_scope(meeting: Meeting, ballot: Ballot) -> None:
    with pytest.raises(DomainError):
        services.create_ballot(meeting, actor=None)
    with pytest.raises(DomainError):
        services.create_ballot(meeting, actor=None, category="nope")


def test_results_hidden_until_closed(open_ballot: Ballot) -> None:
    with pytest.raises(StateError):
        counting.results(open_ballot)


def test_meeting_level_override_is_carried(
    cast: Cast, ballot: Ballot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuping.meetings.attendance import QuorumStatus

    monkeypatch.setattr(
        services,
        "quorum_status",
        lambda m: QuorumStatus(met=True, lines=[], overridden=True, override_reason="会上已说明"),
    )
    ballot = services.open_ballot(ballot, actor=cast.host)
    assert ballot.override_reason == "会上已说明"
