"""The filing demo step: files and archives the district's 2025 round, moves 2026 rounds
to later stages, leaves one sub-round overdue; a second run changes nothing."""

from __future__ import annotations

from shuping.accounts.models import Role
from shuping.conftest import Cast, make_user
from shuping.filing import demo
from shuping.filing.models import Filing, FilingState, SummaryReport
from shuping.organizations.models import Organization
from shuping.rounds.models import Campaign, CampaignStatus
from shuping.rounds.testing import make_campaign, sample_rules


def test_demo_does_nothing_without_the_district(db: object) -> None:
    lines: list[str] = []
    assert demo.load(lines.append) == []
    assert not Filing.objects.exists() and lines == []


def test_demo_files_2025_and_is_idempotent(cast: Cast) -> None:
    Organization.objects.filter(pk=cast.district.pk).update(code="QW")
    make_user("zuzhibu", role=Role.ORGANIZER, org=cast.district)
    make_user("shangji", role=Role.SUPERIOR, org=cast.district)
    items = {
        "filing": ["述职报告和创新案例电子版", "基层党组织述职工作专题报告"],
        "filing_items": [
            {"title": "述职报告和创新案例电子版", "kind": "reports"},
            {"title": "基层党组织述职工作专题报告", "kind": "summary_report"},
        ],
    }
    old = make_campaign(
        cast.district, year=2025, rules=sample_rules(**items), status=CampaignStatus.CLOSED
    )
    make_campaign(cast.district, year=2026, rules=sample_rules(**items), reporters=[cast.street])
    lines: list[str] = []
    demo.load(lines.append)
    filing = Filing.objects.get(campaign=old)
    assert filing.state == FilingState.ACKNOWLEDGED and not filing.is_late
    assert SummaryReport.objects.filter(campaign=old).exists()
    old.refresh_from_db()
    assert old.archived_at is not None
    assert filing.packages.get().status == "done"
    rounds = Campaign.objects.count()
    demo.load(lines.append)
    assert Campaign.objects.count() == rounds and filing.packages.count() == 1
