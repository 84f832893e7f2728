"""A preset-000 round at the cast's street committee, with members in two branches."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pytest

from shuping.conftest import Cast
from shuping.member_review import services
from shuping.member_review.models import MemberEvaluation, MemberReview
from shuping.organizations.models import Person, PersonCategory
from shuping.rounds.models import Campaign
from shuping.rounds.presets import get_preset
from shuping.rounds.testing import make_campaign


def rules_000(**review: Any) -> dict[str, Any]:
    data = copy.deepcopy(get_preset("000_shizong_jiguan").rules_data)
    data["member_review"].update(review)
    return data


def add_members(branch: Any, n: int, *, prefix: str = "党员") -> list[Person]:
    people = [
        Person(
            name=f"{prefix}{i:03d}",
            organization=branch,
            category=PersonCategory.MEMBER,
            phone=f"1380000{i:04d}",
        )
        for i in range(1, n + 1)
    ]
    return Person.objects.bulk_create(people)


@dataclass
class World:
    campaign: Campaign
    review: MemberReview
    evals: list[MemberEvaluation]


def make_world(cast: Cast, *, members: int = 5, **review_rules: Any) -> World:
    campaign = make_campaign(cast.street, year=2016, rules=rules_000(**review_rules))
    add_members(cast.branch, members)
    add_members(cast.community_branch, 3, prefix="社区党员")
    services.start_member_reviews(campaign, actor=cast.street_organizer)
    review = MemberReview.objects.select_related("branch", "campaign").get(
        campaign=campaign, branch=cast.branch
    )
    return World(campaign, review, list(review.evaluations.order_by("order")))


@pytest.fixture
def world(cast: Cast) -> World:
    return make_world(cast)
