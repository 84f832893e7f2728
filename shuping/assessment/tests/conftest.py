"""A round of the cast's district with four reporters and one committee meeting."""

from __future__ import annotations

from typing import Any

import pytest

from shuping.conftest import Cast
from shuping.meetings.models import Meeting, MeetingReporter
from shuping.rounds.models import Campaign
from shuping.rounds.testing import make_campaign, sample_rules


def rules_002(**extra: Any) -> dict[str, Any]:
    """Seed 002's grading: 一般+差 over 10% ⇒ 差, flags ⇒ 差, about 40% 较好 or below."""
    rules = sample_rules()
    rules["grading"] = [
        {
            "kind": "share_exceeds",
            "grades": ["一般", "差"],
            "share": "1/10",
            "result": "差",
            "text": "现场测评“一般”“差”票超过10%的，综合评价等次确定为“差”",
        },
        {"kind": "flag", "flag": "major_failure", "result": "差", "text": "出现重大失误的为“差”"},
        {"kind": "flag", "flag": "accountability", "result": "差", "text": "被问责追责的为“差”"},
        {
            "kind": "quota_about",
            "grades": ["较好", "一般", "差"],
            "share": "2/5",
            "text": "评价为“较好”或以下等次的应占40%左右",
        },
    ]
    rules["grading_method"] = {
        "points": {"好": 100, "较好": 80, "一般": 60, "差": 0},
        "bands": [
            {"grade": "好", "min_score": 90},
            {"grade": "较好", "min_score": 80},
            {"grade": "一般", "min_score": 60},
            {"grade": "差", "min_score": 0},
        ],
    }
    rules.update(extra)
    return rules


def rules_004(count: int = 4) -> dict[str, Any]:
    """Seed 004: two meetings weighted half and half, daily score 30%, at most `count` 优秀."""
    scale = ["优秀", "称职", "基本称职", "不称职"]
    rules = sample_rules(ballot_scale=scale, assessment_scale=scale, consequences=[])
    rules["meetings"] = [
        {
            "key": "members",
            "title": "向党员大会述职",
            "evaluators": [{"key": "member", "title": "党员"}],
        },
        {
            "key": "committee",
            "title": "向党工委述职",
            "evaluators": [{"key": "attendee", "title": "参会人员"}],
        },
    ]
    rules["report"]["audiences"] = ["members", "committee"]
    rules["grading"] = [
        {
            "kind": "quota_max",
            "grades": ["优秀"],
            "count": count,
            "text": "“优秀”等次名额不超过4个",
        },
        {"kind": "ranking"},
    ]
    rules["grading_method"] = {
        "points": {"优秀": 100, "称职": 80, "基本称职": 60, "不称职": 0},
        "meeting_weights": {"members": "1/2", "committee": "1/2"},
        "daily_weight": "3/10",
        "bands": [
            {"grade": "优秀", "min_score": 90},
            {"grade": "称职", "min_score": 75},
            {"grade": "基本称职", "min_score": 60},
            {"grade": "不称职", "min_score": 0},
        ],
    }
    return rules


def make_round(
    cast: Cast, *, rules: dict[str, Any] | None = None, kinds: tuple[str, ...] = ("committee",)
) -> tuple[Campaign, dict[str, Meeting]]:
    orgs = [cast.branch, cast.community, cast.community_branch, cast.retiree_branch]
    campaign = make_campaign(cast.district, rules=rules or rules_002(), reporters=orgs)
    meetings = {}
    for kind in kinds:
        meeting = Meeting.objects.create(campaign=campaign, kind=kind, title=f"{kind}会议")
        for rep in campaign.reporters.all():
            MeetingReporter.objects.create(meeting=meeting, reporter=rep, order=rep.order)
        meetings[kind] = meeting
    return campaign, meetings


@pytest.fixture
def round_002(cast: Cast) -> tuple[Campaign, dict[str, Meeting]]:
    return make_round(cast)
