"""A 2026 round at the street (甲街道党工委) with the cast's reporter (甲街道第二党支部)
and the community's secretary as a second reporter; an earlier 2025 round for history."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from shuping.accounts.models import Role
from shuping.conftest import PASSWORD, Cast, make_user
from shuping.organizations.services import create_person
from shuping.rounds.models import Campaign, CampaignStatus, Reporter
from shuping.rounds.testing import make_campaign


@pytest.fixture(autouse=True)
def _test_storage(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def other_reporter(cast: Cast) -> User:
    """The secretary of 甲社区党委: a reporter in the same round, not the cast's one."""
    user = make_user("other_reporter", role=Role.REPORTER, org=cast.community)
    person = create_person(actor=None, organization=cast.community, name="李社区")
    person.user = user
    person.save(update_fields=["user"])
    cast.community.secretary = person
    cast.community.save(update_fields=["secretary"])
    return user


@pytest.fixture
def campaign(cast: Cast, other_reporter: User) -> Campaign:
    return make_campaign(cast.street, year=2026, reporters=[cast.branch, cast.community])


@pytest.fixture
def last_year(cast: Cast, other_reporter: User) -> Campaign:
    return make_campaign(
        cast.street,
        year=2025,
        reporters=[cast.branch, cast.community],
        status=CampaignStatus.CLOSED,
    )


@pytest.fixture
def reporter(campaign: Campaign, cast: Cast) -> Reporter:
    return campaign.reporters.select_related("organization", "person", "campaign").get(
        organization=cast.branch
    )


@pytest.fixture
def other(campaign: Campaign, cast: Cast) -> Reporter:
    return campaign.reporters.select_related("organization", "person", "campaign").get(
        organization=cast.community
    )


def login(user: User, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def bearer(user: User) -> dict[str, str]:
    out = StringIO()
    call_command("create_token", user.username, stdout=out)
    return {"Authorization": f"Bearer {out.getvalue().strip()}"}
