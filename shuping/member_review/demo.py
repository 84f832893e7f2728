"""Demo member reviews (see shuping/demo.py for the contract).

区直机关工委 (QW-08) runs seed 000's round, which includes 民主评议党员. Its branches
are put in different stages, earliest branch furthest along: reported, archived with
follow-up tasks, on public notice with an objection, in confirmation with a
disagreement, voting at the members' meeting, in committee review, and the rest in
self-evaluation. A branch secretary login (`zhibu`) runs the branch in committee
review. Personal links are printed once (only their hashes are stored).

Idempotent: a round that already has member reviews is left alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from shuping.accounts.models import Role, RoleGrant
from shuping.ballots import casting
from shuping.ballots import services as ballots
from shuping.lib.workdays import add_workdays
from shuping.meetings import services as meeting_services
from shuping.meetings.models import MeetingStatus
from shuping.member_review import follow_ups, links, services
from shuping.member_review.models import FollowUp, FollowUpKind, LinkPurpose, MemberReview, Stage
from shuping.organizations.models import Organization
from shuping.rounds.models import Campaign

Out = Callable[[str], None]

SELF_TEXTS = {
    "1": "全年参加支部党员大会、党小组会和党课{n}次，按时足额交纳党费，参加主题党日活动。",
    "2": "严格遵守党章党规党纪，落实中央八项规定精神，未发现违规违纪问题。",
    "3": "参加“双报到”社区志愿服务{m}次，联系帮扶困难群众2户，及时反映群众诉求。",
    "4": "完成本岗位年度工作任务，在重点工作中发挥党员先锋模范作用；不足是学习还不够系统。",
}
# How the members' meeting votes: most 合格, a few 优秀, rare 基本合格/不合格.
WEIGHTS = [18, 76, 5, 1]


def _texts(rnd: random.Random) -> dict[str, str]:
    n, m = rnd.randint(10, 16), rnd.randint(2, 8)
    return {k: v.format(n=n, m=m) for k, v in SELF_TEXTS.items()}


def _secretary_login(review: MemberReview) -> list[tuple[str, str]]:
    from shuping.demo import DEMO_PASSWORD

    branch = review.branch
    user, _ = User.objects.get_or_create(
        username="zhibu",
        defaults={
            "password": make_password(DEMO_PASSWORD),
            "first_name": branch.secretary.name if branch.secretary else "支部书记",
        },
    )
    RoleGrant.objects.get_or_create(user=user, role=Role.REPORTER, organization=branch)
    if branch.secretary is not None and branch.secretary.user_id is None:
        branch.secretary.user = user
        branch.secretary.save(update_fields=["user"])
    return [("zhibu", f"党支部书记：{branch.name}（民主评议党员·支委会审议）")]


def _self_evaluate(review: MemberReview, rnd: random.Random, share: float) -> None:
    for e in review.evaluations.order_by("order"):
        if rnd.random() < share:
            grade = rnd.choices(review.scale, weights=[15, 83, 2, 0])[0]
            services.submit_self_evaluation(e, actor=None, texts=_texts(rnd), grade=grade)


def _propose(review: MemberReview, *, share: float = 1.0) -> None:
    evals = list(review.evaluations.order_by("order"))
    cut = int(len(evals) * share)
    proposals = {
        e.pk: (e.self_grade or review.scale[1], "日常表现与自评相符" if e.self_grade else "")
        for e in evals[:cut]
    }
    services.propose_grades(review, actor=None, proposals=proposals)


def _vote(review: MemberReview, rnd: random.Random, *, close: bool, voters: int) -> list[str]:
    ballot = services.meeting_ballot(review)
    assert ballot is not None
    if ballot.meeting.status == MeetingStatus.PLANNED:
        meeting_services.open_meeting(ballot.meeting, actor=None)
    ballot = ballots.open_ballot(ballot, actor=None)
    weights = {
        int(it["id"]): rnd.choices(
            [WEIGHTS, [70, 28, 2, 0], [5, 40, 50, 5], [2, 20, 38, 40]], weights=[85, 8, 5, 2]
        )[0]
        for it in ballot.items
    }
    tokens = casting.issue_tokens(ballot, actor=None, category="member", count=voters + 3)
    for token in tokens[:voters]:
        choices = {
            row["key"]: rnd.choices(ballot.scale, weights=weights[int(row["item"]["id"])])
            for row in ballot.rows()
            if rnd.random() > 0.01
        }
        casting.submit_sheet(token, choices=choices)
    if close:
        ballots.close_ballot(ballot, actor=None)
    return tokens[voters:]


def _to_confirmation(review: MemberReview, rnd: random.Random, meeting_at: datetime) -> None:
    _self_evaluate(review, rnd, 1.0)
    services.advance(review, actor=None, to=Stage.COMMITTEE)
    _propose(review)
    services.advance(review, actor=None, to=Stage.MEETING, meeting_at=meeting_at)
    voters = max(3, review.evaluations.count() - 2)
    _vote(_fresh(review), rnd, close=True, voters=voters)
    services.advance(_fresh(review), actor=None, to=Stage.CONFIRMATION)


def _fresh(review: MemberReview) -> MemberReview:
    return MemberReview.objects.select_related("branch", "campaign", "meeting").get(pk=review.pk)


def _confirm_all(review: MemberReview, *, leave_disagreement: bool) -> None:
    evals = list(review.evaluations.order_by("order"))
    for i, e in enumerate(evals):
        if i == 1 and leave_disagreement:
            services.confirm(
                e,
                actor=None,
                agree=False,
                statement="本人全年承担专项工作任务较重，请支部结合日常表现再核实。",
            )
            continue
        services.confirm(e, actor=None, agree=True)


def _archive(review: MemberReview, rnd: random.Random, meeting_at: datetime) -> MemberReview:
    _to_confirmation(review, rnd, meeting_at)
    review = _fresh(review)
    _confirm_all(review, leave_disagreement=False)
    starts = add_workdays(timezone.localdate(meeting_at), 1)
    services.advance(review, actor=None, to=Stage.PUBLICITY, publicity_starts=starts)
    review = _fresh(review)
    assert review.publicity_ends is not None
    services.advance(
        review, actor=None, to=Stage.ARCHIVED, today=review.publicity_ends + timedelta(days=1)
    )
    review = _fresh(review)
    for task in FollowUp.objects.filter(evaluation__review=review):
        if task.kind == FollowUpKind.TALK:
            follow_ups.add_follow_up_record(
                task,
                actor=None,
                text="支部书记与本人谈话，指出组织生活参加不够经常，本人表示改进。",
            )
    return review


@transaction.atomic
def load(out: Out) -> list[tuple[str, str]]:
    committee = Organization.objects.filter(code="QW-08").first()
    campaign = (
        Campaign.objects.filter(committee=committee, preset_key="000_shizong_jiguan")
        .order_by("-year")
        .first()
    )
    if campaign is None or MemberReview.objects.filter(campaign=campaign).exists():
        return []
    count = services.start_member_reviews(campaign, actor=None)
    reviews = list(
        MemberReview.objects.filter(campaign=campaign)
        .select_related("branch__secretary", "branch__parent", "campaign")
        .order_by("branch__path")
    )
    rnd = random.Random(2026)
    now = timezone.now()
    early = now - timedelta(days=16)
    plan = [
        Stage.REPORTED,
        Stage.ARCHIVED,
        Stage.PUBLICITY,
        Stage.CONFIRMATION,
        Stage.MEETING,
        Stage.COMMITTEE,
    ]
    logins: list[tuple[str, str]] = []
    for review, stage in zip(reviews, plan, strict=False):
        if stage in (Stage.REPORTED, Stage.ARCHIVED):
            review = _archive(review, rnd, early)
            if stage == Stage.REPORTED:
                services.report_to_committee(
                    review, actor=None, note="党员民主评议工作情况及存档资料"
                )
        elif stage == Stage.PUBLICITY:
            _to_confirmation(review, rnd, now - timedelta(days=3))
            review = _fresh(review)
            _confirm_all(review, leave_disagreement=False)
            services.advance(
                review, actor=None, to=Stage.PUBLICITY, publicity_starts=timezone.localdate()
            )
            services.record_objection(
                _fresh(review),
                actor=None,
                text="反映某同志全年多次未参加组织生活，评为合格偏高。",
                evaluation=review.evaluations.order_by("order")[2:3].first(),
                raised_by="",
            )
        elif stage == Stage.CONFIRMATION:
            _to_confirmation(review, rnd, now - timedelta(days=1))
            _confirm_all(_fresh(review), leave_disagreement=True)
        elif stage == Stage.MEETING:
            _self_evaluate(review, rnd, 1.0)
            services.advance(review, actor=None, to=Stage.COMMITTEE)
            _propose(review)
            services.advance(review, actor=None, to=Stage.MEETING, meeting_at=now)
            voters = max(3, review.evaluations.count() - 4)
            unused = _vote(_fresh(review), rnd, close=False, voters=voters - 3)
            out(f"  {review.branch.name}：党员大会表决进行中；可试用的表决票（只显示这一次）：")
            for token in unused[:2]:
                out(f"    /b/{token}")
        else:
            _self_evaluate(review, rnd, 0.9)
            services.advance(review, actor=None, to=Stage.COMMITTEE)
            _propose(review, share=0.4)
            logins += _secretary_login(_fresh(review))
    # The rest are still in self-evaluation: some handed in, some on paper.
    for review in reviews[len(plan) :]:
        _self_evaluate(review, rnd, rnd.choice([0.2, 0.5, 0.8]))
    if len(reviews) > len(plan):
        first = reviews[len(plan)]
        issued = links.issue_links(first, actor=None, purpose=LinkPurpose.SELF_EVAL)
        pending = [(e, t) for e, t in issued if not e.self_submitted_at][:2]
        out(f"  {first.branch.name}：个人自评单（只显示这一次）：")
        for e, token in pending:
            out(f"    {e.name}：/mr/l/{token}")
    out(f"民主评议党员：{campaign.title}，{count} 个党支部，处于不同阶段")
    return logins
