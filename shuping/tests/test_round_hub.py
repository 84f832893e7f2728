"""The round page is the hub (issue 13, point 2): stage links, a status column per
stage for each reporter, timeline steps linking to where they are done, and a
registry other stages plug into without editing the template."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuping.ballots import services as ballots
from shuping.ballots.tests.conftest import make_meeting
from shuping.conftest import PASSWORD
from shuping.reports import services as reports
from shuping.rounds import hub
from shuping.rounds.models import Deadline
from shuping.rounds.services import create_campaign
from shuping.rounds.tests.conftest import make_org


def page(client, user, campaign) -> str:
    assert client.login(username=user.username, password=PASSWORD)
    return client.get(reverse("rounds:detail", args=[campaign.pk])).content.decode()


def test_round_page_links_every_stage_and_shows_each_reporters_status(client, cast):
    meeting = make_meeting(cast)
    campaign = meeting.campaign
    Deadline.objects.create(campaign=campaign, key="report_due", title="报送述职报告")
    reporter = campaign.reporters.get(organization=cast.branch)
    reports.open_report(reporter, actor=None)
    ballots.open_ballot(ballots.create_ballot(meeting, actor=None), actor=None)
    html = page(client, cast.organizer, campaign)
    for url in (
        reverse("reports:overview", args=[campaign.pk]),
        reverse("meetings:campaign", args=[campaign.pk]),
        reverse("ballots:meeting", args=[meeting.pk]),
        reverse("rounds:plan", args=[campaign.pk]),
    ):
        assert f'href="{url}"' in html
    assert "<th>述职报告</th><th>述职评议会</th><th>民主测评</th>" in html
    assert "草稿" in html and "测评中" in html and "第" in html
    # the timeline step links to where it is done
    assert f'<a href="{reverse("reports:overview", args=[campaign.pk])}">报送述职报告</a>' in html


def test_a_stage_plugs_in_through_the_registry(client, cast, monkeypatch):
    meeting = make_meeting(cast)
    monkeypatch.setitem(
        hub.STAGES, "results", lambda c, u: hub.StageLink("结果运用", "/results/x/", "待公示", 60)
    )
    monkeypatch.setitem(
        hub.COLUMNS,
        "assessment",
        ("综合评价", 50, lambda c, rs: {r.pk: hub.StatusCell("较好", "ok") for r in rs}),
    )
    html = page(client, cast.organizer, meeting.campaign)
    assert "结果运用" in html and "待公示" in html and "<th>综合评价</th>" in html


def test_reporter_sees_the_round_without_office_links(client, cast):
    campaign = create_campaign(
        cast.street, actor=cast.street_organizer, preset="004_jiedao_shuangshu", year=2026
    )
    html = page(client, cast.reporter, campaign)
    assert reverse("reports:overview", args=[campaign.pk]) not in html


def test_round_page_queries_do_not_grow_with_reporters(client, cast):
    campaign = create_campaign(
        cast.street, actor=cast.street_organizer, preset="004_jiedao_shuangshu", year=2026
    )
    assert client.login(username=cast.street_organizer.username, password=PASSWORD)
    url = reverse("rounds:detail", args=[campaign.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        org = make_org(cast.street, f"新支部{i}", "branch", "street")
        from shuping.rounds.reporters import add_reporter

        add_reporter(
            campaign, actor=cast.street_organizer, organization=org, mode="written", reason="补充"
        )
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) <= len(few) + 1
