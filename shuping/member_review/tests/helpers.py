"""Driving a branch's review through its stages, the way the pages do."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shuping.ballots import casting
from shuping.ballots import services as ballots
from shuping.lib.types import Actor
from shuping.member_review import services
from shuping.member_review.models import MemberReview, Stage

MEETING_AT = datetime(2016, 12, 23, 9, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Friday


def fresh(review: MemberReview) -> MemberReview:
    return MemberReview.objects.select_related("branch", "campaign", "meeting").get(pk=review.pk)


def open_vote(ballot: Any, *, actor: Actor = None) -> Any:
    """The members' meeting is declared open, then its ballot (a ballot opens only in a
    running meeting)."""
    from shuping.meetings import services as meeting_services
    from shuping.meetings.models import MeetingStatus

    if ballot.meeting.status == MeetingStatus.PLANNED:
        meeting_services.open_meeting(ballot.meeting, actor=actor)
    return ballots.open_ballot(ballot, actor=actor)


def vote(review: MemberReview, sheets: Sequence[Sequence[str]], *, actor: Actor = None) -> None:
    """Open the members' ballot, cast one phone sheet per entry (a grade per member in
    sheet order, "" for none) and close it."""
    ballot = services.meeting_ballot(review)
    assert ballot is not None
    open_vote(ballot, actor=actor)
    tokens = casting.issue_tokens(ballot, actor=actor, category="member", count=len(sheets))
    ballot.refresh_from_db()
    for token, grades in zip(tokens, sheets, strict=True):
        choices = {row["key"]: [g] for row, g in zip(ballot.rows(), grades, strict=True) if g}
        casting.submit_sheet(token, choices=choices)
    ballots.close_ballot(ballot, actor=actor)


def run_to(review: MemberReview, stage: str, *, actor: Actor = None) -> MemberReview:
    """Every member through each stage from where the review stands up to `stage`,
    all grades 合格 (resumable: steps already taken are skipped)."""
    order = list(Stage.values)
    review = fresh(review)
    while order.index(review.stage) < order.index(stage):
        evals = list(review.evaluations.order_by("order"))
        nxt = order[order.index(review.stage) + 1]
        if nxt == Stage.COMMITTEE:
            for e in evals:
                services.submit_self_evaluation(
                    e, actor=actor, texts={"1": "按时参加"}, grade="合格"
                )
            services.advance(review, actor=actor, to=nxt)
        elif nxt == Stage.MEETING:
            proposals = {e.pk: ("合格", "") for e in evals}
            services.propose_grades(review, actor=actor, proposals=proposals)
            services.advance(review, actor=actor, to=nxt, meeting_at=MEETING_AT)
        elif nxt == Stage.CONFIRMATION:
            vote(review, [["合格"] * len(evals)] * 3, actor=actor)
            services.advance(review, actor=actor, to=nxt)
        elif nxt == Stage.PUBLICITY:
            for e in evals:
                services.confirm(e, actor=actor, agree=True)
            services.advance(review, actor=actor, to=nxt, publicity_starts=date(2016, 12, 26))
        elif nxt == Stage.ARCHIVED:
            services.advance(review, actor=actor, to=nxt, today=date(2017, 1, 5))
        else:
            services.report_to_committee(review, actor=actor)
        review = fresh(review)
    return review
