"""Seed 004's members' meeting quorum gates the members' vote (80% of members present,
mass representatives at least 20% of those present; both inclusive)."""

from __future__ import annotations

import copy

import pytest

from shuping.conftest import Cast
from shuping.lib.errors import DomainError
from shuping.meetings import attendance
from shuping.member_review import services
from shuping.member_review.models import MemberReview, Stage
from shuping.member_review.tests.conftest import add_members
from shuping.member_review.tests.helpers import open_vote, run_to
from shuping.rounds.presets import get_preset
from shuping.rounds.testing import make_campaign


def test_quorum_of_the_preset_gates_the_vote(cast: Cast) -> None:
    rules = copy.deepcopy(get_preset("004_jiedao_shuangshu").rules_data)
    campaign = make_campaign(cast.street, year=2018, rules=rules)
    add_members(cast.branch, 9)  # with the secretary: 10 members
    services.start_member_reviews(campaign, actor=cast.street_organizer)
    review = MemberReview.objects.get(campaign=campaign, branch=cast.branch)
    review = run_to(review, Stage.MEETING)
    meeting = review.meeting
    assert meeting is not None
    ballot = services.meeting_ballot(review)
    assert ballot is not None
    attendees = list(meeting.attendees.filter(category="member").order_by("id"))
    assert len(attendees) == 10
    for a in attendees[:8]:  # exactly 80%: 以上 includes it
        attendance.sign_in(a, actor=cast.reporter)
    with pytest.raises(DomainError) as exc:  # no mass representative yet
        open_vote(ballot, actor=cast.reporter)
    assert "到会人数未达到要求" in exc.value.message
    for i in range(2):  # 2 of 10 present = 20%: 不少于 includes it
        attendance.add_attendee(
            meeting, actor=cast.reporter, name=f"群众代表{i}", category="mass", walk_in=True
        )
    opened = open_vote(ballot, actor=cast.reporter)
    assert opened.state == "open" and opened.override_reason == ""
    assert [c["key"] for c in opened.categories] == ["member", "mass"]
