"""Who may see and change results, decided once (see rounds/access.py).

Read: organizer, host and superior grants reaching the round's committee (the office,
the leader who gives feedback, the committee above); a secretary reads only their own
tasks. Write: an organizer (or admin) grant covering the round's committee. Everything
else is NotFound; the public 公示 page goes through `get_public_notice` and shows only
what was published.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shuping.accounts.access import SUBTREE_ROLES, WRITE_ROLES, org_scope_q, reaches
from shuping.lib.errors import NotFound
from shuping.lib.types import Viewer
from shuping.results.models import (
    PUBLIC_STATES,
    ConsequenceTask,
    Objection,
    PublicNotice,
)
from shuping.rounds.models import Campaign


def can_read_results(user: Viewer, campaign: Campaign) -> bool:
    return reaches(user, campaign.committee, roles=SUBTREE_ROLES)


def can_manage_results(user: Viewer, campaign: Campaign) -> bool:
    return reaches(user, campaign.committee, roles=WRITE_ROLES)


def get_results_campaign_for(user: Viewer, pk: Any, *, write: bool = False) -> Campaign:
    """The round `pk` whose results `user` may read (or manage, with write=True)."""
    try:
        campaign = Campaign.objects.select_related("committee").get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    allowed = can_manage_results(user, campaign) if write else can_read_results(user, campaign)
    if not allowed:
        raise NotFound()
    return campaign


def visible_tasks(user: Viewer) -> QuerySet[ConsequenceTask]:
    """Tasks of rounds the user reaches, and a secretary's own tasks."""
    q = org_scope_q(user, roles=SUBTREE_ROLES, prefix="campaign__committee__")
    if user.is_authenticated:
        q |= Q(reporter__person__user_id=user.pk)
    return ConsequenceTask.objects.filter(q)


def get_task_for(user: Viewer, pk: Any, *, write: bool = False) -> ConsequenceTask:
    try:
        task = ConsequenceTask.objects.select_related(
            "campaign__committee", "reporter__organization", "reporter__person", "owner"
        ).get(pk=pk)
    except (ConsequenceTask.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if write:
        ok = can_manage_results(user, task.campaign)
    else:
        own = task.reporter.person_id is not None and task.reporter.person.user_id == user.pk  # type: ignore[union-attr]
        ok = can_read_results(user, task.campaign) or (user.is_authenticated and own)
    if not ok:
        raise NotFound()
    return task


def get_objection_for(user: Viewer, pk: Any, *, write: bool = False) -> Objection:
    try:
        objection = Objection.objects.select_related(
            "notice__campaign__committee", "reporter__organization", "reporter__person"
        ).get(pk=pk)
    except (Objection.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    get_results_campaign_for(user, objection.notice.campaign_id, write=write)
    return objection


def get_public_notice(code: str) -> PublicNotice:
    """The 公示 behind a public link, only once it has been posted."""
    notice = (
        PublicNotice.objects.select_related("campaign__committee")
        .filter(public_code=code, state__in=PUBLIC_STATES)
        .first()
    )
    if notice is None:
        raise NotFound()
    return notice
