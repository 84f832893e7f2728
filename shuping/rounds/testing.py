"""Helpers for tests in every app: a valid rule set and a round built directly.

Tests that need a round without going through presets and scope rules use
`make_campaign`; the preset loader and round creation are tested in rounds/tests.
"""

from __future__ import annotations

import copy
from typing import Any

from shuping.organizations.models import Organization
from shuping.rounds.models import Campaign, CampaignStatus, Reporter, ReportMode

# Shaped like seed 003 (district level), trimmed to what tests need.
SAMPLE_RULES: dict[str, Any] = {
    "ballot_scale": ["好", "较好", "一般", "差"],
    "assessment_scale": ["好", "较好", "一般", "差"],
    "report": {
        "target_chars": 3000,
        "max_pages": 6,
        "sections": [
            {
                "key": "performance",
                "title": "履职主要情况和特点",
                "role": "achievements",
                "target_chars": 1500,
            },
            {
                "key": "problems",
                "title": "存在的主要问题及原因",
                "role": "problems",
                "min_chars": 900,
            },
            {"key": "plans", "title": "下一步工作思路和措施", "role": "plans", "target_chars": 600},
        ],
        "checks": {
            "length": "warn",
            "sections": "block",
            "figures": "warn",
            "self_critique": "warn",
        },
        "innovation_cases": [1, 2],
        "innovation_case_chars": 800,
        "slides_minutes": 15,
        "superior_reads": True,
        "summary_published": True,
    },
    "indicators": [
        {"key": "duty", "title": "落实党建统领主体责任情况"},
        {"key": "ecology", "title": "建设风清气正良好政治生态情况"},
    ],
    "meetings": [
        {
            "key": "committee",
            "title": "区级层面党建述职评议考核会",
            "minutes_per_report": 15,
            "evaluators": [{"key": "leader", "title": "区委常委和领导小组成员"}],
            "ballot_mode": "per_reporter",
            "questions": True,
            "critique": True,
        },
    ],
    "grading": [
        {
            "kind": "share_exceeds",
            "grades": ["一般", "差"],
            "share": "1/10",
            "result": "差",
            "text": "现场测评“一般”“差”票超过10%的，综合评价等次确定为“差”",
        },
    ],
    "consequences": [
        {"grade": "好", "actions": [], "annual_excellent_allowed": True},
        {"grade": "一般", "actions": ["约谈", "限期整改"], "annual_excellent_allowed": False},
        {"grade": "差", "actions": ["约谈", "限期整改", "问责"], "annual_excellent_allowed": False},
    ],
    "timeline": [
        {"key": "report_due", "title": "报送述职报告", "due": "+1-01-20"},
        {"key": "meeting", "title": "召开述职评议会", "start": "+1-02-20", "due": "+1-02-24"},
    ],
    "filing": ["述职报告", "测评结果汇总表", "整改台账"],
}


def sample_rules(**overrides: Any) -> dict[str, Any]:
    rules = copy.deepcopy(SAMPLE_RULES)
    rules.update(overrides)
    return rules


def make_campaign(
    committee: Organization,
    *,
    year: int = 2025,
    rules: dict[str, Any] | None = None,
    reporters: list[Organization] | None = None,
    status: str = CampaignStatus.ACTIVE,
) -> Campaign:
    campaign = Campaign.objects.create(
        committee=committee,
        year=year,
        title=f"{committee.name}{year}年度述职评议考核",
        preset_key="test",
        rules=rules or sample_rules(),
        status=status,
    )
    for order, org in enumerate(reporters or [], start=1):
        Reporter.objects.create(
            campaign=campaign,
            organization=org,
            person=org.secretary,
            order=order,
            position=f"{org.name}书记",
            mode=ReportMode.ONSITE,
            is_vacant=org.secretary_id is None,
        )
    return campaign
