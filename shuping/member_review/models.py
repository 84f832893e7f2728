"""民主评议党员 (seed 000's 党员述职评议): one review per branch, one evaluation per member.

A committee's round starts a `MemberReview` for every branch under it at once.
The review walks a fixed path (`STAGE_TRANSITIONS`): 个人自评 → 支委会审议 →
党员大会评定 → 核实审定与本人确认 → 公示 → 存档 → 上报. The members' meeting is a
`meetings.Meeting` of kind "member_review" whose ballot (ballots app, secret by
construction) has one row per `MemberEvaluation`; nothing here stores a vote.

Members have no accounts: each gets a personal link (`AccessLink`), printed by the
branch as a slip with a QR code. Only the SHA-256 of the link's token is stored; a
link serves one purpose (self-evaluation or confirmation), expires, is spent by the
act, and can ask for the last four digits of the member's phone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Stage(models.TextChoices):
    SELF_EVAL = "self_eval", "个人自评"
    COMMITTEE = "committee", "支委会审议"
    MEETING = "meeting", "党员大会评定"
    CONFIRMATION = "confirmation", "审定与本人确认"
    PUBLICITY = "publicity", "公示中"
    ARCHIVED = "archived", "已存档"
    REPORTED = "reported", "已上报"


# The only moves a review makes; services check every change against this table.
STAGE_TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.SELF_EVAL: frozenset({Stage.COMMITTEE}),
    Stage.COMMITTEE: frozenset({Stage.MEETING}),
    Stage.MEETING: frozenset({Stage.CONFIRMATION}),
    Stage.CONFIRMATION: frozenset({Stage.PUBLICITY}),
    Stage.PUBLICITY: frozenset({Stage.ARCHIVED}),
    Stage.ARCHIVED: frozenset({Stage.REPORTED}),
    Stage.REPORTED: frozenset(),
}
STAGE_ORDER = list(Stage.values)


class MemberReview(models.Model):
    campaign = models.ForeignKey(
        "rounds.Campaign",
        verbose_name="考核方案",
        on_delete=models.CASCADE,
        related_name="member_reviews",
    )
    branch = models.ForeignKey(
        "organizations.Organization",
        verbose_name="党支部",
        on_delete=models.PROTECT,
        related_name="member_reviews",
    )
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, default=Stage.SELF_EVAL)
    # Snapshots from the round's rules, so a review reads the same whatever changes later.
    scale = models.JSONField("评议等次", default=list)
    areas = models.JSONField("自评内容", default=list)  # titles of the four areas
    self_eval_due = models.DateField("个人自评截止", null=True, blank=True)
    committee_due = models.DateField("支委会审议截止", null=True, blank=True)
    meeting_due = models.DateField("党员大会截止", null=True, blank=True)
    meeting = models.OneToOneField(
        "meetings.Meeting",
        verbose_name="党员大会",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_review",
    )
    meeting_held_on = models.DateField("党员大会召开日期", null=True, blank=True)
    publish_due = models.DateField("公示最迟开始", null=True, blank=True)
    publicity_starts = models.DateField("公示开始", null=True, blank=True)
    publicity_ends = models.DateField("公示结束", null=True, blank=True)
    report_due = models.DateField("上报截止", null=True, blank=True)
    archived_at = models.DateTimeField("存档时间", null=True, blank=True)
    reported_at = models.DateTimeField("上报时间", null=True, blank=True)
    report_note = models.TextField("上报说明", blank=True)
    # The intranet page of published results needs no login: the key is the capability.
    public_key = models.CharField(max_length=40, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "民主评议党员"
        ordering = ["campaign_id", "branch__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "branch"], name="member_review_one_per_branch"
            )
        ]
        indexes = [models.Index(fields=["campaign", "stage"], name="member_review_stage_idx")]

    def __str__(self) -> str:
        return f"{self.branch} 民主评议党员"

    @property
    def published(self) -> bool:
        return self.stage in (Stage.PUBLICITY, Stage.ARCHIVED, Stage.REPORTED)


class Source(models.TextChoices):
    PERSONAL = "personal", "本人提交"
    PAPER = "paper", "纸质，支部录入"


class Confirmation(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    DISAGREED = "disagreed", "有不同意见"
    ANSWERED = "answered", "已答复"


class MemberEvaluation(models.Model):
    """One member's year: self-evaluation, committee proposal, vote, decision, confirmation."""

    review = models.ForeignKey(MemberReview, on_delete=models.CASCADE, related_name="evaluations")
    person = models.ForeignKey(
        "organizations.Person",
        verbose_name="党员",
        on_delete=models.PROTECT,
        related_name="member_evaluations",
    )
    name = models.CharField("姓名", max_length=40)
    position = models.CharField("职务", max_length=80, blank=True)
    # 科级以上党员领导干部: their 谈话 is held by the superior's leader (seed 000).
    is_section_leader = models.BooleanField("科级以上党员领导干部", default=False)
    order = models.PositiveIntegerField("顺序", default=0)
    # 个人自评
    self_texts = models.JSONField("自评内容", default=dict)  # {"1": text, ...} per area
    self_grade = models.CharField("自评等次", max_length=10, blank=True)
    self_source = models.CharField("自评来源", max_length=10, choices=Source.choices, blank=True)
    self_submitted_at = models.DateTimeField("自评提交时间", null=True, blank=True)
    # 支委会审议
    proposed_grade = models.CharField("支委会建议等次", max_length=10, blank=True)
    proposal_note = models.CharField("审议意见", max_length=300, blank=True)
    # 党员大会评定: counts copied from the closed ballot's tally (never a sheet)
    vote_counts = models.JSONField("表决票数", default=dict)
    vote_grade = models.CharField("表决得票最多等次", max_length=10, blank=True)
    # 核实审定
    final_grade = models.CharField("评定等次", max_length=10, blank=True)
    final_reason = models.TextField("调整理由", blank=True)
    final_trace = models.TextField("审定依据", blank=True)
    # 本人确认
    confirmation = models.CharField(
        "本人确认", max_length=12, choices=Confirmation.choices, default=Confirmation.PENDING
    )
    confirm_source = models.CharField("确认方式", max_length=10, choices=Source.choices, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    disagreement = models.TextField("本人不同意见", blank=True)
    answer = models.TextField("支部答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "党员评议"
        ordering = ["review_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "person"], name="member_evaluation_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} 评议"


class LinkPurpose(models.TextChoices):
    SELF_EVAL = "self_eval", "个人自评"
    CONFIRM = "confirm", "本人确认"


class AccessLink(models.Model):
    """A member's personal one-time link, known only by the hash of its token."""

    token_hash = models.CharField(max_length=64, primary_key=True)
    evaluation = models.ForeignKey(MemberEvaluation, on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=12, choices=LinkPurpose.choices)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    phone_check = models.BooleanField("核对手机尾号", default=False)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "个人链接"
        indexes = [models.Index(fields=["evaluation", "purpose"], name="member_link_eval_idx")]

    def __str__(self) -> str:
        return "个人链接"  # never show the hash


class Objection(models.Model):
    """An objection raised during 公示, and the branch's answer."""

    review = models.ForeignKey(MemberReview, on_delete=models.CASCADE, related_name="objections")
    evaluation = models.ForeignKey(
        MemberEvaluation,
        verbose_name="涉及党员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="objections",
    )
    raised_by = models.CharField("反映人", max_length=40, blank=True)  # may be anonymous
    text = models.TextField("异议内容")
    received_on = models.DateField("收到日期", default=timezone.localdate)
    answer = models.TextField("处理结果", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "公示异议"
        ordering = ["review_id", "received_on", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class FollowUpKind(models.TextChoices):
    PRAISE = "praise", "表扬"
    RECOMMEND = "recommend", "推荐上级表彰"
    TALK = "talk", "谈话"
    HELP = "help", "帮教帮扶"
    PERSUADE = "persuade", "劝其退党"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "待办"
    DONE = "done", "已完成"


class FollowUp(models.Model):
    """What follows a grade (结果运用): a task with an owner and a due date."""

    evaluation = models.ForeignKey(
        MemberEvaluation, on_delete=models.CASCADE, related_name="follow_ups"
    )
    kind = models.CharField("事项", max_length=12, choices=FollowUpKind.choices)
    owner = models.CharField("责任人", max_length=80)
    owner_level = models.CharField("责任层级", max_length=40, blank=True)  # 支部 / 上级党组织
    helper = models.ForeignKey(
        "organizations.Person",
        verbose_name="帮扶人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_help_tasks",
    )
    due_on = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    reason = models.TextField("依据", blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "结果运用事项"
        ordering = ["evaluation_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "kind"],
                condition=~Q(kind="persuade"),
                name="member_follow_up_one_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.evaluation.name}"


class FollowUpRecord(models.Model):
    """A dated record under a task: a talk held, a help visit, a change observed."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="records")
    on = models.DateField("日期", default=timezone.localdate)
    text = models.TextField("情况记录")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "跟进记录"
        ordering = ["follow_up_id", "on", "id"]

    def __str__(self) -> str:
        return self.text[:40]
