"""Fixtures for the meetings app: a seed-004-shaped round (两个会议, quorum 80%/20%)
over the cast's tree, and a members' meeting with its agenda."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from shuping.conftest import Cast
from shuping.meetings import services
from shuping.meetings.models import Meeting
from shuping.organizations.models import PersonCategory
from shuping.organizations.services import create_person
from shuping.rounds.models import Campaign
from shuping.rounds.testing import make_campaign, sample_rules

MEETINGS_004: list[dict[str, Any]] = [
    {
        "key": "members",
        "title": "向党员大会述职",
        "minutes_per_report": 7,
        "evaluators": [
            {"key": "member", "title": "党员"},
            {"key": "mass", "title": "干部职工、群众代表"},
        ],
        "quorum": {"members_min_share": "0.8", "mass_min_share": "0.2", "source": "80%以上"},
    },
    {
        "key": "committee",
        "title": "向党工委述职",
        "minutes_per_report": 7,
        "evaluators": [
            {"key": "leader", "title": "党工委班子成员"},
            {"key": "mass", "title": "党员群众代表"},
        ],
        "evaluates_written": True,
    },
]


def when() -> datetime:
    return timezone.make_aware(datetime(2026, 12, 20, 9, 0))


@pytest.fixture
def campaign(cast: Cast) -> Campaign:
    return make_campaign(
        cast.street,
        year=2026,
        rules=sample_rules(meetings=MEETINGS_004),
        reporters=[cast.branch, cast.community],
    )


@pytest.fixture
def meeting(cast: Cast, campaign: Campaign) -> Meeting:
    return services.create_meeting(
        campaign,
        actor=cast.street_organizer,
        kind="members",
        title="2026年度双述双评党员大会",
        starts_at=when(),
        place="社区活动室",
        host=None,
    )


def add_people(cast: Cast, *, members: int, mass: int = 0) -> None:
    for i in range(members):
        create_person(actor=None, organization=cast.branch, name=f"党员{i:02d}")
    for i in range(mass):
        create_person(
            actor=None, organization=cast.branch, name=f"群众{i:02d}", category=PersonCategory.MASS
        )
