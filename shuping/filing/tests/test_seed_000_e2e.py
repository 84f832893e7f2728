"""Seed 000 (市总机关): the branch secretaries report to the 机关党委 (≤1000 characters,
achievements ≤ 1/2, problems ≥ 1/3), are evaluated, and the 机关党委 forms a written
opinion; every member is reviewed too (民主评议党员). The three named materials — the
written opinion, the branches' rectification plans and the members' review records —
are filed and archived."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from shuping.filing.scenario import hold_meeting, write_reports
from shuping.filing.tests.conftest import tiny_docx, tiny_pdf
from shuping.filing.tests.e2e import Api, branches, org, users
from shuping.organizations.models import OrgKind
from shuping.rounds.models import Campaign


def test_seed_000_with_member_review(db):
    union = org(None, "ZG", "市总工会党组", OrgKind.COMMITTEE)
    organ = org(union, "JG", "市总机关党委", OrgKind.COMMITTEE)
    branches(organ, "JGZ", ["机关第一党支部", "机关第二党支部", "机关第三党支部"])
    office, superior = users(organ, union)
    api = Api(office)

    created = api.post(
        "/rounds/",
        {"committee_id": organ.pk, "preset": "000_shizong_jiguan", "year": 2026},
        status=201,
    )
    rules = created["rules"]
    assert rules["report"]["max_chars"] == 1000
    assert rules["member_review"]["enabled"] and rules["scope"]["members_report"]
    api.post(f"/rounds/{created['id']}/status", {"to": "active"})
    campaign = Campaign.objects.get(pk=created["id"])

    assert write_reports(campaign) == 3
    hold_meeting(
        campaign,
        actor=office,
        kind="committee",
        starts_at=timezone.make_aware(datetime(2026, 12, 20, 14)),
        vote=lambda item, category, n: ["好", "较好", "一般"][n % 3],
        voters=9,
    )

    checklist = api.get(f"/filing/{campaign.pk}")
    assert [e["title"] for e in checklist["entries"]] == [
        "述职评议书面意见",
        "支部整改方案和整改措施",
        "党员述职评议情况和存档资料",
    ]
    ids = [e["id"] for e in checklist["entries"]]
    api.upload(f"/filing/{campaign.pk}/entries/{ids[0]}/upload", "书面意见.docx", tiny_docx())
    api.upload(f"/filing/{campaign.pk}/entries/{ids[1]}/upload", "整改方案.pdf", tiny_pdf())
    api.upload(f"/filing/{campaign.pk}/entries/{ids[2]}/upload", "民主评议党员.pdf", tiny_pdf())
    assert api.post(f"/filing/{campaign.pk}/submit")["state"] == "submitted"
    assert Api(superior).post(f"/filing/{campaign.pk}/acknowledge")["archived"]
