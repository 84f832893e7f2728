"""Who reaches an inspection: the round's committee decides (see accounts/access.py).

Organizer (and admin) grants covering the committee record and change inspections;
host and superior grants read them. Reporters never see inspection records: they are
the office's working material before the meeting.
"""

from __future__ import annotations

from typing import Any

from shuping.accounts.access import SUBTREE_ROLES, WRITE_ROLES, reaches
from shuping.inspections.models import Evidence, Inspection
from shuping.lib.errors import NotFound
from shuping.lib.types import Actor, Viewer
from shuping.rounds.models import Campaign


def can_manage(user: Actor, campaign: Campaign) -> bool:
    if user is None:  # the system (demo loader, commands)
        return True
    return reaches(user, campaign.committee, roles=WRITE_ROLES)


def get_campaign_for(user: Viewer, pk: Any, *, write: bool = False) -> Campaign:
    try:
        campaign = Campaign.objects.select_related("committee").get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    roles = WRITE_ROLES if write else SUBTREE_ROLES
    if not reaches(user, campaign.committee, roles=roles):
        raise NotFound()
    return campaign


def get_inspection_for(user: Viewer, pk: Any, *, write: bool = False) -> Inspection:
    try:
        inspection = Inspection.objects.select_related("campaign__committee").get(pk=pk)
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    roles = WRITE_ROLES if write else SUBTREE_ROLES
    if not reaches(user, inspection.campaign.committee, roles=roles):
        raise NotFound()
    return inspection


def get_evidence_for(user: Viewer, pk: Any, *, write: bool = False) -> Evidence:
    try:
        evidence = Evidence.objects.select_related("inspection").get(pk=pk)
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    get_inspection_for(user, evidence.inspection_id, write=write)
    return evidence
