"""The lock and the permission check every ballot service module shares
(`services`, `casting`, `paper`)."""

from __future__ import annotations

from shuping.ballots.models import Ballot
from shuping.lib.errors import PermissionDenied
from shuping.lib.types import Actor
from shuping.meetings.access import can_run_meeting
from shuping.meetings.models import Meeting
from shuping.rounds.archive import require_not_archived


def check_write(ballot_or_meeting: Ballot | Meeting, actor: Actor) -> None:
    if actor is None:  # the system (demo loader, commands)
        return
    meeting = (
        ballot_or_meeting.meeting if isinstance(ballot_or_meeting, Ballot) else ballot_or_meeting
    )
    if not can_run_meeting(actor, meeting):
        raise PermissionDenied("只有组织单位的组织员或主持人可以管理测评。")


def lock_ballot(ballot: Ballot) -> Ballot:
    locked = (
        Ballot.objects.select_for_update(of=("self",))
        .select_related("meeting__campaign__committee", "meeting__host")
        .get(pk=ballot.pk)
    )
    require_not_archived(locked.meeting.campaign)
    return locked
