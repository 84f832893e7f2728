"""Demo ballots (see shuping/demo.py for the contract).

- The district's 2025 round: its closed meeting gets a closed ballot with realistic
  sheets (phones and double-entered paper forms), a tally and a digest.
- QW-01's 2026 round: the members' meeting gets an open ballot with tokens issued
  and part of them cast; a few unused ballot links are printed so the phone page
  can be tried (raw tokens are never stored, so they are shown only on this run).

Meetings are found by round (committee code, year) and kind/status; a missing one
is skipped. A meeting that already has a ballot is left alone (idempotent).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.contrib.auth.models import User

from shuping.ballots import casting, paper, services
from shuping.ballots.models import Ballot
from shuping.meetings.models import Meeting, MeetingStatus
from shuping.meetings.services import close_meeting, open_meeting
from shuping.organizations.models import Organization
from shuping.rounds.models import Campaign

COMMENTS = [
    "希望述职报告多讲问题、少讲成绩，整改措施要具体到时间节点。",
    "建议加强对两新组织党建工作的指导。",
    "社区党员活动阵地利用率还不高，建议延长开放时间。",
]


def _meeting(code: str, year: int, **filters: str) -> Meeting | None:
    org = Organization.objects.filter(code=code).first()
    campaign = Campaign.objects.filter(committee=org, year=year).first() if org else None
    if campaign is None:
        return None
    return campaign.meetings.filter(**filters).order_by("starts_at", "id").first()


def _weights(ballot: Ballot, rnd: random.Random, item_index: int) -> list[int]:
    # Most reporters do well; the third one draws enough 一般/差 to trip the 10% rule.
    n = len(ballot.scale)
    if item_index == 2:
        return [40, 30, 20, 10][:n]
    if item_index % 4 == 1:
        return [55, 35, 8, 2][:n]
    return [72, 22, 5, 1][:n]


def _sheet(ballot: Ballot, rnd: random.Random) -> dict[str, list[str]]:
    choices: dict[str, list[str]] = {}
    index = {int(it["id"]): i for i, it in enumerate(ballot.items)}
    for row in ballot.rows():
        roll = rnd.random()
        if roll < 0.015:
            choices[row["key"]] = []  # left blank: an invalid row
            continue
        if roll < 0.025:
            choices[row["key"]] = list(ballot.scale[:2])  # two ticks: invalid
            continue
        weights = _weights(ballot, rnd, index[int(row["item"]["id"])])
        choices[row["key"]] = rnd.choices(ballot.scale, weights=weights)
    return choices


def _open(meeting: Meeting, out: Callable[[str], None]) -> Ballot | None:
    if meeting.status == MeetingStatus.CLOSED:
        out(f"  {meeting.title}：会议已结束，不再新建测评")
        return None
    if meeting.status == MeetingStatus.PLANNED:
        open_meeting(meeting, actor=None)  # a ballot opens only while its meeting runs
    ballot = services.create_ballot(meeting, actor=None)
    if not ballot.items:
        out(f"  {meeting.title}：没有参加测评的述职对象，跳过")
        return None
    return services.open_ballot(
        ballot, actor=None, override_reason="演示数据：到会情况以会议签到为准"
    )


def _cast(ballot: Ballot, rnd: random.Random, count: int, *, cast: int) -> list[str]:
    """Issue `count` tokens spread over the categories and cast `cast` of them."""
    tokens: list[str] = []
    cats = [c["key"] for c in ballot.categories]
    for i, cat in enumerate(cats):
        share = count // len(cats) + (1 if i < count % len(cats) else 0)
        if share:
            tokens += casting.issue_tokens(ballot, actor=None, category=cat, count=share)
    for token in tokens[:cast]:
        comment = rnd.choice(COMMENTS) if ballot.allow_comment and rnd.random() < 0.1 else ""
        casting.submit_sheet(token, choices=_sheet(ballot, rnd), comment=comment)
    return tokens[cast:]


def _district_2025(out: Callable[[str], None]) -> None:
    meeting = _meeting("QW", 2025)
    if meeting is None or meeting.ballots.exists():
        return
    rnd = random.Random(2025)
    ballot = _open(meeting, out)
    if ballot is None:
        return
    _cast(ballot, rnd, 48, cast=46)
    # Six paper forms from those who preferred paper, entered twice by two clerks.
    clerks = list(User.objects.filter(username__in=["zuzhibu", "quwei"]).order_by("username"))
    if len(clerks) == 2:
        paper.set_paper_handed_out(ballot, actor=None, count=6)
        cat = ballot.categories[0]["key"]
        for number in range(1, 7):
            sheet = _sheet(ballot, rnd)
            for clerk in clerks:
                paper.record_paper_entry(
                    ballot, actor=clerk, number=number, category=cat, choices=sheet
                )
    ballot = services.close_ballot(ballot, actor=None)
    close_meeting(meeting, actor=None)
    sheets = ballot.closed_tally["sheets"] if ballot.closed_tally else 0
    out(f"  {meeting.title}：民主测评已结束，收回 {sheets} 张测评票，摘要 {ballot.digest[:12]}…")


def _qw01_2026(out: Callable[[str], None]) -> None:
    meeting = _meeting("QW-01", 2026, kind="members")
    if meeting is None or meeting.ballots.exists():
        return
    rnd = random.Random(2026)
    ballot = _open(meeting, out)
    if ballot is None:
        return
    unused = _cast(ballot, rnd, 40, cast=23)
    out(f"  {meeting.title}：民主测评进行中，已发放 40 张二维码，已提交 23 张")
    out("  可在手机上试用的测评票（只显示这一次）：")
    for token in unused[:3]:
        out(f"    /b/{token}")
    out(f"  投屏页面：/b/p/{ballot.projector_key}")


def load(out: Callable[[str], None]) -> list[tuple[str, str]]:
    _district_2025(out)
    _qw01_2026(out)
    return []
