from __future__ import annotations

import json

import pytest

from shuping.conftest import PASSWORD
from shuping.rounds.models import Campaign

BASE = "/api/v1/rounds"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def created(client, cast):
    login(client, cast.street_organizer)
    response = post(
        client,
        f"{BASE}/",
        {
            "committee_id": cast.street.pk,
            "preset": "004_jiedao_shuangshu",
            "year": 2026,
            "sampling_seed": 5,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_create_and_read(client, cast, created, django_assert_max_num_queries):
    assert created["preset_key"] == "004_jiedao_shuangshu" and created["sampling_seed"] == 5
    with django_assert_max_num_queries(8):
        listed = client.get(f"{BASE}/").json()
    assert [c["id"] for c in listed] == [created["id"]]
    reporters = client.get(f"{BASE}/{created['id']}/reporters").json()
    assert {r["organization"] for r in reporters} == {"甲社区党委", "甲街道第二党支部"}
    deadlines = client.get(f"{BASE}/{created['id']}/deadlines").json()
    assert {d["key"]: d["due_on"] for d in deadlines}["done"] == "2027-01-10"
    presets = client.get(f"{BASE}/presets").json()
    assert [p["seed"] for p in presets][2] == "002_b1addb69841a860d.txt"
    detail = client.get(f"{BASE}/presets/003_quwei_liangji").json()
    assert len(detail["rules"]["indicators"]) == 5


def test_bad_input_and_wrong_state(client, cast, created):
    dup = post(
        client,
        f"{BASE}/",
        {"committee_id": cast.street.pk, "preset": "004_jiedao_shuangshu", "year": 2026},
    )
    assert dup.status_code == 400 and dup.json()["field"] == "year"
    bad = post(client, f"{BASE}/", {"committee_id": cast.street.pk, "preset": "x", "year": 2027})
    assert bad.status_code == 400 and bad.json()["field"] == "preset"
    wrong = post(client, f"{BASE}/{created['id']}/status", {"to": "closed"})
    assert wrong.status_code == 409
    reporter = client.get(f"{BASE}/{created['id']}/reporters").json()[0]
    no_reason = client.patch(
        f"{BASE}/reporters/{reporter['id']}",
        json.dumps({"mode": "written", "reason": ""}),
        content_type="application/json",
    )
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    ok = client.patch(
        f"{BASE}/reporters/{reporter['id']}",
        json.dumps({"mode": "written", "reason": "病假"}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["mode"] == "written"
    added = post(
        client,
        f"{BASE}/{created['id']}/reporters",
        {"organization_id": cast.retiree_branch.pk, "mode": "onsite", "reason": "补充"},
    )
    assert added.status_code == 201 and added.json()["is_vacant"]
    gone = client.delete(f"{BASE}/reporters/{added.json()['id']}?reason=误加")
    assert gone.status_code == 204


def test_outsiders_and_reporters(client, cast, created):
    login(client, cast.outsider)
    assert client.get(f"{BASE}/{created['id']}").status_code == 404
    assert client.get(f"{BASE}/{created['id']}/reporters").status_code == 404
    denied = post(
        client,
        f"{BASE}/",
        {"committee_id": cast.street.pk, "preset": "004_jiedao_shuangshu", "year": 2030},
    )
    assert denied.status_code == 404
    login(client, cast.reporter)
    assert client.get(f"{BASE}/{created['id']}").status_code == 200
    assert post(client, f"{BASE}/{created['id']}/status", {"to": "active"}).status_code == 404
    assert Campaign.objects.count() == 1
