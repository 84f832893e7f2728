"""Who may see and run a meeting's ballots, by the organization tree.

Read: organizer, host or superior grants reaching the round's committee (its
subtree). Write (create, issue tokens, open/close, paper entry): organizer or
host grants reaching the committee (admins too). Reporters never reach ballots.
Missing and forbidden both raise NotFound.
"""

from __future__ import annotations

from typing import Any

from shuping.accounts.access import reaches
from shuping.accounts.models import Role
from shuping.ballots.models import Ballot
from shuping.lib.errors import NotFound
from shuping.lib.types import Viewer
from shuping.meetings.models import Meeting

READ = (Role.ORGANIZER, Role.HOST, Role.SUPERIOR, Role.ADMIN)
WRITE = (Role.ORGANIZER, Role.HOST, Role.ADMIN)


def can_read_meeting(user: Viewer, meeting: Meeting) -> bool:
    return reaches(user, meeting.campaign.committee, roles=READ)


def can_write_meeting(user: Viewer, meeting: Meeting) -> bool:
    return reaches(user, meeting.campaign.committee, roles=WRITE)


def get_meeting_for(user: Viewer, pk: Any, *, write: bool = False) -> Meeting:
    try:
        meeting = Meeting.objects.select_related("campaign__committee").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    allowed = can_write_meeting if write else can_read_meeting
    if not allowed(user, meeting):
        raise NotFound()
    return meeting


def get_ballot_for(user: Viewer, pk: Any, *, write: bool = False) -> Ballot:
    try:
        ballot = Ballot.objects.select_related("meeting__campaign__committee").get(pk=pk)
    except (Ballot.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    allowed = can_write_meeting if write else can_read_meeting
    if not allowed(user, ballot.meeting):
        raise NotFound()
    return ballot
