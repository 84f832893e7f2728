"""The per-organization people counts (counts.py) against a direct COUNT after every
kind of write: services, roster import, bulk and raw SQL, moves, failures."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client

from shuping.conftest import Cast
from shuping.lib.errors import DomainError
from shuping.organizations import counts
from shuping.organizations.models import (
    Organization,
    OrgPeopleCount,
    Person,
    PersonCategory,
)
from shuping.organizations.queries import people_by_category, people_total
from shuping.organizations.roster_import import import_roster
from shuping.organizations.roster_read import RosterInvalid
from shuping.organizations.services import (
    create_person,
    move_organization,
    transfer_member,
    update_person,
)
from shuping.organizations.tests.test_roster import GOOD_ORGS, GOOD_PEOPLE, workbook

pytestmark = pytest.mark.django_db(transaction=False)


def assert_counts_exact() -> None:
    """Every organization's stored counts equal a direct COUNT, and every subtree's sums."""
    direct = {
        (row["organization_id"], row["category"]): row["n"]
        for row in Person.objects.exclude(organization=None)
        .values("organization_id", "category")
        .annotate(n=Count("pk"))
    }
    stored = {(c.organization_id, c.category): c.n for c in OrgPeopleCount.objects.all() if c.n}
    assert stored == direct
    for org in Organization.objects.all():
        for c in people_by_category(org, _Admin()):
            people = Person.objects.filter(category=c.key)
            assert c.direct == people.filter(organization=org).count()
            assert c.subtree == people.filter(org.subtree_q("organization__")).count()


class _Admin:
    is_authenticated = True
    is_superuser = True
    is_active = True
    pk = 0


def _people(cast: Cast) -> list[Person]:
    return [
        create_person(actor=None, organization=cast.community_branch, name="党员甲", gender="M"),
        create_person(actor=None, organization=cast.organ_branch, name="党员乙", gender="F"),
        create_person(
            actor=None,
            organization=cast.street,
            name="积极分子丙",
            gender="M",
            category=PersonCategory.ACTIVIST,
        ),
    ]


def test_services_keep_counts_exact(cast: Cast) -> None:
    a, b, c = _people(cast)
    assert_counts_exact()
    transfer_member(a, actor=cast.organizer, to=cast.branch)
    assert_counts_exact()
    update_person(c, actor=cast.organizer, category=PersonCategory.MEMBER)
    assert_counts_exact()
    move_organization(cast.organ_branch, actor=cast.organizer, new_parent=cast.street)
    assert_counts_exact()
    counts_of_street = {x.key: x.subtree for x in people_by_category(cast.street, cast.admin)}
    assert counts_of_street["member"] == 4  # 王建国, 甲, 乙 (moved with its branch), 丙
    Person.objects.filter(pk=b.pk).delete()
    assert_counts_exact()


def test_bulk_and_raw_writes_keep_counts_exact(cast: Cast) -> None:
    Person.objects.bulk_create(
        [Person(organization=cast.branch, name=f"批量{i}") for i in range(30)]
        + [Person(organization=None, name="无组织")]
        + [Person(organization=cast.organ, name="群众", category=PersonCategory.MASS)]
    )
    assert_counts_exact()
    Person.objects.filter(organization=cast.branch, name__startswith="批量1").update(
        organization=cast.community_branch
    )
    Person.objects.filter(name="群众").update(category=PersonCategory.GUEST)
    Person.objects.filter(name="无组织").update(organization=cast.organ)
    Person.objects.filter(name__startswith="批量2").update(phone="13800000000")  # moves nobody
    assert_counts_exact()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM organizations_person WHERE name LIKE %s", ["批量%"])
    assert_counts_exact()


def test_roster_import_keeps_counts_exact_and_a_refused_one_changes_nothing(
    cast: Cast,
) -> None:
    import_roster(workbook(GOOD_ORGS, GOOD_PEOPLE), actor=cast.organizer)
    assert_counts_exact()
    before = list(OrgPeopleCount.objects.values_list("organization_id", "category", "n"))
    with pytest.raises(RosterInvalid):  # outside the organizer's subtree: refused whole
        import_roster(workbook(GOOD_ORGS, GOOD_PEOPLE), actor=cast.outsider)
    assert list(OrgPeopleCount.objects.values_list("organization_id", "category", "n")) == before
    assert_counts_exact()


def test_a_refused_transfer_changes_no_count(cast: Cast) -> None:
    a, _, c = _people(cast)
    with pytest.raises(DomainError):  # not a member: no transfer
        transfer_member(c, actor=cast.organizer, to=cast.branch)
    with pytest.raises(DomainError):  # already there
        transfer_member(a, actor=cast.organizer, to=cast.community_branch)
    assert_counts_exact()


def test_subtree_counts_and_totals_stay_within_the_users_reach(cast: Cast) -> None:
    _people(cast)
    # The reporter reaches its own branch only, not the rest of the district.
    district = {c.key: c.subtree for c in people_by_category(cast.district, cast.reporter)}
    assert district == {"member": 1}
    assert people_total(cast.district, cast.reporter, subtree=True) == 1
    assert people_total(cast.district, cast.admin, subtree=True) == 4
    assert people_total(cast.street, cast.admin, subtree=False) == 1


def test_api_total_comes_from_the_counts(cast: Cast) -> None:
    _people(cast)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.organizer)
    url = f"/api/v1/organizations/{cast.district.pk}/people?subtree=true"
    body = client.get(url).json()
    assert body["count"] == 4 == Person.objects.count()
    assert client.get(url + "&q=党员").json()["count"] == 2
    client.force_login(cast.outsider)  # 乙机关工委: the district is outside its reach
    assert client.get(url).status_code == 404


def test_lost_triggers_are_restored_with_a_recount(cast: Cast) -> None:
    _people(cast)
    with connection.cursor() as cursor:  # what a SQLite table rebuild does to them
        on = " ON organizations_person" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER people_count_insert{on}")
    create_person(actor=None, organization=cast.branch, name="漏计", gender="M")
    assert counts.ensure_triggers(connection) is True
    assert_counts_exact()
    create_person(actor=None, organization=cast.branch, name="再计", gender="M")
    assert_counts_exact()
    assert counts.ensure_triggers(connection) is False
