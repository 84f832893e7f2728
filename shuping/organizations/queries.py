"""Read queries shared by the tree pages and the API: each runs a fixed number of
queries however large the tree (grouped counts, no per-node lookups)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from shuping.accounts.access import grants, is_admin, org_scope_q, reaches
from shuping.organizations.models import Organization, Person, PersonCategory


def reachable_roots(user: Any) -> list[Organization]:
    """The topmost nodes the user reaches: their grants' nodes minus those inside another."""
    if is_admin(user):
        return list(Organization.objects.filter(parent=None).select_related("secretary"))
    nodes = sorted({g.organization for g in grants(user)}, key=lambda o: o.path)
    roots: list[Organization] = []
    for org in nodes:
        if not any(org.path.startswith(r.path) for r in roots):
            roots.append(org)
    ids = [r.pk for r in roots]
    return list(Organization.objects.filter(pk__in=ids).select_related("secretary"))


def with_counts(orgs: list[Organization]) -> list[Organization]:
    """Attach `n_children` and `n_members` with two grouped queries, whatever the count."""
    ids = [o.pk for o in orgs]
    children = dict(
        Organization.objects.filter(parent_id__in=ids)
        .values_list("parent_id")
        .annotate(n=Count("pk"))
        .values_list("parent_id", "n")
    )
    members = dict(
        Person.objects.filter(organization_id__in=ids, category=PersonCategory.MEMBER)
        .values_list("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    for org in orgs:
        org.n_children = children.get(org.pk, 0)  # type: ignore[attr-defined]
        org.n_members = members.get(org.pk, 0)  # type: ignore[attr-defined]
    return orgs


def visible_children(user: Any, org: Organization) -> list[Organization]:
    qs = (
        Organization.objects.filter(parent=org)
        .filter(org_scope_q(user))
        .select_related("secretary")
        .order_by("sort_order", "code")
    )
    return with_counts(list(qs))


def ancestors(user: Any, org: Organization) -> list[tuple[Organization, bool]]:
    """The chain from the root to the parent, each with whether the user may open it."""
    chain = Organization.objects.filter(pk__in=org.ancestor_ids()).order_by("depth")
    return [(a, reaches(user, a)) for a in chain]
