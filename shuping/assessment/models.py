"""The overall assessment (综合评价) of a round: one board per round, one grade per reporter.

A board moves draft → proposed → approved, and an approved board may be reopened
(for one reporter, with a recorded reason) and approved again. `approved_grade`
is the last grade the committee approved: it stays readable while a reopened
grade is being reconsidered, so later stages never see an unapproved grade.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class BoardState(models.TextChoices):
    DRAFT = "draft", "收集情况"
    PROPOSED = "proposed", "已提出建议等次"
    APPROVED = "approved", "已审定"
    REOPENED = "reopened", "重新审议中"


# The only moves a board makes; services check every change against this table.
# proposed → proposed is a fresh proposal after the inputs changed.
BOARD_TRANSITIONS: dict[str, frozenset[str]] = {
    BoardState.DRAFT: frozenset({BoardState.PROPOSED}),
    BoardState.PROPOSED: frozenset({BoardState.PROPOSED, BoardState.APPROVED}),
    BoardState.APPROVED: frozenset({BoardState.REOPENED}),
    BoardState.REOPENED: frozenset({BoardState.APPROVED}),
}


class AssessmentBoard(models.Model):
    campaign = models.OneToOneField(
        "rounds.Campaign", on_delete=models.CASCADE, related_name="assessment_board"
    )
    state = models.CharField(
        "状态", max_length=20, choices=BoardState.choices, default=BoardState.DRAFT
    )
    # Warnings of the last proposal (quota_about, ties at a quota cut): shown, never blocking.
    warnings = models.JSONField("提示", default=list, blank=True)
    proposed_at = models.DateTimeField("提出建议等次时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_name = models.CharField("审定人", max_length=60, blank=True)
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)
    minute_ref = models.CharField("研究会议记录", max_length=200, blank=True)
    published = models.BooleanField("已公布", default=False)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    class Meta:
        verbose_name = "综合评价"

    def __str__(self) -> str:
        return f"{self.campaign} 综合评价"


class Assessment(models.Model):
    """One reporter's inputs, proposed and final grade, trace and written opinion."""

    board = models.ForeignKey(AssessmentBoard, on_delete=models.CASCADE, related_name="items")
    reporter = models.OneToOneField(
        "rounds.Reporter", on_delete=models.CASCADE, related_name="assessment"
    )
    # Inputs entered by the office.
    daily_score = models.DecimalField(
        "日常管理考核得分", max_digits=5, decimal_places=2, null=True, blank=True
    )
    annual_result = models.CharField("年度党建考核结果", max_length=20, blank=True)
    # The engine's output and the organizer's decision.
    score = models.DecimalField("综合得分", max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField("排名", null=True, blank=True)
    proposed_grade = models.CharField("建议等次", max_length=20, blank=True)
    grade = models.CharField("评定等次", max_length=20, blank=True)
    override_reason = models.TextField("调整理由", blank=True)
    approved_grade = models.CharField("审定等次", max_length=20, blank=True)
    locked = models.BooleanField("已审定锁定", default=False)
    # inputs → each rule → result, plus every override and reopening, as readable lines.
    trace = models.JSONField("评定过程", default=dict, blank=True)
    # 综合评价意见
    achievements = models.TextField("成绩", blank=True)
    problems = models.TextField("问题", blank=True)
    overall = models.TextField("总体评价", blank=True)
    rectification_required = models.TextField("整改要求", blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "综合评价（个人）"
        ordering = ["board_id", "reporter__order", "reporter_id"]

    def __str__(self) -> str:
        return f"{self.reporter} {self.grade or self.proposed_grade}"


class AssessmentFlag(models.Model):
    """A fact that drives a `flag` rule (重大失误, 被问责追责 …), with its written basis."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="flags")
    key = models.CharField("情形", max_length=40)
    title = models.CharField("情形名称", max_length=100)
    basis = models.TextField("依据")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "评定情形"
        ordering = ["assessment_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="assessment_flag_once")
        ]

    def __str__(self) -> str:
        return self.title
