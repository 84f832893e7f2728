"""The meeting's one projector, driven from the host's console (ballot modes here, since
they need a ballot; the agenda modes are in meetings/tests)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shuping.audit.models import AuditEntry
from shuping.ballots import casting, services
from shuping.ballots.models import Ballot
from shuping.ballots.tests.conftest import all_grade
from shuping.conftest import Cast
from shuping.lib.errors import DomainError, PermissionDenied
from shuping.meetings import projector
from shuping.meetings import services as meeting_services
from shuping.meetings.models import Meeting, MeetingStatus, ProjectorMode

pytestmark = pytest.mark.django_db


def _state(meeting: Meeting) -> dict:
    url = reverse("meetings:projector_state", args=[meeting.projector_key])
    return Client().get(url).json()


def test_console_switches_the_screen_and_is_audited(cast: Cast, open_ballot: Ballot) -> None:
    meeting = open_ballot.meeting
    before = _state(meeting)
    assert before["mode"] == ProjectorMode.AGENDA
    token = casting.issue_tokens(open_ballot, actor=None, category="leader", count=3)[0]
    casting.submit_sheet(token, choices=all_grade(open_ballot, "好"))

    client = Client()
    client.force_login(cast.organizer)
    r = client.post(reverse("meetings:projector_console", args=[meeting.pk]), {"mode": "turnout"})
    assert r.status_code == 302
    state = _state(meeting)
    assert state["mode"] == "turnout" and state["version"] > before["version"]
    assert (state["panel"]["submitted"], state["panel"]["issued"]) == (1, 3)
    assert AuditEntry.objects.filter(action="meeting.projector").count() == 1

    services.close_ballot(Ballot.objects.get(pk=open_ballot.pk), actor=None)
    meeting_services.set_projector(meeting, actor=cast.organizer, mode="results")
    panel = _state(meeting)["panel"]
    assert panel["sheets"] == 1 and len(panel["rows"]) == len(open_ballot.items)
    assert panel["rows"][0]["bars"][0] == {"grade": "好", "count": 1, "pct": 100.0, "tone": 0}

    host = client.get(reverse("meetings:host", args=[meeting.pk])).content.decode()
    assert "投影控制" in host and "收回测评票 1 张" in host  # the host sees the ballot too


def test_notice_and_bad_input(cast: Cast, meeting: Meeting) -> None:
    with pytest.raises(DomainError) as err:
        meeting_services.set_projector(meeting, actor=cast.organizer, mode="notice", notice=" ")
    assert err.value.field == "notice"
    with pytest.raises(DomainError) as err:
        meeting_services.set_projector(meeting, actor=cast.organizer, mode="x")
    assert err.value.field == "mode"
    with pytest.raises(DomainError):
        meeting_services.set_projector(
            meeting, actor=cast.organizer, mode="notice", notice="字" * 301
        )
    meeting_services.set_projector(meeting, actor=cast.organizer, mode="notice", notice="请扫码")
    assert _state(meeting)["notice"] == "请扫码"

    client = Client()
    client.force_login(cast.organizer)
    r = client.post(reverse("meetings:projector_console", args=[meeting.pk]), {"mode": "notice"})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "请填写要投影的通知内容" in page


def test_who_may_drive_the_screen(cast: Cast, meeting: Meeting) -> None:
    with pytest.raises(PermissionDenied):
        meeting_services.set_projector(meeting, actor=cast.superior, mode="title")
    url = reverse("meetings:projector_console", args=[meeting.pk])
    outsider = Client()
    outsider.force_login(cast.outsider)
    assert outsider.post(url, {"mode": "title"}).status_code == 404
    anon = Client()
    assert anon.post(url, {"mode": "title"}).status_code == 302  # to the login page
    assert Meeting.objects.get(pk=meeting.pk).projector_mode == ProjectorMode.AGENDA


def test_long_poll_returns_at_once_when_stale_and_waits_when_current(
    cast: Cast, meeting: Meeting, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = reverse("meetings:projector_state", args=[meeting.projector_key])
    # The ballots' test meeting runs already (a ballot opens only then); start from planned.
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.PLANNED)
    meeting.refresh_from_db()
    version = _state(meeting)["version"]
    meeting_services.set_projector(meeting, actor=None, mode="title")  # any change bumps it
    assert Client().get(url, {"v": version}).json()["version"] > version

    waited: list[int] = []
    monkeypatch.setattr(projector, "wait_for_change", lambda m, since: waited.append(since))
    current = _state(meeting)["version"]
    Client().get(url, {"v": current})
    assert waited == [current]
    Client().get(url, {"v": "abc"})  # not a number: answers without waiting
    assert waited == [current]
