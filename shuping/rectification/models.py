"""The rectification ledger (整改台账): items, where they came from, progress, the plan.

An item belongs to an organization and a year; items of a round also name the round's
reporter (`reporter`), while items imported from an office's old spreadsheet ledger
have only the organization and year. Overdue (逾期) is never stored: it is derived from
the deadline (the last day itself is not overdue), see `overdue_q`.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ItemStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "整改中"
    DONE = "done", "已完成待核"
    CLOSED = "closed", "已销号"


OVERDUE_LABEL = "逾期"
OPEN_STATUSES = (ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS, ItemStatus.DONE)
# an item still being worked on can fall overdue; one waiting for sign-off cannot
RUNNING_STATUSES = (ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS)

# The allowed moves, one row per service function (services.py). Anything else is a StateError.
ITEM_TRANSITIONS: dict[str, set[tuple[str, str]]] = {
    "progress": {
        (ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS),
        (ItemStatus.IN_PROGRESS, ItemStatus.IN_PROGRESS),
    },
    "complete": {
        (ItemStatus.NOT_STARTED, ItemStatus.DONE),
        (ItemStatus.IN_PROGRESS, ItemStatus.DONE),
    },
    "sign_off": {(ItemStatus.DONE, ItemStatus.CLOSED)},
    "send_back": {(ItemStatus.DONE, ItemStatus.IN_PROGRESS)},
}
ITEM_ALLOWED: set[tuple[str, str]] = {m for moves in ITEM_TRANSITIONS.values() for m in moves}


def item_target(action: str, current: str) -> str | None:
    for before, after in ITEM_TRANSITIONS[action]:
        if before == current:
            return after
    return None


def overdue_q(today: date, prefix: str = "") -> Q:
    """Items past their deadline and not yet reported done: the deadline day is still in time."""
    return Q(**{f"{prefix}deadline__lt": today, f"{prefix}status__in": RUNNING_STATUSES})


class SourceKind(models.TextChoices):
    SELF = "self", "自己查摆"
    INSPECTION = "inspection", "督查调研"
    QUESTION = "question", "现场提问及承诺"
    CRITIQUE = "critique", "上级点评"
    MASS = "mass", "群众评议"
    ASSESSMENT = "assessment", "综合评价意见"
    FEEDBACK = "feedback", "考核反馈"
    CARRIED = "carried", "上年度未销号结转"
    IMPORTED = "imported", "历史台账导入"
    OTHER = "other", "其他"


class CauseKind(models.TextChoices):
    SUBJECTIVE = "subjective", "主观原因"
    OBJECTIVE = "objective", "客观原因"


class Item(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="rectification_items",
    )
    year = models.PositiveSmallIntegerField("述职年度")
    reporter = models.ForeignKey(
        "rounds.Reporter",
        verbose_name="述职对象",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rectification_items",
    )
    # the secretary at the time, so a problem follows a person who moves on
    person = models.ForeignKey(
        "organizations.Person",
        verbose_name="书记",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectification_items",
    )
    number = models.PositiveIntegerField("序号", default=1)
    problem = models.TextField("问题")
    cause_kind = models.CharField(
        "原因类别", max_length=12, choices=CauseKind.choices, blank=True, default=""
    )
    cause = models.TextField("原因分析", blank=True)
    measures = models.TextField("整改措施", blank=True)
    leader = models.CharField("责任领导", max_length=60, blank=True)
    unit = models.CharField("责任单位", max_length=120, blank=True)
    deadline = models.DateField("整改时限", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=ItemStatus.choices, default=ItemStatus.NOT_STARTED
    )
    progress = models.TextField("进展情况", blank=True)  # the latest update, for lists and exports
    completed_at = models.DateTimeField("报告完成", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sign_off_note = models.TextField("销号意见", blank=True)
    returned_reason = models.TextField("退回理由", blank=True)
    carried_from = models.ForeignKey(
        "self",
        verbose_name="结转自",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_into",
    )
    # 年年在: the most similar earlier item of the same organization or secretary
    recurs_of = models.ForeignKey(
        "self",
        verbose_name="往年相似问题",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recurrences",
    )
    similarity = models.FloatField("相似度", null=True, blank=True)
    # the problem's weighted term vector ({term: weight}, unit length), computed once on save
    vector: Any = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "整改事项"
        ordering = ["-year", "organization_id", "number", "id"]
        indexes = [
            models.Index(fields=["organization", "year"], name="rect_item_org_year"),
            models.Index(fields=["person", "year"], name="rect_item_person_year"),
            models.Index(fields=["status", "deadline"], name="rect_item_status_deadline"),
        ]

    def __str__(self) -> str:
        return self.problem[:40]

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.deadline is not None and self.deadline < today and self.status in RUNNING_STATUSES
        )

    def status_label(self, today: date | None = None) -> str:
        """The five states users see: 逾期 replaces 未开始/整改中 once past the deadline."""
        if self.is_overdue(today):
            return OVERDUE_LABEL
        return ItemStatus(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status != ItemStatus.CLOSED

    @property
    def source_labels(self) -> str:
        return "、".join(dict.fromkeys(s.get_kind_display() for s in self.sources.all()))


class ItemSource(models.Model):
    """Where an item came from. `ref` identifies the origin so drafting twice adds nothing;
    for mass comments it is a digest of the comment text, never anything of the sheet."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField("来源", max_length=12, choices=SourceKind.choices)
    ref = models.CharField(max_length=80, blank=True)
    excerpt = models.TextField("原文", blank=True)
    url = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "整改来源"
        ordering = ["item_id", "id"]
        indexes = [models.Index(fields=["kind", "ref"], name="rect_source_ref")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ProgressUpdate(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField("进展情况")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "整改进展"
        ordering = ["item_id", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]


def _evidence_to(instance: Evidence, filename: str) -> str:
    # never the user's file name: a random one with the extension decided from content
    return f"rectification/{secrets.token_hex(16)}{instance.extension}"


class Evidence(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=_evidence_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = "佐证材料"
        ordering = ["update_id", "id"]

    def __str__(self) -> str:
        return self.original_name or f"佐证材料{self.pk}"


class PlanState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回修改"
    APPROVED = "approved", "审核通过"


PLAN_TRANSITIONS: dict[str, set[tuple[str, str]]] = {
    "submit": {(PlanState.DRAFT, PlanState.SUBMITTED), (PlanState.RETURNED, PlanState.SUBMITTED)},
    "return": {(PlanState.SUBMITTED, PlanState.RETURNED)},
    "approve": {(PlanState.SUBMITTED, PlanState.APPROVED)},
}
PLAN_ALLOWED: set[tuple[str, str]] = {m for moves in PLAN_TRANSITIONS.values() for m in moves}
PLAN_EDITABLE = (PlanState.DRAFT, PlanState.RETURNED)


def plan_target(action: str, current: str) -> str | None:
    for before, after in PLAN_TRANSITIONS[action]:
        if before == current:
            return after
    return None


class Plan(models.Model):
    """A secretary's 整改方案: their items of the round, submitted and approved as one."""

    reporter = models.OneToOneField(
        "rounds.Reporter", on_delete=models.CASCADE, related_name="rectification_plan"
    )
    state = models.CharField(
        "状态", max_length=12, choices=PlanState.choices, default=PlanState.DRAFT
    )
    return_reason = models.TextField("退回意见", blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_at = models.DateTimeField("审核通过", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "整改方案"

    def __str__(self) -> str:
        return f"{self.reporter.organization.name}整改方案"

    @property
    def editable(self) -> bool:
        return self.state in PLAN_EDITABLE


class ReminderKind(models.TextChoices):
    OVERDUE = "overdue", "整改逾期"


class ItemReminder(models.Model):
    """One message per (item, recipient, kind): `shuping remind` may run any number of times."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rectification_reminders"
    )
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "整改提醒"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "recipient", "kind"], name="rect_reminder_once")
        ]

    def __str__(self) -> str:
        return self.message
