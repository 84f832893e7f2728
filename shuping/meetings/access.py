"""Who reaches a meeting, decided once (see accounts/access.py for the tree rules).

A meeting belongs to its round's committee. Organizer, host and superior grants
that cover the committee read it; writes (running the meeting, sign-in,
questions, critiques) need an organizer grant covering the committee, or being
the meeting's host in person. A reporter grant reaches only the reporter's own
branch, so a reporter never reaches the meeting: reporters do not run it.
Anything out of reach raises NotFound, the same as a missing meeting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from shuping.accounts.access import SUBTREE_ROLES, WRITE_ROLES, is_admin, org_scope_q, reaches
from shuping.lib.errors import NotFound
from shuping.meetings.models import Meeting
from shuping.rounds.models import Campaign

if TYPE_CHECKING:
    from shuping.lib.types import Actor, Viewer


def _is_host_user(user: Viewer, meeting: Meeting) -> bool:
    host = meeting.host
    return bool(user.is_authenticated and host is not None and host.user_id == user.pk)


def can_read_meeting(user: Viewer, meeting: Meeting) -> bool:
    return _is_host_user(user, meeting) or reaches(
        user, meeting.campaign.committee, roles=SUBTREE_ROLES
    )


def can_run_meeting(user: Actor, meeting: Meeting) -> bool:
    """Organizer of the committee's subtree (or admin), or the host in person."""
    if user is None:  # the system (demo loader, commands)
        return True
    return _is_host_user(user, meeting) or reaches(
        user, meeting.campaign.committee, roles=WRITE_ROLES
    )


def visible_meetings(user: Viewer) -> QuerySet[Meeting]:
    q = org_scope_q(user, roles=SUBTREE_ROLES, prefix="campaign__committee__")
    if user.is_authenticated and not is_admin(user):
        q |= Q(host__user_id=user.pk)
    return Meeting.objects.filter(q)


def get_meeting_for(user: Viewer, pk: Any, *, write: bool = False) -> Meeting:
    """The meeting, or NotFound when it is missing or out of reach (for `write`: out of
    reach for running it)."""
    try:
        meeting = Meeting.objects.select_related("campaign__committee", "host").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    allowed = can_run_meeting(user, meeting) if write else can_read_meeting(user, meeting)
    if not allowed:
        raise NotFound()
    return meeting


def get_campaign_for_meetings(user: Viewer, pk: Any, *, write: bool = False) -> Campaign:
    """A round whose meetings the user may list (or, with `write`, set up)."""
    try:
        campaign = Campaign.objects.select_related("committee").get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not reaches(user, campaign.committee, roles=WRITE_ROLES if write else SUBTREE_ROLES):
        raise NotFound()
    return campaign
