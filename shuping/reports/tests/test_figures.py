"""Reporters are people, reports are (reporter × meeting): the overview says both."""

from __future__ import annotations

import pytest
from django.test import Client

from shuping.conftest import Cast
from shuping.reports import services
from shuping.reports.tests.conftest import rules_for_shape
from shuping.rounds.models import Reporter
from shuping.rounds.testing import make_campaign

pytestmark = pytest.mark.django_db


def test_two_meeting_round_counts_reporters_and_reports_apart(cast: Cast) -> None:
    campaign = make_campaign(
        cast.street,
        year=2026,
        rules=rules_for_shape("004"),
        reporters=[cast.branch, cast.community_branch, cast.retiree_branch],
    )
    rep = Reporter.objects.get(campaign=campaign, organization=cast.branch)
    services.open_report(rep, actor=cast.reporter)
    client = Client()
    client.force_login(cast.organizer)
    page = client.get(f"/reports/round/{campaign.pk}/").content.decode()
    assert '<div class="stat">3</div>' in page
    assert "3 名述职对象，6 份报告" in page


def test_one_meeting_round_does_not_speak_of_reports(cast: Cast) -> None:
    campaign = make_campaign(cast.street, year=2026, reporters=[cast.branch, cast.community_branch])
    client = Client()
    client.force_login(cast.organizer)
    page = client.get(f"/reports/round/{campaign.pk}/").content.decode()
    assert '<div class="stat">2</div>' in page and "份报告" not in page
