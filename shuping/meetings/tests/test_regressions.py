"""Bugs found when the meeting pages were used as the staff at the door would
(issue 13, point 5)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shuping.conftest import PASSWORD, Cast
from shuping.meetings import attendance
from shuping.meetings.models import Meeting
from shuping.meetings.tests.conftest import add_people
from shuping.organizations.models import PersonCategory


@pytest.mark.django_db
def test_walk_ins_are_their_own_line_and_categories_add_up(cast: Cast, meeting: Meeting) -> None:
    add_people(cast, members=3)
    attendance.populate_expected(meeting, actor=None)
    first = meeting.attendees.filter(expected=True)[0]
    attendance.sign_in(first, actor=cast.street_organizer)
    for i in range(2):
        attendance.add_attendee(
            meeting,
            actor=cast.street_organizer,
            name=f"来宾{i}",
            category=PersonCategory.MEMBER,
            walk_in=True,
        )
    counts = attendance.attendance_counts(meeting)
    assert counts.walk_ins == 2 and counts.present == 3
    for row in counts.rows:
        assert row.listed_present <= row.expected
    assert sum(r.listed_present for r in counts.rows) + counts.walk_ins == counts.present

    client = Client()
    assert client.login(username=cast.street_organizer.username, password=PASSWORD)
    html = client.get(reverse("meetings:attendance", args=[meeting.pk])).content.decode()
    assert "名单外现场登记" in html and 'id="walk-ins">2<' in html
    data = client.get(reverse("meetings:attendance_json", args=[meeting.pk])).json()
    assert data["walk_ins"] == 2
    member = next(c for c in data["categories"] if c["key"] == "member")
    assert member["listed_present"] <= member["expected"]
