"""Rounds from the shipped presets on the shared cast, graded and approved through the
assessment stage (whose hook creates this stage's records and tasks)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from shuping.assessment.models import Assessment, AssessmentBoard, BoardState
from shuping.assessment.services import approve_grades, ensure_board
from shuping.conftest import Cast
from shuping.lib.types import Actor
from shuping.organizations.models import Organization
from shuping.organizations.services import create_person
from shuping.rounds.models import Campaign
from shuping.rounds.presets import shipped_presets
from shuping.rounds.testing import make_campaign


def preset_round(
    committee: Organization, key: str, *, year: int, reporters: list[Organization], title: str = ""
) -> Campaign:
    campaign = make_campaign(
        committee, year=year, rules=shipped_presets()[key].rules_data, reporters=reporters
    )
    if title:
        campaign.title = title
        campaign.save(update_fields=["title"])
    return campaign


def approve(campaign: Campaign, grades: Mapping[Organization, str], *, actor: Actor) -> None:
    """Set the grades (as if proposed) and let the committee approve them."""
    board = ensure_board(campaign)
    for org, grade in grades.items():
        Assessment.objects.filter(board=board, reporter__organization=org).update(
            grade=grade,
            achievements=f"{org.name}抓党建工作扎实",
            problems=f"{org.name}党员教育管理不够严格",
            overall="总体较好",
            rectification_required="加强“三会一课”",
        )
    if board.state == BoardState.DRAFT:
        AssessmentBoard.objects.filter(pk=board.pk).update(state=BoardState.PROPOSED)
    approve_grades(campaign, actor=actor)


@pytest.fixture
def second_secretary(cast: Cast) -> None:
    """甲社区党委 gets a secretary, so both reporters of the street have a person."""
    person = create_person(
        actor=None, organization=cast.community, name="李红梅", gender="F", position="书记"
    )
    cast.community.secretary = person
    cast.community.save(update_fields=["secretary"])


@pytest.fixture
def street_004(cast: Cast, second_secretary: None) -> Campaign:
    """Seed 004's preset run by 甲街道党工委 for two secretaries (2018)."""
    return preset_round(
        cast.street,
        "004_jiedao_shuangshu",
        year=2018,
        reporters=[cast.community, cast.branch],
        title="甲街道2018年度双述双评",
    )
