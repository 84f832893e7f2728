"""To-do items of the ballots stage for the home page (accounts/todo.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from shuping.accounts.access import SUBTREE_ROLES, grants, org_scope_q
from shuping.accounts.todo import ATTENTION, Todo
from shuping.ballots.counting import turnout
from shuping.ballots.models import Ballot, BallotState

LIMIT = 10


def live_ballot_todos(user: Any) -> list[Todo]:
    """Ballots open now, with turnout. Turnout is cached per ballot, so a few open
    ballots cost a few small queries."""
    if not user.is_authenticated:
        return []
    q = Q(meeting__host__user_id=user.pk)
    if grants(user, SUBTREE_ROLES):
        q |= org_scope_q(user, roles=SUBTREE_ROLES, prefix="meeting__campaign__committee__")
    ballots = (
        Ballot.objects.filter(q, state=BallotState.OPEN)
        .select_related("meeting__campaign")
        .order_by("opened_at", "pk")[:LIMIT]
    )
    items = []
    for ballot in ballots:
        t = turnout(ballot)
        items.append(
            Todo(
                "民主测评进行中",
                reverse("ballots:detail", args=[ballot.pk]),
                f"{ballot.title}：手机已提交 {t['submitted']} / 已发放 {t['issued']}，"
                f"纸质票已录入 {t['paper_entered']} / 已发出 {t['paper_handed_out']}",
                ATTENTION,
                ballot.meeting.campaign.title,
                "测评中",
                "查看收回情况",
            )
        )
    return items
