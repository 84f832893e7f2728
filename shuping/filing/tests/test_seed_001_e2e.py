"""Seed 001 (镇党委): the secretaries of the town's 13 village branches all report on
site at one meeting (7 minutes each), are evaluated 好/较好/一般/差, and the round is
closed. The seed names no filing list: the round is still filed with the county, as a
package holding only its 目录, and archived."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from django.utils import timezone

from shuping.filing.models import Filing
from shuping.filing.scenario import hold_meeting, write_reports
from shuping.filing.tests.e2e import Api, branches, org, users
from shuping.organizations.models import OrgKind, Sector
from shuping.rounds.models import Campaign

VILLAGES = [f"{name}村党支部" for name in "东南西北上下前后左右新旧中"]


def test_seed_001_thirteen_villages(db):
    county = org(None, "XW", "县委", OrgKind.DISTRICT)
    town = org(county, "ZW", "镇党委", OrgKind.COMMITTEE, Sector.RURAL)
    villages = branches(town, "ZC", VILLAGES, sector=Sector.RURAL)
    office, superior = users(town, county)
    api = Api(office)

    created = api.post(
        "/rounds/",
        {"committee_id": town.pk, "preset": "001_zhen_dangwei", "year": 2026},
        status=201,
    )
    assert created["warnings"] == []  # 13 villages, as the seed expects
    reporters = api.get(f"/rounds/{created['id']}/reporters")
    assert len(reporters) == 13 and {r["mode"] for r in reporters} == {"onsite"}
    assert created["rules"]["meetings"][0]["minutes_per_report"] == 7
    api.post(f"/rounds/{created['id']}/status", {"to": "active"})
    campaign = Campaign.objects.get(pk=created["id"])

    assert write_reports(campaign) == 13
    _, ballot = hold_meeting(
        campaign,
        actor=office,
        kind="committee",
        starts_at=timezone.make_aware(datetime(2026, 12, 28, 9)),
        vote=lambda item, category, n: "好" if n % 4 else "较好",
        voters=8,
    )
    assert len((ballot.closed_tally or {})["reporters"]) == len(villages)

    checklist = api.get(f"/filing/{campaign.pk}")
    assert checklist["entries"] == [] and checklist["filed_with"] == "县委"
    submitted = api.post(f"/filing/{campaign.pk}/submit")
    assert submitted["state"] == "submitted"
    package = Filing.objects.get(campaign=campaign).packages.get()
    with zipfile.ZipFile(io.BytesIO(package.file.read())) as zf:
        assert zf.namelist() == ["00_目录.docx"]
    api.post(f"/filing/{campaign.pk}/acknowledge", status=403)  # not its own filing
    assert Api(superior).post(f"/filing/{campaign.pk}/acknowledge")["archived"]
