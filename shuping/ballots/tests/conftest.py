"""A meeting of the cast's district round with three evaluated reporters."""

from __future__ import annotations

from typing import Any

import pytest

from shuping.ballots import casting, services
from shuping.ballots.models import Ballot
from shuping.conftest import Cast
from shuping.meetings.attendance import QuorumStatus
from shuping.meetings.models import Meeting, MeetingReporter, MeetingStatus
from shuping.organizations.models import Person
from shuping.rounds.testing import make_campaign, sample_rules


def make_meeting(
    cast: Cast,
    *,
    rules: dict[str, Any] | None = None,
    n: int = 3,
    year: int = 2025,
    status: str = MeetingStatus.IN_PROGRESS,
) -> Meeting:
    orgs = [cast.street, cast.organ, cast.branch, cast.community, cast.retiree_branch][:n]
    campaign = make_campaign(cast.district, year=year, rules=rules, reporters=orgs)
    # The cast's host user hosts the meeting in person, which is what lets a host run
    # its ballot (meetings/access.py).
    host, _ = Person.objects.get_or_create(
        user=cast.host, defaults={"name": "区委书记", "organization": cast.district}
    )
    # In progress: a ballot opens only while its meeting runs.
    meeting = Meeting.objects.create(
        campaign=campaign,
        kind="committee",
        title=f"{year}年度述职评议会",
        host=host,
        status=status,
    )
    for rep in campaign.reporters.all():
        MeetingReporter.objects.create(meeting=meeting, reporter=rep, order=rep.order)
    return meeting


@pytest.fixture
def meeting(cast: Cast) -> Meeting:
    return make_meeting(cast)


@pytest.fixture
def ballot(meeting: Meeting) -> Ballot:
    return services.create_ballot(meeting, actor=None)


@pytest.fixture
def open_ballot(ballot: Ballot) -> Ballot:
    return services.open_ballot(ballot, actor=None)


@pytest.fixture
def no_quorum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        services,
        "quorum_status",
        lambda meeting: QuorumStatus(met=False, lines=["到会党员 7 人，应到 10 人，不足 80%"]),
    )


def weighted_rules() -> dict[str, Any]:
    rules = sample_rules()
    rules["meetings"][0]["evaluators"] = [
        {"key": "leader", "title": "区委常委", "weight": "2/3"},
        {"key": "mass", "title": "群众代表", "weight": "1/3"},
    ]
    return rules


def all_grade(ballot: Ballot, grade: str) -> dict[str, list[str]]:
    return {row["key"]: [grade] for row in ballot.rows()}


def unsealed(ballot: Ballot) -> list[tuple[str, list[tuple[int, str, str, str]], str]]:
    """The sheets of an open ballot as the server opens them at close: (category, rows, comment)."""
    from shuping.ballots import sealing
    from shuping.ballots.models import SealedSheet

    out = []
    for box in SealedSheet.objects.filter(ballot=ballot).values_list("box", flat=True):
        category, codes, comment = sealing.unseal(ballot.pk, bytes(box))
        out.append((category, casting.rows_from_codes(ballot, codes), comment))
    return out
