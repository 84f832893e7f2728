"""Who reaches a round's assessment, decided once.

- organizer (and admin) grants covering the round's committee: read and change
  everything (inputs, proposal, overrides, opinions, approval, reopening);
- host and superior grants covering the committee: read only (the superior's view);
- the reporter (`Reporter.person.user`, or a reporter grant on the organization):
  their own grade, trace and opinion, and only once the board is published —
  never another reporter's, never individual votes.

Anything out of reach raises NotFound, the same as a missing object.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shuping.accounts.access import SUBTREE_ROLES, WRITE_ROLES, grants, org_scope_q, reaches
from shuping.accounts.models import Role
from shuping.assessment.models import Assessment, AssessmentBoard
from shuping.lib.errors import NotFound
from shuping.lib.types import Actor, Viewer
from shuping.reports.access import is_author
from shuping.rounds.models import Campaign


def can_manage(user: Actor, campaign: Campaign) -> bool:
    if user is None:  # the system (demo loader, commands)
        return True
    return reaches(user, campaign.committee, roles=WRITE_ROLES)


def can_read_board(user: Viewer, campaign: Campaign) -> bool:
    return reaches(user, campaign.committee, roles=SUBTREE_ROLES)


def visible_campaigns(user: Viewer) -> QuerySet[Campaign]:
    """Rounds whose board the user may read, filtered in the database."""
    q = org_scope_q(user, roles=SUBTREE_ROLES, prefix="committee__")
    return Campaign.objects.filter(q).select_related("committee")


def visible_boards(user: Viewer) -> QuerySet[AssessmentBoard]:
    q = org_scope_q(user, roles=SUBTREE_ROLES, prefix="campaign__committee__")
    return AssessmentBoard.objects.filter(q)


def get_campaign_for(user: Viewer, pk: Any, *, write: bool = False) -> Campaign:
    """The round whose board the user may read (or, with `write`, manage)."""
    try:
        campaign = Campaign.objects.select_related("committee").get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    allowed = can_manage(user, campaign) if write else can_read_board(user, campaign)
    if not allowed:
        raise NotFound()
    return campaign


def own_assessments(user: Viewer) -> QuerySet[Assessment]:
    """The reporter's own published results."""
    if not user.is_authenticated:
        return Assessment.objects.none()
    q = Q(reporter__person__user_id=user.pk)
    orgs = [g.organization_id for g in grants(user, (Role.REPORTER,))]
    if orgs:
        q |= Q(reporter__organization_id__in=orgs)
    return Assessment.objects.filter(q, board__published=True)


def get_assessment_for(user: Viewer, pk: Any, *, write: bool = False) -> Assessment:
    try:
        item = Assessment.objects.select_related(
            "board__campaign__committee", "reporter__person", "reporter__organization"
        ).get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    campaign = item.board.campaign
    if write:
        allowed = can_manage(user, campaign)
    else:
        allowed = can_read_board(user, campaign) or (
            item.board.published and is_author(user, item.reporter)
        )
    if not allowed:
        raise NotFound()
    return item


def is_own(user: Viewer, item: Assessment) -> bool:
    """The viewer reads as the reporter (not as an office that also reaches the board)."""
    return not can_read_board(user, item.board.campaign) and is_author(user, item.reporter)
