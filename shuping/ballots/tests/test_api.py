from __future__ import annotations

from django.test import Client

from shuping.ballots import services
from shuping.ballots.models import Ballot, Sheet
from shuping.ballots.tests.conftest import all_grade
from shuping.conftest import PASSWORD, Cast
from shuping.meetings.models import Meeting

API = "/api/v1/ballots"


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.login(username=user.username, password=PASSWORD)
    return c


def test_ballot_lifecycle_over_api(cast: Cast, meeting: Meeting) -> None:
    c = client_for(cast.host)
    r = c.post(f"{API}/meetings/{meeting.pk}", {"category": ""}, content_type="application/json")
    assert r.status_code == 201, r.content
    bid = r.json()["id"]
    r = c.post(
        f"{API}/{bid}/tokens", {"category": "leader", "count": 2}, content_type="application/json"
    )
    assert r.status_code == 201 and len(r.json()["tokens"]) == 2
    token = r.json()["tokens"][0]
    # Not open yet: the token says so.
    r = Client().post(f"{API}/submit/{token}", {"choices": {}}, content_type="application/json")
    assert r.status_code == 409
    r = c.post(f"{API}/{bid}/open", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "open"
    assert c.get(f"{API}/{bid}/results").status_code == 409  # hidden while open
    sheet = Client().get(f"{API}/sheet/{token}").json()
    assert [row["key"] for row in sheet["rows"]] == [
        r["key"] for r in Ballot.objects.get(pk=bid).rows()
    ]
    choices = {row["key"]: ["好"] for row in sheet["rows"]}
    r = Client().post(
        f"{API}/submit/{token}", {"choices": choices}, content_type="application/json"
    )
    assert r.status_code == 200
    r = Client().post(
        f"{API}/submit/{token}", {"choices": choices}, content_type="application/json"
    )
    assert r.status_code == 409 and "已经提交" in r.json()["detail"]
    assert Client().get(f"{API}/sheet/{'z' * 22}").status_code == 400
    assert c.get(f"{API}/{bid}/turnout").json()["submitted"] == 1
    r = c.post(f"{API}/{bid}/close", {}, content_type="application/json")
    assert r.status_code == 200 and len(r.json()["digest"]) == 64
    res = c.get(f"{API}/{bid}/results").json()
    assert res["digest_ok"] is True and res["sheets"] == 1
    assert Sheet.objects.count() == 1


def test_api_scoping_and_bad_input(cast: Cast, open_ballot: Ballot) -> None:
    assert client_for(cast.outsider).get(f"{API}/{open_ballot.pk}").status_code == 404
    assert client_for(cast.superior).get(f"{API}/{open_ballot.pk}").status_code == 200
    r = client_for(cast.superior).post(
        f"{API}/{open_ballot.pk}/close", {}, content_type="application/json"
    )
    assert r.status_code == 404
    r = client_for(cast.host).post(
        f"{API}/{open_ballot.pk}/tokens",
        {"category": "leader", "count": 0},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "count"
    r = client_for(cast.host).post(
        f"{API}/{open_ballot.pk}/open", {}, content_type="application/json"
    )
    assert r.status_code == 409


def test_paper_over_api(cast: Cast, open_ballot: Ballot) -> None:
    body = {"number": 1, "category": "leader", "choices": all_grade(open_ballot, "一般")}
    r = client_for(cast.host).post(
        f"{API}/{open_ballot.pk}/paper", body, content_type="application/json"
    )
    assert r.status_code == 201 and r.json() == {"number": 1, "pass": 1}
    r = client_for(cast.host).post(
        f"{API}/{open_ballot.pk}/paper", body, content_type="application/json"
    )
    assert r.status_code == 400
    client_for(cast.organizer).post(
        f"{API}/{open_ballot.pk}/paper", body, content_type="application/json"
    )
    assert client_for(cast.host).get(f"{API}/{open_ballot.pk}/paper").json()["matched"] == [1]
    _ = services
