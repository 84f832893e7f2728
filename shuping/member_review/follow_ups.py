"""结果运用: the follow-up tasks a member review's grades lead to (表扬、推荐、谈话、帮扶、劝退)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from shuping.audit.services import record
from shuping.lib.errors import DomainError, StateError
from shuping.lib.types import Actor
from shuping.member_review.common import (
    actor_user,
    check_text,
    lock_evaluation,
    lock_review,
    require_run,
    require_stage,
)
from shuping.member_review.models import (
    FollowUp,
    FollowUpKind,
    FollowUpRecord,
    FollowUpStatus,
    MemberEvaluation,
    MemberReview,
    Stage,
)
from shuping.organizations.models import Organization, Person

FOLLOW_UP_DAYS = {  # calendar days from 存档 to the task's due date
    FollowUpKind.PRAISE: 30,
    FollowUpKind.RECOMMEND: 30,
    FollowUpKind.TALK: 30,
    FollowUpKind.HELP: 180,
    FollowUpKind.PERSUADE: 60,
}

# --- 结果运用 ------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpPlan:
    kind: str
    owner: str
    owner_level: str
    reason: str


def plan_follow_ups(evaluation: MemberEvaluation, *, branch: Organization) -> list[FollowUpPlan]:
    """What the grade calls for (seed 000's 结果运用). 劝退 is never planned here."""
    scale = evaluation.review.scale
    grade = evaluation.final_grade
    secretary = branch.secretary.name if branch.secretary else "支部书记"
    parent = branch.parent.name if branch.parent else "上级党组织"
    if not grade or len(scale) < 4:
        return []
    if grade == scale[0]:
        return [FollowUpPlan(FollowUpKind.PRAISE, secretary, "所在支部", "评议优秀，予以表扬")]
    if grade == scale[2]:
        if evaluation.is_section_leader:
            return [
                FollowUpPlan(
                    FollowUpKind.TALK,
                    f"{parent}负责人",
                    "上级党组织",
                    "基本合格的科级以上党员领导干部，按干部管理权限由上级党组织负责人谈话",
                )
            ]
        return [FollowUpPlan(FollowUpKind.TALK, secretary, "所在支部", "基本合格，由所在支部谈话")]
    if grade == scale[3]:
        return [
            FollowUpPlan(
                FollowUpKind.HELP, secretary, "所在支部", "不合格，办班帮教、结对帮扶促其转化"
            )
        ]
    return []


def create_follow_ups(review: MemberReview, *, today: date) -> None:
    review.branch = Organization.objects.select_related("secretary", "parent").get(
        pk=review.branch_id
    )
    have = set(
        FollowUp.objects.filter(evaluation__review=review).values_list("evaluation_id", "kind")
    )
    rows = []
    for e in review.evaluations.all():
        e.review = review
        for plan in plan_follow_ups(e, branch=review.branch):
            if (e.pk, plan.kind) in have:
                continue
            rows.append(
                FollowUp(
                    evaluation=e,
                    kind=plan.kind,
                    owner=plan.owner,
                    owner_level=plan.owner_level,
                    due_on=today + timedelta(days=FOLLOW_UP_DAYS[FollowUpKind(plan.kind)]),
                    reason=plan.reason,
                )
            )
    FollowUp.objects.bulk_create(rows)


def _follow_up_writable(review: MemberReview) -> None:
    require_stage(review, Stage.ARCHIVED, Stage.REPORTED)


def recommend(evaluation: MemberEvaluation, *, actor: Actor, reason: str = "") -> FollowUp:
    """Put an 优秀 member on the list recommended for the superior's awards."""
    with transaction.atomic():
        review = lock_review(evaluation.review)
        evaluation = lock_evaluation(evaluation)
        require_run(actor, review)
        _follow_up_writable(review)
        if evaluation.final_grade != review.scale[0]:
            raise DomainError(f"只有评议为“{review.scale[0]}”的党员可以推荐。")
        if FollowUp.objects.filter(evaluation=evaluation, kind=FollowUpKind.RECOMMEND).exists():
            raise DomainError("该党员已在推荐名单中。")
        task = FollowUp.objects.create(
            evaluation=evaluation,
            kind=FollowUpKind.RECOMMEND,
            owner=review.branch.parent.name if review.branch.parent else "上级党组织",
            owner_level="上级党组织",
            due_on=timezone.localdate() + timedelta(days=FOLLOW_UP_DAYS[FollowUpKind.RECOMMEND]),
            reason=(reason or "").strip() or "表现优秀，推荐为上级党组织表彰人选",
        )
        record(
            actor=actor,
            action="member_review.recommend",
            target=evaluation,
            organization=review.branch,
        )
    return task


def assign_helper(task: FollowUp, *, actor: Actor, helper: Person) -> FollowUp:
    with transaction.atomic():
        review = lock_review(task.evaluation.review)
        task = FollowUp.objects.select_for_update().get(pk=task.pk)
        require_run(actor, review)
        if task.kind != FollowUpKind.HELP:
            raise DomainError("只有帮教帮扶事项需要帮扶人。")
        if helper.pk == task.evaluation.person_id or not helper.is_member:
            raise DomainError("帮扶人应为本人以外的党员。", field="helper")
        task.helper = helper
        task.save(update_fields=["helper"])
        record(actor=actor, action="member_review.helper", target=task, organization=review.branch)
    return task


def add_follow_up_record(
    task: FollowUp, *, actor: Actor, text: str, on: date | None = None
) -> FollowUpRecord:
    with transaction.atomic():
        review = lock_review(task.evaluation.review)
        require_run(actor, review)
        _follow_up_writable(review)
        entry = FollowUpRecord.objects.create(
            follow_up=task,
            on=on or timezone.localdate(),
            text=check_text(text, "text", "请填写情况记录。"),
            recorded_by=actor_user(actor),
        )
        record(
            actor=actor,
            action="member_review.follow_up_record",
            target=task,
            organization=review.branch,
        )
    return entry


def complete_follow_up(task: FollowUp, *, actor: Actor) -> FollowUp:
    with transaction.atomic():
        review = lock_review(task.evaluation.review)
        task = FollowUp.objects.select_for_update().get(pk=task.pk)
        require_run(actor, review)
        if task.status == FollowUpStatus.DONE:
            raise StateError("该事项已完成。")
        if task.kind in (FollowUpKind.TALK, FollowUpKind.HELP) and not task.records.exists():
            raise DomainError("请先填写谈话或帮扶情况记录。")
        task.status = FollowUpStatus.DONE
        task.done_at = timezone.now()
        task.save(update_fields=["status", "done_at"])
        record(
            actor=actor,
            action="member_review.follow_up_done",
            target=task,
            organization=review.branch,
        )
    return task


def start_persuasion(help_task: FollowUp, *, actor: Actor, reason: str) -> FollowUp:
    """经帮扶无明显转化的劝其退党: recorded by a person with a written reason after help
    records exist — never automatic."""
    with transaction.atomic():
        review = lock_review(help_task.evaluation.review)
        require_run(actor, review)
        _follow_up_writable(review)
        if help_task.kind != FollowUpKind.HELP:
            raise DomainError("只有帮教帮扶后仍无明显转化的，才能进入劝退程序。")
        if not help_task.records.exists():
            raise DomainError("尚无帮扶情况记录，不能进入劝退程序。")
        task = FollowUp.objects.create(
            evaluation=help_task.evaluation,
            kind=FollowUpKind.PERSUADE,
            owner=help_task.owner,
            owner_level=help_task.owner_level,
            due_on=timezone.localdate() + timedelta(days=FOLLOW_UP_DAYS[FollowUpKind.PERSUADE]),
            reason=check_text(reason, "reason", "请写明帮扶情况及劝其退党的理由。"),
        )
        record(
            actor=actor,
            action="member_review.persuade",
            target=help_task.evaluation,
            organization=review.branch,
            note=task.reason,
        )
    return task
