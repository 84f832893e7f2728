from __future__ import annotations

import pytest

from shuping.audit.models import AuditEntry
from shuping.lib.errors import DomainError, PermissionDenied
from shuping.organizations.models import Organization
from shuping.organizations.services import move_organization, transfer_member


def test_paths_follow_the_tree(cast):
    assert cast.community_branch.path == (
        f"/{cast.district.pk}/{cast.street.pk}/{cast.community.pk}/{cast.community_branch.pk}/"
    )
    assert cast.community_branch.depth == 3
    assert cast.community_branch.ancestor_ids() == [
        cast.district.pk,
        cast.street.pk,
        cast.community.pk,
    ]


def test_move_rehangs_the_subtree_and_is_audited(cast):
    move_organization(cast.community, actor=cast.organizer, new_parent=cast.organ)
    child = Organization.objects.get(pk=cast.community_branch.pk)
    assert child.path.startswith(f"/{cast.district.pk}/{cast.organ.pk}/{cast.community.pk}/")
    assert AuditEntry.objects.filter(action="organization.move").count() == 1


def test_move_into_own_subtree_is_refused(cast):
    with pytest.raises(DomainError):
        move_organization(cast.street, actor=cast.organizer, new_parent=cast.community)


def test_outsider_cannot_move(cast):
    with pytest.raises(PermissionDenied):
        move_organization(cast.community, actor=cast.outsider, new_parent=cast.organ)


def test_transfer_keeps_history(cast):
    person = transfer_member(cast.reporter_person, actor=cast.organizer, to=cast.organ_branch)
    periods = list(person.memberships.order_by("id"))
    assert [p.organization_id for p in periods] == [cast.branch.pk, cast.organ_branch.pk]
    assert periods[0].ended_on is not None and periods[1].ended_on is None
