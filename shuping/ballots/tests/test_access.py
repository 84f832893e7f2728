from __future__ import annotations

import pytest

from shuping.accounts.models import Role
from shuping.ballots import services
from shuping.ballots.access import get_ballot_for
from shuping.ballots.models import Ballot
from shuping.conftest import Cast, make_user
from shuping.lib.errors import NotFound, PermissionDenied


@pytest.mark.parametrize(
    ("who", "write", "allowed"),
    [
        ("organizer", True, True),
        ("host", True, True),  # hosts this meeting in person
        ("other_host", False, True),
        ("other_host", True, False),  # a host grant alone does not run someone else's meeting
        ("superior", False, True),
        ("superior", True, False),
        ("street_organizer", False, False),  # the round's committee is above the street
        ("outsider", False, False),
        ("reporter", False, False),
    ],
)
def test_ballot_reach_follows_the_meeting(
    cast: Cast, ballot: Ballot, who: str, write: bool, allowed: bool
) -> None:
    user = (
        make_user("other_host", role=Role.HOST, org=cast.district)
        if who == "other_host"
        else getattr(cast, who)
    )
    if allowed:
        assert get_ballot_for(user, ballot.pk, write=write) == ballot
    else:
        with pytest.raises(NotFound):
            get_ballot_for(user, ballot.pk, write=write)


def test_services_refuse_who_cannot_run_the_meeting(cast: Cast, ballot: Ballot) -> None:
    with pytest.raises(PermissionDenied):
        services.open_ballot(ballot, actor=cast.superior)
