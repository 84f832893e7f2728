"""Who may see and change what, decided once, by the organization tree.

Every view and endpoint starts with one `get_<object>_for(user, pk, write=...)`
call. Objects outside a user's reach raise `NotFound`, so "missing" and
"forbidden" look the same from outside.

Reach of a grant: organizer, host and superior grants cover the node's subtree;
a reporter grant covers only its own node (their own reports, not a neighbour's).
Writes to the tree and to rounds need an organizer (or admin) grant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from shuping.accounts.models import Role, RoleGrant
from shuping.lib.errors import NotFound
from shuping.organizations.models import Organization, Person

if TYPE_CHECKING:
    from shuping.lib.types import Viewer

SUBTREE_ROLES = (Role.ORGANIZER, Role.HOST, Role.SUPERIOR, Role.ADMIN)
READ_ROLES = (*SUBTREE_ROLES, Role.REPORTER)
WRITE_ROLES = (Role.ORGANIZER, Role.ADMIN)


def is_admin(user: Viewer) -> bool:
    """System administrators reach the whole tree."""
    return bool(getattr(user, "is_superuser", False)) or bool(grants(user, (Role.ADMIN,)))


def _grants(user: Viewer) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.filter(user_id=user.pk or 0).select_related("organization")


def grants(user: Viewer, roles: Iterable[str] = READ_ROLES) -> list[RoleGrant]:
    """The user's grants for `roles`, cached on the user object for the request."""
    if not user.is_authenticated:
        return []
    cache: dict[str, list[RoleGrant]] | None = getattr(user, "_shuping_grants", None)
    if cache is None:
        cache = {}
        for grant in _grants(user):
            cache.setdefault(grant.role, []).append(grant)
        setattr(user, "_shuping_grants", cache)  # noqa: B010 - a per-request cache
    return [g for role in roles for g in cache.get(role, [])]


def roles_of(user: Viewer) -> set[str]:
    return {g.role for g in grants(user, list(Role.values))}


def org_scope_q(user: Viewer, *, roles: Iterable[str] = READ_ROLES, prefix: str = "") -> Q:
    """A Q over objects whose organization (reached via `prefix`, e.g. "organization__")
    lies in the user's reach for `roles`. Matches nothing for a user with no grant."""
    if is_admin(user):
        return Q()
    q = Q(pk__in=[])
    for grant in grants(user, roles):
        if grant.role == Role.REPORTER:
            q |= Q(**{f"{prefix}pk": grant.organization_id})
        else:
            q |= Q(**{f"{prefix}path__startswith": grant.organization.path})
    return q


def reaches(user: Viewer, org: Organization, *, roles: Iterable[str] = READ_ROLES) -> bool:
    """Whether one of the user's grants for `roles` covers `org`."""
    if is_admin(user):
        return True
    for grant in grants(user, roles):
        if grant.role == Role.REPORTER:
            if grant.organization_id == org.pk:
                return True
        elif org.path.startswith(grant.organization.path):
            return True
    return False


def can_manage(user: Viewer, org: Organization) -> bool:
    return reaches(user, org, roles=WRITE_ROLES)


def visible_organizations(user: Viewer) -> QuerySet[Organization]:
    return Organization.objects.filter(org_scope_q(user))


def get_organization_for(user: Viewer, pk: Any, *, write: bool = False) -> Organization:
    try:
        org = Organization.objects.select_related("parent", "secretary").get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not reaches(user, org, roles=WRITE_ROLES if write else READ_ROLES):
        raise NotFound()
    return org


def visible_people(user: Viewer) -> QuerySet[Person]:
    return Person.objects.filter(org_scope_q(user, prefix="organization__"))


def get_person_for(user: Viewer, pk: Any, *, write: bool = False) -> Person:
    try:
        person = Person.objects.select_related("organization").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if person.user_id is not None and person.user_id == user.pk and not write:
        return person
    if person.organization is None:
        if is_admin(user):
            return person
        raise NotFound()
    if not reaches(user, person.organization, roles=WRITE_ROLES if write else READ_ROLES):
        raise NotFound()
    return person
