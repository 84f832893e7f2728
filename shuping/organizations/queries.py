"""Read queries shared by the tree pages and the API: each runs a fixed number of
queries however large the tree (grouped counts, no per-node lookups)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Count, F, Func, Q, QuerySet, Sum, Value

from shuping.accounts.access import grants, is_admin, org_scope_q, reaches
from shuping.organizations.models import Organization, OrgPeopleCount, Person, PersonCategory

# Tree order of the people lists (pages and API); the trailing id makes every key unique.
PERSON_ORDER = ("organization__path", "category", "name", "id")


DENSE_MATCHES = 2000


class _NameHasGrams(Func):
    """PostgreSQL: the name's GIN-indexed characters and pairs hold all of the query's
    (migration 0003). Exact for one or two characters, a superset beyond."""

    output_field = BooleanField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:  # type: ignore[override]
        (name, name_params), (query, query_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        # The left side must spell the index's expression for the planner to use it.
        left = f"shuping_name_grams(UPPER(({name})::text))"
        return f"{left} @> shuping_query_grams(UPPER({query}))", (*name_params, *query_params)


def search_people(qs: QuerySet[Person], text: str) -> QuerySet[Person]:
    """People whose name contains `text` (any part, case-insensitive): one place for the
    node page and the API. On PostgreSQL an index finds the candidates (a name search
    of one or two characters is the common case, which pg_trgm cannot serve); the LIKE
    keeps the answer exactly `icontains` on every database."""
    text = text.strip()
    if not text:
        return qs
    qs = qs.filter(name__icontains=text)
    if connections[qs.db].vendor != "postgresql":
        return qs
    grams = _NameHasGrams(F("name"), Value(text))
    # A common single character (伟: 40,000 of 600,000) is better served by walking the
    # list in its order until a page is full than by collecting every match and sorting
    # it; a rare one, and every longer query, by the index. One capped probe tells them
    # apart (measured at 600k: 伟 11 ms walking vs 640 ms through the index).
    if len(text) == 1:
        probe = Person.objects.using(qs.db).filter(grams).order_by()[:DENSE_MATCHES]
        if probe.count() >= DENSE_MATCHES:
            return qs
    return qs.filter(grams)


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


def with_counts(orgs: list[Organization], user: Any) -> list[Organization]:
    """Attach `n_children` and `n_members` with two grouped queries, whatever the count.

    `n_children` counts the children the user may open, so a node never says "4 个下级"
    and then "没有下级组织" when expanded; `n_members` is direct Party members only
    (the label says 直属党员).
    """
    ids = [o.pk for o in orgs]
    children = dict(
        Organization.objects.filter(parent_id__in=ids)
        .filter(org_scope_q(user))
        .values_list("parent_id")
        .annotate(n=Count("pk"))
        .values_list("parent_id", "n")
    )
    members = dict(
        OrgPeopleCount.objects.filter(
            organization_id__in=ids, category=PersonCategory.MEMBER
        ).values_list("organization_id", "n")
    )
    for org in orgs:
        org.n_children = children.get(org.pk, 0)  # type: ignore[attr-defined]
        org.n_members = members.get(org.pk, 0)  # type: ignore[attr-defined]
    return orgs


@dataclass(frozen=True)
class CategoryCount:
    key: str
    title: str
    direct: int
    subtree: int


def people_by_category(org: Organization, user: Any) -> list[CategoryCount]:
    """People of a node by category, directly in it and in its whole (visible) subtree.

    One definition for every page and export that says how many 党员 a node has: only
    category 党员 counts as Party members; the other categories are named as themselves.
    Two grouped queries whatever the size of the subtree.
    """
    # Read from the trigger-kept per-organization counts (counts.py): the subtree is a
    # SUM over its organizations' rows, not a COUNT over every person below the node.
    direct = dict(
        OrgPeopleCount.objects.filter(organization=org, n__gt=0).values_list("category", "n")
    )
    subtree = dict(
        OrgPeopleCount.objects.filter(org.subtree_q("organization__"))
        .filter(org_scope_q(user, prefix="organization__"))
        .values_list("category")
        .annotate(total=Sum("n"))
        .values_list("category", "total")
    )
    return [
        CategoryCount(key, str(title), direct.get(key, 0), subtree.get(key, 0))
        for key, title in PersonCategory.choices
        if key == PersonCategory.MEMBER or direct.get(key) or subtree.get(key)
    ]


def people_total(org: Organization, user: Any, *, subtree: bool) -> int:
    """How many people a node holds, directly or in its whole visible subtree: the
    total the people lists show, from the per-organization counts (counts.py)."""
    counts = OrgPeopleCount.objects.filter(
        org.subtree_q("organization__") if subtree else Q(organization=org)
    )
    if subtree:
        counts = counts.filter(org_scope_q(user, prefix="organization__"))
    return counts.aggregate(total=Sum("n"))["total"] or 0


def visible_children(user: Any, org: Organization) -> list[Organization]:
    qs = (
        Organization.objects.filter(parent=org)
        .filter(org_scope_q(user))
        .select_related("secretary")
        .order_by("sort_order", "code")
    )
    return with_counts(list(qs), user)


def ancestors(user: Any, org: Organization) -> list[tuple[Organization, bool]]:
    """The chain from the root to the parent, each with whether the user may open it."""
    chain = Organization.objects.filter(pk__in=org.ancestor_ids()).order_by("depth")
    return [(a, reaches(user, a)) for a in chain]
