"""Who may see and act on a round's filing, decided once.

Read: whoever reads the round (rounds/access.py), plus the superior it is filed with.
Write (checklist, uploads, summary report, submission): the round's organizer.
Answer (备案 / 退回 / reopening): the superior — a 上级党委 grant covering the
round's committee, or an organizer grant covering the committee above it. The
office never acknowledges its own filing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shuping.accounts.access import WRITE_ROLES, is_admin, reaches
from shuping.accounts.models import Role
from shuping.lib.errors import NotFound, PermissionDenied
from shuping.rounds.access import can_read_campaign, can_write_campaign
from shuping.rounds.models import Campaign

if TYPE_CHECKING:
    from shuping.lib.types import Viewer


def can_answer(user: Viewer, campaign: Campaign) -> bool:
    """The superior the round files with."""
    if is_admin(user):
        return True
    if reaches(user, campaign.committee, roles=(Role.SUPERIOR,)):
        return True
    parent = campaign.committee.parent
    return parent is not None and reaches(user, parent, roles=WRITE_ROLES)


def get_campaign_for_filing(user: Viewer, pk: Any, *, write: bool = False) -> Campaign:
    """The round `pk` for its filing pages: NotFound when out of reach, PermissionDenied
    when the user sees it but may not change it (write=True)."""
    try:
        campaign = Campaign.objects.select_related(
            "committee", "committee__parent", "parent", "parent__committee"
        ).get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not (can_read_campaign(user, campaign) or can_answer(user, campaign)):
        raise NotFound()
    if write and not can_write_campaign(user, campaign):
        raise PermissionDenied("只有本轮的组织部门可以整理和报送备案材料。")
    return campaign
