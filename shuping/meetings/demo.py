"""Demo meetings (see shuping/demo.py for the contract).

- QW-01's 2026 round (preset 004, 双述双评): the members' meeting in progress —
  attendance signed so the quorum holds, the first report done with questions and
  a final critique, the second reporter speaking — and the committee meeting planned.
- The district's 2025 round (preset 003): a closed meeting with every report timed,
  questions with promises and final critiques.

Rounds are found by committee code and year; a missing round is skipped. A round
that already has meetings is left alone, so a second run changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from shuping.meetings import attendance, critiques, services
from shuping.meetings.models import Attendee, Meeting, MeetingReporter
from shuping.organizations.models import Organization
from shuping.rounds.models import Campaign

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = [
    "建华",
    "秀英",
    "志强",
    "海燕",
    "国庆",
    "丽娟",
    "文明",
    "春梅",
    "卫东",
    "桂兰",
    "晓东",
    "红霞",
]

QUESTIONS = [
    (
        "社区党员活动室开放时间短，在职党员下班后用不上，什么时候能调整？",
        "已与社区居委会商定，下月起工作日延长到晚上八点，周末半天开放。",
        "调整党员活动室开放时间",
        30,
    ),
    (
        "去年说的老旧小区加装电梯问题，今年推进到哪一步了？",
        "两个楼门已完成意见征集，正在报审方案，力争明年上半年开工。",
        "推动两个楼门加装电梯开工",
        180,
    ),
    (
        "两新组织党员流动性大，组织生活怎么保证？",
        "推行线上线下结合的主题党日，建立流动党员联系台账，每季度至少集中一次。",
        "",
        0,
    ),
]
CRITIQUES = [
    "述职聚焦主责主业，数据翔实。问题查摆还不够深，对主观原因剖析不透，"
    "“三会一课”记录不规范的问题去年已指出、今年仍存在，要列出清单、限期整改。",
    "抓党建促治理有思路，网格化工作有亮点。发展党员工作滞后，两年未发展青年党员，"
    "要把党员队伍建设摆上重要位置，明年一季度拿出具体计划。",
    "能够把自己摆进去，但报告中成绩讲得多、问题讲得少。联系服务群众的举措要落到具体事项上，"
    "对群众反映集中的问题要建立台账、逐项销号。",
]


def _campaign(code: str, year: int) -> Campaign | None:
    org = Organization.objects.filter(code=code).first()
    if org is None:
        return None
    return Campaign.objects.filter(committee=org, year=year).select_related("committee").first()


def _at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, 0))


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]


def _sign_in_for_quorum(meeting: Meeting) -> None:
    """Sign in about nine in ten expected members, then enough mass representatives
    (walk-ins) that they are at least a fifth of those present."""
    rows = list(meeting.attendees.filter(expected=True).order_by("id"))
    for i, row in enumerate(rows):
        if i % 10 != 9:
            attendance.sign_in(row, actor=None)
    present = meeting.attendees.filter(signed_in_at__isnull=False).count()
    mass_present = meeting.attendees.filter(category="mass", signed_in_at__isnull=False).count()
    need = max(3, math.ceil((present - mass_present) / 4) + 1 - mass_present)
    for i in range(need):
        attendance.add_attendee(
            meeting, actor=None, name=_name(i + 7), category="mass", unit="居民代表", walk_in=True
        )


def _questions(entry: MeetingReporter, meeting_day: date, count: int) -> None:
    for text, answer, promise, days in QUESTIONS[:count]:
        critiques.add_question(
            entry,
            actor=None,
            text=text,
            answer=answer,
            asker_category="member",
            promise=promise,
            promised_by=meeting_day + timedelta(days=days) if promise else None,
        )


def _run_report(entry: MeetingReporter, start: datetime, minutes: int) -> None:
    """Store a report given in the past (the demo's history, not a live action)."""
    MeetingReporter.objects.filter(pk=entry.pk).update(
        started_at=start, ended_at=start + timedelta(minutes=minutes, seconds=17)
    )


def _qw01_2026(out: Callable[[str], None]) -> None:
    campaign = _campaign("QW-01", 2026)
    if campaign is None or campaign.meetings.exists():
        return
    host = campaign.committee.secretary
    with transaction.atomic():
        made = services.create_meetings_from_rules(
            campaign,
            actor=None,
            starts_at=_at(2026, 12, 18),
            place="金顶街道党群服务中心",
            host=host,
        )
        members = next((m for m in made if m.kind == "members"), made[0] if made else None)
        if members is None:
            return
        # The members' meeting is happening now, so the projector's clock makes sense.
        now = timezone.now()
        Meeting.objects.filter(pk=members.pk).update(
            starts_at=now.replace(second=0, microsecond=0) - timedelta(minutes=30)
        )
        members.refresh_from_db()
        attendance.populate_expected(members, actor=None)
        _sign_in_for_quorum(members)
        services.open_meeting(members, actor=None)
        speakers = list(members.agenda.filter(speaks=True).order_by("order", "id"))
        if speakers:
            critiques.save_critique(speakers[0], actor=None, text=CRITIQUES[0])
            _run_report(speakers[0], now - timedelta(minutes=16), 7)
            _questions(speakers[0], timezone.localdate(), 2)
            critiques.finalize_critique(speakers[0], actor=None)
        if len(speakers) > 1:
            # The second reporter is speaking: started four minutes ago.
            MeetingReporter.objects.filter(pk=speakers[1].pk).update(
                started_at=now - timedelta(minutes=4)
            )
            Meeting.objects.filter(pk=members.pk).update(current_entry=speakers[1])
            critiques.save_critique(speakers[1], actor=None, text=CRITIQUES[1])
        for other in made:
            if other.kind != "members":
                attendance.populate_expected(other, actor=None)
    titles = "、".join(m.title for m in made)
    out(f"  金顶街道党工委 2026：{len(made)} 个会议（{titles}），向党员大会述职进行中")


def _qw_2025(out: Callable[[str], None]) -> None:
    campaign = _campaign("QW", 2025)
    if campaign is None or campaign.meetings.exists():
        return
    kind = next(
        (m.key for m in campaign.parsed_rules.meetings if m.key == "committee"),
        campaign.parsed_rules.meetings[0].key,
    )
    rule = campaign.parsed_rules.meeting(kind)
    day = date(2026, 2, 22)
    with transaction.atomic():
        meeting = services.create_meeting(
            campaign,
            actor=None,
            kind=kind,
            title=rule.title or "党建述职评议考核会",
            starts_at=_at(2026, 2, 22),
            place="区机关北楼201会议室",
            host=campaign.committee.secretary,
        )
        attendance.populate_expected(meeting, actor=None)
        for i in range(12):
            attendance.add_attendee(
                meeting,
                actor=None,
                name=_name(i),
                category="mass" if i % 3 else "guest",
                unit="基层党员干部群众代表" if i % 3 else "两代表一委员",
            )
        for row in Attendee.objects.filter(meeting=meeting):
            attendance.sign_in(row, actor=None)
        services.open_meeting(meeting, actor=None)
        start = _at(2026, 2, 22, 9) + timedelta(minutes=10)
        minutes = rule.minutes_per_report or 15
        for i, entry in enumerate(meeting.agenda.filter(speaks=True).order_by("order", "id")):
            _run_report(entry, start, minutes - 1 - i % 3)
            start += timedelta(minutes=minutes + 8)
            if i < 3:
                _questions(entry, day, 1 + i % 2)
            critiques.save_critique(entry, actor=None, text=CRITIQUES[i % len(CRITIQUES)])
            critiques.finalize_critique(entry, actor=None)
        services.close_meeting(meeting, actor=None)
        Meeting.objects.filter(pk=meeting.pk).update(
            opened_at=_at(2026, 2, 22, 9), closed_at=start, current_entry=None
        )
        # The record reads in order: people signed in at the door before the meeting
        # opened, not on the day the demo was loaded.
        Attendee.objects.filter(meeting=meeting, signed_in_at__isnull=False).update(
            signed_in_at=_at(2026, 2, 22, 8) + timedelta(minutes=40)
        )
    out(f"  西山区委 2025：{meeting.title}已结束（{meeting.agenda.count()} 名述职对象）")


def load(out: Callable[[str], None]) -> list[tuple[str, str]]:
    out("述职评议会：")
    _qw01_2026(out)
    _qw_2025(out)
    return []
