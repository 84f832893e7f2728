"""Proposal → override → approval → lock → reopen, as the world calls the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuping.assessment import hooks, queries, services
from shuping.assessment.models import Assessment, AssessmentBoard, BoardState
from shuping.assessment.testing import close_with_counts
from shuping.assessment.tests.conftest import make_round, rules_004
from shuping.audit.models import AuditEntry
from shuping.conftest import Cast
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.meetings.models import Meeting
from shuping.rounds.models import Campaign

Round = tuple[Campaign, dict[str, Meeting]]


def _votes(campaign: Campaign, meeting: Meeting, rows: list[dict[str, int]]) -> None:
    reps = list(campaign.reporters.order_by("order"))
    close_with_counts(meeting, {r.pk: c for r, c in zip(reps, rows, strict=False)})


def _item(campaign: Campaign, order: int) -> Assessment:
    return Assessment.objects.select_related("board__campaign", "reporter").get(
        board__campaign=campaign, reporter__order=order
    )


@pytest.fixture
def proposed(cast: Cast, round_002: Round) -> Campaign:
    campaign, meetings = round_002
    _votes(
        campaign,
        meetings["committee"],
        [{"好": 9, "一般": 1}, {"好": 8, "较好": 1, "一般": 2}, {"较好": 10}, {"好": 10}],
    )
    services.propose_grades(campaign, actor=cast.organizer)
    return campaign


def test_proposal_reads_the_closed_tally(proposed: Campaign) -> None:
    grades = [_item(proposed, i).proposed_grade for i in (1, 2, 3, 4)]
    # 1: exactly 10% 一般 → not 差; 2: 2/11 over 10% → 差; 3: all 较好 → 80 → 较好
    assert grades == ["好", "差", "较好", "好"]
    trace = _item(proposed, 2).trace
    assert any("超过10.0%" in s["reason"] and s["verdict"] == "差" for s in trace["steps"])
    assert AuditEntry.objects.filter(action="assessment.propose").count() == 1


def test_two_meetings_weighted(cast: Cast) -> None:
    campaign, meetings = make_round(cast, rules=rules_004(), kinds=("members", "committee"))
    _votes(campaign, meetings["members"], [{"优秀": 10}] * 4)
    _votes(campaign, meetings["committee"], [{"称职": 10}] * 4)
    board = services.propose_grades(campaign, actor=cast.organizer)
    item = _item(campaign, 1)
    # (100 + 80) / 2 = 90; no daily score entered → the vote score alone
    assert str(item.score) == "90.00" and item.grade == "优秀"
    assert any("按权重合并" in line for line in item.trace["inputs"])
    assert board.warnings == []


def test_override_needs_reason_and_stays_in_trace(cast: Cast, proposed: Campaign) -> None:
    item = _item(proposed, 3)
    with pytest.raises(DomainError) as exc:
        services.override_grade(item, actor=cast.organizer, grade="好", reason="  ")
    assert exc.value.field == "reason"
    with pytest.raises(DomainError):
        services.override_grade(item, actor=cast.organizer, grade="优秀", reason="x")
    services.override_grade(item, actor=cast.organizer, grade="好", reason="督查核实成效突出")
    item.refresh_from_db()
    assert (item.proposed_grade, item.grade) == ("较好", "好")
    assert "督查核实成效突出" in item.trace["events"][-1]["text"]
    # a fresh proposal keeps the override
    services.propose_grades(proposed, actor=cast.organizer)
    item.refresh_from_db()
    assert item.grade == "好" and item.trace["events"]


def test_wrong_roles_refused(cast: Cast, proposed: Campaign) -> None:
    item = _item(proposed, 1)
    for user in (cast.host, cast.superior, cast.reporter, cast.outsider, cast.street_organizer):
        with pytest.raises(PermissionDenied):
            services.override_grade(item, actor=user, grade="差", reason="理由")
        with pytest.raises(PermissionDenied):
            services.approve_grades(proposed, actor=user)


def test_approve_locks_and_reopen_records(cast: Cast, proposed: Campaign) -> None:
    seen: list[Any] = []
    hooks.register_on_approved(
        "test", lambda board, *, actor: seen.append(("approved", board.state))
    )
    hooks.register_on_reopened(
        "test", lambda a, *, actor, reason: seen.append(("reopened", reason))
    )
    try:
        services.approve_grades(
            proposed, actor=cast.organizer, minute_ref="区委常委会2026年第3次会议"
        )
        board = AssessmentBoard.objects.get(campaign=proposed)
        assert board.state == BoardState.APPROVED and board.approved_by == cast.organizer
        assert seen == [("approved", BoardState.APPROVED)]
        item = _item(proposed, 2)
        assert item.locked and item.approved_grade == "差"
        with pytest.raises(StateError):
            services.override_grade(item, actor=cast.organizer, grade="一般", reason="复核")
        with pytest.raises(DomainError):
            services.reopen_grade(item, actor=cast.organizer, reason="")
        services.reopen_grade(item, actor=cast.organizer, reason="本人申请复核")
        assert seen[-1] == ("reopened", "本人申请复核")
        item = _item(proposed, 2)
        services.override_grade(item, actor=cast.organizer, grade="一般", reason="复核后调整")
        # other reporters stay locked while one is reopened
        with pytest.raises(StateError):
            services.override_grade(
                _item(proposed, 1), actor=cast.organizer, grade="差", reason="x"
            )
        # still approved grade answered to later stages until re-approval
        rows = {r.reporter_id: r.grade for r in queries.approved_results(proposed)}
        assert rows[item.reporter_id] == "差"
        services.approve_grades(proposed, actor=cast.organizer)
        item = _item(proposed, 2)
        assert item.approved_grade == "一般"
        kinds = [e["kind"] for e in item.trace["events"]]
        assert kinds == ["approve", "reopen", "override", "approve"]
    finally:
        hooks.unregister("test")


def test_failing_hook_rolls_back_approval(cast: Cast, proposed: Campaign) -> None:
    def boom(board: AssessmentBoard, *, actor: Any) -> None:
        raise DomainError("下游失败")

    hooks.register_on_approved("boom", boom)
    try:
        with pytest.raises(DomainError):
            services.approve_grades(proposed, actor=cast.organizer)
    finally:
        hooks.unregister("boom")
    assert AssessmentBoard.objects.get(campaign=proposed).state == BoardState.PROPOSED
    assert (
        not Assessment.objects.filter(board__campaign=proposed).exclude(approved_grade="").exists()
    )


def test_quota_is_a_hard_block_at_approval(cast: Cast) -> None:
    campaign, meetings = make_round(cast, rules=rules_004(count=2), kinds=("members", "committee"))
    _votes(campaign, meetings["members"], [{"优秀": 10}] * 4)
    _votes(campaign, meetings["committee"], [{"优秀": 10}] * 4)
    services.propose_grades(campaign, actor=cast.organizer)
    assert [_item(campaign, i).grade for i in (1, 2, 3, 4)] == ["优秀", "优秀", "称职", "称职"]
    board = AssessmentBoard.objects.get(campaign=campaign)
    assert "并列" in board.warnings[0]
    services.override_grade(
        _item(campaign, 3), actor=cast.organizer, grade="优秀", reason="表现突出"
    )
    with pytest.raises(DomainError) as exc:
        services.approve_grades(campaign, actor=cast.organizer)
    assert "超过名额2个" in exc.value.message


# (from, to, allowed) — the board's table, as the services enforce it
MATRIX = [
    (BoardState.DRAFT, BoardState.PROPOSED, True),
    (BoardState.DRAFT, BoardState.APPROVED, False),
    (BoardState.DRAFT, BoardState.REOPENED, False),
    (BoardState.PROPOSED, BoardState.PROPOSED, True),
    (BoardState.PROPOSED, BoardState.APPROVED, True),
    (BoardState.PROPOSED, BoardState.REOPENED, False),
    (BoardState.APPROVED, BoardState.PROPOSED, False),
    (BoardState.APPROVED, BoardState.APPROVED, False),
    (BoardState.APPROVED, BoardState.REOPENED, True),
    (BoardState.REOPENED, BoardState.APPROVED, True),
    (BoardState.REOPENED, BoardState.PROPOSED, False),
]


@pytest.mark.parametrize(("start", "target", "allowed"), MATRIX)
def test_state_matrix(cast: Cast, round_002: Round, start: str, target: str, allowed: bool) -> None:
    campaign, meetings = round_002
    _votes(campaign, meetings["committee"], [{"好": 10}] * 4)
    board = services.ensure_board(campaign)
    AssessmentBoard.objects.filter(pk=board.pk).update(state=start)
    Assessment.objects.filter(board=board).update(grade="好", locked=start == BoardState.APPROVED)
    assert services.can_move(start, target) is allowed
    item = _item(campaign, 1)
    calls: dict[str, Any] = {
        BoardState.PROPOSED: lambda: services.propose_grades(campaign, actor=cast.organizer),
        BoardState.APPROVED: lambda: services.approve_grades(campaign, actor=cast.organizer),
        BoardState.REOPENED: lambda: services.reopen_grade(
            item, actor=cast.organizer, reason="复核"
        ),
    }
    call = calls[target]
    if allowed:
        call()
        assert AssessmentBoard.objects.get(pk=board.pk).state == target
    else:
        with pytest.raises(StateError):
            call()
        assert AssessmentBoard.objects.get(pk=board.pk).state == start


def test_flags_and_inputs(cast: Cast, proposed: Campaign) -> None:
    item = _item(proposed, 4)
    with pytest.raises(DomainError) as exc:
        services.set_flag(item, actor=cast.organizer, key="major_failure", basis="")
    assert exc.value.field == "basis"
    with pytest.raises(DomainError):
        services.set_flag(item, actor=cast.organizer, key="made_up", basis="x")
    services.set_flag(item, actor=cast.organizer, key="major_failure", basis="安全生产事故通报")
    with pytest.raises(DomainError) as exc:
        services.set_inputs(item, actor=cast.organizer, daily_score="101")
    assert exc.value.field == "daily_score"
    services.set_inputs(item, actor=cast.organizer, daily_score="88.5", annual_result="良好")
    services.propose_grades(proposed, actor=cast.organizer)
    item = _item(proposed, 4)
    assert item.grade == "差"
    assert "安全生产事故通报" in str(item.trace)


def test_grades_by_person_across_rounds(cast: Cast, proposed: Campaign) -> None:
    services.approve_grades(proposed, actor=cast.organizer)
    person = cast.reporter_person
    with CaptureQueriesContext(connection) as ctx:
        got = queries.grades_by_person([person.pk, 999999], years=[2025, 2024])
    assert len(ctx.captured_queries) == 1
    assert got == {person.pk: {2025: "好"}}
    with CaptureQueriesContext(connection) as ctx:
        rows = queries.approved_results(proposed)
    assert len(ctx.captured_queries) == 1 and len(rows) == 4
    assert queries.grade_distribution(proposed) == {"好": 2, "较好": 1, "一般": 0, "差": 1}


def test_mark_published(cast: Cast, proposed: Campaign) -> None:
    board = AssessmentBoard.objects.get(campaign=proposed)
    with pytest.raises(StateError):
        services.mark_published(board, actor=cast.organizer)
    services.approve_grades(proposed, actor=cast.organizer)
    board = services.mark_published(board, actor=cast.organizer)
    assert board.published and board.published_at


ROLES = ["host", "superior", "reporter", "outsider", "street_organizer", "organizer"]
ACTIONS = ["propose", "override", "approve", "reopen", "opinion", "inputs", "publish"]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_role_matrix(cast: Cast, proposed: Campaign, who: str, action: str) -> None:
    """Only the round's organizer (or an organizer above it) changes anything."""
    if action in ("reopen", "publish"):
        services.approve_grades(proposed, actor=cast.organizer)
    actor = getattr(cast, who)
    item = _item(proposed, 1)
    board = AssessmentBoard.objects.get(campaign=proposed)
    calls: dict[str, Any] = {
        "propose": lambda: services.propose_grades(proposed, actor=actor),
        "override": lambda: services.override_grade(item, actor=actor, grade="差", reason="r"),
        "approve": lambda: services.approve_grades(proposed, actor=actor),
        "reopen": lambda: services.reopen_grade(item, actor=actor, reason="r"),
        "opinion": lambda: services.save_opinion(item, actor=actor, overall="好"),
        "inputs": lambda: services.set_inputs(item, actor=actor, daily_score="90"),
        "publish": lambda: services.mark_published(board, actor=actor),
    }
    if who == "organizer":
        calls[action]()
    else:
        with pytest.raises(PermissionDenied):
            calls[action]()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_reasons_required_and_bounded(cast: Cast, proposed: Campaign, reason: str) -> None:
    item = _item(proposed, 1)
    with pytest.raises(DomainError) as exc:
        services.override_grade(item, actor=cast.organizer, grade="差", reason=reason)
    assert exc.value.field == "reason"
    services.approve_grades(proposed, actor=cast.organizer)
    with pytest.raises(DomainError) as exc:
        services.reopen_grade(_item(proposed, 1), actor=cast.organizer, reason=reason)
    assert exc.value.field == "reason"
    assert _item(proposed, 1).locked
