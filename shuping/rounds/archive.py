"""The archive check: a filed round (备案 acknowledged) is read-only.

Filing switches it on through `services.archive_campaign`; every service that writes
round data (rounds, reports, meetings, ballots) calls `require_not_archived` first.
Reopening is a recorded act (`services.reopen_campaign`), never a silent edit.
"""

from __future__ import annotations

from shuping.lib.errors import StateError
from shuping.rounds.models import Campaign

ARCHIVED_MESSAGE = "本轮材料已备案归档，只能查看；如需修改，请先登记重新打开。"


def require_not_archived(campaign: Campaign) -> None:
    if campaign.archived_at is not None:
        raise StateError(ARCHIVED_MESSAGE)
