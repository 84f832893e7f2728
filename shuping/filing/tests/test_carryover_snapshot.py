"""Closing a round fixes what next year's round of the same committee starts from: the
rotation, last year's grades, open rectification items and recurring problems. Later
edits do not rewrite it; next year's round shows it and its ledger takes the open items."""

from __future__ import annotations

import pytest

from shuping.audit.models import AuditEntry
from shuping.conftest import PASSWORD
from shuping.lib.errors import PermissionDenied, StateError
from shuping.rectification.models import Item, ItemStatus, SourceKind
from shuping.rounds import services as rounds
from shuping.rounds.carryover import carryover
from shuping.rounds.models import CampaignStatus, CarryoverSnapshot, ReportMode
from shuping.rounds.testing import make_campaign, sample_rules

OPEN = "2025年度未销号的整改事项（结转入本年度整改台账）"
RECURRING = "2025年度反复出现的问题"
ROTATION = "2025年度书面述职、本年度应安排现场述职的书记（两年内至少现场述职一次）"


@pytest.fixture
def last(cast):
    last = make_campaign(
        cast.district, year=2025, rules=sample_rules(filing=[]), reporters=[cast.street, cast.organ]
    )
    last.reporters.filter(organization=cast.organ).update(mode=ReportMode.WRITTEN, is_vacant=False)
    street = last.reporters.get(organization=cast.street)
    earlier = Item.objects.create(
        organization=cast.street, year=2024, number=1, problem="党员发展把关不严", status="closed"
    )
    Item.objects.create(
        organization=cast.street, year=2025, reporter=street, number=1, problem="三会一课不规范"
    )
    Item.objects.create(
        organization=cast.street,
        year=2025,
        reporter=street,
        number=2,
        problem="发展党员程序把关不严",
        recurs_of=earlier,
        status=ItemStatus.CLOSED,
    )
    return last


def test_close_fixes_the_carryover(cast, last):
    rounds.change_status(last, actor=cast.organizer, to=CampaignStatus.CLOSED)
    snapshot = CarryoverSnapshot.objects.get(campaign=last)
    assert snapshot.taken_on == "close"
    fixed = {s["heading"]: s["lines"] for s in snapshot.sections}
    assert fixed[ROTATION] == ["乙机关工委"]
    assert fixed[OPEN] == ["甲街道党工委（2025年度）：三会一课不规范（未开始）"]
    assert fixed[RECURRING] == ["甲街道党工委：发展党员程序把关不严（2024年度已查摆过相似问题）"]
    assert AuditEntry.objects.filter(action="campaign.carryover_freeze").count() == 1

    # a later sign-off does not rewrite history; next year's round reads the snapshot
    Item.objects.filter(problem="三会一课不规范").update(status=ItemStatus.CLOSED)
    this = make_campaign(cast.district, year=2026, reporters=[cast.street, cast.organ])
    carried = {c.heading: c.lines for c in carryover(this)}
    assert carried[OPEN] == ("甲街道党工委（2025年度）：三会一课不规范（未开始）",)
    assert RECURRING in carried


def test_archive_refixes_and_next_round_shows_and_carries(client, cast, last):
    this = make_campaign(
        cast.district, year=2026, reporters=[cast.street, cast.organ], status=CampaignStatus.DRAFT
    )
    # before the close, the round page says the lines are still live
    assert client.login(username="organizer", password=PASSWORD)
    page = client.get(f"/rounds/{this.pk}/").content.decode()
    assert "尚未结束" in page and "三会一课不规范" in page
    rounds.archive_campaign(last, actor=cast.organizer, note="测试")
    assert CarryoverSnapshot.objects.get(campaign=last).taken_on == "archive"
    page = client.get(f"/rounds/{this.pk}/").content.decode()
    assert "备案归档时固定" in page and "反复出现的问题" in page


def test_freeze_needs_the_close_and_the_right_to_close(cast, last):
    with pytest.raises(PermissionDenied):
        rounds.change_status(last, actor=cast.reporter, to=CampaignStatus.CLOSED)
    assert not CarryoverSnapshot.objects.filter(campaign=last).exists()
    rounds.change_status(last, actor=cast.organizer, to=CampaignStatus.CLOSED)
    with pytest.raises(StateError):  # a closed round does not close again
        rounds.change_status(last, actor=cast.organizer, to=CampaignStatus.CLOSED)
    assert CarryoverSnapshot.objects.filter(campaign=last).count() == 1


def test_items_carried_before_the_close_still_count(cast, last, django_capture_on_commit_callbacks):
    this = make_campaign(
        cast.district, year=2026, reporters=[cast.street, cast.organ], status=CampaignStatus.DRAFT
    )
    with django_capture_on_commit_callbacks(execute=True):  # next year starts first
        rounds.change_status(this, actor=cast.organizer, to=CampaignStatus.ACTIVE)
    rounds.change_status(last, actor=cast.organizer, to=CampaignStatus.CLOSED)
    fixed = {
        s["heading"]: s["lines"] for s in CarryoverSnapshot.objects.get(campaign=last).sections
    }
    assert fixed[OPEN] == ["甲街道党工委（2025年度）：三会一课不规范（未开始）"]


def test_started_round_takes_open_items_into_its_ledger(
    cast, last, django_capture_on_commit_callbacks
):
    rounds.change_status(last, actor=cast.organizer, to=CampaignStatus.CLOSED)
    this = make_campaign(
        cast.district, year=2026, reporters=[cast.street, cast.organ], status=CampaignStatus.DRAFT
    )
    with django_capture_on_commit_callbacks(execute=True):
        rounds.change_status(this, actor=cast.organizer, to=CampaignStatus.ACTIVE)
    carried = Item.objects.get(reporter__campaign=this)
    assert carried.problem == "三会一课不规范" and carried.carried_from is not None
    assert carried.sources.get().kind == SourceKind.CARRIED
