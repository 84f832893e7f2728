"""JSON API for member reviews, over the same services as the pages.

Logged-in endpoints start with an access helper. The two personal endpoints need no
login: the member's link token is the capability, and they reveal only that member's
own evaluation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from shuping.member_review import links, services
from shuping.member_review.access import get_evaluation_for, get_review_for
from shuping.member_review.models import LinkPurpose, MemberEvaluation, MemberReview
from shuping.member_review.overview import round_rows
from shuping.rounds.access import get_campaign_for

router = Router(tags=["member_review"])


class ReviewOut(Schema):
    id: int
    campaign_id: int
    branch_id: int
    branch: str
    stage: str
    stage_label: str
    scale: list[str]
    areas: list[str]
    self_eval_due: date | None
    committee_due: date | None
    meeting_due: date | None
    meeting_id: int | None
    meeting_held_on: date | None
    publish_due: date | None
    publicity_starts: date | None
    publicity_ends: date | None
    report_due: date | None
    reported_at: datetime | None

    @staticmethod
    def resolve_branch(obj: MemberReview) -> str:
        return obj.branch.name

    @staticmethod
    def resolve_stage_label(obj: MemberReview) -> str:
        return obj.get_stage_display()


class EvaluationOut(Schema):
    id: int
    person_id: int
    name: str
    order: int
    is_section_leader: bool
    self_texts: dict[str, str]
    self_grade: str
    self_source: str
    proposed_grade: str
    proposal_note: str
    vote_counts: dict[str, int]
    final_grade: str
    final_reason: str
    final_trace: str
    confirmation: str
    disagreement: str
    answer: str


class OwnEvaluationOut(Schema):
    """What a member sees through their link: their own evaluation only."""

    purpose: str
    branch: str
    name: str
    areas: list[str]
    scale: list[str]
    self_texts: dict[str, str]
    self_grade: str
    final_grade: str
    vote_counts: dict[str, int]


class RoundRowOut(Schema):
    review_id: int
    branch: str
    stage: str
    total: int
    self_in: int
    reviewed: bool
    meeting_held: bool
    published: bool
    reported: bool
    grades: dict[str, int]
    overdue: str


class AdvanceIn(Schema):
    to: str
    meeting_at: datetime | None = None
    publicity_starts: date | None = None
    note: str = ""


class ProposalIn(Schema):
    evaluation_id: int
    grade: str = ""
    note: str = ""


class DetermineIn(Schema):
    grade: str
    reason: str = ""


class ConfirmIn(Schema):
    agree: bool
    statement: str = ""


class AnswerIn(Schema):
    answer: str


class SelfEvalIn(Schema):
    texts: dict[str, str]
    grade: str


class PersonalIn(Schema):
    submit: bool = False  # False: only read one's own evaluation
    phone_last4: str = ""
    texts: dict[str, str] = {}
    grade: str = ""
    agree: bool = True
    statement: str = ""


@router.get("/rounds/{campaign_id}", response=list[RoundRowOut])
def round_overview(request: HttpRequest, campaign_id: int) -> Any:
    campaign = get_campaign_for(request.user, campaign_id)
    view = round_rows(campaign, user=request.user, today=timezone.localdate())
    return [
        {
            "review_id": r["review"].pk,
            "branch": r["branch"],
            "stage": r["stage"],
            "total": r["total"],
            "self_in": r["self_in"],
            "reviewed": r["reviewed"],
            "meeting_held": r["meeting_held"],
            "published": r["published"],
            "reported": r["reported"],
            "grades": dict(r["grades"]),
            "overdue": r["overdue"],
        }
        for r in view.rows
    ]


@router.post("/rounds/{campaign_id}/start", response={201: dict[str, int]})
def start(request: HttpRequest, campaign_id: int) -> Any:
    campaign = get_campaign_for(request.user, campaign_id, write=True)
    return Status(201, {"created": services.start_member_reviews(campaign, actor=request.user)})


@router.get("/{review_id}", response=ReviewOut)
def get_review(request: HttpRequest, review_id: int) -> Any:
    return get_review_for(request.user, review_id)


@router.get("/{review_id}/evaluations", response=list[EvaluationOut])
def list_evaluations(request: HttpRequest, review_id: int) -> Any:
    review = get_review_for(request.user, review_id)
    return list(review.evaluations.order_by("order", "id"))


@router.post("/{review_id}/advance", response=ReviewOut)
def advance(request: HttpRequest, review_id: int, data: AdvanceIn) -> Any:
    review = get_review_for(request.user, review_id, write=True)
    if data.to == "reported":
        return services.report_to_committee(review, actor=request.user, note=data.note)
    return services.advance(
        review,
        actor=request.user,
        to=data.to,
        meeting_at=data.meeting_at,
        publicity_starts=data.publicity_starts,
    )


@router.post("/{review_id}/proposals", response=dict[str, int])
def proposals(request: HttpRequest, review_id: int, data: list[ProposalIn]) -> Any:
    review = get_review_for(request.user, review_id, write=True)
    rows = {p.evaluation_id: (p.grade, p.note) for p in data}
    return {"changed": services.propose_grades(review, actor=request.user, proposals=rows)}


@router.post("/evaluations/{evaluation_id}/self", response=EvaluationOut)
def paper_self(request: HttpRequest, evaluation_id: int, data: SelfEvalIn) -> Any:
    evaluation = get_evaluation_for(request.user, evaluation_id, write=True)
    return services.submit_self_evaluation(
        evaluation, actor=request.user, texts=data.texts, grade=data.grade
    )


@router.post("/evaluations/{evaluation_id}/determine", response=EvaluationOut)
def determine(request: HttpRequest, evaluation_id: int, data: DetermineIn) -> Any:
    evaluation = get_evaluation_for(request.user, evaluation_id, write=True)
    return services.determine(evaluation, actor=request.user, grade=data.grade, reason=data.reason)


@router.post("/evaluations/{evaluation_id}/confirm", response=EvaluationOut)
def paper_confirm(request: HttpRequest, evaluation_id: int, data: ConfirmIn) -> Any:
    evaluation = get_evaluation_for(request.user, evaluation_id, write=True)
    return services.confirm(
        evaluation, actor=request.user, agree=data.agree, statement=data.statement
    )


@router.post("/evaluations/{evaluation_id}/answer", response=EvaluationOut)
def answer(request: HttpRequest, evaluation_id: int, data: AnswerIn) -> Any:
    evaluation = get_evaluation_for(request.user, evaluation_id, write=True)
    return services.answer_disagreement(evaluation, actor=request.user, answer=data.answer)


# --- the member's own link (no login) ------------------------------------------------


def _own(link_purpose: str, evaluation: MemberEvaluation) -> dict[str, Any]:
    review = evaluation.review
    return {
        "purpose": link_purpose,
        "branch": review.branch.name,
        "name": evaluation.name,
        "areas": review.areas,
        "scale": review.scale,
        "self_texts": evaluation.self_texts,
        "self_grade": evaluation.self_grade,
        "final_grade": evaluation.final_grade if link_purpose == LinkPurpose.CONFIRM else "",
        "vote_counts": evaluation.vote_counts if link_purpose == LinkPurpose.CONFIRM else {},
    }


@router.post("/personal/{token}", auth=None, response=OwnEvaluationOut)
def personal(request: HttpRequest, token: str, data: PersonalIn) -> Any:
    """Read one's own evaluation, or (`submit`) hand in the self-evaluation or the
    confirmation the link is for; the link is then spent."""
    link = links.open_link(token)
    links.check_phone(link, data.phone_last4)
    evaluation = link.evaluation
    if data.submit:
        if link.purpose == LinkPurpose.SELF_EVAL:
            evaluation = services.submit_self_evaluation(
                evaluation, actor=None, texts=data.texts, grade=data.grade, link=link
            )
        else:
            evaluation = services.confirm(
                evaluation, actor=None, agree=data.agree, statement=data.statement, link=link
            )
    return _own(link.purpose, evaluation)
