"""The filing API as the world calls it: Bearer tokens with CSRF enforced."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shuping.filing.tests.conftest import bearer, tiny_docx
from shuping.filing.tests.test_services import FILING_002
from shuping.rounds.testing import make_campaign, sample_rules

BASE = "/api/v1/filing"


@pytest.fixture
def api():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def campaign(cast):
    return make_campaign(cast.district, rules=sample_rules(**FILING_002), reporters=[cast.street])


def post(api, url, user, data=None):
    return api.post(
        url, json.dumps(data or {}), content_type="application/json", headers=bearer(user, api)
    )


def test_checklist_upload_submit_acknowledge(api, cast, campaign, django_assert_max_num_queries):
    office = bearer(cast.organizer, api)
    with django_assert_max_num_queries(20):
        data = api.get(f"{BASE}/{campaign.pk}", headers=office).json()
    assert [(e["title"], e["state"]) for e in data["entries"]] == [
        ("述职评议考核工作方案", "ready"),
        ("主持点评讲话", "missing"),
        ("述职评议表", "missing"),
    ]
    speech, form = data["entries"][1]["id"], data["entries"][2]["id"]
    refused = post(api, f"{BASE}/{campaign.pk}/submit", cast.organizer)
    assert refused.status_code == 400 and "主持点评讲话" in refused.json()["detail"]
    bad = api.post(
        f"{BASE}/{campaign.pk}/entries/{speech}/upload",
        {"file": SimpleUploadedFile("x.docx", b"plain text")},
        headers=office,
    )
    assert bad.status_code == 400 and bad.json()["field"] == "file"
    ok = api.post(
        f"{BASE}/{campaign.pk}/entries/{speech}/upload",
        {"file": SimpleUploadedFile("讲话.docx", tiny_docx())},
        headers=office,
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["entries"][1]["file_name"] == "讲话.docx"
    post(api, f"{BASE}/{campaign.pk}/entries/{form}/excuse", cast.organizer, {"reason": "暂缺"})
    submitted = post(api, f"{BASE}/{campaign.pk}/submit", cast.organizer).json()
    assert submitted["state"] == "submitted" and submitted["package"]["status"] == "done"
    assert post(api, f"{BASE}/{campaign.pk}/acknowledge", cast.organizer).status_code == 403
    assert post(api, f"{BASE}/{campaign.pk}/acknowledge", cast.outsider).status_code == 404
    again = post(api, f"{BASE}/{campaign.pk}/submit", cast.organizer)
    assert again.status_code == 409
    done = post(api, f"{BASE}/{campaign.pk}/acknowledge", cast.superior).json()
    assert done["state"] == "acknowledged" and done["archived"] is True


def test_session_without_csrf_is_refused(api, cast, campaign):
    api.force_login(cast.organizer)
    response = api.post(f"{BASE}/{campaign.pk}/submit", "{}", content_type="application/json")
    assert response.status_code == 403


def test_summary_draft_and_edit(api, cast, campaign):
    draft = post(api, f"{BASE}/{campaign.pk}/summary/draft", cast.organizer)
    assert draft.status_code == 200 and "开展" not in draft.json()["title"]
    assert "名党组织书记进行述职" in draft.json()["situation"]
    body = {**draft.json(), "problems": "一是……"}
    updated = api.put(
        f"{BASE}/{campaign.pk}/summary",
        json.dumps(body),
        content_type="application/json",
        headers=bearer(cast.organizer, api),
    )
    assert updated.status_code == 200 and updated.json()["problems"] == "一是……"
    empty = api.put(
        f"{BASE}/{campaign.pk}/summary",
        json.dumps({**body, "title": " "}),
        content_type="application/json",
        headers=bearer(cast.organizer, api),
    )
    assert empty.status_code == 400 and empty.json()["field"] == "title"
    assert post(api, f"{BASE}/{campaign.pk}/summary/draft", cast.superior).status_code == 403
