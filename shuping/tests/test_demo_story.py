"""The demo tells one story (issue 13, point 10): the names in the scope and in the
report texts are the tree's, every meeting falls inside its timeline step, each
meeting's record reads in order, and the reminders `shuping remind` makes are there."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.utils import timezone

from shuping.demo import load_demo
from shuping.demo_story import PLACEHOLDER, STEP_OF_KIND, meeting_window_ok, tree_scope_text
from shuping.meetings.models import Meeting, MeetingStatus
from shuping.organizations.models import Organization
from shuping.reports.models import DutyReport
from shuping.rounds.models import Campaign, Reminder

pytestmark = pytest.mark.django_db
ORG_NAME = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:社区党委|社区党总支|村党支部)")


def _strangers(text: str, tree: set[str]) -> list[str]:
    """Organization names in `text` that the tree does not hold. A match may start with
    the words before the name ("带领古城社区党委"), so any tail of it may be the name."""
    found = []
    for match in ORG_NAME.findall(text):
        if any(w in match for w in ("个", "各", "行政")):
            continue  # a count or a kind ("全镇8个行政村党支部"), not a name
        if not any(match[i:] in tree for i in range(len(match) - 3)):
            found.append(match)
    return found


def _story_problems() -> list[str]:
    bad: list[str] = []
    tree = set(Organization.objects.values_list("name", flat=True))
    for campaign in Campaign.objects.select_related("committee"):
        text = campaign.parsed_rules.scope.text
        if PLACEHOLDER.search(text):
            bad.append(f"{campaign.title}：述职范围有占位符：{text}")
        bad += [f"{campaign.title}：范围中的“{n}”不在组织树中" for n in _strangers(text, tree)]
        if "市总" in text and "市总" not in campaign.committee.name:
            bad.append(f"{campaign.title}：范围写的是别的单位：{text}")
    for report in DutyReport.objects.select_related("reporter__organization"):
        body = " ".join(str(v) for v in (report.sections or {}).values())
        bad += [f"报告{report.pk}：“{n}”不在组织树中" for n in _strangers(body, tree)]
        if "金鑫" in body:
            bad.append(f"报告{report.pk}：仍有样稿的小区名")
    for meeting in Meeting.objects.select_related("campaign"):
        if not meeting_window_ok(meeting):
            bad.append(f"{meeting.title}：会议日期不在方案的时间安排内")
        day = timezone.localtime(meeting.starts_at).date()
        step = meeting.campaign.deadlines.filter(key=STEP_OF_KIND.get(meeting.kind, "")).first()
        if step is not None:
            for late in meeting.campaign.deadlines.filter(
                position__lt=step.position, due_on__gt=day
            ):
                bad.append(f"{meeting.title}：会前的“{late.title}”截止日期晚于会议")
        previous: datetime = meeting.starts_at
        for order, started, ended in meeting.agenda.exclude(started_at=None).values_list(
            "order", "started_at", "ended_at"
        ):
            if started is None:
                continue
            if started < previous or (ended is not None and ended < started):
                bad.append(f"{meeting.title}：述职时间顺序不对（第{order}位）")
            previous = ended or started
        opened, closed = meeting.opened_at, meeting.closed_at
        if opened and closed and closed < opened:
            bad.append(f"{meeting.title}：结束早于开始")
        for b_open, b_close in meeting.ballots.exclude(opened_at=None).values_list(
            "opened_at", "closed_at"
        ):
            if b_open is None:
                continue
            if opened and b_open < opened:
                bad.append(f"{meeting.title}：测评开始早于会议开始")
            if b_close and closed and b_close > closed:
                bad.append(f"{meeting.title}：测评结束晚于会议结束")
            if b_close and b_close < previous:
                bad.append(f"{meeting.title}：测评在述职结束前就已结束")
    same_time: dict[tuple[int, datetime], str] = {}
    for meeting in Meeting.objects.exclude(kind="member_review"):
        key = (meeting.campaign_id, meeting.starts_at)
        if key in same_time:
            bad.append(f"{meeting.title}与{same_time[key]}同一时间召开")
        same_time[key] = meeting.title
    today = timezone.localdate()
    for campaign in Campaign.objects.filter(year__lt=today.year, archived_at=None):
        if campaign.meetings.exclude(status=MeetingStatus.CLOSED).exists():
            continue
        for late in campaign.deadlines.filter(completed_on=None, due_on__lt=today):
            bad.append(f"{campaign.title}：往年的“{late.title}”仍显示逾期")
    return bad


def test_the_demo_tells_one_story() -> None:
    load_demo(out=lambda _: None)
    assert Reminder.objects.exists()
    problems = _story_problems()
    assert not problems, "\n".join(problems)
    rural = Campaign.objects.get(preset_key="001_zhen_dangwei").committee
    villages = Organization.objects.filter(parent=rural, name__endswith="村党支部").count()
    seed = "全镇xx个行政村党支部书记（述职评议会：全镇13个村党支部书记现场述职）"
    assert tree_scope_text(seed, rural) == (
        f"全镇{villages}个行政村党支部书记（述职评议会：全镇{villages}个村党支部书记现场述职）"
    )
    before = Campaign.objects.values_list("rules", flat=True)
    load_demo(out=lambda _: None)  # a second run changes nothing
    assert list(Campaign.objects.values_list("rules", flat=True)) == list(before)
