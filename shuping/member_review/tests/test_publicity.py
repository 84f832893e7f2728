from __future__ import annotations

from datetime import date

import pytest

from shuping.conftest import Cast
from shuping.lib.errors import DomainError, StateError
from shuping.lib.models import CalendarCorrection
from shuping.member_review import follow_ups, services
from shuping.member_review.models import FollowUp, FollowUpKind, Stage
from shuping.member_review.tests.conftest import World
from shuping.member_review.tests.helpers import fresh, run_to, vote
from shuping.organizations.models import Person


def test_publicity_period_counts_working_days(db: object) -> None:
    # 5 working days from Monday 2016-12-26: to Friday 12-30
    assert services.publicity_end(date(2016, 12, 26), 5) == date(2016, 12, 30)
    # from Friday 12-30: New Year's Day holiday (1-2 January 2017) is skipped
    assert services.publicity_end(date(2016, 12, 30), 3) == date(2017, 1, 4)
    # a Saturday start does not count itself
    assert services.publicity_end(date(2016, 12, 24), 1) == date(2016, 12, 26)
    CalendarCorrection.objects.create(day=date(2016, 12, 27), is_workday=False, note="测试")
    assert services.publicity_end(date(2016, 12, 26), 5) == date(2017, 1, 3)


def test_publicity_objections_and_archive(cast: Cast, world: World) -> None:
    review = run_to(world.review, Stage.PUBLICITY)
    assert review.publicity_starts == date(2016, 12, 26)
    assert review.publicity_ends == date(2016, 12, 30)
    assert not services.publish_late(review)
    assert review.public_key
    e = review.evaluations.first()
    objection = services.record_objection(
        review, actor=cast.reporter, text="该同志长期不参加组织生活", evaluation=e, raised_by=""
    )
    with pytest.raises(StateError):  # the period is not over
        services.advance(review, actor=cast.reporter, to=Stage.ARCHIVED, today=date(2016, 12, 30))
    with pytest.raises(DomainError):  # an objection is open
        services.advance(review, actor=cast.reporter, to=Stage.ARCHIVED, today=date(2017, 1, 3))
    with pytest.raises(DomainError):
        services.answer_objection(objection, actor=cast.reporter, answer=" ")
    services.answer_objection(objection, actor=cast.reporter, answer="经核实，请假均有手续")
    review = services.advance(
        review, actor=cast.reporter, to=Stage.ARCHIVED, today=date(2017, 1, 3)
    )
    assert review.archived_at and review.report_due == date(2017, 1, 10)
    with pytest.raises(StateError):
        services.record_objection(review, actor=cast.reporter, text="迟到的异议")
    review = services.report_to_committee(review, actor=cast.reporter, note="全部存档")
    assert review.stage == Stage.REPORTED


def _archive_with(cast: Cast, world: World, grades: list[str]) -> None:
    review = run_to(world.review, Stage.MEETING)
    vote(review, [grades] * 3)
    review = services.advance(fresh(review), actor=None, to=Stage.CONFIRMATION)
    for e in review.evaluations.all():
        services.confirm(e, actor=None, agree=True)
    review = services.advance(
        review, actor=None, to=Stage.PUBLICITY, publicity_starts=date(2016, 12, 26)
    )
    services.advance(review, actor=None, to=Stage.ARCHIVED, today=date(2017, 1, 5))


def test_each_consequence(cast: Cast, world: World) -> None:
    leader = world.evals[3].person
    leader.cadre_level = "正科级"
    leader.save(update_fields=["cadre_level"])
    world.evals[3].is_section_leader = True
    world.evals[3].save(update_fields=["is_section_leader"])
    _archive_with(cast, world, ["优秀", "合格", "基本合格", "基本合格", "不合格", "合格"])
    tasks = {(t.evaluation.order, t.kind): t for t in FollowUp.objects.select_related("evaluation")}
    assert set(tasks) == {
        (1, FollowUpKind.PRAISE),
        (3, FollowUpKind.TALK),
        (4, FollowUpKind.TALK),
        (5, FollowUpKind.HELP),
    }
    assert tasks[(3, FollowUpKind.TALK)].owner == "王建国"  # the branch's secretary
    assert tasks[(4, FollowUpKind.TALK)].owner_level == "上级党组织"
    assert tasks[(4, FollowUpKind.TALK)].owner == "甲街道党工委负责人"
    assert tasks[(1, FollowUpKind.PRAISE)].due_on == date(2017, 2, 4)

    excellent, ordinary = world.evals[0], world.evals[1]
    follow_ups.recommend(excellent, actor=cast.reporter)
    with pytest.raises(DomainError):
        follow_ups.recommend(excellent, actor=cast.reporter)
    with pytest.raises(DomainError):
        follow_ups.recommend(ordinary, actor=cast.reporter)

    talk = tasks[(3, FollowUpKind.TALK)]
    with pytest.raises(DomainError):
        follow_ups.complete_follow_up(talk, actor=cast.reporter)
    follow_ups.add_follow_up_record(talk, actor=cast.reporter, text="已谈话，本人表示改进")
    follow_ups.complete_follow_up(talk, actor=cast.reporter)

    help_task = tasks[(5, FollowUpKind.HELP)]
    helper = world.evals[1].person
    with pytest.raises(DomainError):
        follow_ups.assign_helper(help_task, actor=cast.reporter, helper=help_task.evaluation.person)
    follow_ups.assign_helper(help_task, actor=cast.reporter, helper=helper)
    # 劝退 is never automatic and needs help records first
    assert not FollowUp.objects.filter(kind=FollowUpKind.PERSUADE).exists()
    with pytest.raises(DomainError):
        follow_ups.start_persuasion(help_task, actor=cast.reporter, reason="无明显转化")
    follow_ups.add_follow_up_record(help_task, actor=cast.reporter, text="结对帮扶第一次谈心")
    with pytest.raises(DomainError):
        follow_ups.start_persuasion(help_task, actor=cast.reporter, reason="")
    follow_ups.start_persuasion(help_task, actor=cast.reporter, reason="帮扶半年无明显转化")
    assert FollowUp.objects.filter(kind=FollowUpKind.PERSUADE).count() == 1
    assert isinstance(helper, Person)
