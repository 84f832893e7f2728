"""Seed 000 (市总机关): the branch secretaries report to the 机关党委 (≤1000 characters,
achievements ≤ 1/2, problems ≥ 1/3), are evaluated, and the 机关党委 forms a written
opinion; every member is reviewed too (民主评议党员: self-evaluation, the branch
committee's proposal, the members' meeting with its secret vote, confirmation by each
member, 公示, archive and report). The three named materials — the written opinion, the
branches' rectification plans and the members' review results — are filed and archived."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from django.utils import timezone

from shuping.filing.models import Filing
from shuping.filing.scenario import hold_meeting, members_vote, write_reports
from shuping.filing.tests.conftest import tiny_docx, tiny_pdf
from shuping.filing.tests.e2e import Api, branches, members, org, users
from shuping.member_review import services as member_review
from shuping.member_review.models import MemberReview
from shuping.organizations.models import OrgKind
from shuping.rounds.models import Campaign

MEMBERS_MEETING = "2026-12-18T15:00:00+08:00"  # before 12-26, as the seed asks
PUBLICITY = date(2026, 12, 21)  # within 3 working days of the meeting


def test_seed_000_with_member_review(db):
    union = org(None, "ZG", "市总工会党组", OrgKind.COMMITTEE)
    organ = org(union, "JG", "市总机关党委", OrgKind.COMMITTEE)
    for n, branch in enumerate(
        branches(organ, "JGZ", ["机关第一党支部", "机关第二党支部", "机关第三党支部"])
    ):
        members(branch, [f"第{n + 1}支部党员{i}" for i in range(1, 5)])
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

    # 民主评议党员: each branch walks its review; the office drives it as the branch would
    assert api.post(f"/member-reviews/rounds/{campaign.pk}/start", status=201)["created"] == 3
    for review in MemberReview.objects.filter(campaign=campaign).order_by("branch__code"):
        review_members(api, office, review)
    rows = api.get(f"/member-reviews/rounds/{campaign.pk}")
    assert [r["stage"] for r in rows] == ["reported"] * 3
    # five members a branch (the secretary and four members), the first proposed 优秀
    assert all(r["grades"] == {"优秀": 1, "合格": 4, "基本合格": 0, "不合格": 0} for r in rows)

    checklist = api.get(f"/filing/{campaign.pk}")
    assert [e["title"] for e in checklist["entries"]] == [
        "述职评议书面意见",
        "支部整改方案和整改措施",
        "党员述职评议情况和存档资料",
    ]
    entries = {e["title"]: e for e in checklist["entries"]}
    # the members' review results are generated from the stage, not uploaded
    assert entries["党员述职评议情况和存档资料"]["state"] == "ready"
    ids = [e["id"] for e in checklist["entries"]]
    api.upload(f"/filing/{campaign.pk}/entries/{ids[0]}/upload", "书面意见.docx", tiny_docx())
    api.upload(f"/filing/{campaign.pk}/entries/{ids[1]}/upload", "整改方案.pdf", tiny_pdf())
    assert api.post(f"/filing/{campaign.pk}/submit")["state"] == "submitted"
    package = Filing.objects.get(campaign=campaign).packages.get()
    with zipfile.ZipFile(io.BytesIO(package.file.read())) as zf:
        names = zf.namelist()
    assert names[-1] == "03_党员述职评议情况和存档资料.xlsx"  # generated from the stage
    assert Api(superior).post(f"/filing/{campaign.pk}/acknowledge")["archived"]


def review_members(api: Api, office, review: MemberReview) -> None:  # type: ignore[no-untyped-def]
    """One branch's 民主评议党员 from self-evaluation to the report to the 机关党委."""
    base = f"/member-reviews/{review.pk}"
    evaluations = api.get(f"{base}/evaluations")
    for e in evaluations:  # 个人自评, handed in on paper
        texts = {"1": "按时参加组织生活", "2": "遵守党规党纪", "3": "联系群众", "4": "履职尽责"}
        api.post(f"/member-reviews/evaluations/{e['id']}/self", {"texts": texts, "grade": "合格"})
    api.post(f"{base}/advance", {"to": "committee"})
    # 支委会审议: the first member is proposed 优秀, the others 合格
    proposals = [
        {"evaluation_id": e["id"], "grade": "优秀" if i == 0 else "合格"}
        for i, e in enumerate(evaluations)
    ]
    api.post(f"{base}/proposals", proposals)
    api.post(f"{base}/advance", {"to": "meeting", "meeting_at": MEMBERS_MEETING})
    # 党员大会: five members vote in secret, as proposed
    members_vote(
        review, actor=office, voters=5, grade=lambda voter, row: "优秀" if row == 0 else "合格"
    )
    api.post(f"{base}/advance", {"to": "confirmation"})
    for e in evaluations:  # 本人确认, on paper
        api.post(f"/member-reviews/evaluations/{e['id']}/confirm", {"agree": True})
    api.post(f"{base}/advance", {"to": "publicity", "publicity_starts": PUBLICITY.isoformat()})
    # 公示期满存档 (the service, told the date: the 公示 runs five working days)
    member_review.advance(review, actor=office, to="archived", today=date(2026, 12, 30))
    api.post(f"{base}/advance", {"to": "reported", "note": "评议结果已公示无异议"})
