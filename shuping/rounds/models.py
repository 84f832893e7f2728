"""A round (述职评议考核工作方案) and who reports in it."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils import timezone

from shuping.rounds.rules import Rules, parse_rules


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

    class Meta:
        verbose_name = "述职评议考核方案"
        ordering = ["-year", "committee__path"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year"], name="campaign_one_per_year")
        ]

    def __str__(self) -> str:
        return self.title

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

    class Meta:
        verbose_name = "时间节点"
        ordering = ["campaign_id", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="deadline_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.due_on or ''}"
