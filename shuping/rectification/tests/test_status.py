"""The status cycle of an item (and of the plan) with its forbidden moves, and overdue."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User

from shuping.conftest import Cast
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.rectification import services
from shuping.rectification.models import (
    ITEM_TRANSITIONS,
    PLAN_ALLOWED,
    Item,
    ItemStatus,
    Plan,
    PlanState,
    overdue_q,
)
from shuping.reports.samples import make_png
from shuping.rounds.models import Reporter

pytestmark = pytest.mark.django_db

ACTIONS = {
    "progress": lambda item, cast: services.add_progress(item, actor=cast.reporter, text="推进中"),
    "complete": lambda item, cast: services.add_progress(
        item, actor=cast.reporter, text="已完成", complete=True
    ),
    "sign_off": lambda item, cast: services.sign_off(item, actor=cast.street_organizer),
    "send_back": lambda item, cast: services.send_back(
        item, actor=cast.street_organizer, reason="佐证不足"
    ),
}
EXPECTED = {
    "progress": ItemStatus.IN_PROGRESS,
    "complete": ItemStatus.DONE,
    "sign_off": ItemStatus.CLOSED,
    "send_back": ItemStatus.IN_PROGRESS,
}


def make_item(reporter: Reporter, cast: Cast, **fields: Any) -> Item:
    return services.create_item(reporter, actor=cast.reporter, problem="党费收缴不及时。", **fields)


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("start", list(ItemStatus.values))
def test_item_transition_matrix(cast: Cast, reporter: Reporter, action: str, start: str) -> None:
    item = make_item(reporter, cast)
    Item.objects.filter(pk=item.pk).update(status=start)
    item.refresh_from_db()
    allowed = (start, EXPECTED[action]) in ITEM_TRANSITIONS[action]
    if allowed:
        ACTIONS[action](item, cast)
        item.refresh_from_db()
        assert item.status == EXPECTED[action]
    else:
        with pytest.raises(StateError):
            ACTIONS[action](item, cast)
        item.refresh_from_db()
        assert item.status == start


def test_full_cycle_with_evidence_and_audit(cast: Cast, reporter: Reporter) -> None:
    item = make_item(reporter, cast, measures="每月5日前收缴", leader="王建国")
    services.add_progress(
        item, actor=cast.reporter, text="已建立党费台账", files=[("台账.png", make_png())]
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS and item.progress == "已建立党费台账"
    assert item.updates.get().evidence.get().content_type == "image/png"
    services.add_progress(item, actor=cast.reporter, text="全部收缴到位", complete=True)
    services.send_back(item, actor=cast.street_organizer, reason="缺少收缴凭证")
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS and item.returned_reason == "缺少收缴凭证"
    services.add_progress(item, actor=cast.reporter, text="补充凭证", complete=True)
    services.sign_off(item, actor=cast.street_organizer, note="佐证齐全")
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.closed_at and item.sign_off_note == "佐证齐全"
    with pytest.raises(StateError):
        services.update_item(item, actor=cast.street_organizer, measures="改")
    from shuping.audit.models import AuditEntry

    actions = list(
        AuditEntry.objects.filter(target_id=str(item.pk), action__startswith="rectification.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[0] == "rectification.create" and actions[-1] == "rectification.sign_off"


def test_who_may_do_what(cast: Cast, reporter: Reporter, other_reporter: User) -> None:
    item = make_item(reporter, cast)
    with pytest.raises(PermissionDenied):
        services.add_progress(item, actor=other_reporter, text="x")
    with pytest.raises(PermissionDenied):
        services.update_item(item, actor=cast.superior, measures="x")
    services.add_progress(item, actor=cast.reporter, text="完成", complete=True)
    for actor in (cast.reporter, cast.superior, cast.host, cast.outsider):
        with pytest.raises(PermissionDenied):
            services.sign_off(item, actor=actor)
        with pytest.raises(PermissionDenied):
            services.send_back(item, actor=actor, reason="x")
    with pytest.raises(DomainError):
        services.send_back(item, actor=cast.organizer, reason="  ")
    services.sign_off(item, actor=cast.organizer)  # the district office reaches the street


def test_bad_input(cast: Cast, reporter: Reporter) -> None:
    for fields, field in (
        ({"problem": ""}, "problem"),
        ({"problem": "x" * 2001}, "problem"),
        ({"problem": "问题", "deadline": "明年"}, "deadline"),
        ({"problem": "问题", "cause_kind": "other"}, "cause_kind"),
        ({"problem": "问题", "leader": "x" * 61}, "leader"),
        ({"problem": "问题", "colour": "red"}, "colour"),
    ):
        problem = fields.pop("problem")
        with pytest.raises(DomainError) as exc:
            services.create_item(reporter, actor=cast.reporter, problem=problem, **fields)
        assert exc.value.field == field
    item = make_item(reporter, cast)
    with pytest.raises(DomainError) as exc:
        services.add_progress(item, actor=cast.reporter, text="  ")
    assert exc.value.field == "text"
    with pytest.raises(DomainError) as exc:
        services.add_progress(item, actor=cast.reporter, text="x", files=[("a.exe", b"MZ\x90")])
    assert exc.value.field == "files"
    assert not item.updates.exists()


def test_overdue_around_the_deadline(cast: Cast, reporter: Reporter) -> None:
    deadline = date(2026, 3, 31)
    item = make_item(reporter, cast, deadline=deadline)
    day_before, last_day, day_after = (
        deadline - timedelta(days=1),
        deadline,
        deadline + timedelta(1),
    )
    assert not item.is_overdue(day_before)
    assert not item.is_overdue(last_day)  # the last day is still in time
    assert item.is_overdue(day_after) and item.status_label(day_after) == "逾期"
    assert item.status_label(last_day) == "未开始"
    for today, expected in ((last_day, 0), (day_after, 1)):
        assert Item.objects.filter(overdue_q(today)).count() == expected
    services.add_progress(item, actor=cast.reporter, text="完成", complete=True)
    item.refresh_from_db()
    assert not item.is_overdue(day_after)  # waiting for sign-off is not overdue
    assert Item.objects.filter(overdue_q(day_after)).count() == 0
    no_deadline = make_item(reporter, cast)
    assert not no_deadline.is_overdue(date(2030, 1, 1))


def test_remind_is_idempotent(cast: Cast, reporter: Reporter) -> None:
    from io import StringIO

    from django.core.management import call_command

    from shuping.rectification.models import ItemReminder

    make_item(reporter, cast, deadline=date(2026, 3, 31))
    assert services.remind_overdue(today=date(2026, 3, 31)) == 0
    out = StringIO()
    call_command("remind", "--date", "2026-04-01", stdout=out)
    assert ItemReminder.objects.filter(recipient=cast.reporter).count() == 1
    call_command("remind", "--date", "2026-04-02", stdout=StringIO())
    assert ItemReminder.objects.count() == 1


PLAN_ACTIONS = {
    "submit": lambda plan, cast: services.submit_plan(plan, actor=cast.reporter),
    "return": lambda plan, cast: services.return_plan(
        plan, actor=cast.street_organizer, reason="措施不具体"
    ),
    "approve": lambda plan, cast: services.approve_plan(plan, actor=cast.street_organizer),
}
PLAN_EXPECTED = {
    "submit": PlanState.SUBMITTED,
    "return": PlanState.RETURNED,
    "approve": PlanState.APPROVED,
}


@pytest.mark.parametrize("action", list(PLAN_ACTIONS))
@pytest.mark.parametrize("start", list(PlanState.values))
def test_plan_transition_matrix(cast: Cast, reporter: Reporter, action: str, start: str) -> None:
    make_item(reporter, cast, measures="按月收缴", leader="王建国", deadline=date(2026, 6, 30))
    plan = Plan.objects.create(reporter=reporter, state=start)
    plan.reporter = reporter
    if (start, PLAN_EXPECTED[action]) in PLAN_ALLOWED:
        PLAN_ACTIONS[action](plan, cast)
        plan.refresh_from_db()
        assert plan.state == PLAN_EXPECTED[action]
    else:
        with pytest.raises(StateError):
            PLAN_ACTIONS[action](plan, cast)


def test_plan_needs_complete_items_and_locks_them(cast: Cast, reporter: Reporter) -> None:
    plan = Plan.objects.create(reporter=reporter)
    plan.reporter = reporter
    with pytest.raises(DomainError, match="还没有整改事项"):
        services.submit_plan(plan, actor=cast.reporter)
    item = make_item(reporter, cast)
    with pytest.raises(DomainError, match="第1项未填写整改措施、责任领导、整改时限"):
        services.submit_plan(plan, actor=cast.reporter)
    services.update_item(
        item, actor=cast.reporter, measures="按月收缴", leader="王建国", deadline="2026-06-30"
    )
    with pytest.raises(PermissionDenied):
        services.submit_plan(plan, actor=cast.street_organizer)
    services.submit_plan(plan, actor=cast.reporter)
    with pytest.raises(StateError):
        services.update_item(item, actor=cast.reporter, measures="改")
    with pytest.raises(PermissionDenied):
        services.approve_plan(plan, actor=cast.reporter)
    services.return_plan(plan, actor=cast.street_organizer, reason="措施不具体")
    services.update_item(item, actor=cast.reporter, measures="每月5日前收缴并公示")
