"""The shared cast (healthchecks' BaseTestCase, as pytest fixtures).

A small district tree:

    区委 (district)
    ├── 甲街道党工委 (working, street)
    │   ├── 甲社区党委 (committee) ── 甲一支部 (branch)
    │   ├── 甲二支部 (branch)
    │   └── 甲老年支部 (branch, retiree)
    └── 乙机关工委 (working, organ)
        └── 乙一支部 (branch)

and one user per role: admin; organizer and host at the district; superior at the
district (read only); a street organizer (甲街道); reporter = secretary of 甲二支部;
outsider = organizer of 乙机关工委 (cannot see 甲's subtree).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from shuping.accounts.models import Role, RoleGrant
from shuping.organizations.models import Organization, OrgKind, Person, Sector
from shuping.organizations.services import create_organization, create_person

PASSWORD = "test-pass-123"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """Real hashers cost ~100 ms a user; tests only need them to be called."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: pytest.FixtureRequest) -> None:
    """Pages render without a collectstatic manifest in tests."""
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: pytest.FixtureRequest) -> None:
    """Tasks run inline in tests; in production the worker (`shuping db_worker`) runs them."""
    settings.TASKS = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


@dataclass
class Cast:
    district: Organization
    street: Organization
    community: Organization
    community_branch: Organization
    branch: Organization
    retiree_branch: Organization
    organ: Organization
    organ_branch: Organization
    admin: User
    organizer: User
    host: User
    superior: User
    street_organizer: User
    reporter: User
    outsider: User
    reporter_person: Person


def make_user(
    username: str, *, role: str | None = None, org: Organization | None = None, full_name: str = ""
) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    if full_name:
        user.first_name = full_name
        user.save(update_fields=["first_name"])
    if role and org:
        RoleGrant.objects.create(user=user, role=role, organization=org)
    return user


def _org(
    parent: Organization | None, code: str, name: str, kind: str, sector: str, **extra: object
) -> Organization:
    return create_organization(
        actor=None, parent=parent, code=code, name=name, kind=kind, sector=sector, **extra
    )


@pytest.fixture
def cast(db: object) -> Cast:
    district = _org(None, "D", "示范区委", OrgKind.DISTRICT, Sector.ORGAN)
    street = _org(district, "S1", "甲街道党工委", OrgKind.WORKING, Sector.STREET)
    community = _org(street, "S1C1", "甲社区党委", OrgKind.COMMITTEE, Sector.STREET)
    community_branch = _org(community, "S1C1B1", "甲社区第一党支部", OrgKind.BRANCH, Sector.STREET)
    branch = _org(street, "S1B2", "甲街道第二党支部", OrgKind.BRANCH, Sector.STREET)
    retiree = _org(
        street, "S1B3", "甲街道老年党支部", OrgKind.BRANCH, Sector.STREET, is_retiree_branch=True
    )
    organ = _org(district, "O1", "乙机关工委", OrgKind.WORKING, Sector.ORGAN)
    organ_branch = _org(organ, "O1B1", "乙机关第一党支部", OrgKind.BRANCH, Sector.ORGAN)

    reporter = make_user("reporter", role=Role.REPORTER, org=branch, full_name="王书记")
    person = create_person(
        actor=None, organization=branch, name="王建国", gender="M", position="甲街道第二党支部书记"
    )
    person.user = reporter
    person.save(update_fields=["user"])
    branch.secretary = person
    branch.save(update_fields=["secretary"])

    admin = make_user("admin", role=Role.ADMIN, org=district)
    return Cast(
        district=district,
        street=street,
        community=community,
        community_branch=community_branch,
        branch=branch,
        retiree_branch=retiree,
        organ=organ,
        organ_branch=organ_branch,
        admin=admin,
        organizer=make_user("organizer", role=Role.ORGANIZER, org=district),
        host=make_user("host", role=Role.HOST, org=district),
        superior=make_user("superior", role=Role.SUPERIOR, org=district),
        street_organizer=make_user("street_organizer", role=Role.ORGANIZER, org=street),
        reporter=reporter,
        outsider=make_user("outsider", role=Role.ORGANIZER, org=organ),
        reporter_person=person,
    )
