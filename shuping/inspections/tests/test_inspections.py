"""Inspections: services, pages, API, evidence checks and the critique draft."""

from __future__ import annotations

import io
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from shuping.conftest import PASSWORD, Cast
from shuping.inspections import services
from shuping.inspections.models import FindingKind, Inspection, Method
from shuping.lib.errors import DomainError, PermissionDenied
from shuping.meetings.models import Meeting, MeetingReporter
from shuping.meetings.prefill import critique_prefill
from shuping.rounds.models import Campaign
from shuping.rounds.testing import make_campaign

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def campaign(cast: Cast) -> Campaign:
    return make_campaign(cast.district, reporters=[cast.branch, cast.community, cast.organ])


def _inspect(campaign: Campaign, cast: Cast) -> Inspection:
    reps = list(campaign.reporters.order_by("order"))
    return services.create_inspection(
        campaign,
        actor=cast.organizer,
        reporters=reps[:2],
        held_on=date(2025, 12, 5),
        inspectors="组织部 李明、张华",
        method=Method.UNANNOUNCED,
        announced=False,
    )


def test_create_findings_and_pending(cast: Cast, campaign: Campaign) -> None:
    inspection = _inspect(campaign, cast)
    assert [r.organization for r in services.not_inspected(campaign)] == [cast.organ]
    first = campaign.reporters.get(order=1)
    services.add_finding(
        inspection,
        actor=cast.organizer,
        reporter=first,
        kind=FindingKind.PROBLEM,
        text="“三会一课”记录不全",
    )
    services.add_finding(
        inspection,
        actor=cast.organizer,
        reporter=first,
        kind=FindingKind.NOT_HELD_UP,
        text="报告称每月开展主题党日，查无记录",
    )
    with pytest.raises(DomainError) as exc:
        services.add_finding(
            inspection,
            actor=cast.organizer,
            reporter=campaign.reporters.get(order=3),
            kind="problem",
            text="x",
        )
    assert exc.value.field == "reporter"
    with pytest.raises(PermissionDenied):
        services.add_finding(
            inspection, actor=cast.superior, reporter=first, kind="problem", text="x"
        )
    with pytest.raises(DomainError) as exc:
        services.create_inspection(
            campaign,
            actor=cast.organizer,
            reporters=[],
            held_on=date(2025, 12, 1),
            inspectors="x",
            method="documents",
        )
    assert exc.value.field == "reporters"
    # the host's critique draft picks the problems up
    meeting = Meeting.objects.create(campaign=campaign, title="会")
    entry = MeetingReporter.objects.create(meeting=meeting, reporter=first)
    draft = critique_prefill(entry)
    assert "【督查发现的问题】" in draft and "三会一课" in draft and "未得到印证" in draft


def test_evidence_checked_by_content(cast: Cast, campaign: Campaign) -> None:
    inspection = _inspect(campaign, cast)
    with pytest.raises(DomainError):
        services.add_evidence(inspection, actor=cast.organizer, data=b"MZ\x90evil", name="a.jpg")
    with pytest.raises(DomainError):
        services.add_evidence(inspection, actor=cast.organizer, data=b"", name="a.png")
    ev = services.add_evidence(inspection, actor=cast.organizer, data=PNG, name="../现场.png")
    assert ev.original_name == "现场.png" and ev.file.name.endswith(".png")
    client = Client()
    client.login(username="superior", password=PASSWORD)
    assert client.get(f"/inspections/evidence/{ev.pk}/").status_code == 200
    client.login(username="outsider", password=PASSWORD)
    assert client.get(f"/inspections/evidence/{ev.pk}/").status_code == 404


def test_pages(cast: Cast, campaign: Campaign) -> None:
    client = Client()
    client.login(username="organizer", password=PASSWORD)
    url = f"/inspections/round/{campaign.pk}/"
    page = client.get(url).content.decode()
    assert "尚未督查的述职人（3）" in page
    r = client.post(url, {"held_on": "2025-12-05", "inspectors": "", "method": "forum"})
    assert r.status_code == 200 and "督查对象" in r.content.decode()
    rep = campaign.reporters.get(order=1)
    r = client.post(
        url,
        {"held_on": "2025-12-05", "inspectors": "李明", "method": "forum", "reporters": [rep.pk]},
    )
    assert r.status_code == 302
    inspection = Inspection.objects.get()
    r = client.post(
        f"/inspections/{inspection.pk}/",
        {"action": "finding", "reporter": rep.pk, "kind": "achievement", "text": ""},
    )
    assert r.status_code == 200
    r = client.post(
        f"/inspections/{inspection.pk}/", {"action": "evidence", "file": io.BytesIO(b"plain text")}
    )
    assert "只能上传" in r.content.decode()
    assert "确认删除" in client.get(f"/inspections/{inspection.pk}/delete/").content.decode()
    other = Client()
    other.login(username="outsider", password=PASSWORD)
    assert other.get(url).status_code == 404
    sup = Client()
    sup.login(username="superior", password=PASSWORD)
    assert sup.get(url).status_code == 200
    assert sup.post(url, {"held_on": "2025-12-05"}).status_code == 404
    assert sup.get(f"/inspections/{inspection.pk}/delete/").status_code == 404
    r = client.post(f"/inspections/{inspection.pk}/delete/")
    assert r.status_code == 302 and not Inspection.objects.exists()


def test_api(cast: Cast, campaign: Campaign) -> None:
    out = StringIO()
    call_command("create_token", "organizer", stdout=out)
    auth = {"Authorization": f"Bearer {out.getvalue().strip()}"}
    client = Client()
    rep = campaign.reporters.get(order=1)
    body = {
        "reporter_ids": [rep.pk],
        "held_on": "2025-12-05",
        "inspectors": "李明",
        "method": "暗访",
    }
    r = client.post(
        f"/api/v1/inspections/rounds/{campaign.pk}",
        body,
        content_type="application/json",
        headers=auth,
    )
    assert r.status_code == 400 and r.json()["field"] == "method"
    body["method"] = "unannounced"
    r = client.post(
        f"/api/v1/inspections/rounds/{campaign.pk}",
        body,
        content_type="application/json",
        headers=auth,
    )
    assert r.status_code == 201
    pk = r.json()["id"]
    r = client.post(
        f"/api/v1/inspections/{pk}/findings",
        {"reporter_id": rep.pk, "kind": "problem", "text": "台账不全"},
        content_type="application/json",
        headers=auth,
    )
    assert r.status_code == 201 and r.json()["findings"][0]["kind_label"] == "发现的问题"
    listing = client.get(f"/api/v1/inspections/rounds/{campaign.pk}", headers=auth).json()
    assert len(listing["not_inspected"]) == 2
    session = Client(enforce_csrf_checks=True)
    session.login(username="organizer", password=PASSWORD)
    r = session.post(
        f"/api/v1/inspections/{pk}/findings",
        {"reporter_id": rep.pk, "kind": "problem", "text": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403
    out = StringIO()
    call_command("create_token", "outsider", stdout=out)
    r = client.get(
        f"/api/v1/inspections/{pk}", headers={"Authorization": f"Bearer {out.getvalue().strip()}"}
    )
    assert r.status_code == 404
