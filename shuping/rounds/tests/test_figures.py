"""The round page states reporters and on-site places once, as the round set them."""

from __future__ import annotations

import pytest
from django.test import Client

from shuping.conftest import Cast
from shuping.rounds.models import ReportMode
from shuping.rounds.queries import reporter_counts
from shuping.rounds.services import create_campaign

pytestmark = pytest.mark.django_db


def test_places_of_the_round_and_of_the_preset_are_not_confused(cast: Cast) -> None:
    campaign = create_campaign(
        cast.district, actor=cast.organizer, preset="003_quwei_liangji", year=2026, onsite_places=2
    )
    counts = reporter_counts(campaign)
    assert counts.total == campaign.reporters.count()
    assert counts.onsite == campaign.reporters.filter(mode=ReportMode.ONSITE).count() <= 2
    assert counts.onsite + counts.written == counts.total
    client = Client()
    client.force_login(cast.organizer)
    page = client.get(f"/rounds/{campaign.pk}/").content.decode()
    assert f"述职对象 {counts.total} 名" in page
    assert f"现场 {counts.onsite} 名（本轮名额 2）" in page
    assert "本轮现场名额 2，方案模板为 16" in page
    assert "现场名额 16" not in page.replace("方案模板为 16", "")
