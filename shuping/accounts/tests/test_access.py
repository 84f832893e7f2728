from __future__ import annotations

import pytest

from shuping.accounts.access import get_organization_for, get_person_for, visible_organizations
from shuping.lib.errors import NotFound


@pytest.mark.parametrize(
    ("who", "org", "write", "allowed"),
    [
        ("organizer", "community_branch", True, True),
        ("street_organizer", "community_branch", True, True),
        ("street_organizer", "organ_branch", False, False),
        ("street_organizer", "district", False, False),
        ("outsider", "branch", False, False),
        ("outsider", "organ_branch", True, True),
        ("host", "branch", False, True),
        ("host", "branch", True, False),
        ("superior", "organ_branch", False, True),
        ("superior", "organ_branch", True, False),
        ("reporter", "branch", False, True),
        ("reporter", "branch", True, False),
        ("reporter", "community_branch", False, False),
        ("admin", "district", True, True),
    ],
)
def test_organization_access_matrix(cast, who, org, write, allowed):
    user, target = getattr(cast, who), getattr(cast, org)
    if allowed:
        assert get_organization_for(user, target.pk, write=write) == target
    else:
        with pytest.raises(NotFound):
            get_organization_for(user, target.pk, write=write)


def test_missing_and_forbidden_look_the_same(cast):
    with pytest.raises(NotFound) as missing:
        get_organization_for(cast.outsider, 999999)
    with pytest.raises(NotFound) as forbidden:
        get_organization_for(cast.outsider, cast.branch.pk)
    assert str(missing.value) == str(forbidden.value)


def test_visible_organizations_is_the_subtree(cast):
    names = set(visible_organizations(cast.street_organizer).values_list("code", flat=True))
    assert names == {"S1", "S1C1", "S1C1B1", "S1B2", "S1B3"}


def test_person_reachable_by_self_and_subtree_only(cast):
    assert get_person_for(cast.reporter, cast.reporter_person.pk) == cast.reporter_person
    assert get_person_for(cast.street_organizer, cast.reporter_person.pk, write=True)
    with pytest.raises(NotFound):
        get_person_for(cast.outsider, cast.reporter_person.pk)
