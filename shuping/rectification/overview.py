"""The superior's view: completion by committee and the overdue list across a subtree.

Everything is aggregated in the database: one grouped query for the committees (each
item is assigned to the child of the root whose path prefixes its organization's path),
one for the totals, and the overdue list is paginated by the page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from shuping.organizations.models import Organization
from shuping.rectification.models import Item, ItemStatus, overdue_q


def _scope(root: Organization, year: int | None) -> QuerySet[Item]:
    qs = Item.objects.filter(root.subtree_q("organization__"))
    return qs.filter(year=year) if year else qs


def years(root: Organization) -> list[int]:
    return list(_scope(root, None).order_by("-year").values_list("year", flat=True).distinct()[:10])


def pick_year(root: Organization, wanted: str | None) -> int | None:
    if wanted and wanted.isdigit():
        return int(wanted)
    found = years(root)
    this_year = timezone.localdate().year
    return this_year if this_year in found else (found[0] if found else None)


def _aggregates(today: date) -> dict[str, Any]:
    return {
        "total": Count("id"),
        "closed": Count("id", filter=Q(status=ItemStatus.CLOSED)),
        "done": Count("id", filter=Q(status=ItemStatus.DONE)),
        "overdue": Count("id", filter=overdue_q(today)),
        "recurring": Count("id", filter=Q(recurs_of__isnull=False)),
    }


def _rate(row: dict[str, Any]) -> dict[str, Any]:
    row["rate"] = round(row["closed"] * 100 / row["total"]) if row["total"] else None
    return row


def totals(root: Organization, year: int | None, today: date) -> dict[str, Any]:
    return _rate(dict(_scope(root, year).aggregate(**_aggregates(today))))


def by_committee(root: Organization, year: int | None, today: date) -> list[dict[str, Any]]:
    """One row per direct child of `root` (its whole subtree), plus the root's own items."""
    children = list(root.children.filter(is_active=True).order_by("sort_order", "path"))
    branch = Case(
        *[When(organization__path__startswith=c.path, then=Value(c.pk)) for c in children],
        default=Value(root.pk),
        output_field=IntegerField(),
    )
    grouped = {
        row["branch"]: row
        for row in _scope(root, year)
        .annotate(branch=branch)
        .values("branch")
        .annotate(**_aggregates(today))
        .order_by()
    }
    rows = []
    for org in [root, *children]:
        row = grouped.get(org.pk)
        if row is None:
            continue
        rows.append(_rate({**row, "organization": org}))
    return rows


def overdue_items(root: Organization, year: int | None, today: date) -> QuerySet[Item]:
    return (
        _scope(root, year)
        .filter(overdue_q(today))
        .select_related("organization", "recurs_of")
        .order_by("deadline", "organization__path", "number", "id")
    )
