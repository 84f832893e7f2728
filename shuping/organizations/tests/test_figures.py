"""One definition per figure on the tree pages (issue: numbers an office can sign)."""

from __future__ import annotations

import pytest
from django.test import Client

from shuping.accounts.models import Role
from shuping.conftest import Cast, make_user
from shuping.organizations.models import PersonCategory
from shuping.organizations.queries import people_by_category
from shuping.organizations.services import create_person

pytestmark = pytest.mark.django_db


def _people(cast: Cast) -> None:
    for i in range(3):
        create_person(actor=None, organization=cast.street, name=f"街道党员{i}", gender="M")
    for i in range(4):
        create_person(
            actor=None, organization=cast.community_branch, name=f"支部党员{i}", gender="F"
        )
    create_person(
        actor=None,
        organization=cast.street,
        name="积极分子甲",
        gender="M",
        category=PersonCategory.ACTIVIST,
    )
    create_person(
        actor=None,
        organization=cast.street,
        name="群众代表乙",
        gender="F",
        category=PersonCategory.MASS,
    )


def test_members_counts_only_party_members_and_names_the_other_categories(cast: Cast) -> None:
    _people(cast)
    counts = {c.key: c for c in people_by_category(cast.street, cast.organizer)}
    # the cast's reporter (王建国, 党员) sits in 甲街道第二党支部, below 甲街道党工委
    assert (counts["member"].direct, counts["member"].subtree) == (3, 8)
    assert (counts["activist"].direct, counts["mass"].direct) == (1, 1)
    assert "applicant" not in counts  # categories with nobody are not listed

    client = Client()
    client.force_login(cast.organizer)
    page = client.get(f"/org/{cast.street.pk}/").content.decode()
    assert "<dt>党员</dt><dd>直属 3 名；含下级组织 8 名</dd>" in page
    assert "<dt>入党积极分子</dt><dd>直属 1 名" in page
    assert "<dt>群众代表</dt><dd>直属 1 名" in page


def test_tree_label_says_direct_members(cast: Cast) -> None:
    _people(cast)
    client = Client()
    client.force_login(cast.organizer)
    page = client.get(f"/org/{cast.district.pk}/children/").content.decode()
    assert "直属党员 3 名 · 3 个下级" in page  # 甲街道党工委: 3 direct, 637-style totals elsewhere


def test_a_node_never_counts_children_the_user_cannot_open(cast: Cast) -> None:
    user = make_user("community_reporter", role=Role.REPORTER, org=cast.community)
    client = Client()
    client.force_login(user)
    roots = client.get("/api/v1/organizations/roots").json()
    assert [(r["name"], r["children_count"]) for r in roots] == [("甲社区党委", 0)]
    page = client.get("/org/").content.decode()
    assert "个下级" not in page
