"""Seed 002 (市场监管局党总支): two branch secretaries report to the members' meeting, are
evaluated on the spot — more than 10% of 一般/差 votes (10% itself is not "超过") makes
the grade 差 — and six named documents go to 市委直属机关工委 by 02-09 next year."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from django.utils import timezone

from shuping.assessment import services as assessment
from shuping.filing.models import Filing
from shuping.filing.scenario import hold_meeting, write_reports
from shuping.filing.tests.conftest import tiny_docx, tiny_pdf
from shuping.filing.tests.e2e import Api, branches, org, users
from shuping.organizations.models import OrgKind
from shuping.rounds.models import Campaign


def test_seed_002_from_preset_to_filing(db):
    # The tree: 市直机关工委 above the 市场监管局党总支 and its two branches.
    city = org(None, "SZ", "市委直属机关工委", OrgKind.WORKING)
    bureau = org(city, "SJ", "市场监管局党总支", OrgKind.GENERAL_BRANCH)
    first, second = branches(bureau, "SJ", ["第一党支部", "第二党支部"])
    office, superior = users(bureau, city)
    assert first.secretary is not None and second.secretary is not None
    api = Api(office)

    # Plan: the round comes from the shipped preset; both secretaries report on site.
    created = api.post(
        "/rounds/",
        {"committee_id": bureau.pk, "preset": "002_shichang_jianguan", "year": 2026},
        status=201,
    )
    assert created["warnings"] == []  # the seed names 2 reporters and there are 2
    reporters = api.get(f"/rounds/{created['id']}/reporters")
    assert [(r["organization"], r["mode"]) for r in reporters] == [
        ("第一党支部", "onsite"),
        ("第二党支部", "onsite"),
    ]
    api.post(f"/rounds/{created['id']}/status", {"to": "active"})
    campaign = Campaign.objects.get(pk=created["id"])

    # Report: each secretary writes, the 党总支 checks and approves before the meeting.
    assert write_reports(campaign) == 2

    # Meet and evaluate: 20 evaluators; 2 of them rate the second branch 一般 (exactly 10%:
    # not 差), 3 rate the first branch 一般 (15%: 差 by the 10% rule).
    first_name, second_name = first.secretary.name, second.secretary.name

    def vote(item, category, n):
        low = 3 if item["name"].startswith(first_name) else 2
        return "一般" if n < low else "好"

    _, ballot = hold_meeting(
        campaign,
        actor=office,
        kind="committee",
        starts_at=timezone.make_aware(datetime(2027, 1, 10, 9)),
        vote=vote,
        voters=20,
    )
    outcome = {
        r["name"].split()[0]: r["rules"][0]["exceeds"]
        for r in (ballot.closed_tally or {})["reporters"]
    }
    assert outcome == {first_name: True, second_name: False}

    # Grade: the 10% rule makes the first secretary 差; the 党总支 approves the list.
    assessment.propose_grades(campaign, actor=office)
    board = assessment.approve_grades(campaign, actor=office, minute_ref="党总支会议")
    grades = {i.reporter.organization.name: i.approved_grade for i in board.items.all()}
    assert grades["第一党支部"] == "差" and grades["第二党支部"] != "差"

    # File: the checklist is the seed's six documents, in its order.
    checklist = api.get(f"/filing/{campaign.pk}")
    assert checklist["filed_with"] == "市委直属机关工委"
    assert checklist["due_on"] == "2027-02-09"
    assert [(e["title"], e["state"]) for e in checklist["entries"]] == [
        ("述职评议考核工作方案", "ready"),
        ("主持点评讲话", "missing"),
        ("党组织书记总结讲话", "missing"),
        ("述职评议表", "ready"),
        ("点评问题整改方案", "missing"),
        ("整改台账", "missing"),
    ]
    entries = {e["title"]: e["id"] for e in checklist["entries"]}
    api.post(f"/filing/{campaign.pk}/submit", status=400)  # four items missing
    api.upload(
        f"/filing/{campaign.pk}/entries/{entries['主持点评讲话']}/upload", "点评.docx", tiny_docx()
    )
    api.upload(
        f"/filing/{campaign.pk}/entries/{entries['党组织书记总结讲话']}/upload",
        "总结.pdf",
        tiny_pdf(),
    )
    for title in ("点评问题整改方案", "整改台账"):
        api.post(
            f"/filing/{campaign.pk}/entries/{entries[title]}/excuse",
            {"reason": "整改方案和台账由各支部报送后汇总，另行补报"},
        )
    submitted = api.post(f"/filing/{campaign.pk}/submit")
    assert submitted["state"] == "submitted" and not submitted["is_late"]
    package = Filing.objects.get(campaign=campaign).packages.get()
    with zipfile.ZipFile(io.BytesIO(package.file.read())) as zf:
        names = zf.namelist()
    assert names[0] == "00_目录.docx"
    assert names[1:4] == [
        "01_述职评议考核工作方案.docx",
        "02_主持点评讲话.docx",
        "03_党组织书记总结讲话.pdf",
    ]
    tallies = [n for n in names if n.startswith("04_述职评议表/")]
    assert [n.rsplit(".", 1)[1] for n in tallies] == ["docx", "xlsx"]  # 汇总表 in Word and Excel

    # The superior files it (备案); the round is archived: read-only from now on.
    done = Api(superior).post(f"/filing/{campaign.pk}/acknowledge")
    assert done["state"] == "acknowledged" and done["archived"]
    api.post(f"/rounds/{campaign.pk}/status", {"to": "closed"}, status=409)
