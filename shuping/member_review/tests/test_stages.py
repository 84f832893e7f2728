from __future__ import annotations

from datetime import date

import pytest

from shuping.ballots.models import Ballot, Mark
from shuping.conftest import Cast
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.member_review import common, services
from shuping.member_review.models import (
    STAGE_TRANSITIONS,
    Confirmation,
    MemberEvaluation,
    MemberReview,
    Source,
    Stage,
)
from shuping.member_review.tests.conftest import World, make_world
from shuping.member_review.tests.helpers import fresh, run_to, vote

STAGES = list(Stage.values)


def test_start_creates_a_review_per_branch_in_bulk(cast: Cast, world: World) -> None:
    reviews = MemberReview.objects.filter(campaign=world.campaign)
    # every basic-level organization under the street: two branches and the retiree one
    assert set(reviews.values_list("branch__code", flat=True)) == {"S1C1B1", "S1B2", "S1B3"}
    assert len(world.evals) == 6  # five members and the secretary
    assert world.review.meeting_due == date(2016, 12, 26)
    assert world.review.self_eval_due == date(2016, 12, 16)
    assert world.review.scale == ["优秀", "合格", "基本合格", "不合格"]
    assert len(world.review.areas) == 4
    # running it again changes nothing
    assert services.start_member_reviews(world.campaign, actor=cast.street_organizer) == 0


def test_start_is_a_constant_number_of_queries(cast: Cast, django_assert_max_num_queries) -> None:
    from shuping.member_review.tests.conftest import add_members, rules_000
    from shuping.rounds.testing import make_campaign

    campaign = make_campaign(cast.street, year=2016, rules=rules_000())
    add_members(cast.branch, 60)
    add_members(cast.community_branch, 60)
    with django_assert_max_num_queries(12):
        services.start_member_reviews(campaign, actor=cast.street_organizer)
    assert MemberEvaluation.objects.filter(review__campaign=campaign).count() == 121


def test_start_needs_the_committees_organizer(cast: Cast) -> None:
    from shuping.member_review.tests.conftest import rules_000
    from shuping.rounds.testing import make_campaign

    campaign = make_campaign(cast.street, year=2016, rules=rules_000())
    for user in (cast.reporter, cast.outsider, cast.superior):
        with pytest.raises(PermissionDenied):
            services.start_member_reviews(campaign, actor=user)


def test_round_without_member_review_is_refused(cast: Cast) -> None:
    from shuping.rounds.testing import make_campaign

    campaign = make_campaign(cast.street)
    with pytest.raises(DomainError):
        services.start_member_reviews(campaign, actor=cast.street_organizer)


@pytest.mark.parametrize("current", STAGES)
@pytest.mark.parametrize("target", STAGES)
def test_transition_matrix(current: str, target: str) -> None:
    allowed = target in STAGE_TRANSITIONS[current]
    assert common.can_move(current, target) is allowed
    assert allowed == (STAGES.index(target) == STAGES.index(current) + 1)


@pytest.mark.parametrize("stage", STAGES[:-1])
def test_no_skipping_ahead(cast: Cast, stage: str) -> None:
    world = make_world(cast, members=2)
    review = run_to(world.review, stage)
    skip = STAGES.index(stage) + 2
    if skip < len(STAGES) and STAGES[skip] != Stage.REPORTED:
        with pytest.raises(StateError):
            services.advance(review, actor=None, to=STAGES[skip])
    if stage != Stage.SELF_EVAL:
        with pytest.raises(StateError):
            services.advance(review, actor=None, to=Stage.SELF_EVAL)


def test_full_cycle_and_wrong_state_actions(cast: Cast, world: World) -> None:
    secretary = cast.reporter  # the branch's secretary runs it
    review = run_to(world.review, Stage.REPORTED, actor=secretary)
    assert review.stage == Stage.REPORTED and review.reported_at
    e = review.evaluations.first()
    assert e is not None
    with pytest.raises(StateError):
        services.submit_self_evaluation(e, actor=secretary, texts={"1": "x"}, grade="合格")
    with pytest.raises(StateError):
        services.propose_grades(review, actor=secretary, proposals={e.pk: ("合格", "")})
    with pytest.raises(StateError):
        services.determine(e, actor=secretary, grade="合格")
    with pytest.raises(StateError):
        services.report_to_committee(review, actor=secretary)


def test_outsiders_cannot_run_a_branch(cast: Cast, world: World) -> None:
    e = world.evals[0]
    for user in (cast.outsider, cast.superior, cast.host):
        with pytest.raises(PermissionDenied):
            services.submit_self_evaluation(e, actor=user, texts={"1": "x"}, grade="合格")
        with pytest.raises(PermissionDenied):
            services.advance(world.review, actor=user, to=Stage.COMMITTEE)


def test_paper_self_evaluation_is_marked(cast: Cast, world: World) -> None:
    e = services.submit_self_evaluation(
        world.evals[0],
        actor=cast.reporter,
        texts={"1": "参加三会一课", "4": "完成任务"},
        grade="优秀",
    )
    assert e.self_source == Source.PAPER and e.self_grade == "优秀"
    with pytest.raises(DomainError) as exc:
        services.submit_self_evaluation(world.evals[1], actor=cast.reporter, texts={}, grade="合格")
    assert exc.value.field == "area1"
    with pytest.raises(DomainError) as exc:
        services.submit_self_evaluation(
            world.evals[1], actor=cast.reporter, texts={"1": "x"}, grade="很好"
        )
    assert exc.value.field == "self_grade"
    with pytest.raises(DomainError):
        services.submit_self_evaluation(
            world.evals[1], actor=cast.reporter, texts={"1": "字" * 1001}, grade="合格"
        )


def test_proposals_one_bad_row_saves_nothing(cast: Cast, world: World) -> None:
    review = run_to(world.review, Stage.COMMITTEE)
    a, b = world.evals[:2]
    with pytest.raises(DomainError):
        services.propose_grades(
            review, actor=cast.reporter, proposals={a.pk: ("优秀", "好"), b.pk: ("很好", "")}
        )
    a.refresh_from_db()
    assert a.proposed_grade == ""
    with pytest.raises(DomainError):
        services.advance(review, actor=cast.reporter, to=Stage.MEETING)


def test_the_vote_goes_through_ballots_and_decides(cast: Cast, world: World) -> None:
    review = run_to(world.review, Stage.MEETING)
    ballot = Ballot.objects.get(meeting=review.meeting)
    assert [i["id"] for i in ballot.items] == [e.pk for e in world.evals]
    assert ballot.scale == ["优秀", "合格", "基本合格", "不合格"]
    n = len(world.evals)
    vote(review, [["优秀"] + ["合格"] * (n - 1)] * 2 + [["合格"] * (n - 2) + ["不合格", ""]])
    assert Mark.objects.filter(ballot=ballot).count() == 3 * n
    review = services.advance(fresh(review), actor=None, to=Stage.CONFIRMATION)
    first, *_, last = review.evaluations.order_by("order")
    assert first.vote_counts == {"优秀": 2, "合格": 1, "基本合格": 0, "不合格": 0}
    assert first.final_grade == "优秀" and "得票最多为“优秀”" in first.final_trace
    assert last.vote_counts["合格"] == 2
    # 公示 must start within 3 working days of the Friday meeting: next Wednesday
    assert review.meeting_held_on == date(2016, 12, 23)
    assert review.publish_due == date(2016, 12, 28)


def test_override_needs_a_reason(cast: Cast, world: World) -> None:
    review = run_to(world.review, Stage.CONFIRMATION)
    e = review.evaluations.first()
    assert e is not None and e.final_grade == "合格"
    with pytest.raises(DomainError) as exc:
        services.determine(e, actor=cast.reporter, grade="基本合格")
    assert exc.value.field == "reason"
    e = services.determine(e, actor=cast.reporter, grade="基本合格", reason="全年缺席组织生活4次")
    assert e.final_reason == "全年缺席组织生活4次"
    e = services.determine(e, actor=cast.reporter, grade="合格")
    assert e.final_reason == ""


def test_confirmation_and_disagreement(cast: Cast, world: World) -> None:
    review = run_to(world.review, Stage.CONFIRMATION)
    a, b, *rest = review.evaluations.order_by("order")
    with pytest.raises(DomainError) as exc:
        services.confirm(a, actor=cast.reporter, agree=False, statement="  ")
    assert exc.value.field == "statement"
    services.confirm(a, actor=cast.reporter, agree=False, statement="我全年无缺勤，应为优秀")
    for e in [b, *rest]:
        services.confirm(e, actor=cast.reporter, agree=True)
    with pytest.raises(DomainError) as exc:
        services.advance(review, actor=cast.reporter, to=Stage.PUBLICITY)
    assert "不同意见尚未答复" in exc.value.message
    with pytest.raises(StateError):
        services.answer_disagreement(b, actor=cast.reporter, answer="x")
    services.answer_disagreement(a, actor=cast.reporter, answer="经核实，全年请假3次，维持合格")
    a.refresh_from_db()
    assert a.confirmation == Confirmation.ANSWERED and a.confirm_source == Source.PAPER
    # a changed grade asks the member again
    services.determine(b, actor=cast.reporter, grade="优秀", reason="抗洪抢险表现突出")
    b.refresh_from_db()
    assert b.confirmation == Confirmation.PENDING
    with pytest.raises(DomainError):
        services.advance(review, actor=cast.reporter, to=Stage.PUBLICITY)


def test_excellent_cap_applies_with_a_trace(cast: Cast) -> None:
    world = make_world(
        cast, members=9, excellent_max_share="1/5", excellent_cap_text="优秀比例不超过20%"
    )
    review = run_to(world.review, Stage.MEETING)
    n = len(world.evals)  # 10: at most 2 优秀
    sheets = [["优秀"] * 4 + ["合格"] * (n - 4)] * 3 + [["优秀"] * 2 + ["合格"] * (n - 2)]
    vote(review, sheets)
    review = services.advance(fresh(review), actor=None, to=Stage.CONFIRMATION)
    grades = list(review.evaluations.order_by("order").values_list("final_grade", "final_trace"))
    assert [g for g, _ in grades[:4]] == ["优秀", "优秀", "合格", "合格"]
    assert "优秀比例不超过20%" in grades[2][1] and "排第 3 位" in grades[2][1]
