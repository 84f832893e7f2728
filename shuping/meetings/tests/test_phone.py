"""The sign-in list on a phone: grouped by organization, with a search and a
signed-in filter; the top navigation is a menu (issue 13, point 8)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shuping.conftest import PASSWORD, Cast
from shuping.meetings import attendance
from shuping.meetings.models import Meeting
from shuping.meetings.tests.conftest import add_people


@pytest.mark.django_db
def test_sign_in_list_groups_by_organization(cast: Cast, meeting: Meeting) -> None:
    add_people(cast, members=3)
    attendance.populate_expected(meeting, actor=None)
    units = set(meeting.attendees.values_list("unit", flat=True))
    client = Client()
    assert client.login(username=cast.street_organizer.username, password=PASSWORD)
    html = client.get(reverse("meetings:attendance", args=[meeting.pk])).content.decode()
    headings = html.count('class="att-group" data-group')
    assert headings == len(units) >= 1
    assert 'id="att-search"' in html and 'id="att-state"' in html and "已签到" in html
    assert 'class="nav-menu-button"' in html  # the menu on narrow screens
