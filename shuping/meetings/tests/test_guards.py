"""Removing a reporter from a live agenda asks first (issue 13, point 3)."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from shuping.conftest import PASSWORD, Cast
from shuping.meetings import services
from shuping.meetings.models import Meeting, MeetingStatus


@pytest.mark.django_db
def test_removing_from_a_live_agenda_asks_for_confirmation(cast: Cast, meeting: Meeting) -> None:
    services.open_meeting(meeting, actor=cast.street_organizer)
    assert (
        meeting.status == MeetingStatus.IN_PROGRESS
        or Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.IN_PROGRESS
    )
    client = Client()
    assert client.login(username=cast.street_organizer.username, password=PASSWORD)
    page = html.unescape(client.get(reverse("meetings:setup", args=[meeting.pk])).content.decode())
    assert 'data-confirm="会议正在进行。移出后' in page
