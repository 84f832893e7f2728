"""Seed 004 (街道党工委, 双述双评): each secretary reports twice — to the members'
meeting and to the 党工委 — (老年党支部 excluded, two of the 两新 branches drawn by lot),
at most 4 may be 优秀, and 基本称职 two years running leads to 组织处理; the results go
to the city as a 党工委 document within a week, and the materials are archived. Run
over two years: the 2025 round is filed and archived before the 2026 round starts."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from shuping.assessment import services as assessment
from shuping.assessment.queries import grades_by_person
from shuping.filing.scenario import hold_meeting, write_reports
from shuping.filing.tests.e2e import Api, org, users
from shuping.lib.errors import DomainError
from shuping.organizations.models import OrgKind, Sector
from shuping.rounds.carryover import carryover
from shuping.rounds.models import Campaign


def _tree():
    city = org(None, "SZB", "市委组织部", OrgKind.DISTRICT)
    street = org(city, "JD", "金顶街道党工委", OrgKind.WORKING, Sector.STREET)
    org(street, "JD01", "金鑫社区党委", OrgKind.COMMITTEE, Sector.STREET)
    org(street, "JD02", "金坡社区党总支", OrgKind.GENERAL_BRANCH, Sector.STREET)
    org(street, "JD08", "金顶社区党委", OrgKind.COMMITTEE, Sector.STREET)
    org(street, "JD09", "金山社区党委", OrgKind.COMMITTEE, Sector.STREET)
    org(street, "JD03", "老年党支部", OrgKind.BRANCH, Sector.STREET, is_retiree_branch=True)
    for i, sector in enumerate([Sector.NON_PUBLIC, Sector.NON_PUBLIC, Sector.SOCIAL], start=4):
        org(street, f"JD0{i}", f"两新组织第{i}党支部", OrgKind.BRANCH, sector)
    return city, street


def _year(api, office, street, year, *, vote):
    created = api.post(
        "/rounds/",
        {
            "committee_id": street.pk,
            "preset": "004_jiedao_shuangshu",
            "year": year,
            "sampling_seed": 7,
        },
        status=201,
    )
    api.post(f"/rounds/{created['id']}/status", {"to": "active"})
    campaign = Campaign.objects.get(pk=created["id"])
    write_reports(campaign)
    ballots = []
    for day, kind in ((10, "members"), (12, "committee")):  # 双述双评: both meetings
        _, ballot = hold_meeting(
            campaign,
            actor=office,
            kind=kind,
            starts_at=timezone.make_aware(datetime(year + 1, 1, day, 9)),
            vote=vote,
            voters=10,
        )
        ballots.append(ballot)
    return created, campaign, ballots


def _grade(office, campaign, *, base_grade):
    """Propose from both tallies and the daily score; the quota of 4 优秀 is applied in the
    proposal, raising a fifth breaks it and approval is refused; the others are settled
    at `base_grade` with a reason and the list is approved."""
    board = assessment.ensure_board(campaign)
    for item in board.items.all():  # daily management: full marks (30% of the score)
        assessment.set_inputs(item, actor=office, daily_score=100)
    board = assessment.propose_grades(campaign, actor=office)
    assert list(board.items.values_list("proposed_grade", flat=True)).count("优秀") == 4
    others = list(board.items.exclude(proposed_grade="优秀"))
    assessment.override_grade(others[0], actor=office, grade="优秀", reason="表现突出")
    with pytest.raises(DomainError, match="不能审定"):
        assessment.approve_grades(campaign, actor=office)
    for item in others:
        assessment.override_grade(item, actor=office, grade=base_grade, reason="党工委研究确定")
    assessment.approve_grades(campaign, actor=office, minute_ref="党工委会议")
    return list(board.items.order_by("reporter__order"))


def test_seed_004_two_meetings_two_years(db):
    city, street = _tree()
    office, superior = users(street, city)
    api = Api(office)

    def vote(item, category, n):
        return "优秀"

    created, first, ballots = _year(api, office, street, 2025, vote=vote)
    names = [r["organization"] for r in api.get(f"/rounds/{first.pk}/reporters")]
    assert "老年党支部" not in names and len(names) == 6  # 4 communities + 2 drawn by lot
    assert len(first.sampling_log) == 1 and first.sampling_log[0]["count"] == 2
    quota = [g for g in created["rules"]["grading"] if g["kind"] == "quota_max"]
    assert quota == [
        {"kind": "quota_max", "grades": ["优秀"], "count": 4, "text": "“优秀”等次名额不超过4个"}
    ]
    assert [b.meeting.kind for b in ballots] == ["members", "committee"]
    assert all(len((b.closed_tally or {})["reporters"]) == 6 for b in ballots)

    # Grade: everyone polled as 优秀, but at most 4 may be; two are settled at 基本称职.
    items = _grade(office, first, base_grade="基本称职")
    assert [i.approved_grade for i in items].count("优秀") == 4

    checklist = api.get(f"/filing/{first.pk}")
    assert checklist["due_on"] == "2026-01-17" and checklist["filed_with"] == "市委组织部"
    assert [(e["title"], e["state"]) for e in checklist["entries"]] == [
        ("述职评议结果（以党工委文件报送）", "ready"),
        ("资料整理归档", "ready"),
    ]
    submitted = api.post(f"/filing/{first.pk}/submit")
    assert submitted["is_late"]  # filed after 2026-01-17: flagged for the superior
    assert Api(superior).post(f"/filing/{first.pk}/acknowledge")["archived"]

    # The next year starts from this one: same reporters drawn reproducibly, two meetings.
    _, second, ballots = _year(api, office, street, 2026, vote=vote)
    assert [r.organization.name for r in second.reporters.all()] == names
    assert len(ballots) == 2
    carried = {c.heading: c.lines for c in carryover(second)}
    lowest = carried["2025年度综合评价等次（连续两年等次规则的依据）"]
    assert lowest[0].endswith("基本称职") and lowest[-1].endswith("优秀")
    _grade(office, second, base_grade="基本称职")
    # 基本称职 two years running: both years' approved grades are on record for the rule.
    people = [r.person_id for r in second.reporters.all() if r.person_id]
    history = grades_by_person(people, years=[2025, 2026])
    twice = [p for p, years in history.items() if years == {2025: "基本称职", 2026: "基本称职"}]
    assert len(twice) == 2
    consequences = {c["grade"]: c for c in second.parsed_rules.raw["consequences"]}
    assert consequences["基本称职"]["repeated_years"] == 2
