"""No 500 on any input, and no name from outside the creator's subtree."""

from __future__ import annotations

import json

from django.test import Client

from shuping.conftest import Cast
from shuping.meetings.models import Meeting
from shuping.organizations.models import Person

BASE = "/api/v1/meetings"


def _client(cast: Cast) -> Client:
    c = Client(enforce_csrf_checks=False)
    c.force_login(cast.street_organizer)
    return c


def _create(c: Client, meeting: Meeting, **extra: object) -> object:
    body = {
        "campaign_id": meeting.campaign_id,
        "kind": "committee",
        "title": "第二次会议",
        "starts_at": "2026-12-21T09:00:00+08:00",
        **extra,
    }
    return c.post(f"{BASE}/", json.dumps(body), content_type="application/json")


def test_year_one_is_refused_at_the_field_and_lists_keep_working(
    cast: Cast, meeting: Meeting
) -> None:
    c = _client(cast)
    r = _create(c, meeting, starts_at="0001-01-01T00:00:00")
    assert r.status_code == 400 and r.json()["field"] == "starts_at"  # type: ignore[attr-defined]
    assert "2000" in r.json()["detail"]  # type: ignore[attr-defined]
    assert c.get(f"{BASE}/").status_code == 200
    assert c.get("/meetings/").status_code == 200


def test_a_host_outside_the_subtree_is_not_named(cast: Cast, meeting: Meeting) -> None:
    stranger = Person.objects.create(name="外单位某某", organization=cast.organ)
    r = _create(_client(cast), meeting, host_id=stranger.pk)
    assert r.status_code == 400  # type: ignore[attr-defined]
    assert "外单位某某" not in r.content.decode()  # type: ignore[attr-defined]
    assert r.json()["field"] == "host_id"  # type: ignore[attr-defined]
    assert not Meeting.objects.filter(host=stranger).exists()


def test_bad_types_get_chinese_messages(cast: Cast, meeting: Meeting) -> None:
    r = _create(_client(cast), meeting, campaign_id="abc")
    assert r.status_code == 422  # type: ignore[attr-defined]
    data = r.json()  # type: ignore[attr-defined]
    assert data["field"] == "campaign_id" and "应为整数" in data["detail"]
    assert "Input should" not in r.content.decode()  # type: ignore[attr-defined]


def test_huge_ids_and_overlong_text_are_not_server_errors(cast: Cast, meeting: Meeting) -> None:
    c = _client(cast)
    assert c.get(f"{BASE}/{10**30}").status_code in (400, 404, 422)
    assert c.get(f"{BASE}/{2**63}").status_code in (400, 404)
    r = _create(c, meeting, place="会" * 5000)
    assert r.status_code in (201, 400)  # type: ignore[attr-defined]
    r = _create(c, meeting, campaign_id=2**63)
    assert r.status_code in (400, 404)  # type: ignore[attr-defined]


def test_the_meeting_form_does_not_name_a_host_outside_the_subtree(
    cast: Cast, meeting: Meeting
) -> None:
    stranger = Person.objects.create(name="外单位某某", organization=cast.organ)
    c = _client(cast)
    page = c.get(f"/meetings/round/{meeting.campaign_id}/").content.decode()
    assert "外单位某某" not in page  # not offered as a choice either
    r = c.post(
        f"/meetings/round/{meeting.campaign_id}/",
        {
            "kind": "committee",
            "title": "第二次会议",
            "starts_at": "2026-12-21T09:00",
            "host": stranger.pk,
        },
    )
    assert r.status_code == 200 and "外单位某某" not in r.content.decode()
    assert 'class="field has-error"' in r.content.decode() or "有效" in r.content.decode()
    assert not Meeting.objects.filter(host=stranger).exists()
