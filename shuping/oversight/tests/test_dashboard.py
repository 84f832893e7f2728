"""The superior's view: stages, overdue flags, grade distribution and drill-down, counted
in SQL with a fixed number of queries; 404 outside the subtree, 403 for a reporter."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from shuping.conftest import PASSWORD
from shuping.filing import services as filing_services
from shuping.oversight.queries import dashboard
from shuping.rounds.models import CampaignStatus, Deadline, FilingKind, PlanFiling
from shuping.rounds.testing import make_campaign, sample_rules

TODAY = date(2026, 3, 1)


@pytest.fixture
def rounds(cast):
    district = make_campaign(cast.district, rules=sample_rules(filing=[]), reporters=[cast.street])
    street = make_campaign(cast.street, rules=sample_rules(filing=[]), reporters=[cast.branch])
    street.parent = district
    street.save(update_fields=["parent"])
    organ = make_campaign(
        cast.organ,
        rules=sample_rules(filing=[]),
        reporters=[cast.organ_branch],
        status=CampaignStatus.DRAFT,
    )
    community = make_campaign(
        cast.community, rules=sample_rules(filing=[]), reporters=[cast.community_branch]
    )
    for campaign in (district, street, community):
        Deadline.objects.create(
            campaign=campaign, key="report_due", title="报送", due_on=date(2026, 1, 20)
        )
        Deadline.objects.create(
            campaign=campaign, key="meeting", title="会议", due_on=date(2026, 2, 24)
        )
    return district, street, organ, community


def test_stages_and_overdue(cast, rounds, django_assert_num_queries):
    district, street, _organ, _community = rounds
    filing = filing_services.ensure_filing(district)
    filing_services.submit_filing(filing, actor=cast.organizer)
    with django_assert_num_queries(9):
        board = dashboard(cast.district, year=2025, today=TODAY)
    assert board.total == 4
    assert {key: n for key, _, n in board.stages} == {
        "plan": 1,
        "reporting": 2,
        "meeting": 0,
        "evaluated": 0,
        "graded": 0,
        "filed": 1,
        "archived": 0,
    }
    assert [n for _, n in board.funnel] == [4, 3, 1, 1, 1, 1, 0]
    overdue = dict(board.overdue)
    assert overdue["方案未备案"] == 1  # the street's sub-round has not filed its plan
    assert overdue["会议逾期未开"] == 3  # district (already filed) counts too: no meeting held
    assert overdue["述职报告未交齐"] == 3
    by_name = {b.org.name: b for b in board.branches}
    assert by_name["甲街道党工委"].rounds == 2 and by_name["乙机关工委"].rounds == 1
    assert by_name["示范区委"].rounds == 1
    street_row = next(r for r in board.rounds if r.pk == street.pk)
    assert "方案未备案" in street_row.flags  # type: ignore[attr-defined]
    PlanFiling.objects.create(campaign=street, kind=FilingKind.PLAN)
    board = dashboard(cast.district, year=2025, today=TODAY)
    assert dict(board.overdue)["方案未备案"] == 0


def test_query_count_does_not_grow_with_the_tree(cast, rounds, django_assert_num_queries):
    from shuping.organizations.models import OrgKind, Sector
    from shuping.organizations.services import create_organization

    for i in range(6):
        org = create_organization(
            actor=None,
            parent=cast.district,
            code=f"X{i}",
            name=f"新增工委{i}",
            kind=OrgKind.WORKING,
            sector=Sector.ORGAN,
        )
        create_organization(
            actor=None,
            parent=org,
            code=f"X{i}B",
            name=f"新增支部{i}",
            kind=OrgKind.BRANCH,
            sector=Sector.ORGAN,
        )
        make_campaign(org, rules=sample_rules(filing=[]))
    with django_assert_num_queries(9):
        board = dashboard(cast.district, year=2025, today=TODAY)
    assert board.total == 10


def test_page_drill_down_and_export(client, cast, rounds, django_assert_max_num_queries):
    assert client.login(username="superior", password=PASSWORD)
    with django_assert_max_num_queries(16):
        page = client.get("/oversight/?year=2025")
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and "甲街道党工委" in text
    assert "方案未备案" in text
    street = client.get(f"/oversight/?org={cast.street.pk}&year=2025")
    assert "甲社区党委" in street.content.decode()
    export = client.get(f"/oversight/export.xlsx?org={cast.district.pk}&year=2025")
    wb = load_workbook(io.BytesIO(export.content))
    assert wb.sheetnames[:6] == [
        "各单位",
        "阶段",
        "逾期事项",
        "等次分布",
        "各轮方案",
        "民主评议党员",
    ]
    assert [c.value for c in wb["阶段"][3]] == ["方案制定", 1, 4]  # under the title and header


def test_access(client, cast, rounds):
    assert client.login(username="street_organizer", password=PASSWORD)
    assert client.get(f"/oversight/?org={cast.district.pk}").status_code == 404
    assert client.get(f"/oversight/?org={cast.street.pk}&year=2025").status_code == 200
    client.logout()
    assert client.login(username="reporter", password=PASSWORD)
    assert client.get(f"/oversight/?org={cast.branch.pk}").status_code == 403
    assert client.get("/oversight/").status_code == 403
    assert client.get(f"/oversight/?org={cast.district.pk}").status_code == 404


def test_api(client, cast, rounds):
    from shuping.filing.tests.conftest import bearer

    data = client.get("/api/v1/oversight/?year=2025", headers=bearer(cast.superior)).json()
    assert data["rounds"] == 4 and data["stages"]["plan"] == 1
    # found by the API fuzzing: an impossible year answered 500
    bad = client.get("/api/v1/oversight/?year=-5166031", headers=bearer(cast.superior))
    assert bad.status_code == 400 and "年度" in bad.json()["detail"]
    assert (
        client.get(
            f"/api/v1/oversight/?org={cast.district.pk}", headers=bearer(cast.outsider)
        ).status_code
        == 404
    )
