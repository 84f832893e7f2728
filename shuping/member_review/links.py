"""Personal links (个人链接): a member opens their self-evaluation or confirmation by a
one-time link, checked against the last digits of their phone.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shuping.audit.services import record
from shuping.lib.errors import DomainError
from shuping.lib.types import Actor
from shuping.member_review.common import (
    lock_review,
    require_run,
    require_stage,
    review_rules,
)
from shuping.member_review.models import (
    AccessLink,
    LinkPurpose,
    MemberEvaluation,
    MemberReview,
    Stage,
)
from shuping.organizations.models import Person

MAX_PHONE_FAILURES = 5

# --- personal links -----------------------------------------------------------------


def hash_token(token: str) -> str:
    # 128 random bits per token: an unsalted hash cannot be reversed by guessing.
    return hashlib.sha256(token.encode()).hexdigest()


LINK_MESSAGES = {
    "unknown": "链接无效：没有找到这张个人评议单。请核对二维码，或向党支部咨询。",
    "expired": "这个链接已过期。请向党支部领取新的个人评议单。",
    "used": "这个链接已经使用过了。如需修改，请向党支部说明。",
    "revoked": "这个链接已作废，党支部已发放新的个人评议单。",
    "stage": "本支部评议已进入下一阶段，这个链接不能再使用。",
    "locked": "手机尾号核对错误次数过多，链接已锁定。请向党支部领取新的个人评议单。",
}
LINK_STAGES = {
    LinkPurpose.SELF_EVAL: (Stage.SELF_EVAL, Stage.COMMITTEE),
    LinkPurpose.CONFIRM: (Stage.CONFIRMATION,),
}


class LinkError(DomainError):
    def __init__(self, reason: str) -> None:
        super().__init__(LINK_MESSAGES[reason], code="invalid" if reason == "unknown" else "state")
        self.reason = reason


def issue_links(
    review: MemberReview,
    *,
    actor: Actor,
    purpose: str,
    evaluations: Iterable[MemberEvaluation] | None = None,
    phone_check: bool = False,
    now: datetime | None = None,
) -> list[tuple[MemberEvaluation, str]]:
    """New personal links, returned ONCE with their raw tokens (only hashes are stored).
    Earlier unused links of the same purpose for the same members are revoked."""
    if purpose not in LinkPurpose.values:
        raise DomainError("链接用途不正确。", field="purpose")
    rules = review_rules(review.campaign)
    now = now or timezone.now()
    with transaction.atomic():
        review = lock_review(review)
        require_run(actor, review)
        require_stage(review, *LINK_STAGES[LinkPurpose(purpose)])
        evals = list(
            review.evaluations.all()
            if evaluations is None
            else review.evaluations.filter(pk__in=[e.pk for e in evaluations])
        )
        if purpose == LinkPurpose.CONFIRM:
            evals = [e for e in evals if e.final_grade]
        AccessLink.objects.filter(
            evaluation__in=evals, purpose=purpose, used_at__isnull=True
        ).update(revoked=True)
        out = [(e, secrets.token_urlsafe(16)) for e in evals]
        has_phone = set(
            Person.objects.filter(pk__in=[e.person_id for e in evals])
            .exclude(phone="")
            .values_list("pk", flat=True)
        )
        AccessLink.objects.bulk_create(
            [
                AccessLink(
                    token_hash=hash_token(token),
                    evaluation=e,
                    purpose=purpose,
                    expires_at=now + timedelta(days=rules.link_days),
                    phone_check=phone_check and e.person_id in has_phone,
                )
                for e, token in out
            ]
        )
        record(
            actor=actor,
            action="member_review.issue_links",
            target=review,
            organization=review.branch,
            changes={"purpose": purpose, "issued": len(out), "phone_check": phone_check},
        )
    return out


def open_link(token: str, *, now: datetime | None = None) -> AccessLink:
    """The link a token opens, or LinkError with a message for the member."""
    now = now or timezone.now()
    link = (
        AccessLink.objects.select_related(
            "evaluation__review__branch", "evaluation__review__campaign", "evaluation__person"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None:
        raise LinkError("unknown")
    if link.revoked:
        raise LinkError("revoked")
    if link.used_at is not None:
        raise LinkError("used")
    if link.expires_at <= now:
        raise LinkError("expired")
    if link.failures >= MAX_PHONE_FAILURES:
        raise LinkError("locked")
    if link.evaluation.review.stage not in LINK_STAGES[LinkPurpose(link.purpose)]:
        raise LinkError("stage")
    return link


def _digits(value: str) -> str:
    return "".join(ch for ch in value or "" if ch.isdigit())


def check_phone(link: AccessLink, digits: str) -> None:
    """The optional check: the last four digits of the member's phone. Failures count;
    after MAX_PHONE_FAILURES the link is locked."""
    if not link.phone_check:
        return
    expected = _digits(link.evaluation.person.phone)[-4:]
    if _digits(digits) == expected and len(expected) == 4:
        return
    AccessLink.objects.filter(pk=link.pk).update(failures=F("failures") + 1)
    link.failures += 1
    if link.failures >= MAX_PHONE_FAILURES:
        raise LinkError("locked")
    raise DomainError("手机号后四位不正确，请重新输入。", field="phone_last4")


def spend_link(link: AccessLink, now: datetime) -> None:
    spent = AccessLink.objects.filter(pk=link.pk, used_at__isnull=True, revoked=False).update(
        used_at=now
    )
    if spent != 1:  # a second tab, or a replay, lost the race
        raise LinkError("used")
