"""Seed 003 (区委, two tiers): at district level the committees' secretaries report —
the streets on site, the rest in writing — and a committee below follows the district
(比照) with its own basic-level round: it files its plan, and its meeting plan 10 days
before the meeting. The district files reports and cases, slides and the 专题报告
(开展情况、存在问题、意见建议、下一步计划) by 03-31."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from django.utils import timezone
from docx import Document

from shuping.filing.models import Filing, SummaryReport
from shuping.filing.scenario import hold_meeting, write_reports
from shuping.filing.summary import summary_docx
from shuping.filing.tests.e2e import Api, branches, org, users
from shuping.organizations.models import OrgKind, Sector
from shuping.rounds import services as rounds
from shuping.rounds import sub_rounds
from shuping.rounds.models import Campaign, FilingKind, PlanFiling


def test_seed_003_both_tiers(db):
    city = org(None, "SW", "市委", OrgKind.DISTRICT)
    district = org(city, "QW", "西山区委", OrgKind.DISTRICT)
    street = org(district, "QW01", "金顶街道党工委", OrgKind.WORKING, Sector.STREET)
    org(district, "QW02", "区直机关工委", OrgKind.WORKING)
    org(district, "QW03", "区教工委", OrgKind.WORKING, Sector.SCHOOL)
    branches(street, "QW01B", ["金鑫社区党委第一支部", "金坡社区党支部"], sector=Sector.STREET)
    office, superior = users(district, city)
    api = Api(office)

    # District tier: on-site for the street and the names the seed lists, others in writing.
    created = api.post(
        "/rounds/",
        # 16 places in the seed's district; this small district has 2
        {
            "committee_id": district.pk,
            "preset": "003_quwei_liangji",
            "year": 2026,
            "onsite_places": 2,
        },
        status=201,
    )
    modes = {r["organization"]: r["mode"] for r in api.get(f"/rounds/{created['id']}/reporters")}
    assert modes == {"金顶街道党工委": "onsite", "区直机关工委": "onsite", "区教工委": "written"}
    api.post(f"/rounds/{created['id']}/status", {"to": "active"})
    top = Campaign.objects.get(pk=created["id"])

    # Basic tier: the street follows the district (比照) and files its plans with it.
    (sub,) = sub_rounds.create_sub_campaigns(top, actor=office, committees=[street])
    rounds.change_status(sub, actor=office, to="active")
    sub_rounds.file_plan(sub, actor=office, note="基层述职工作方案")
    meeting_on = sub.deadlines.get(key="meeting").due_on
    assert meeting_on is not None
    on_time = sub_rounds.file_plan(
        sub,
        actor=office,
        kind=FilingKind.MEETING_PLAN,
        meeting_on=meeting_on,
        today=meeting_on - timedelta(days=10),
    )
    late = sub_rounds.file_plan(
        sub,
        actor=office,
        kind=FilingKind.MEETING_PLAN,
        meeting_on=meeting_on,
        today=meeting_on - timedelta(days=9),
    )
    assert (on_time.is_late, late.is_late) == (False, True)  # 10 days ahead is in time
    assert PlanFiling.objects.filter(campaign=sub).count() == 3

    # The district meeting: 15 minutes each, evaluated by indicator-free ballot.
    write_reports(top)
    hold_meeting(
        top,
        actor=office,
        kind="committee",
        starts_at=timezone.make_aware(datetime(2027, 2, 22, 9)),
        vote=lambda item, category, n: "好" if n else "较好",
        voters=6,
    )

    # The 专题报告, drafted from the round's own figures, then edited and filed.
    draft = api.post(f"/filing/{top.pk}/summary/draft")
    assert "现场述职2名、书面述职1名" in draft["situation"]
    assert "召开述职评议会1场" in draft["situation"]
    text = "\n".join(
        p.text
        for p in Document(
            io.BytesIO(summary_docx(SummaryReport.objects.get(campaign=top))[2])
        ).paragraphs
    )
    assert all(h in text for h in ("开展情况", "存在问题", "意见建议", "下一步计划"))
    checklist = api.get(f"/filing/{top.pk}")
    assert checklist["due_on"] == "2027-03-31" and checklist["filed_with"] == "区委组织部"
    states = {e["title"]: e["state"] for e in checklist["entries"]}
    assert states == {
        "述职报告和创新案例电子版": "ready",
        "PPT演示文稿（现场述职单位）": "missing",
        "基层党组织述职工作专题报告": "ready",
    }
    slides = next(e["id"] for e in checklist["entries"] if e["state"] == "missing")
    api.post(f"/filing/{top.pk}/entries/{slides}/excuse", {"reason": "现场述职未使用演示文稿"})
    assert api.post(f"/filing/{top.pk}/submit")["state"] == "submitted"
    assert Api(superior).post(f"/filing/{top.pk}/acknowledge")["archived"]

    # The street's own round files with the district; the district organizer answers.
    sub_filing = api.get(f"/filing/{sub.pk}")
    assert sub_filing["filed_with"] == "区委组织部"
    for entry in sub_filing["entries"]:
        if entry["state"] == "missing":
            api.post(
                f"/filing/{sub.pk}/entries/{entry['id']}/excuse", {"reason": "基层会议尚未召开"}
            )
    assert api.post(f"/filing/{sub.pk}/submit")["state"] == "submitted"
    assert api.post(f"/filing/{sub.pk}/acknowledge")["archived"]  # the district answers
    assert Filing.objects.get(campaign=top).due_on == date(2027, 3, 31)
