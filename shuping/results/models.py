"""Using and publishing the results (结果运用与公开).

Everything hangs off the round's reporters (one assessment per `rounds.Reporter`):
- `ResultRecord`: the approved grade as this stage used it, the office's flags, and
  what follows (may the secretary be 优秀 in the annual assessment, does the unit lose
  its other awards), with the reasons; it is also the history the two-year rule reads;
- `ConsequenceTask`: 约谈, 整改, 问责, 组织处理 … with an owner, a due date, a state and
  the record of how it was carried out;
- `Feedback`: the hand-over of the feedback letter (集中约谈、会上宣布 …);
- `Announcement` (通报) and `PublicNotice` (公示) with its `Objection`s (异议).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class ResultRecord(models.Model):
    reporter = models.OneToOneField(
        "rounds.Reporter", on_delete=models.CASCADE, related_name="result_record"
    )
    campaign = models.ForeignKey(
        "rounds.Campaign", on_delete=models.CASCADE, related_name="result_records"
    )
    person = models.ForeignKey(
        "organizations.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="result_records",
    )
    year = models.PositiveSmallIntegerField("年度")
    grade = models.CharField("综合评价等次", max_length=20, blank=True)
    # False while the grade is reopened (复核中): nothing follows from it until approved again.
    approved = models.BooleanField("等次已批准", default=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    flags = models.JSONField("标记", default=list, blank=True)
    annual_excellent = models.BooleanField("年度考核可评优秀", default=True)
    annual_excellent_reason = models.CharField("评优说明", max_length=300, blank=True)
    unit_awards_revoked = models.BooleanField("取消单位其他评先评优资格", default=False)
    unit_awards_reason = models.CharField("取消说明", max_length=300, blank=True)
    reasons = models.JSONField("适用的结果运用规定", default=list, blank=True)

    class Meta:
        verbose_name = "结果运用记录"
        ordering = ["campaign_id", "reporter__order", "id"]
        indexes = [models.Index(fields=["person", "year"], name="result_person_year")]

    def __str__(self) -> str:
        return f"{self.reporter} {self.grade}"


class TaskKind(models.TextChoices):
    TALK = "talk", "约谈"
    REMINDER_TALK = "reminder_talk", "提醒谈话"
    RECTIFY = "rectify", "限期整改"
    ACCOUNTABILITY = "accountability", "问责"
    ORG_HANDLING = "org_handling", "组织处理"
    COMMEND = "commend", "表彰奖励"
    REVOKE_AWARDS = "revoke_awards", "取消评先评优资格"


TALK_KINDS = {TaskKind.TALK, TaskKind.REMINDER_TALK}


class TaskState(models.TextChoices):
    OPEN = "open", "待落实"
    DONE = "done", "已落实"
    CANCELLED = "cancelled", "已撤销"


# (from, to) per service: complete_task, cancel (by a reopened grade or the office), reopen_task.
TASK_TRANSITIONS: dict[str, set[tuple[str, str]]] = {
    "complete": {(TaskState.OPEN, TaskState.DONE)},
    "cancel": {(TaskState.OPEN, TaskState.CANCELLED)},
    "reopen": {(TaskState.DONE, TaskState.OPEN), (TaskState.CANCELLED, TaskState.OPEN)},
}
TASK_ALLOWED = {move for moves in TASK_TRANSITIONS.values() for move in moves}


def _scan_to(instance: ConsequenceTask, filename: str) -> str:
    return f"results/scans/{secrets.token_hex(16)}{instance.scan_extension}"


class ConsequenceTask(models.Model):
    campaign = models.ForeignKey(
        "rounds.Campaign", on_delete=models.CASCADE, related_name="consequence_tasks"
    )
    reporter = models.ForeignKey(
        "rounds.Reporter", on_delete=models.CASCADE, related_name="consequence_tasks"
    )
    kind = models.CharField("类别", max_length=20, choices=TaskKind.choices)
    title = models.CharField("事项", max_length=200)
    reason = models.CharField("依据", max_length=500, blank=True)
    owner = models.ForeignKey(
        "organizations.Organization",
        verbose_name="责任单位",
        on_delete=models.PROTECT,
        related_name="consequence_tasks",
    )
    due_on = models.DateField("完成期限", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=20, choices=TaskState.choices, default=TaskState.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    # how it was carried out; for a talk: when, who talked to whom, the gist, a scan
    done_on = models.DateField("落实日期", null=True, blank=True)
    talked_by = models.CharField("谈话人", max_length=100, blank=True)
    talked_to = models.CharField("谈话对象", max_length=100, blank=True)
    gist = models.TextField("主要内容", blank=True)
    scan = models.FileField("扫描件", upload_to=_scan_to, max_length=200, blank=True)
    scan_extension = models.CharField(max_length=10, blank=True)
    scan_content_type = models.CharField(max_length=100, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField("撤销原因", max_length=300, blank=True)
    overdue_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "结果运用事项"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["state", "due_on"], name="task_state_due")]

    def __str__(self) -> str:
        return f"{self.reporter} {self.title}"

    def is_overdue(self, today: object = None) -> bool:
        day = today or timezone.localdate()
        return self.state == TaskState.OPEN and self.due_on is not None and self.due_on < day  # type: ignore[operator]


class Feedback(models.Model):
    """The feedback letter was handed over (one record per secretary)."""

    reporter = models.OneToOneField(
        "rounds.Reporter", on_delete=models.CASCADE, related_name="feedback"
    )
    campaign = models.ForeignKey("rounds.Campaign", on_delete=models.CASCADE, related_name="+")
    handed_over_on = models.DateField("反馈日期")
    way = models.CharField("反馈方式", max_length=60)
    handed_over_by = models.CharField("反馈人", max_length=100, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "反馈记录"

    def __str__(self) -> str:
        return f"{self.reporter} {self.way}"


class PublicationState(models.TextChoices):
    DRAFT = "draft", "草拟"
    ISSUED = "issued", "已印发"


class Announcement(models.Model):
    """通报: generated from the results, editable until issued."""

    campaign = models.OneToOneField(
        "rounds.Campaign", on_delete=models.CASCADE, related_name="announcement"
    )
    title = models.CharField("标题", max_length=200)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    recipients = models.CharField("主送", max_length=200, blank=True)
    body = models.TextField("正文")
    range_text = models.CharField("通报范围", max_length=200, blank=True)
    state = models.CharField(
        "状态", max_length=20, choices=PublicationState.choices, default=PublicationState.DRAFT
    )
    issued_on = models.DateField("印发日期", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "通报"

    def __str__(self) -> str:
        return self.title


class NoticeState(models.TextChoices):
    DRAFT = "draft", "草拟"
    OPEN = "open", "公示中"
    ENDED = "ended", "公示期满"  # period over, an objection still open
    FINAL = "final", "结果已确定"


NOTICE_TRANSITIONS: dict[str, set[tuple[str, str]]] = {
    "start": {(NoticeState.DRAFT, NoticeState.OPEN)},
    "finalize": {(NoticeState.OPEN, NoticeState.FINAL), (NoticeState.ENDED, NoticeState.FINAL)},
    "wait": {(NoticeState.OPEN, NoticeState.ENDED)},
}
PUBLIC_STATES = {NoticeState.OPEN, NoticeState.ENDED, NoticeState.FINAL}


def _public_code() -> str:
    return secrets.token_urlsafe(9)


class PublicNotice(models.Model):
    """公示: a period (working days where the preset says so), where posted, objections."""

    campaign = models.OneToOneField(
        "rounds.Campaign", on_delete=models.CASCADE, related_name="public_notice"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("公示说明")
    where = models.CharField("公示地点", max_length=300, blank=True)
    contact = models.CharField("意见受理", max_length=200, blank=True)
    days = models.PositiveSmallIntegerField("公示天数")
    workdays = models.BooleanField("按工作日计算", default=True)
    starts_on = models.DateField("开始日期", null=True, blank=True)
    ends_on = models.DateField("截止日期", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=20, choices=NoticeState.choices, default=NoticeState.DRAFT
    )
    public_code = models.CharField(max_length=20, unique=True, default=_public_code)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    final_at = models.DateTimeField("结果确定时间", null=True, blank=True)
    final_note = models.CharField("确定说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "公示"

    def __str__(self) -> str:
        return self.title


class ObjectionState(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "异议成立"
    REJECTED = "rejected", "异议不成立"


class Objection(models.Model):
    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="objections")
    reporter = models.ForeignKey(
        "rounds.Reporter",
        verbose_name="涉及对象",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="objections",
    )
    received_on = models.DateField("收到日期")
    received_by = models.CharField("受理人", max_length=100)
    raised_by = models.CharField("反映人", max_length=100, blank=True)  # may stay anonymous
    content = models.TextField("异议内容")
    state = models.CharField(
        "状态", max_length=20, choices=ObjectionState.choices, default=ObjectionState.OPEN
    )
    handling = models.TextField("核查处理情况", blank=True)
    answer = models.TextField("答复意见", blank=True)
    decided_on = models.DateField("处理日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "异议"
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return self.content[:30]
