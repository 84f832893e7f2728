"""Demo overall assessments (see shuping/demo.py for the contract).

- The district's 2025 round (preset 003, its meeting and ballot closed by earlier
  steps): grades proposed by the default method, opinions drafted, approved by the
  committee (区委常委会) — the stage the results app starts from.
- A 2025 round from preset 002 for the committee whose 2026 round uses it: one
  meeting, a closed ballot where one branch secretary draws 2 of 14 votes 一般/差
  (over 10% ⇒ 差) and the other 1 of 14 (7%, not over); proposed, waiting for approval.
- 金顶街道党工委's 2025 round (preset 004, 双述双评): both meetings with closed
  ballots, daily management scores, a 四不两直 inspection; more reporters than the
  4 优秀 places reach the 优秀 line, so the quota cuts with its tie-break; proposed.

Ballots are cast through the ballots app's own services with planned sheets, so the
tallies are real. Every step is skipped when its round is already graded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shuping.assessment import services
from shuping.assessment.models import AssessmentBoard, BoardState
from shuping.ballots import casting
from shuping.ballots import services as ballots
from shuping.ballots.models import Ballot
from shuping.inspections.demo import record_for
from shuping.inspections.models import Method
from shuping.lib.errors import DomainError
from shuping.meetings import services as meetings
from shuping.meetings.models import Meeting
from shuping.organizations.models import Organization
from shuping.rounds import services as rounds
from shuping.rounds.models import Campaign, CampaignStatus


def _at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


def _cast_planned(ballot: Ballot, plan: dict[int, Sequence[str]]) -> None:
    """Sheet j gives reporter (agenda entry) e the grade plan[e][j]; tokens per category."""
    sheets = max((len(p) for p in plan.values()), default=0)
    cats = [c["key"] for c in ballot.categories] or [""]
    tokens: list[str] = []
    for i, cat in enumerate(cats):
        share = sheets // len(cats) + (1 if i < sheets % len(cats) else 0)
        if share:
            tokens += casting.issue_tokens(ballot, actor=None, category=cat, count=share)
    for j, token in enumerate(tokens):
        choices = {}
        for row in ballot.rows():
            grades = plan.get(int(row["item"]["id"]), ())
            choices[row["key"]] = [grades[j]] if j < len(grades) and grades[j] else []
        casting.submit_sheet(token, choices=choices)


def _spread(counts: Sequence[tuple[str, int]]) -> list[str]:
    return [g for g, n in counts for _ in range(n)]


def _run_meeting(meeting: Meeting, plans: list[list[str]]) -> None:
    """Open and close the meeting, and its ballot with the planned sheets."""
    # a past meeting: open and close it so its page reads as held (quorum is not re-checked here)
    with contextlib.suppress(DomainError):
        meetings.open_meeting(meeting, actor=None)
    ballot = ballots.create_ballot(meeting, actor=None)
    if not ballot.items:
        return
    ballot = ballots.open_ballot(ballot, actor=None, override_reason="演示数据：往年会议")
    ids = [int(it["id"]) for it in ballot.items]
    _cast_planned(ballot, dict(zip(ids, plans, strict=False)))
    ballots.close_ballot(ballot, actor=None)
    with contextlib.suppress(DomainError):
        meetings.close_meeting(meeting, actor=None)


def _new_round(committee: Organization, preset: str, out: Callable[[str], None]) -> Campaign | None:
    if Campaign.objects.filter(committee=committee, year=2025).exists():
        return None
    campaign = rounds.create_campaign(
        committee, actor=None, preset=preset, year=2025, sampling_seed=2025
    )
    rounds.change_status(campaign, actor=None, to=CampaignStatus.ACTIVE)
    out(f"方案：{campaign.title}（{campaign.reporters.count()} 名述职对象）")
    return campaign


def _draft_opinions(board: AssessmentBoard) -> None:
    for item in board.items.select_related("board__campaign", "reporter"):
        services.save_opinion(item, actor=None, **services.draft_opinion(item))


def _district_2025(out: Callable[[str], None]) -> None:
    district = Organization.objects.filter(code="QW").first()
    campaign = Campaign.objects.filter(committee=district, year=2025).first()
    if campaign is None or not Ballot.objects.filter(meeting__campaign=campaign).exists():
        return
    board = services.ensure_board(campaign)
    if board.state != BoardState.DRAFT:
        return
    with transaction.atomic():
        for i, item in enumerate(board.items.select_related("board__campaign", "reporter")):
            services.set_inputs(item, actor=None, annual_result=("好", "较好", "好", "一般")[i % 4])
        board = services.propose_grades(campaign, actor=None)
        _draft_opinions(board)
        services.approve_grades(campaign, actor=None, minute_ref="区委常委会2026年第3次会议")
    out(f"综合评价：{campaign.title}，已提出建议等次并经区委研究审定")


def _round_002(out: Callable[[str], None]) -> None:
    later = Campaign.objects.filter(preset_key="002_shichang_jianguan").order_by("year").first()
    if later is None:
        return
    campaign = _new_round(later.committee, "002_shichang_jianguan", out)
    if campaign is None:
        return
    with transaction.atomic():
        made = meetings.create_meetings_from_rules(
            campaign, actor=None, starts_at=_at(2026, 1, 12), place="局机关三楼会议室"
        )
        reporters = campaign.reporters.count()
        plans = [
            _spread([("好", 9), ("较好", 3), ("一般", 2)]),  # 2/14 ≈ 14.3% > 10% ⇒ 差
            _spread([("好", 10), ("较好", 3), ("一般", 1)]),  # 1/14 ≈ 7.1%
        ][:reporters]
        for meeting in made:
            _run_meeting(meeting, plans)
        record_for(
            campaign,
            held_on=date(2026, 1, 5),
            method=Method.RANDOM_VISIT,
            announced=False,
            inspectors="党总支书记",
            note="不打招呼、随机走访第一、第二党支部。",
        )
        board = services.propose_grades(campaign, actor=None)
        _draft_opinions(board)
    out(f"综合评价：{campaign.title}，一名支部书记“一般”“差”票超过10%，建议为“差”")


def _round_004(out: Callable[[str], None]) -> None:
    street = Organization.objects.filter(code="QW-01").first()
    if street is None:
        return
    campaign = _new_round(street, "004_jiedao_shuangshu", out)
    if campaign is None:
        return
    with transaction.atomic():
        made = meetings.create_meetings_from_rules(
            campaign, actor=None, starts_at=_at(2025, 12, 26), place="金顶街道党群服务中心"
        )
        # seed 004: the members' meetings first, then the committee's, on another day
        made = [
            meetings.update_meeting(
                m, actor=None, title=m.title, starts_at=_at(2026, 1, 6), place=m.place, host=m.host
            )
            if m.kind == "committee"
            else m
            for m in made
        ]
        n = campaign.reporters.count()
        # Six or more strong reporters for four 优秀 places; the fourth and fifth tie.
        strong = [("优秀", 18), ("称职", 2)]
        middle = [("优秀", 10), ("称职", 8), ("基本称职", 2)]
        plans = [_spread(strong) if i < 6 else _spread(middle) for i in range(n)]
        for meeting in made:
            _run_meeting(meeting, plans)
        daily = [Decimal(x) for x in ("96", "95", "94", "93", "93", "92", "85", "80", "78", "75")]
        board = services.ensure_board(campaign)
        for i, item in enumerate(
            board.items.select_related("board__campaign", "reporter").order_by("reporter__order")
        ):
            services.set_inputs(item, actor=None, daily_score=daily[i % len(daily)])
        record_for(
            campaign,
            held_on=date(2025, 12, 15),
            method=Method.UNANNOUNCED,
            announced=False,
            inspectors="街道党工委“四不两直”督查组",
            note="不发通知、不打招呼、不听汇报、不用陪同，直奔基层、直插现场。",
        )
        board = services.propose_grades(campaign, actor=None)
        _draft_opinions(board)
    out(f"综合评价：{campaign.title}，建议“优秀”超过4个名额，已按排序提出建议")


def load(out: Callable[[str], None]) -> list[tuple[str, str]]:
    _district_2025(out)
    _round_002(out)
    _round_004(out)
    return []
