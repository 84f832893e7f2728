"""Next year: the report opens with last year's items, open items are carried over once."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from shuping.conftest import Cast
from shuping.rectification import services
from shuping.rectification.models import Item, ItemStatus, SourceKind
from shuping.reports import services as report_services
from shuping.reports.models import DutyReport
from shuping.rounds.models import Campaign, Reporter

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(cast: Cast, last_year: Campaign) -> list[Item]:
    old = last_year.reporters.get(organization=cast.branch)
    closed = services.create_item(old, actor=None, problem="党费收缴不及时。", measures="按月收缴")
    Item.objects.filter(pk=closed.pk).update(status=ItemStatus.CLOSED, closed_at=timezone.now())
    running = services.create_item(old, actor=None, problem="党员活动室使用率低。")
    services.add_progress(running, actor=None, text="已制定开放制度")
    services.create_item(
        last_year.reporters.get(organization=cast.community), actor=None, problem="社区停车难。"
    )
    return [closed, running]


def test_report_opens_with_last_years_items(
    cast: Cast, reporter: Reporter, history: list[Item]
) -> None:
    items = report_services.previous_rectification_items(reporter)
    assert [(i.problem, i.status.split("（")[0].split("：")[0]) for i in items] == [
        ("党费收缴不及时。", "已销号"),
        ("党员活动室使用率低。", "整改中"),
    ]
    assert "已制定开放制度" in items[1].status
    # a preset with a 上年度整改 section (seed 004) opens the report with them
    campaign = reporter.campaign
    campaign.rules["report"]["sections"].append(
        {"key": "rectification", "title": "上年度整改落实情况", "role": "rectification"}
    )
    campaign.save(update_fields=["rules"])
    fresh = Reporter.objects.select_related("campaign", "organization", "person").get(
        pk=reporter.pk
    )
    report = report_services.open_report(fresh, actor=cast.reporter)
    text = report.sections["rectification"]
    assert "党费收缴不及时" in text and "党员活动室使用率低" in text and "已销号" in text


def test_without_ledger_the_report_fallback_still_answers(
    cast: Cast, reporter: Reporter, last_year: Campaign
) -> None:
    old = last_year.reporters.get(organization=cast.branch)
    DutyReport.objects.create(reporter=old, sections={"problems": "支部书记抓党建的能力不足。"})
    items = report_services.previous_rectification_items(reporter)
    assert [i.source for i in items] == ["上年度述职自查"]


def test_carry_over_is_idempotent(
    cast: Cast, campaign: Campaign, reporter: Reporter, history: list[Item]
) -> None:
    with pytest.raises(Exception, match="只有组织部门"):
        services.carry_over(campaign, actor=cast.reporter)
    assert services.carry_over(campaign, actor=cast.street_organizer) == 2  # 2 open, 1 closed
    assert services.carry_over(campaign, actor=cast.street_organizer) == 0
    carried = Item.objects.get(reporter=reporter)
    assert carried.carried_from_id == history[1].pk and carried.year == 2026
    assert carried.status == ItemStatus.IN_PROGRESS and carried.progress == "已制定开放制度"
    assert carried.sources.get().kind == SourceKind.CARRIED
    assert carried.recurs_of_id is None  # a carried item continues; it is not a recurrence
    assert not Item.objects.filter(reporter=reporter, carried_from=history[0]).exists()


def test_starting_a_round_carries_open_items(
    cast: Cast, history: list[Item], django_capture_on_commit_callbacks: Any
) -> None:
    from shuping.rounds.models import CampaignStatus
    from shuping.rounds.services import change_status
    from shuping.rounds.testing import make_campaign

    campaign = make_campaign(
        cast.street, year=2026, reporters=[cast.branch], status=CampaignStatus.DRAFT
    )
    with django_capture_on_commit_callbacks(execute=True):
        change_status(campaign, actor=None, to=CampaignStatus.ACTIVE)
    assert Item.objects.filter(reporter__campaign=campaign, carried_from=history[1]).exists()
