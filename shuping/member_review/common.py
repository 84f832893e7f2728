"""Locking, permission and input checks shared by the member review service modules
(`services`, `links`, `follow_ups`).
"""

from __future__ import annotations

from django.contrib.auth.models import User

from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.lib.types import Actor
from shuping.member_review.access import can_run_review
from shuping.member_review.models import (
    STAGE_TRANSITIONS,
    MemberEvaluation,
    MemberReview,
    Stage,
)
from shuping.organizations.models import Person
from shuping.rounds.models import Campaign
from shuping.rounds.rules import MemberReviewRules

SECTION_LEVEL_WORDS = ("科级", "处级", "厅级", "局级", "部级", "县处", "乡科")


def review_rules(campaign: Campaign) -> MemberReviewRules:
    rules = campaign.parsed_rules.member_review
    if rules is None or not rules.enabled:
        raise DomainError("本方案未开展民主评议党员。")
    return rules


def require_run(actor: Actor, review: MemberReview) -> None:
    if not can_run_review(actor, review):
        raise PermissionDenied("只有本支部书记或上级组织员可以执行此操作。")


def lock_review(review: MemberReview) -> MemberReview:
    fresh = MemberReview.objects.select_for_update(of=("self",)).get(pk=review.pk)
    fresh.branch = review.branch
    fresh.campaign = review.campaign
    return fresh


def lock_evaluation(evaluation: MemberEvaluation) -> MemberEvaluation:
    fresh = MemberEvaluation.objects.select_for_update(of=("self",)).get(pk=evaluation.pk)
    fresh.review = evaluation.review
    return fresh


def require_stage(review: MemberReview, *stages: str) -> None:
    if review.stage not in stages:
        wanted = "、".join(f"“{Stage(s).label}”" for s in stages)
        raise StateError(
            f"本支部评议当前为“{review.get_stage_display()}”，此操作只能在{wanted}阶段进行。"
        )


def check_grade(review: MemberReview, value: str, field: str) -> str:
    value = (value or "").strip()
    if value not in review.scale:
        raise DomainError(f"请选择{'、'.join(review.scale)}之一。", field=field)
    return value


def check_text(value: str, field: str, message: str, limit: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field)
    if len(value) > limit:
        raise DomainError(f"不能超过 {limit} 字。", field=field)
    return value


def is_section_leader(person: Person) -> bool:
    """科级以上党员领导干部, read from the person's 干部级别."""
    level = person.cadre_level or ""
    return any(word in level for word in SECTION_LEVEL_WORDS)


def actor_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def can_move(current: str, target: str) -> bool:
    return target in STAGE_TRANSITIONS.get(current, frozenset())
