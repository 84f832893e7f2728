from __future__ import annotations

import pytest
from django.test import Client

from shuping.conftest import PASSWORD, Cast
from shuping.meetings import attendance, services
from shuping.meetings.models import Meeting

BASE = "/api/v1/meetings"


def login(user: object) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return client


@pytest.mark.django_db
def test_scoping(cast: Cast, meeting: Meeting) -> None:
    assert [m["id"] for m in login(cast.superior).get(f"{BASE}/").json()] == [meeting.pk]
    outsider = login(cast.outsider)
    assert outsider.get(f"{BASE}/").json() == []
    for path in ("", "/agenda", "/attendance", "/state", "/quorum"):
        assert outsider.get(f"{BASE}/{meeting.pk}{path}").status_code == 404
    assert login(cast.reporter).get(f"{BASE}/{meeting.pk}").status_code == 404
    r = login(cast.superior).post(
        f"{BASE}/{meeting.pk}/status", {"action": "open"}, content_type="application/json"
    )
    assert r.status_code == 404
    assert Client().get(f"{BASE}/").status_code == 401


@pytest.mark.django_db
def test_create_and_run(cast: Cast, meeting: Meeting) -> None:
    client = login(cast.street_organizer)
    r = client.post(
        f"{BASE}/",
        {"campaign_id": meeting.campaign_id, "kind": "nope", "title": "x",
         "starts_at": "2026-12-21T09:00:00+08:00"},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 400 and r.json()["field"] == "kind"
    agenda = client.get(f"{BASE}/{meeting.pk}/agenda").json()
    assert len(agenda) == 2 and agenda[0]["name"] == "王建国"
    first = agenda[0]["id"]
    r = client.post(f"{BASE}/{meeting.pk}/entries/{first}/start")
    assert r.status_code == 409  # not open yet
    r = client.post(
        f"{BASE}/{meeting.pk}/status", {"action": "open"}, content_type="application/json"
    )
    assert r.json()["status"] == "in_progress"
    assert client.post(f"{BASE}/{meeting.pk}/entries/{first}/start").json()["started_at"]
    assert client.get(f"{BASE}/{meeting.pk}/state").json()["current"]["name"] == "王建国"
    r = client.post(
        f"{BASE}/{meeting.pk}/entries/{first}/questions",
        {"text": "问", "promise": "整改"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "promised_by"
    r = client.post(
        f"{BASE}/{meeting.pk}/entries/{first}/questions",
        {"text": "问", "answer": "答", "promise": "整改", "promised_by": "2027-03-01"},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert len(client.get(f"{BASE}/{meeting.pk}/entries/{first}/questions").json()) == 1
    client.put(
        f"{BASE}/{meeting.pk}/entries/{first}/critique", {"text": "稿"},
        content_type="application/json",
    )  # fmt: skip
    assert client.post(f"{BASE}/{meeting.pk}/entries/{first}/critique/finalize").status_code == 409
    assert client.post(f"{BASE}/{meeting.pk}/advance").json()["current"]["name"] != "王建国"
    r = client.post(f"{BASE}/{meeting.pk}/entries/{first}/critique/finalize")
    assert r.json()["status"] == "final"
    assert client.get(f"{BASE}/{meeting.pk}/entries/999/questions").status_code == 404


@pytest.mark.django_db
def test_attendance_and_quorum(cast: Cast, meeting: Meeting) -> None:
    client = login(cast.street_organizer)
    r = client.post(
        f"{BASE}/{meeting.pk}/attendees", {"name": "张三", "category": "member"},
        content_type="application/json",
    )  # fmt: skip
    row = r.json()["id"]
    for _ in range(2):
        assert client.post(f"{BASE}/{meeting.pk}/attendees/{row}/sign-in").status_code == 200
    data = client.get(f"{BASE}/{meeting.pk}/attendance").json()
    assert data["present"] == 1 and data["quorum"]["met"] is False
    assert "phone" not in str(data) and "person" not in data["attendees"][0]
    r = client.post(
        f"{BASE}/{meeting.pk}/quorum/override", {"reason": ""}, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = client.post(
        f"{BASE}/{meeting.pk}/quorum/override", {"reason": "上级同意"},
        content_type="application/json",
    )  # fmt: skip
    assert r.json()["overridden"] is True
    meeting.refresh_from_db()
    assert attendance.quorum_status(meeting).met


@pytest.mark.django_db
def test_projector_state_read_only(cast: Cast, meeting: Meeting) -> None:
    from shuping.accounts.services import create_api_token

    token = create_api_token(cast.street_organizer, actor=cast.street_organizer)
    bearer = Client(enforce_csrf_checks=True)
    auth = {"Authorization": f"Bearer {token}"}
    state = bearer.get(f"{BASE}/{meeting.pk}/projector", headers=auth).json()
    assert state["mode"] == "agenda" and state["version"] == meeting.projector_version
    services.open_meeting(meeting, actor=None)
    services.set_projector(meeting, actor=None, mode="notice", notice="请扫码测评")
    state = bearer.get(f"{BASE}/{meeting.pk}/projector", headers=auth).json()
    assert (state["mode"], state["notice"]) == ("notice", "请扫码测评")
    # read-only: nothing to post; out of the caller's subtree is missing
    assert bearer.post(f"{BASE}/{meeting.pk}/projector", headers=auth).status_code == 405
    assert login(cast.outsider).get(f"{BASE}/{meeting.pk}/projector").status_code == 404
    assert Client().get(f"{BASE}/{meeting.pk}/projector").status_code == 401
