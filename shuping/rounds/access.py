"""Who may see and change a round, decided once (see accounts/access.py).

Read: organizer, host and superior grants reach the rounds of every committee in
their subtree; anyone reaches a round in which an organization they hold a grant
for reports (a reporter sees the rounds they report in; a street's organizer sees
the district round its secretary reports to). Write: an organizer (or admin)
grant covering the round's committee. Everything else is NotFound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from shuping.accounts.access import (
    SUBTREE_ROLES,
    WRITE_ROLES,
    is_admin,
    org_scope_q,
    reaches,
)
from shuping.lib.errors import NotFound
from shuping.rounds.models import Campaign, Reporter

if TYPE_CHECKING:
    from shuping.lib.types import Viewer


def campaign_scope_q(user: Viewer) -> Q:
    """Q over Campaign: the rounds `user` may read."""
    if is_admin(user):
        return Q()
    q = org_scope_q(user, roles=SUBTREE_ROLES, prefix="committee__")
    reporting = Reporter.objects.filter(
        org_scope_q(user, prefix="organization__") | Q(person__user_id=user.pk or 0)
    )
    return q | Q(pk__in=reporting.values("campaign_id"))


def visible_campaigns(user: Viewer) -> QuerySet[Campaign]:
    return Campaign.objects.filter(campaign_scope_q(user)).select_related("committee", "parent")


def can_read_campaign(user: Viewer, campaign: Campaign) -> bool:
    if reaches(user, campaign.committee, roles=SUBTREE_ROLES):
        return True
    if not user.is_authenticated:
        return False
    return (
        Reporter.objects.filter(campaign=campaign)
        .filter(org_scope_q(user, prefix="organization__") | Q(person__user_id=user.pk))
        .exists()
    )


def can_write_campaign(user: Viewer, campaign: Campaign) -> bool:
    return reaches(user, campaign.committee, roles=WRITE_ROLES)


def get_campaign_for(user: Viewer, pk: Any, *, write: bool = False) -> Campaign:
    """The round `pk` if `user` may read it (or manage it, with write=True); else NotFound."""
    try:
        campaign = Campaign.objects.select_related("committee", "parent", "parent__committee").get(
            pk=pk
        )
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    allowed = can_write_campaign(user, campaign) if write else can_read_campaign(user, campaign)
    if not allowed:
        raise NotFound()
    return campaign


def get_reporter_for(user: Viewer, pk: Any, *, write: bool = False) -> Reporter:
    try:
        reporter = Reporter.objects.select_related(
            "campaign", "campaign__committee", "organization", "person"
        ).get(pk=pk)
    except (Reporter.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    get_campaign_for(user, reporter.campaign_id, write=write)
    return reporter
