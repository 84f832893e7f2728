"""Inspections (督查调研 / 调查核实) made before the meeting, and what they found."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class Method(models.TextChoices):
    DOCUMENTS = "documents", "查阅资料"
    INTERVIEW = "interview", "个别访谈"
    RANDOM_VISIT = "random_visit", "随机走访"
    UNANNOUNCED = "unannounced", "暗访"
    FORUM = "forum", "座谈"
    DEMOCRATIC_TEST = "democratic_test", "民主测评"


class FindingKind(models.TextChoices):
    ACHIEVEMENT = "achievement", "核实的成绩"
    PROBLEM = "problem", "发现的问题"
    NOT_HELD_UP = "not_held_up", "报告所述未得到印证"


class Inspection(models.Model):
    """One visit or check of one or more reporters of a round."""

    campaign = models.ForeignKey(
        "rounds.Campaign", on_delete=models.CASCADE, related_name="inspections"
    )
    reporters = models.ManyToManyField(
        "rounds.Reporter", verbose_name="督查对象", related_name="inspections"
    )
    held_on = models.DateField("日期")
    inspectors = models.CharField("督查人员", max_length=200)
    method = models.CharField("方式", max_length=20, choices=Method.choices)
    announced = models.BooleanField("事先通知", default=False)
    note = models.TextField("情况说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "督查调研"
        ordering = ["campaign_id", "-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_method_display()}"


class InspectionFinding(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    reporter = models.ForeignKey(
        "rounds.Reporter", on_delete=models.CASCADE, related_name="inspection_findings"
    )
    kind = models.CharField("类别", max_length=20, choices=FindingKind.choices)
    text = models.TextField("内容")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "督查发现"
        ordering = ["inspection_id", "order", "id"]
        indexes = [models.Index(fields=["reporter", "kind"], name="finding_reporter_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.text[:30]}"


def _evidence_to(instance: Evidence, filename: str) -> str:
    # Never the user's file name: a random name and the extension decided from content.
    return f"inspections/{secrets.token_hex(16)}{instance.extension}"


class Evidence(models.Model):
    """A photo or scan backing an inspection (checked by content like report uploads)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=_evidence_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    caption = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "佐证材料"
        ordering = ["inspection_id", "id"]

    def __str__(self) -> str:
        return self.original_name or f"佐证材料{self.pk}"
