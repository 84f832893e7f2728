"""The 述职评议会: a meeting of a round, its reporters in speaking order.

Seed 004's 双述双评 is two meetings (kind "members", then "committee") over the
same reporters. The meeting's rules are `campaign.parsed_rules.meeting(kind)`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def _public_key() -> str:
    # For the two pages without login (projector, sign-in QR): unguessable, rotatable.
    return secrets.token_urlsafe(18)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "筹备中"
    IN_PROGRESS = "in_progress", "进行中"
    CLOSED = "closed", "已结束"


# The only moves a meeting makes; services.set_status checks against this table.
MEETING_TRANSITIONS: dict[str, frozenset[str]] = {
    MeetingStatus.PLANNED: frozenset({MeetingStatus.IN_PROGRESS}),
    MeetingStatus.IN_PROGRESS: frozenset({MeetingStatus.CLOSED}),
    MeetingStatus.CLOSED: frozenset(),
}


class ProjectorMode(models.TextChoices):
    """What the one projector screen of a meeting shows, chosen on the host's console."""

    AGENDA = "agenda", "跟随议程（述职人与计时）"
    TITLE = "title", "会议标题"
    QUESTIONS = "questions", "现场提问"
    TURNOUT = "turnout", "测评进度"
    RESULTS = "results", "测评结果"
    NOTICE = "notice", "通知"


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
    # The agenda entry the room is looking at: speaking, or being questioned/critiqued after.
    current_entry = models.ForeignKey(
        "MeetingReporter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    projector_mode = models.CharField(
        "投影内容", max_length=20, choices=ProjectorMode.choices, default=ProjectorMode.AGENDA
    )
    projector_notice = models.TextField("投影通知", blank=True, default="")
    # Bumped by every change the room should see; the projector long-polls on it.
    projector_version = models.PositiveIntegerField(default=0)
    quorum_override_reason = models.TextField("未达到会人数要求仍继续的理由", blank=True)
    quorum_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    quorum_overridden_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField("开始时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

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


class SignInMethod(models.TextChoices):
    STAFF = "staff", "工作人员签到"
    SELF = "self", "扫码签到"
    WALK_IN = "walk_in", "现场登记"


class Attendee(models.Model):
    """One person expected at, or signed in to, a meeting.

    Expected rows come from the tree (a branch's members) or are typed in by
    name; a walk-in is a row that was not expected and is signed in at once.
    `category` is a key of the meeting's attendee categories (member, mass, ...).
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    category = models.CharField("类别", max_length=20)
    person = models.ForeignKey(
        "organizations.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_attendance",
    )
    name = models.CharField("姓名", max_length=40)
    unit = models.CharField("单位/职务", max_length=120, blank=True)
    expected = models.BooleanField("应到", default=True)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    method = models.CharField("签到方式", max_length=10, choices=SignInMethod.choices, blank=True)
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "参会人员"
        ordering = ["meeting_id", "category", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="attendee_one_per_person",
            )
        ]
        indexes = [models.Index(fields=["meeting", "category"], name="attendee_meeting_cat_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def present(self) -> bool:
        return self.signed_in_at is not None


class Question(models.Model):
    """A question from the floor to one reporter, its answer, and any promise made.

    A promise (`promised_by`) later becomes a rectification item: see
    services.promises_for(campaign).
    """

    entry = models.ForeignKey(MeetingReporter, on_delete=models.CASCADE, related_name="questions")
    asker_category = models.CharField("提问人类别", max_length=20, blank=True)
    asker_name = models.CharField("提问人", max_length=40, blank=True)
    text = models.TextField("问题")
    answer = models.TextField("回答", blank=True)
    promise = models.CharField("承诺事项", max_length=300, blank=True)
    promised_by = models.DateField("承诺完成时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "现场提问"
        ordering = ["entry_id", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class CritiqueStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    FINAL = "final", "已定稿"


CRITIQUE_TRANSITIONS: dict[str, frozenset[str]] = {
    CritiqueStatus.DRAFT: frozenset({CritiqueStatus.FINAL}),
    CritiqueStatus.FINAL: frozenset(),
}


class Critique(models.Model):
    """The host's comment on one agenda entry ("一述一评"): drafted before, fixed after."""

    entry = models.OneToOneField(MeetingReporter, on_delete=models.CASCADE, related_name="critique")
    text = models.TextField("点评意见", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=CritiqueStatus.choices, default=CritiqueStatus.DRAFT
    )
    updated_at = models.DateTimeField(default=timezone.now)
    finalized_at = models.DateTimeField(null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "点评"

    def __str__(self) -> str:
        return f"点评 {self.entry}"
