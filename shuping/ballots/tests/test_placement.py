"""Ballots only where they make sense: a running meeting, one vote per category and
reporter, and no more paper sheets counted than handed out without a reason."""

from __future__ import annotations

import pytest
from django.test import Client

from shuping.audit.models import AuditEntry
from shuping.ballots import casting, paper, services
from shuping.ballots.models import Ballot, BallotState
from shuping.ballots.tests.conftest import all_grade, make_meeting, weighted_rules
from shuping.conftest import Cast
from shuping.lib.errors import DomainError, StateError
from shuping.meetings.models import Meeting, MeetingStatus

API = "/api/v1/ballots"


def _client(cast: Cast, *, csrf: bool = False) -> Client:
    c = Client(enforce_csrf_checks=csrf)
    c.force_login(cast.host)
    return c


def test_no_ballot_on_an_ended_meeting(cast: Cast) -> None:
    meeting = make_meeting(cast, status=MeetingStatus.CLOSED)
    with pytest.raises(StateError, match="会议已结束"):
        services.create_ballot(meeting, actor=None)
    r = _client(cast).post(f"{API}/meetings/{meeting.pk}", {}, content_type="application/json")
    assert r.status_code == 409 and "会议已结束" in r.json()["detail"]


@pytest.mark.parametrize(
    ("status", "message"),
    [(MeetingStatus.PLANNED, "会议尚未开始"), (MeetingStatus.CLOSED, "会议已结束")],
)
def test_no_opening_unless_the_meeting_runs(cast: Cast, status: str, message: str) -> None:
    meeting = make_meeting(cast)
    ballot = services.create_ballot(meeting, actor=None)
    Meeting.objects.filter(pk=meeting.pk).update(status=status)
    with pytest.raises(StateError, match=message):
        services.open_ballot(Ballot.objects.get(pk=ballot.pk), actor=None)
    r = _client(cast).post(f"{API}/{ballot.pk}/open", {}, content_type="application/json")
    assert r.status_code == 409 and message in r.json()["detail"]
    page = _client(cast).post(f"/b/ballot/{ballot.pk}/open", follow=True)
    assert message in page.content.decode()
    assert Ballot.objects.get(pk=ballot.pk).state == BallotState.DRAFT


def test_a_planned_meeting_may_prepare_its_ballot(cast: Cast) -> None:
    # Slips and paper forms are printed before the meeting starts.
    meeting = make_meeting(cast, status=MeetingStatus.PLANNED)
    ballot = services.create_ballot(meeting, actor=None)
    assert casting.issue_tokens(ballot, actor=None, category="leader", count=2)


def test_one_category_never_votes_twice_on_a_reporter(cast: Cast) -> None:
    meeting = make_meeting(cast, rules=weighted_rules())
    services.create_ballot(meeting, actor=None, category="leader")
    with pytest.raises(DomainError, match="不能再建立面向全体") as err:
        services.create_ballot(meeting, actor=None)
    assert err.value.field == "category"
    services.create_ballot(meeting, actor=None, category="mass")  # another category is fine
    other = make_meeting(cast, rules=weighted_rules(), year=2026)
    services.create_ballot(other, actor=None)
    with pytest.raises(DomainError, match="面向全体测评人") as err:
        services.create_ballot(other, actor=None, category="leader")
    r = _client(cast).post(
        f"{API}/meetings/{other.pk}", {"category": "mass"}, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["field"] == "category"


def _enter_paper(ballot: Ballot, cast: Cast, numbers: range) -> None:
    for number in numbers:
        for clerk in (cast.organizer, cast.host):
            paper.record_paper_entry(
                ballot,
                actor=clerk,
                number=number,
                category="leader",
                choices=all_grade(ballot, "好"),
            )


def test_counting_more_paper_than_handed_out_needs_a_reason(
    cast: Cast, open_ballot: Ballot
) -> None:
    paper.set_paper_handed_out(open_ballot, actor=None, count=3)
    _enter_paper(open_ballot, cast, range(1, 7))
    with pytest.raises(DomainError, match="计入的纸质票 6 张，多于登记发出的 3 张") as err:
        services.close_ballot(open_ballot, actor=None)
    assert err.value.field == "paper_excess_reason"
    page = _client(cast).get(f"/b/ballot/{open_ballot.pk}/").content.decode()
    assert 'name="paper_excess_reason"' in page
    r = _client(cast, csrf=False).post(
        f"{API}/{open_ballot.pk}/close", {}, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["field"] == "paper_excess_reason"
    assert Ballot.objects.get(pk=open_ballot.pk).is_open
    r = _client(cast).post(
        f"{API}/{open_ballot.pk}/close",
        {"paper_excess_reason": "会前补发 3 张，未及时登记"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["paper_excess_reason"] == "会前补发 3 张，未及时登记"
    entry = AuditEntry.objects.get(action="ballot.close")
    assert "会前补发" in entry.note
    page = _client(cast).get(f"/b/ballot/{open_ballot.pk}/").content.decode()
    assert "计入纸质票多于发出张数" in page


def test_paper_within_the_handed_out_count_closes_without_a_reason(
    cast: Cast, open_ballot: Ballot
) -> None:
    paper.set_paper_handed_out(open_ballot, actor=None, count=3)
    _enter_paper(open_ballot, cast, range(1, 4))
    closed = services.close_ballot(open_ballot, actor=None)
    assert closed.paper_excess_reason == ""
