"""The round's timeline: editing and completing deadlines, what is due next for a
user, and the idempotent reminders `shuping remind` sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from shuping.accounts.models import Role, RoleGrant
from shuping.audit.services import record
from shuping.lib.errors import DomainError
from shuping.rounds.access import campaign_scope_q
from shuping.rounds.archive import require_not_archived
from shuping.rounds.models import Campaign, CampaignStatus, Deadline, Reminder, ReminderKind
from shuping.rounds.services import lock_campaign, lock_for_change, require_manage

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from shuping.lib.types import Actor, Viewer


@transaction.atomic
def update_deadline(
    deadline: Deadline,
    *,
    actor: Actor,
    starts_on: date | None,
    due_on: date | None,
    title: str | None = None,
) -> Deadline:
    campaign = lock_for_change(deadline.campaign, actor)
    if starts_on and due_on and starts_on > due_on:
        raise DomainError("开始日期不能晚于截止日期。", field="starts_on")
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    before = {"starts_on": deadline.starts_on, "due_on": deadline.due_on, "title": deadline.title}
    deadline.starts_on, deadline.due_on = starts_on, due_on
    if title is not None:
        if not title.strip():
            raise DomainError("请填写事项名称。", field="title")
        deadline.title = title.strip()[:120]
    deadline.save(update_fields=["starts_on", "due_on", "title"])
    after = {"starts_on": starts_on, "due_on": due_on, "title": deadline.title}
    record(
        actor=actor,
        action="deadline.update",
        target=deadline,
        organization=campaign.committee,
        changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
    )
    return deadline


@transaction.atomic
def complete_deadline(deadline: Deadline, *, actor: Actor, done: bool = True) -> Deadline:
    campaign = lock_campaign(deadline.campaign)
    require_manage(actor, campaign.committee)
    require_not_archived(campaign)
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    before = deadline.completed_on
    deadline.completed_on = timezone.localdate() if done else None
    deadline.save(update_fields=["completed_on"])
    record(
        actor=actor,
        action="deadline.complete",
        target=deadline,
        organization=campaign.committee,
        changes={"completed_on": [before, deadline.completed_on]},
    )
    return deadline


@dataclass(frozen=True)
class DueItem:
    deadline: Deadline
    overdue: bool
    days_left: int | None


def upcoming_for(user: Viewer, *, today: date | None = None, limit: int = 8) -> list[DueItem]:
    """What is due next in the rounds `user` can see (open deadlines of open rounds):
    overdue first, then by date. For the home page panel (accounts/home.html)."""
    today = today or timezone.localdate()
    rows = (
        Deadline.objects.filter(
            completed_on__isnull=True,
            due_on__isnull=False,
            campaign__in=Campaign.objects.filter(campaign_scope_q(user)).exclude(
                status=CampaignStatus.CLOSED
            ),
        )
        .select_related("campaign", "campaign__committee")
        .order_by("due_on", "position")[:limit]
    )
    items = [
        DueItem(d, d.due_on < today, (d.due_on - today).days)  # type: ignore[operator]
        for d in rows
    ]
    return sorted(items, key=lambda i: (not i.overdue, i.deadline.due_on))


def next_due(campaign: Campaign, *, today: date | None = None) -> Deadline | None:
    today = today or timezone.localdate()
    return (
        campaign.deadlines.filter(completed_on__isnull=True, due_on__isnull=False)
        .order_by("due_on", "position")
        .first()
    )


def _recipients(deadline: Deadline) -> list[User]:
    from django.contrib.auth.models import User

    campaign = deadline.campaign
    organizers = RoleGrant.objects.filter(
        role=Role.ORGANIZER, organization=campaign.committee
    ).values("user_id")
    q = Q(pk__in=organizers)
    if deadline.key in ("report_due",):
        q |= Q(person__reporter_entries__campaign=campaign)
    return list(User.objects.filter(q, is_active=True).distinct().order_by("pk"))


def remind(*, today: date | None = None, days: int = 3) -> int:
    """Create the reminders due today; returns how many were new. Idempotent: one
    message per (deadline, recipient, kind), whatever the number of runs."""
    today = today or timezone.localdate()
    created = 0
    deadlines = Deadline.objects.filter(
        completed_on__isnull=True,
        due_on__isnull=False,
        due_on__lte=today + timedelta(days=days),
        campaign__status=CampaignStatus.ACTIVE,
    ).select_related("campaign", "campaign__committee")
    for deadline in deadlines:
        assert deadline.due_on is not None
        overdue = deadline.due_on < today
        kind = ReminderKind.OVERDUE if overdue else ReminderKind.DUE_SOON
        text = (
            f"已逾期：{deadline.campaign.title}“{deadline.title}”应于{deadline.due_on:%Y-%m-%d}完成"
            if overdue
            else f"即将到期：{deadline.campaign.title}“{deadline.title}”"
            f"截止{deadline.due_on:%Y-%m-%d}"
        )
        for user in _recipients(deadline):
            try:
                with transaction.atomic():
                    reminder = Reminder.objects.create(
                        deadline=deadline, recipient=user, kind=kind, message=text[:300]
                    )
            except IntegrityError:
                continue
            created += 1
            if settings.EMAIL_HOST and user.email:
                send_mail("述评提醒", text, None, [user.email], fail_silently=True)
                reminder.emailed_at = timezone.now()
                reminder.save(update_fields=["emailed_at"])
    return created


@transaction.atomic
def mark_reminders_read(user: User) -> int:
    return Reminder.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
