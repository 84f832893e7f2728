"""Member review state changes. Every change is one function: lock, check permission
and state, save, audit — pages, the API, commands and the demo all call these.

The members' meeting vote goes through the ballots app: `advance(review, to=MEETING)`
creates a `meetings.Meeting` of kind "member_review" and its ballot, whose rows are
this review's evaluations (see `ballot_items`, registered in apps.py). Nothing here
reads a sheet; moving on to 审定 copies the closed ballot's tally.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from shuping.audit.services import record
from shuping.ballots import services as ballots
from shuping.ballots.models import Ballot, BallotState
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.lib.types import Actor
from shuping.lib.workdays import add_workdays, is_workday
from shuping.meetings import attendance
from shuping.meetings.models import Meeting
from shuping.member_review import grading
from shuping.member_review.access import can_start_reviews
from shuping.member_review.common import (
    actor_user,
    can_move,
    check_grade,
    check_text,
    is_section_leader,
    lock_evaluation,
    lock_review,
    require_run,
    require_stage,
    review_rules,
)
from shuping.member_review.follow_ups import create_follow_ups
from shuping.member_review.links import LinkError, spend_link
from shuping.member_review.models import (
    AccessLink,
    Confirmation,
    LinkPurpose,
    MemberEvaluation,
    MemberReview,
    Objection,
    Source,
    Stage,
)
from shuping.organizations.models import BASIC_KINDS, Organization, Person, PersonCategory
from shuping.rounds.models import Campaign
from shuping.rounds.proposal import relative_to_date
from shuping.rounds.rules import MEMBER_REVIEW_MEETING

SELF_TEXT_MAX = 1000  # characters per area: a short 述职, not a report
NOTE_MAX = 300


# --- starting the reviews of a round -------------------------------------------------


def _due(value: str | None, year: int) -> date | None:
    return relative_to_date(value, year) if value else None


def start_member_reviews(
    campaign: Campaign, *, actor: Actor, branches: Iterable[Organization] | None = None
) -> int:
    """One review per basic-level organization under the round's committee (or the
    given ones), with an evaluation per member. Bulk: a constant number of queries per
    batch, never a row-by-row loop; branches that already have a review are skipped,
    so it can be run again. Returns how many reviews were created."""
    rules = review_rules(campaign)
    committee = campaign.committee
    if not can_start_reviews(actor, committee):
        raise PermissionDenied("只有组织单位的组织员可以启动民主评议党员。")
    year = campaign.year
    dates = {
        "self_eval_due": _due(rules.self_eval_due, year),
        "committee_due": _due(rules.committee_due, year),
        "meeting_due": _due(rules.meeting_due, year),
    }
    with transaction.atomic():
        pool = Organization.objects.filter(
            committee.subtree_q(), kind__in=list(BASIC_KINDS), is_active=True
        ).exclude(pk=committee.pk)
        if branches is not None:
            pool = pool.filter(pk__in=[b.pk for b in branches])
        have = MemberReview.objects.filter(campaign=campaign).values("branch_id")
        new_ids = list(pool.exclude(pk__in=have).values_list("pk", flat=True))
        MemberReview.objects.bulk_create(
            [
                MemberReview(
                    campaign=campaign,
                    branch_id=pk,
                    scale=list(rules.scale),
                    areas=list(rules.content),
                    **dates,
                )
                for pk in new_ids
            ],
            batch_size=500,
        )
        reviews = dict(
            MemberReview.objects.filter(campaign=campaign, branch_id__in=new_ids).values_list(
                "branch_id", "pk"
            )
        )
        members = (
            Person.objects.filter(organization_id__in=new_ids, category=PersonCategory.MEMBER)
            .order_by("organization_id", "id")
            .values_list("pk", "organization_id", "name", "position", "cadre_level")
        )
        batch: list[MemberEvaluation] = []
        order: dict[int, int] = {}
        for pk, org_id, name, position, level in members.iterator(chunk_size=2000):
            order[org_id] = order.get(org_id, 0) + 1
            batch.append(
                MemberEvaluation(
                    review_id=reviews[org_id],
                    person_id=pk,
                    name=name,
                    position=position,
                    is_section_leader=is_section_leader(Person(cadre_level=level)),
                    order=order[org_id],
                )
            )
            if len(batch) >= 2000:
                MemberEvaluation.objects.bulk_create(batch)
                batch = []
        MemberEvaluation.objects.bulk_create(batch)
        record(
            actor=actor,
            action="member_review.start",
            target=campaign,
            organization=committee,
            changes={"reviews": len(new_ids), "members": sum(order.values())},
        )
    return len(new_ids)


# --- 个人自评 -------------------------------------------------------------------------


def submit_self_evaluation(
    evaluation: MemberEvaluation,
    *,
    actor: Actor,
    texts: Mapping[str, str],
    grade: str,
    link: AccessLink | None = None,
) -> MemberEvaluation:
    """The member's short 述职 on the areas and a self-assessed grade: through their
    personal link (`link`, spent by this), or entered by the branch from paper (`actor`
    must run the review; marked as such)."""
    now = timezone.now()
    with transaction.atomic():
        review = lock_review(evaluation.review)
        evaluation = lock_evaluation(evaluation)
        evaluation.review = review
        if link is None:
            require_run(actor, review)
        elif link.evaluation_id != evaluation.pk or link.purpose != LinkPurpose.SELF_EVAL:
            raise LinkError("unknown")
        require_stage(review, Stage.SELF_EVAL, Stage.COMMITTEE)
        clean: dict[str, str] = {}
        for i, title in enumerate(review.areas, start=1):
            value = (texts.get(str(i)) or "").strip()
            if len(value) > SELF_TEXT_MAX:
                raise DomainError(f"“{title}”不能超过 {SELF_TEXT_MAX} 字。", field=f"area{i}")
            clean[str(i)] = value
        if not any(clean.values()):
            raise DomainError("请至少填写一项自评内容。", field="area1")
        evaluation.self_texts = clean
        evaluation.self_grade = check_grade(review, grade, "self_grade")
        evaluation.self_source = Source.PAPER if link is None else Source.PERSONAL
        evaluation.self_submitted_at = now
        if link is not None:
            spend_link(link, now)
        evaluation.save(
            update_fields=["self_texts", "self_grade", "self_source", "self_submitted_at"]
        )
        record(
            actor=actor if link is None else None,
            action="member_review.self_eval",
            target=evaluation,
            organization=review.branch,
            changes={"self_grade": evaluation.self_grade, "source": evaluation.self_source},
        )
    return evaluation


# --- 支委会审议 -----------------------------------------------------------------------


def propose_grades(
    review: MemberReview, *, actor: Actor, proposals: Mapping[int, tuple[str, str]]
) -> int:
    """The committee's proposed grade and note for many members at once (one page).
    Every row is checked first; one bad row saves nothing. Returns rows changed."""
    with transaction.atomic():
        review = lock_review(review)
        require_run(actor, review)
        require_stage(review, Stage.COMMITTEE)
        evals = {e.pk: e for e in review.evaluations.filter(pk__in=list(proposals))}
        if len(evals) != len(proposals):
            raise DomainError("有不属于本支部的党员。", field="proposals")
        changed: list[MemberEvaluation] = []
        errors: list[str] = []
        for pk, (grade, note) in proposals.items():
            e = evals[pk]
            grade, note = (grade or "").strip(), (note or "").strip()
            if grade and grade not in review.scale:
                errors.append(f"{e.name}：等次不正确")
                continue
            if len(note) > NOTE_MAX:
                errors.append(f"{e.name}：审议意见不能超过 {NOTE_MAX} 字")
                continue
            if (grade, note) != (e.proposed_grade, e.proposal_note):
                e.proposed_grade, e.proposal_note = grade, note
                changed.append(e)
        if errors:
            raise DomainError("；".join(errors), field="proposals")
        MemberEvaluation.objects.bulk_update(changed, ["proposed_grade", "proposal_note"])
        record(
            actor=actor,
            action="member_review.propose",
            target=review,
            organization=review.branch,
            changes={"changed": len(changed)},
        )
    return len(changed)


# --- stage moves ----------------------------------------------------------------------


def _check_move(review: MemberReview, target: str) -> None:
    if not can_move(review.stage, target):
        raise StateError(
            f"本支部评议当前为“{review.get_stage_display()}”，不能进入“{Stage(target).label}”。"
        )


def advance(
    review: MemberReview,
    *,
    actor: Actor,
    to: str,
    meeting_at: datetime | None = None,
    publicity_starts: date | None = None,
    today: date | None = None,
) -> MemberReview:
    """Move the review one stage on; each move checks what the stage needs."""
    if to not in Stage.values:
        raise DomainError("阶段不正确。", field="to")
    today = today or timezone.localdate()
    with transaction.atomic():
        review = lock_review(review)
        require_run(actor, review)
        _check_move(review, to)
        before = review.stage
        fields = ["stage"]
        if to == Stage.MEETING:
            fields += _to_meeting(review, actor=actor, meeting_at=meeting_at)
        elif to == Stage.CONFIRMATION:
            fields += _to_confirmation(review)
        elif to == Stage.PUBLICITY:
            fields += _to_publicity(review, starts=publicity_starts or today)
        elif to == Stage.ARCHIVED:
            fields += _to_archive(review, today=today)
        elif to == Stage.REPORTED:
            raise DomainError("请使用“上报机关党委”操作。")
        review.stage = to
        review.save(update_fields=fields)
        record(
            actor=actor,
            action="member_review.advance",
            target=review,
            organization=review.branch,
            changes={"stage": [before, to]},
        )
    return review


def _to_meeting(review: MemberReview, *, actor: Actor, meeting_at: datetime | None) -> list[str]:
    missing = review.evaluations.filter(proposed_grade="").count()
    if missing:
        raise DomainError(f"还有 {missing} 名党员没有支委会建议等次。", field="proposals")
    if not review.evaluations.exists():
        raise DomainError("本支部没有参加评议的党员。")
    branch = review.branch
    meeting = Meeting.objects.create(
        campaign=review.campaign,
        kind=MEMBER_REVIEW_MEETING,
        title=f"{branch.name}党员大会民主评议党员",
        starts_at=meeting_at or timezone.now(),
        host=branch.secretary,
    )
    review.meeting = meeting
    review.save(update_fields=["meeting"])  # the ballot's rows are read through it
    members = Person.objects.filter(pk__in=review.evaluations.values("person_id")).order_by("id")
    attendance.populate_expected(meeting, actor=None, people=members, category="member")
    ballots.create_ballot(meeting, actor=None, title=f"{branch.name}民主评议党员表决票")
    return ["meeting"]


def meeting_ballot(review: MemberReview) -> Ballot | None:
    if review.meeting_id is None:
        return None
    return Ballot.objects.filter(meeting_id=review.meeting_id).order_by("id").first()


def _to_confirmation(review: MemberReview) -> list[str]:
    ballot = meeting_ballot(review)
    if ballot is None or ballot.state != BallotState.CLOSED or ballot.closed_tally is None:
        raise StateError("党员大会表决结束（测评已结束）后才能审定等次。")
    rules = review_rules(review.campaign)
    rows = {int(r["id"]): r for r in ballot.closed_tally["reporters"]}
    evals = list(review.evaluations.all())
    cap_rows = []
    for e in evals:
        tally = rows.get(e.pk, {"counts": {}, "valid": 0})
        e.vote_counts = {g: int(tally["counts"].get(g, 0)) for g in review.scale}
        s = grading.suggest(review.scale, e.vote_counts, e.proposed_grade)
        top = max(e.vote_counts.values(), default=0)
        e.vote_grade = s.grade if top else ""
        e.final_grade, e.final_trace, e.final_reason = s.grade, s.trace, ""
        cap_rows.append(
            grading.CapRow(e.pk, s.grade, e.vote_counts.get(review.scale[0], 0), tally["valid"])
        )
    capped = grading.apply_excellent_cap(
        cap_rows,
        scale=review.scale,
        max_share=rules.excellent_max_share,
        text=rules.excellent_cap_text,
    )
    for e in evals:
        if e.pk in capped:
            e.final_grade = capped[e.pk].grade
            e.final_trace += "；" + capped[e.pk].trace
    MemberEvaluation.objects.bulk_update(
        evals, ["vote_counts", "vote_grade", "final_grade", "final_trace", "final_reason"]
    )
    meeting = review.meeting
    assert meeting is not None
    review.meeting_held_on = timezone.localdate(meeting.starts_at)
    # 会后3天内: counted in working days after the meeting day (lib/workdays).
    review.publish_due = add_workdays(review.meeting_held_on, rules.publish_within_days or 3)
    return ["meeting_held_on", "publish_due"]


def _to_publicity(review: MemberReview, *, starts: date) -> list[str]:
    rules = review_rules(review.campaign)
    pending = review.evaluations.filter(
        Q(final_grade="") | Q(confirmation__in=[Confirmation.PENDING, Confirmation.DISAGREED])
    )
    unconfirmed = pending.filter(confirmation=Confirmation.PENDING).count()
    unanswered = pending.filter(confirmation=Confirmation.DISAGREED).count()
    if rules.member_confirms and (unconfirmed or unanswered):
        parts = []
        if unconfirmed:
            parts.append(f"{unconfirmed} 名党员尚未确认")
        if unanswered:
            parts.append(f"{unanswered} 名党员的不同意见尚未答复")
        raise DomainError("，".join(parts) + "。", field="confirmation")
    if review.meeting_held_on and starts < review.meeting_held_on:
        raise DomainError("公示不能早于党员大会。", field="publicity_starts")
    review.publicity_starts = starts
    review.publicity_ends = publicity_end(starts, rules.publish_days)
    review.public_key = review.public_key or secrets.token_urlsafe(18)
    return ["publicity_starts", "publicity_ends", "public_key"]


def publicity_end(starts: date, days: int) -> date:
    """The last day of a 公示 of `days` working days beginning on `starts` (which counts
    when it is a working day)."""
    first_counts = is_workday(starts)
    return add_workdays(starts, days - 1) if first_counts else add_workdays(starts, days)


def publish_late(review: MemberReview) -> bool:
    """公示 began later than 3 working days after the meeting."""
    return bool(
        review.publish_due
        and review.publicity_starts
        and review.publicity_starts > review.publish_due
    )


def _to_archive(review: MemberReview, *, today: date) -> list[str]:
    if review.publicity_ends is None or today <= review.publicity_ends:
        raise StateError(f"公示期至 {review.publicity_ends} 结束，期满后才能存档。")
    open_objections = review.objections.filter(answer="").count()
    if open_objections:
        raise DomainError(f"还有 {open_objections} 条公示异议未处理。", field="objections")
    review.archived_at = timezone.now()
    rules = review_rules(review.campaign)
    if rules.report_within_days:
        review.report_due = today + timedelta(days=rules.report_within_days)
    create_follow_ups(review, today=today)
    return ["archived_at", "report_due"]


def report_to_committee(review: MemberReview, *, actor: Actor, note: str = "") -> MemberReview:
    """上报工作情况和存档资料: one action once the results are archived."""
    with transaction.atomic():
        review = lock_review(review)
        require_run(actor, review)
        _check_move(review, Stage.REPORTED)
        review.stage = Stage.REPORTED
        review.reported_at = timezone.now()
        review.report_note = (note or "").strip()[:2000]
        review.save(update_fields=["stage", "reported_at", "report_note"])
        record(
            actor=actor,
            action="member_review.report",
            target=review,
            organization=review.branch,
            changes={"stage": [Stage.ARCHIVED, Stage.REPORTED]},
        )
    return review


# --- 核实审定 and 本人确认 ------------------------------------------------------------


def determine(
    evaluation: MemberEvaluation, *, actor: Actor, grade: str, reason: str = ""
) -> MemberEvaluation:
    """The branch fixes a member's grade. A grade other than the suggestion from the vote
    and proposal needs a written reason; changing a grade asks the member again."""
    with transaction.atomic():
        review = lock_review(evaluation.review)
        evaluation = lock_evaluation(evaluation)
        require_run(actor, review)
        require_stage(review, Stage.CONFIRMATION)
        grade = check_grade(review, grade, "grade")
        suggestion = grading.suggest(
            review.scale, evaluation.vote_counts, evaluation.proposed_grade
        )
        reason = (reason or "").strip()
        if grade != suggestion.grade and not reason:
            raise DomainError(
                f"表决和支委会建议得出“{suggestion.grade}”，调整为“{grade}”须写明理由。",
                field="reason",
            )
        before = evaluation.final_grade
        evaluation.final_grade = grade
        evaluation.final_reason = reason if grade != suggestion.grade else ""
        evaluation.final_trace = suggestion.trace
        fields = ["final_grade", "final_reason", "final_trace"]
        if before != grade and evaluation.confirmation != Confirmation.PENDING:
            evaluation.confirmation = Confirmation.PENDING
            evaluation.confirm_source = ""
            evaluation.confirmed_at = None
            fields += ["confirmation", "confirm_source", "confirmed_at"]
        evaluation.save(update_fields=fields)
        record(
            actor=actor,
            action="member_review.determine",
            target=evaluation,
            organization=review.branch,
            changes={"final_grade": [before, grade]},
            note=evaluation.final_reason,
        )
    return evaluation


def confirm(
    evaluation: MemberEvaluation,
    *,
    actor: Actor,
    agree: bool,
    statement: str = "",
    link: AccessLink | None = None,
) -> MemberEvaluation:
    """本人确认: through the member's link (spent by this), or recorded by the branch from
    a signed paper form. Disagreeing needs a written statement the branch must answer."""
    now = timezone.now()
    with transaction.atomic():
        review = lock_review(evaluation.review)
        evaluation = lock_evaluation(evaluation)
        if link is None:
            require_run(actor, review)
        elif link.evaluation_id != evaluation.pk or link.purpose != LinkPurpose.CONFIRM:
            raise LinkError("unknown")
        require_stage(review, Stage.CONFIRMATION)
        if not evaluation.final_grade:
            raise StateError("支部尚未审定您的等次。")
        if agree:
            evaluation.confirmation = Confirmation.CONFIRMED
            evaluation.disagreement = ""
        else:
            evaluation.disagreement = check_text(
                statement, "statement", "请写明不同意见及理由。", limit=SELF_TEXT_MAX
            )
            evaluation.confirmation = Confirmation.DISAGREED
        evaluation.answer = ""
        evaluation.answered_at = None
        evaluation.confirm_source = Source.PERSONAL if link is not None else Source.PAPER
        evaluation.confirmed_at = now
        if link is not None:
            spend_link(link, now)
        evaluation.save(
            update_fields=[
                "confirmation",
                "disagreement",
                "answer",
                "answered_at",
                "confirm_source",
                "confirmed_at",
            ]
        )
        record(
            actor=actor if link is None else None,
            action="member_review.confirm",
            target=evaluation,
            organization=review.branch,
            changes={"confirmation": evaluation.confirmation, "source": evaluation.confirm_source},
        )
    return evaluation


def answer_disagreement(
    evaluation: MemberEvaluation, *, actor: Actor, answer: str
) -> MemberEvaluation:
    with transaction.atomic():
        review = lock_review(evaluation.review)
        evaluation = lock_evaluation(evaluation)
        require_run(actor, review)
        require_stage(review, Stage.CONFIRMATION)
        if evaluation.confirmation != Confirmation.DISAGREED:
            raise StateError("该党员没有待答复的不同意见。")
        evaluation.answer = check_text(answer, "answer", "请填写支部的答复。")
        evaluation.answered_at = timezone.now()
        evaluation.confirmation = Confirmation.ANSWERED
        evaluation.save(update_fields=["answer", "answered_at", "confirmation"])
        record(
            actor=actor,
            action="member_review.answer",
            target=evaluation,
            organization=review.branch,
            changes={"confirmation": [Confirmation.DISAGREED, Confirmation.ANSWERED]},
        )
    return evaluation


# --- 公示 objections ------------------------------------------------------------------


def record_objection(
    review: MemberReview,
    *,
    actor: Actor,
    text: str,
    evaluation: MemberEvaluation | None = None,
    raised_by: str = "",
    received_on: date | None = None,
) -> Objection:
    with transaction.atomic():
        review = lock_review(review)
        require_run(actor, review)
        require_stage(review, Stage.PUBLICITY)
        if evaluation is not None and evaluation.review_id != review.pk:
            raise DomainError("该党员不在本支部。", field="evaluation")
        objection = Objection.objects.create(
            review=review,
            evaluation=evaluation,
            text=check_text(text, "text", "请填写异议内容。"),
            raised_by=(raised_by or "").strip()[:40],
            received_on=received_on or timezone.localdate(),
            recorded_by=actor_user(actor),
        )
        record(
            actor=actor,
            action="member_review.objection",
            target=review,
            organization=review.branch,
            changes={"objection": objection.pk},
        )
    return objection


def answer_objection(objection: Objection, *, actor: Actor, answer: str) -> Objection:
    with transaction.atomic():
        review = lock_review(objection.review)
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        require_run(actor, review)
        require_stage(review, Stage.PUBLICITY)
        objection.answer = check_text(answer, "answer", "请填写处理结果。")
        objection.answered_at = timezone.now()
        objection.save(update_fields=["answer", "answered_at"])
        record(
            actor=actor,
            action="member_review.objection_answer",
            target=review,
            organization=review.branch,
            changes={"objection": objection.pk},
        )
    return objection


# --- reading -------------------------------------------------------------------------


def ballot_items(meeting: Meeting) -> list[dict[str, Any]]:
    """The rows of a members' meeting ballot: the branch's members, grouped by ten so a
    150-row sheet can be jumped through on a phone (registered in apps.py)."""
    review = MemberReview.objects.filter(meeting=meeting).first()
    if review is None:
        return []
    rows = review.evaluations.values_list("pk", "name", "position").order_by("order", "id")
    items = []
    for i, (pk, name, position) in enumerate(rows):
        start = i // 10 * 10 + 1
        items.append(
            {
                "id": pk,
                "name": name,
                "position": position,
                "org": review.branch.name,
                "group": f"第 {start}–{start + 9} 人",
            }
        )
    return items


def progress(review: MemberReview) -> dict[str, int]:
    """Counts for one branch, in one query."""
    return review.evaluations.aggregate(
        total=Count("id"),
        self_in=Count("id", filter=Q(self_submitted_at__isnull=False)),
        proposed=Count("id", filter=~Q(proposed_grade="")),
        determined=Count("id", filter=~Q(final_grade="")),
        confirmed=Count(
            "id", filter=Q(confirmation__in=[Confirmation.CONFIRMED, Confirmation.ANSWERED])
        ),
        disagreed=Count("id", filter=Q(confirmation=Confirmation.DISAGREED)),
    )
