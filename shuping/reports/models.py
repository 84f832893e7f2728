"""Duty reports (述职报告), their versions, review comments, innovation cases and uploads."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回修改"
    RESUBMITTED = "resubmitted", "已重新提交"
    APPROVED = "approved", "审核通过"
    SUMMARIZED = "summarized", "摘要已撰写"
    PUBLISHED = "published", "摘要已公布"


# The allowed moves, one row per service function (services.py). Anything else is a StateError.
TRANSITIONS: dict[str, set[tuple[str, str]]] = {
    "submit": {
        (ReportState.DRAFT, ReportState.SUBMITTED),
        (ReportState.RETURNED, ReportState.RESUBMITTED),
    },
    "return": {
        (ReportState.SUBMITTED, ReportState.RETURNED),
        (ReportState.RESUBMITTED, ReportState.RETURNED),
    },
    "approve": {
        (ReportState.SUBMITTED, ReportState.APPROVED),
        (ReportState.RESUBMITTED, ReportState.APPROVED),
    },
    "summarize": {
        (ReportState.APPROVED, ReportState.SUMMARIZED),
        (ReportState.SUMMARIZED, ReportState.SUMMARIZED),
    },
    "publish": {(ReportState.SUMMARIZED, ReportState.PUBLISHED)},
}
ALLOWED: set[tuple[str, str]] = {move for moves in TRANSITIONS.values() for move in moves}
EDITABLE = {ReportState.DRAFT, ReportState.RETURNED}
# states the reviewer has in front of them: submitted once, whatever happened later
REVIEWED_STATES = {
    ReportState.SUBMITTED,
    ReportState.RESUBMITTED,
    ReportState.APPROVED,
    ReportState.SUMMARIZED,
    ReportState.PUBLISHED,
}
APPROVED_STATES = {ReportState.APPROVED, ReportState.SUMMARIZED, ReportState.PUBLISHED}


def target_state(action: str, current: str) -> str | None:
    for before, after in TRANSITIONS[action]:
        if before == current:
            return after
    return None


class DutyReport(models.Model):
    reporter = models.ForeignKey(
        "rounds.Reporter", verbose_name="述职对象", on_delete=models.CASCADE, related_name="reports"
    )
    # 004 (双述双评) writes one report per meeting kind; other presets have one "committee" report.
    audience = models.CharField("述职对象会议", max_length=20, default="committee")
    state = models.CharField(
        "状态", max_length=20, choices=ReportState.choices, default=ReportState.DRAFT
    )
    title = models.CharField("标题", max_length=200, blank=True)
    subtitle = models.CharField("副标题", max_length=200, blank=True)
    # {section key: text}; sections follow the round's rules.report.sections
    sections: Any = models.JSONField("正文", default=dict)
    revision = models.PositiveIntegerField("修订号", default=0)
    review_round = models.PositiveIntegerField("审核轮次", default=0)
    submitted_at = models.DateTimeField("首次提交", null=True, blank=True)
    last_submitted_at = models.DateTimeField("最近提交", null=True, blank=True)
    approved_at = models.DateTimeField("审核通过", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    read_by_superior_at = models.DateTimeField("上级领导已阅", null=True, blank=True)
    read_by_superior = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField("摘要", blank=True)
    summary_published_at = models.DateTimeField("摘要公布", null=True, blank=True)
    publication_range = models.CharField("公布范围", max_length=200, blank=True)
    # cached results of the last check run, for the overview list without recounting
    total_chars = models.PositiveIntegerField("字数", default=0)
    check_verdict = models.CharField("检查结论", max_length=10, default="ok")
    check_summary: Any = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "述职报告"
        ordering = ["reporter__campaign_id", "reporter__order", "reporter_id", "audience"]
        constraints = [
            models.UniqueConstraint(fields=["reporter", "audience"], name="report_one_per_audience")
        ]

    def __str__(self) -> str:
        return self.title or f"{self.reporter.organization.name}述职报告"

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE


class VersionKind(models.TextChoices):
    AUTOSAVE = "autosave", "自动保存"
    SAVE = "save", "保存"
    IMPORT = "import", "导入Word"
    SUBMIT = "submit", "提交"
    PREFILL = "prefill", "初始"


class ReportVersion(models.Model):
    """An immutable snapshot. Autosaves within a few minutes by the same author fold into
    the newest autosave version (the only kind ever updated), so typing does not produce
    hundreds of rows; every explicit save, import and submission is a new row."""

    report = models.ForeignKey(DutyReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    kind = models.CharField(max_length=10, choices=VersionKind.choices)
    sections: Any = models.JSONField(default=dict)
    total_chars = models.PositiveIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "报告版本"
        ordering = ["report_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="version_unique_number")
        ]

    def __str__(self) -> str:
        return f"第{self.number}版"


class ReviewComment(models.Model):
    report = models.ForeignKey(DutyReport, on_delete=models.CASCADE, related_name="comments")
    review_round = models.PositiveIntegerField("审核轮次")
    section_key = models.CharField("部分", max_length=40, blank=True)  # "" = whole report
    text = models.TextField("意见")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "审核意见"
        ordering = ["report_id", "review_round", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class InnovationCase(models.Model):
    """基层党建创新案例 (seed 003): ~800 characters in three parts, 2–3 pictures."""

    reporter = models.ForeignKey(
        "rounds.Reporter", on_delete=models.CASCADE, related_name="innovation_cases"
    )
    title = models.CharField("案例标题", max_length=200)
    subtitle = models.CharField("副标题", max_length=200, blank=True)
    background = models.TextField("工作背景", blank=True)
    measures = models.TextField("主要举措", blank=True)
    results = models.TextField("取得成效", blank=True)
    order = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "创新案例"
        ordering = ["reporter_id", "order", "id"]

    def __str__(self) -> str:
        return self.title

    PARTS = (("background", "工作背景"), ("measures", "主要举措"), ("results", "取得成效"))


class AttachmentKind(models.TextChoices):
    PICTURE = "picture", "案例配图"
    SLIDES = "slides", "演示文稿"


def _upload_to(instance: Attachment, filename: str) -> str:
    # Never the user's file name: a random name, and the extension we decided from content.
    return f"reports/{instance.kind}/{secrets.token_hex(16)}{instance.extension}"


class Attachment(models.Model):
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    reporter = models.ForeignKey(
        "rounds.Reporter", on_delete=models.CASCADE, related_name="attachments"
    )
    case = models.ForeignKey(
        InnovationCase, null=True, blank=True, on_delete=models.CASCADE, related_name="pictures"
    )
    file = models.FileField(upload_to=_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=200, blank=True)  # display only
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    caption = models.CharField("图片说明", max_length=200, blank=True)
    order = models.PositiveIntegerField(default=1)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "附件"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.original_name or f"附件{self.pk}"

    @property
    def inline(self) -> bool:
        return self.content_type.startswith("image/")
