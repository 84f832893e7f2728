"""Home = the role's to-do list (issue 13, point 1). Cross-app: the items come from
providers of rounds, reports, meetings and ballots registered in accounts."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shuping.conftest import PASSWORD, Cast
from shuping.meetings import services as meetings
from shuping.organizations.models import Person
from shuping.reports import services as reports
from shuping.reports.models import DutyReport
from shuping.rounds.models import CampaignStatus, Deadline
from shuping.rounds.testing import make_campaign


def home(client, user) -> str:
    assert client.login(username=user.username, password=PASSWORD)
    return client.get(reverse("accounts:home")).content.decode()


def _round(cast: Cast):
    campaign = make_campaign(cast.street, year=2026, reporters=[cast.branch, cast.community_branch])
    campaign.status = CampaignStatus.ACTIVE
    campaign.save(update_fields=["status"])
    today = timezone.localdate()
    Deadline.objects.create(
        campaign=campaign, key="report_due", title="报送述职报告", due_on=today - timedelta(days=2)
    )
    return campaign


def test_organizer_sees_reviews_returns_and_overdue_grouped_by_round(client, cast):
    campaign = _round(cast)
    mine = campaign.reporters.get(organization=cast.branch)
    report = reports.open_report(mine, actor=cast.reporter)
    DutyReport.objects.filter(pk=report.pk).update(state="submitted")
    page = home(client, cast.street_organizer)
    assert "待办" in page and campaign.title in page
    assert "审核述职报告" in page and "1 份待审核" in page
    assert reverse("reports:overview", args=[campaign.pk]) in page
    assert "处理逾期的时间节点" in page and reverse("rounds:detail", args=[campaign.pk]) in page


def test_reporter_sees_the_returned_report_with_comment_count_and_link(client, cast):
    campaign = _round(cast)
    mine = campaign.reporters.get(organization=cast.branch)
    report = reports.open_report(mine, actor=cast.reporter)
    DutyReport.objects.filter(pk=report.pk).update(state="submitted")
    report.refresh_from_db()
    reports.return_report(report, actor=cast.street_organizer, comments={"": "数据不够具体"})
    page = home(client, cast.reporter)
    assert "修改退回的述职报告" in page and "提出 1 条意见" in page
    assert reverse("reports:write", args=[report.pk]) in page


def test_host_is_offered_todays_meeting(client, cast):
    campaign = _round(cast)
    host_person = Person.objects.create(name="甲书记", organization=cast.street, user=cast.host)
    meeting = meetings.create_meeting(
        campaign,
        actor=cast.street_organizer,
        kind="committee",
        title="述职评议会",
        starts_at=timezone.now(),
        place="会议室",
        host=host_person,
    )
    page = home(client, cast.host)
    assert "进入今天的会议" in page and reverse("meetings:host", args=[meeting.pk]) in page


def test_superior_sees_sub_rounds_state(client, cast):
    _round(cast)
    page = home(client, cast.superior)
    assert "查看下级述职评议考核进展" in page and "进行中 1 个" in page


def test_home_queries_do_not_grow_with_the_tree(client, cast):
    campaign = _round(cast)
    for reporter in campaign.reporters.all():
        reports.open_report(reporter, actor=None)
    assert client.login(username=cast.street_organizer.username, password=PASSWORD)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:home"))
    for i in range(3):
        make_campaign(cast.street, year=2020 + i, reporters=[cast.branch, cast.community_branch])
    DutyReport.objects.update(state="submitted")
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("accounts:home"))
    assert len(more) <= len(few) + 2


def test_reporter_is_not_asked_to_start_a_report_after_the_round_met(client, cast):
    campaign = _round(cast)
    page = home(client, cast.reporter)
    assert "开始撰写述职报告" in page  # before any meeting: it is still to do
    meeting = meetings.create_meeting(
        campaign,
        actor=cast.street_organizer,
        kind="committee",
        title="述职评议会",
        starts_at=timezone.now() - timedelta(days=30),
    )
    assert "开始撰写述职报告" in home(client, cast.reporter)  # a meeting still to hold
    meeting.status = "closed"
    meeting.save(update_fields=["status"])
    assert "开始撰写述职报告" not in home(client, cast.reporter)
