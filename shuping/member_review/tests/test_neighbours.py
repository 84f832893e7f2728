"""Member review ballots live in the round beside the secretaries' ballots: the apps that
read a round's ballots must not take a member's row for a reporter's."""

from __future__ import annotations

from shuping.assessment.services import meeting_tallies
from shuping.conftest import Cast
from shuping.meetings.models import Meeting, MeetingReporter
from shuping.member_review.models import Stage
from shuping.member_review.tests.conftest import World
from shuping.member_review.tests.helpers import run_to
from shuping.rounds.models import Reporter


def test_assessment_ignores_member_review_ballots(cast: Cast, world: World) -> None:
    review = run_to(world.review, Stage.CONFIRMATION)  # its ballot is closed
    reporter = Reporter.objects.create(
        campaign=world.campaign, organization=cast.branch, person=cast.reporter_person
    )
    meeting = Meeting.objects.create(campaign=world.campaign, kind="committee", title="述职评议会")
    # an agenda entry whose id equals a member's row id on the members' ballot
    MeetingReporter.objects.create(pk=world.evals[0].pk, meeting=meeting, reporter=reporter)
    assert review.meeting is not None
    assert meeting_tallies(world.campaign) == {}
