"""Who may see and run a meeting's ballots: whoever may see and run the meeting.

The tree rules live once, in meetings/access.py: organizer, host and superior grants
covering the round's committee read; the committee's organizer (or admin) or the
meeting's host in person runs the ballot (create, issue tokens, open/close, paper
entry). Reporters never reach ballots. Missing and forbidden both raise NotFound.
"""

from __future__ import annotations

from typing import Any

from shuping.ballots.models import Ballot
from shuping.lib.errors import NotFound
from shuping.lib.types import Viewer
from shuping.meetings.access import can_read_meeting, can_run_meeting, get_meeting_for

__all__ = ["can_read_meeting", "can_run_meeting", "get_ballot_for", "get_meeting_for"]


def get_ballot_for(user: Viewer, pk: Any, *, write: bool = False) -> Ballot:
    try:
        ballot = Ballot.objects.select_related("meeting__campaign__committee", "meeting__host").get(
            pk=pk
        )
    except (Ballot.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    meeting = ballot.meeting
    allowed = can_run_meeting(user, meeting) if write else can_read_meeting(user, meeting)
    if not allowed:
        raise NotFound()
    return ballot
