"""A round (述职评议考核工作方案) and who reports in it."""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils import timezone

from shuping.rounds.rules import Rules, parse_rules


def doc_number_for(pattern: str, issued_on: date) -> str:
    """The 文号's year is the year of issue (GB/T 9704-2012 7.2.4), whatever the round's year."""
    return re.sub(r"〔\d{4}〕", f"〔{issued_on.year}〕", pattern)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    ACTIVE = "active", "进行中"
    CLOSED = "closed", "已结束"


class Campaign(models.Model):
    committee = models.ForeignKey(
        "organizations.Organization",
        verbose_name="组织单位",
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    year = models.PositiveSmallIntegerField("述职年度")
    title = models.CharField("方案名称", max_length=200)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    preset_key = models.CharField("方案模板", max_length=60)
    preset_version = models.PositiveIntegerField("模板版本", default=1)
    seed_file = models.CharField("依据文件", max_length=80, blank=True)
    # The rules as they were when the round was created (see rules.parse_rules).
    rules = models.JSONField("规则")
    parent = models.ForeignKey(
        "self",
        verbose_name="上级方案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_campaigns",
    )
    status = models.CharField(
        "状态", max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Reproducible random sampling ("两新组织只抽2名"): the seed and what it drew.
    sampling_seed = models.BigIntegerField("抽样种子", null=True, blank=True)
    sampling_log = models.JSONField("抽样记录", default=list, blank=True)
    onsite_places = models.PositiveIntegerField("现场述职名额", null=True, blank=True)
    requires_sub_rounds = models.BooleanField("要求下级比照开展", default=False)
    # Where the preset was at creation, shown next to the frozen rules.
    preset_title = models.CharField("模板名称", max_length=200, blank=True)
    # Set by filing when the superior acknowledges the filing (备案): the round is then
    # read-only (rounds/archive.py) until a recorded reopening clears it.
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)

    class Meta:
        verbose_name = "述职评议考核方案"
        ordering = ["-year", "committee__path"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year"], name="campaign_one_per_year")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def issued_doc_number(self) -> str:
        """The 文号 as the plan document prints it (issued on the day the round was made)."""
        return doc_number_for(self.doc_number, timezone.localdate(self.created_at))

    @cached_property
    def parsed_rules(self) -> Rules:
        return parse_rules(self.rules)


class ReportMode(models.TextChoices):
    ONSITE = "onsite", "现场述职"
    WRITTEN = "written", "书面述职"


class Reporter(models.Model):
    """One secretary (or the person in charge of a vacant post) reporting in a round."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reporters")
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="reporter_entries",
    )
    person = models.ForeignKey(
        "organizations.Person",
        verbose_name="述职人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reporter_entries",
    )
    position = models.CharField("职务", max_length=120, blank=True)
    mode = models.CharField(
        "述职方式", max_length=10, choices=ReportMode.choices, default=ReportMode.ONSITE
    )
    is_vacant = models.BooleanField("书记空缺", default=False)
    order = models.PositiveIntegerField("顺序", default=0)
    note = models.CharField("说明", max_length=200, blank=True)
    sampled = models.BooleanField("抽样产生", default=False)
    added_manually = models.BooleanField("人工调整加入", default=False)

    class Meta:
        verbose_name = "述职对象"
        ordering = ["campaign_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"], name="reporter_one_per_org"
            )
        ]

    def __str__(self) -> str:
        who = self.person.name if self.person_id else "（空缺）"  # type: ignore[union-attr]
        return f"{self.organization} {who}"


class Deadline(models.Model):
    """A dated phase of a round, from the preset's timeline shifted to the round's year."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deadlines")
    key = models.CharField(max_length=40)
    title = models.CharField("事项", max_length=120)
    starts_on = models.DateField("开始", null=True, blank=True)
    due_on = models.DateField("截止", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    tier = models.CharField("层面", max_length=20, blank=True)
    position = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "时间节点"
        ordering = ["campaign_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="deadline_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.due_on or ''}"

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.completed_on is None and self.due_on is not None and self.due_on < today


class Preset(models.Model):
    """An office-made preset: a copy of a shipped or office preset, edited and versioned."""

    key = models.SlugField("模板代号", max_length=60, unique=True)
    title = models.CharField("模板名称", max_length=200)
    committee = models.ForeignKey(
        "organizations.Organization",
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        related_name="presets",
    )
    based_on = models.CharField("复制自", max_length=80, blank=True)
    seed_file = models.CharField("依据文件", max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "自定义方案模板"
        ordering = ["committee__path", "key"]

    def __str__(self) -> str:
        return self.title

    def latest(self) -> PresetVersion:
        return self.versions.order_by("-number").first()  # type: ignore[return-value]


class PresetVersion(models.Model):
    """One saved text of an office preset; saving never overwrites, it adds a version."""

    preset = models.ForeignKey(Preset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本")
    text = models.TextField("模板内容（TOML 或 JSON）")
    rules = models.JSONField("规则")
    note = models.CharField("修改说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "模板版本"
        ordering = ["preset_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["preset", "number"], name="presetversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.preset.key} v{self.number}"


class FilingKind(models.TextChoices):
    PLAN = "plan", "工作方案备案"
    MEETING_PLAN = "meeting_plan", "述职评议会议方案"


class FilingState(models.TextChoices):
    SUBMITTED = "submitted", "已报送"
    ACKNOWLEDGED = "acknowledged", "已确认备案"


class PlanFiling(models.Model):
    """A sub-round's plan or meeting plan filed with the parent round's committee (备案)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="plan_filings")
    kind = models.CharField("类别", max_length=20, choices=FilingKind.choices)
    state = models.CharField(
        "状态", max_length=20, choices=FilingState.choices, default=FilingState.SUBMITTED
    )
    meeting_on = models.DateField("会议日期", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    is_late = models.BooleanField("未按期报送", default=False)
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "备案"
        ordering = ["campaign_id", "submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.campaign} {self.get_kind_display()}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已逾期"


class Reminder(models.Model):
    """One message per (deadline, recipient, kind): `shuping remind` may run any number of times."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="round_reminders"
    )
    kind = models.CharField("类别", max_length=20, choices=ReminderKind.choices)
    message = models.CharField("内容", max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "提醒"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "recipient", "kind"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return self.message


class CarryoverSnapshot(models.Model):
    """What a round hands to next year's round of the same committee (one round, whole
    year), fixed when the round closes or is archived: later edits to its reporters,
    grades or rectification items do not rewrite what next year started from."""

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="carryover_snapshot"
    )
    # [{"heading": str, "lines": [str, ...]}, ...] in the providers' order
    sections = models.JSONField("结转内容", default=list)
    taken_at = models.DateTimeField("固定时间", default=timezone.now)
    taken_on = models.CharField("固定时机", max_length=20)  # close / archive

    class Meta:
        verbose_name = "下一年度结转内容"

    def __str__(self) -> str:
        return f"{self.campaign}结转内容"
