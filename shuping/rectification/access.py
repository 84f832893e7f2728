"""Who may see and change a rectification item or plan, decided once.

- organizer, host and admin grants reach items of organizations in their subtree; the
  organizer (and admin) signs off, sends back, approves plans and imports history;
- a superior grant reads the same subtree (the overview across committees), never writes;
- the reporter — the secretary named on the item or its round entry, or a user with a
  reporter grant on the item's organization — reaches only their own items and edits them.

Missing and forbidden both raise NotFound.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shuping.accounts.access import grants, is_admin, org_scope_q, reaches
from shuping.accounts.models import Role
from shuping.lib.errors import NotFound
from shuping.lib.types import Viewer
from shuping.organizations.models import Organization
from shuping.rectification.models import Evidence, Item, Plan
from shuping.reports import access as report_access
from shuping.rounds.models import Reporter

MANAGE_ROLES = (Role.ORGANIZER, Role.HOST, Role.ADMIN)
REVIEW_ROLES = (Role.ORGANIZER, Role.ADMIN)
READ_ROLES = (*MANAGE_ROLES, Role.SUPERIOR)


def own_q(user: Viewer, prefix: str = "") -> Q:
    """Items whose secretary is the user, or of an organization the user reports for."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    q = Q(**{f"{prefix}person__user_id": user.pk}) | Q(
        **{f"{prefix}reporter__person__user_id": user.pk}
    )
    orgs = [g.organization_id for g in grants(user, (Role.REPORTER,))]
    if orgs:
        q |= Q(**{f"{prefix}organization_id__in": orgs})
    return q


def is_owner(user: Viewer, item: Item) -> bool:
    if not user.is_authenticated:
        return False
    if item.reporter_id is not None and report_access.is_author(user, item.reporter):  # type: ignore[arg-type]
        return True
    if item.person_id is not None and item.person.user_id == user.pk:  # type: ignore[union-attr]
        return True
    return any(g.organization_id == item.organization_id for g in grants(user, (Role.REPORTER,)))


def can_review(user: Viewer, org: Organization) -> bool:
    return reaches(user, org, roles=REVIEW_ROLES)


def can_manage(user: Viewer, org: Organization) -> bool:
    return reaches(user, org, roles=MANAGE_ROLES)


def visible_items(user: Viewer) -> QuerySet[Item]:
    if is_admin(user):
        return Item.objects.all()
    q = own_q(user) | org_scope_q(user, roles=READ_ROLES, prefix="organization__")
    return Item.objects.filter(q)


def _load(pk: Any) -> Item:
    try:
        return Item.objects.select_related(
            "organization",
            "person",
            "reporter__person",
            "reporter__organization",
            "reporter__campaign__committee",
            "recurs_of__organization",
            "carried_from",
        ).get(pk=pk)
    except (Item.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_item_for(user: Viewer, pk: Any, *, write: bool = False) -> Item:
    item = _load(pk)
    if write:
        ok = is_owner(user, item) or can_review(user, item.organization)
    else:
        ok = is_owner(user, item) or reaches(user, item.organization, roles=READ_ROLES)
    if not ok:
        raise NotFound()
    return item


def get_reporter_for(user: Viewer, pk: Any, *, write: bool = False) -> Reporter:
    """A round entry whose ledger the user may read (or write: its author or the office)."""
    return report_access.get_reporter_for(user, pk, write=write)


def get_plan_for(user: Viewer, reporter_pk: Any, *, write: bool = False) -> Plan:
    reporter = get_reporter_for(user, reporter_pk, write=write)
    plan, _ = Plan.objects.get_or_create(reporter=reporter)
    plan.reporter = reporter
    return plan


def get_evidence_for(user: Viewer, pk: Any) -> Evidence:
    try:
        evidence = Evidence.objects.select_related("update").get(pk=pk)
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    get_item_for(user, evidence.update.item_id)
    return evidence


def get_organization_for(user: Viewer, pk: Any, *, write: bool = False) -> Organization:
    try:
        org = Organization.objects.get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not reaches(user, org, roles=REVIEW_ROLES if write else READ_ROLES):
        raise NotFound()
    return org
