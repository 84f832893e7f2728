"""Ending a round asks first and says what happens (issue 13, point 3)."""

from __future__ import annotations

import html

from django.urls import reverse

from shuping.conftest import PASSWORD
from shuping.rounds.models import CampaignStatus
from shuping.rounds.services import change_status, create_campaign


def test_ending_a_round_asks_for_confirmation(client, cast):
    campaign = create_campaign(
        cast.street, actor=cast.street_organizer, preset="004_jiedao_shuangshu", year=2026
    )
    if campaign.status == CampaignStatus.DRAFT:
        change_status(campaign, actor=cast.street_organizer, to=CampaignStatus.ACTIVE)
    assert client.login(username=cast.street_organizer.username, password=PASSWORD)
    page = html.unescape(client.get(reverse("rounds:detail", args=[campaign.pk])).content.decode())
    assert 'data-confirm="结束后本方案归档' in page
