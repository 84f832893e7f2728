"""API writes as the world makes them: bearer tokens need no CSRF, session cookies do.

Django's test client skips CSRF unless asked; every client here enforces it, and one
test talks to a live server over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from django.test import Client

from shuping.accounts.services import create_api_token
from shuping.conftest import PASSWORD, Cast

URL = "/api/v1/rounds/"


def _payload(cast: Cast, year: int = 2026) -> str:
    return json.dumps(
        {"committee_id": cast.street.pk, "preset": "004_jiedao_shuangshu", "year": year}
    )


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_bearer_writes_need_no_csrf(cast: Cast, method: str) -> None:
    raw = create_api_token(cast.street_organizer, actor=None)
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {raw}"}
    if method == "post":
        r = client.post(URL, _payload(cast), content_type="application/json", headers=headers)
        assert r.status_code == 201, r.content
        return
    # PUT/PATCH/DELETE on objects that do not exist: past authentication, a 404 or 405 —
    # never 403 "CSRF check Failed".
    r = getattr(client, method)(
        "/api/v1/rounds/reporters/999999", "{}", content_type="application/json", headers=headers
    )
    assert r.status_code in (404, 405, 422), r.content
    assert b"CSRF" not in r.content


def test_bad_bearer_is_401_not_csrf(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    r = client.post(
        URL, _payload(cast), content_type="application/json", headers={"Authorization": "Bearer x"}
    )
    assert r.status_code in (401, 403)
    assert r.status_code == 401, r.content


def test_session_writes_keep_csrf(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    client.post(
        "/login/", {"username": "street_organizer", "password": PASSWORD}, HTTP_X_CSRFTOKEN=token
    )
    refused = client.post(URL, _payload(cast), content_type="application/json")
    assert refused.status_code == 403
    token = client.cookies["csrftoken"].value
    ok = client.post(URL, _payload(cast), content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 201, ok.content


def test_session_cookie_with_a_bad_bearer_still_needs_csrf(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.street_organizer)
    r = client.post(
        URL,
        _payload(cast),
        content_type="application/json",
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert r.status_code in (401, 403) and r.status_code != 201


@pytest.mark.django_db(transaction=True)
def test_bearer_write_against_a_live_server(live_server: Any, cast: Cast) -> None:
    raw = create_api_token(cast.street_organizer, actor=None)
    with httpx.Client(base_url=live_server.url, timeout=20) as http:
        r = http.post(
            URL,
            content=_payload(cast),
            headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
        )
        assert r.status_code == 201, r.text
        anonymous = http.post(URL, content=_payload(cast, 2027))
        assert anonymous.status_code in (401, 403)
