from __future__ import annotations

from shuping.ballots import counting, demo
from shuping.ballots.models import Ballot, BallotState, Sheet
from shuping.ballots.tests.conftest import make_meeting
from shuping.conftest import Cast
from shuping.meetings.models import Meeting
from shuping.organizations.models import Organization


def test_demo_does_nothing_without_meetings(db: object) -> None:
    lines: list[str] = []
    assert demo.load(lines.append) == []
    assert not Ballot.objects.exists() and lines == []


def test_demo_is_idempotent(cast: Cast) -> None:
    Organization.objects.filter(pk=cast.district.pk).update(code="QW")
    Organization.objects.filter(pk=cast.street.pk).update(code="QW-01")
    make_meeting(cast, year=2025)
    from shuping.rounds.testing import make_campaign

    campaign = make_campaign(cast.street, year=2026, reporters=[cast.branch, cast.community])
    members = Meeting.objects.create(campaign=campaign, kind="members", title="党员大会述职评议")
    for rep in campaign.reporters.all():
        members.agenda.create(reporter=rep, order=rep.order)
    lines: list[str] = []
    demo.load(lines.append)
    closed, open_ = Ballot.objects.order_by("meeting__campaign__year")
    assert closed.state == BallotState.CLOSED and counting.verify_digest(closed)
    assert closed.closed_tally is not None and closed.closed_tally["sheets"] == 46
    assert open_.state == BallotState.OPEN
    assert counting.turnout(open_)["submitted"] == 23
    assert any("/b/" in line for line in lines)
    sheets = Sheet.objects.count()
    demo.load(lines.append)
    assert Ballot.objects.count() == 2 and Sheet.objects.count() == sheets
