"""The demo's last touches so it tells one story (issue 13, point 10).

The presets carry their seeds' own words: a scope naming the seed's communities
(金鑫社区, 金坡社区), "全镇xx个行政村", "市总机关". The demo district has other names,
so each demo round's scope text is put in the tree's words. Meetings the demo holds
on fixed dates get their timeline step moved to include them (as an office would,
through `update_deadline`), and a past meeting that the demo opened and closed today
gets the times it was held at, so its record reads in order.

Idempotent: a second run finds everything in place and changes nothing.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from shuping.ballots.models import Ballot
from shuping.lib.errors import DomainError
from shuping.meetings.models import Meeting, MeetingStatus
from shuping.organizations.models import Organization
from shuping.rounds import deadlines
from shuping.rounds.models import Campaign, Deadline

# meeting kind → the timeline step it belongs to
STEP_OF_KIND = {
    "members": "members_meeting",
    "committee": "meeting",
    "member_review": "member_meeting",
}
PLACEHOLDER = re.compile(r"[xX×]{2}|某某|202_")


def _children(committee: Organization, suffix: str) -> list[str]:
    return list(
        Organization.objects.filter(parent=committee, is_active=True, name__endswith=suffix)
        .order_by("sort_order", "path")
        .values_list("name", flat=True)
    )


def tree_scope_text(text: str, committee: Organization) -> str:
    """The seed's scope sentence with the seed's own names replaced by the tree's."""
    villages = len(_children(committee, "村党支部"))
    communities = _children(committee, "社区党委")
    general = _children(committee, "社区党总支")
    if communities:
        text = text.replace("金鑫社区党委", communities[0])
    if general:
        text = text.replace("金坡社区党总支", general[0])
    if villages:
        text = re.sub(
            r"全镇(?:xx|XX|\d+)个(行政)?村", lambda m: f"全镇{villages}个{m[1] or ''}村", text
        )
    if "市总" not in committee.name:
        text = text.replace("市总机关", committee.name.removesuffix("工委").removesuffix("党委"))
    return text


def _scope(out: Callable[[str], None]) -> None:
    for campaign in Campaign.objects.select_related("committee").order_by("pk"):
        scope = dict(campaign.rules.get("scope") or {})
        text = scope.get("text", "")
        fixed = tree_scope_text(text, campaign.committee)
        if fixed != text:
            scope["text"] = fixed
            # demo data only: the round's copy of the seed's words, not an office's edit
            Campaign.objects.filter(pk=campaign.pk).update(rules={**campaign.rules, "scope": scope})
            out("scope")


def _timeline(out: Callable[[str], None]) -> None:
    """Move each held meeting's step, and the steps before it, so the meeting falls in
    its step and nothing that comes before the meeting is due after it."""
    for meeting in Meeting.objects.select_related("campaign__committee").order_by("pk"):
        key = STEP_OF_KIND.get(meeting.kind)
        step = meeting.campaign.deadlines.filter(key=key).first() if key else None
        if step is None:
            continue
        day = timezone.localtime(meeting.starts_at).date()
        earlier = meeting.campaign.deadlines.filter(position__lt=step.position, due_on__gt=day)
        for deadline in [*earlier, step]:
            starts = min(deadline.starts_on, day) if deadline.starts_on else None
            due = day if deadline.pk != step.pk else deadline.due_on
            if deadline.pk == step.pk and due is not None:
                due = max(due, day)
            if (starts, due) != (deadline.starts_on, deadline.due_on):
                with contextlib.suppress(DomainError):  # a closed round keeps its timeline
                    deadlines.update_deadline(deadline, actor=None, starts_on=starts, due_on=due)
                    out("timeline")


def _past_rounds_done(out: Callable[[str], None]) -> None:
    """A round of an earlier year whose meetings are all held has done its steps: the
    office ticked them off on their dates, so nothing of last year shows as overdue."""
    today = timezone.localdate()
    for campaign in Campaign.objects.filter(year__lt=today.year).order_by("pk"):
        if campaign.meetings.exclude(status=MeetingStatus.CLOSED).exists():
            continue
        steps = campaign.deadlines.filter(completed_on=None, due_on__lt=today)
        for step in steps:
            with contextlib.suppress(DomainError):
                deadlines.complete_deadline(step, actor=None)
                # demo data only: done on the day it was due, as the story has it
                Deadline.objects.filter(pk=step.pk).update(completed_on=step.due_on)
                out("done")


def _record_times() -> None:
    """A past meeting the demo opened and closed today: opened at its start, closed
    after its last report, its ballots in between."""
    for meeting in Meeting.objects.filter(status=MeetingStatus.CLOSED).order_by("pk"):
        start = meeting.starts_at
        if meeting.opened_at is not None and meeting.opened_at - start < timedelta(days=1):
            continue
        last = meeting.agenda.aggregate(end=Max("ended_at"))["end"] or start + timedelta(hours=2)
        ballots = list(meeting.ballots.order_by("pk"))
        vote_at = last + timedelta(minutes=5)
        closed_at = vote_at + timedelta(minutes=20 * max(1, len(ballots)))
        for i, ballot in enumerate(ballots):
            opened = vote_at + timedelta(minutes=20 * i)
            Ballot.objects.filter(pk=ballot.pk).update(
                opened_at=opened, closed_at=opened + timedelta(minutes=15)
            )
        Meeting.objects.filter(pk=meeting.pk).update(opened_at=start, closed_at=closed_at)


def meeting_window_ok(meeting: Meeting) -> bool:
    key = STEP_OF_KIND.get(meeting.kind)
    step = meeting.campaign.deadlines.filter(key=key).first() if key else None
    if step is None:
        return True
    day = timezone.localtime(meeting.starts_at).date()
    return (step.starts_on is None or step.starts_on <= day) and (
        step.due_on is None or day <= step.due_on
    )


def load(out: Callable[[str], None]) -> list[tuple[str, str]]:
    # One summary line: the fix-ups themselves are of no interest to whoever runs the demo.
    counts: Counter[str] = Counter()

    def tally(key: str) -> None:
        counts[key] += 1

    _scope(tally)
    _timeline(tally)
    _past_rounds_done(tally)
    _record_times()
    out(
        f"演示数据核对：{counts['scope']} 个方案的述职范围按组织树写明，"
        f"{counts['timeline']} 个时间节点按会议日期调整，上年度 {counts['done']} 个节点已完成"
    )
    return []


__all__ = ["PLACEHOLDER", "load", "meeting_window_ok", "tree_scope_text"]
