"""The 述职评议会: a meeting of a round, its reporters in speaking order.

Seed 004's 双述双评 is two meetings (kind "members", then "committee") over the
same reporters. The meeting's rules are `campaign.parsed_rules.meeting(kind)`.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone


def _public_key() -> str:
    # For the two pages without login (projector, sign-in QR): unguessable, rotatable.
    return secrets.token_urlsafe(18)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "筹备中"
    IN_PROGRESS = "in_progress", "进行中"
    CLOSED = "closed", "已结束"


class Meeting(models.Model):
    campaign = models.ForeignKey(
        "rounds.Campaign",
        verbose_name="考核方案",
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    kind = models.CharField("会议类型", max_length=20, default="committee")
    title = models.CharField("会议名称", max_length=200)
    starts_at = models.DateTimeField("会议时间", default=timezone.now)
    place = models.CharField("地点", max_length=200, blank=True)
    host = models.ForeignKey(
        "organizations.Person",
        verbose_name="主持人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_meetings",
    )
    status = models.CharField(
        "状态", max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    projector_key = models.CharField(max_length=40, unique=True, default=_public_key)
    signin_key = models.CharField(max_length=40, unique=True, default=_public_key)

    class Meta:
        verbose_name = "述职评议会"
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title


class MeetingReporter(models.Model):
    """A reporter on a meeting's agenda: speaks on site, or is evaluated on a written report."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    reporter = models.ForeignKey(
        "rounds.Reporter", on_delete=models.CASCADE, related_name="meeting_entries"
    )
    order = models.PositiveIntegerField("述职顺序", default=0)
    speaks = models.BooleanField("现场述职", default=True)
    evaluated = models.BooleanField("参加测评", default=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "述职顺序"
        ordering = ["meeting_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "reporter"], name="agenda_one_per_reporter")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.reporter}"
