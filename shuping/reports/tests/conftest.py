"""Rule sets shaped like each seed's report rules, and a round with the cast's reporter."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shuping.conftest import Cast
from shuping.reports import services
from shuping.reports.models import DutyReport
from shuping.rounds.models import Campaign, Deadline, Reporter
from shuping.rounds.testing import SAMPLE_RULES, make_campaign, sample_rules


@pytest.fixture(autouse=True)
def _test_storage(settings: Any, tmp_path: Any) -> None:
    """Uploads go to a temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


REPORT_000: dict[str, Any] = {
    "max_chars": 1000,
    "sections": [
        {"key": "work", "title": "主要工作", "role": "achievements", "max_share": "1/2"},
        {"key": "problems", "title": "存在问题", "role": "problems", "min_share": "1/3"},
        {"key": "plans", "title": "下步打算", "role": "plans"},
    ],
    "checks": {
        "length": "block",
        "shares": "block",
        "figures": "warn",
        "self_critique": "warn",
        "rectification": "warn",
    },
}
REPORT_001: dict[str, Any] = {
    "target_chars": 2500,
    "sections": [
        # 各占三分之一, read as "about a third": between a quarter and two fifths
        {
            "key": "performance",
            "title": "履职情况",
            "role": "achievements",
            "min_share": "1/4",
            "max_share": "2/5",
        },
        {
            "key": "problems",
            "title": "存在的问题和原因分析",
            "role": "problems",
            "min_share": "1/4",
            "max_share": "2/5",
        },
        {
            "key": "plans",
            "title": "下一步工作措施",
            "role": "plans",
            "min_share": "1/4",
            "max_share": "2/5",
        },
    ],
    "checks": {
        "length": "warn",
        "shares": "block",
        "figures": "block",
        "self_critique": "block",
    },
}
REPORT_003: dict[str, Any] = copy.deepcopy(SAMPLE_RULES["report"])
REPORT_004: dict[str, Any] = {
    "max_chars": 1500,
    "sections": [
        {"key": "duties", "title": "履行职责情况", "role": "achievements"},
        {
            "key": "problems",
            "title": "存在的主要问题及原因分析",
            "role": "problems",
            "min_share": "1/3",
        },
        {
            "key": "rectification",
            "title": "上年度问题整改落实情况",
            "role": "rectification",
            "prefill_rectification": True,
        },
        {"key": "plans", "title": "下一步工作思路和打算", "role": "plans"},
    ],
    "checks": {
        "length": "block",
        "shares": "block",
        "self_critique": "block",
        "subjective_causes": "warn",
        "rectification": "block",
    },
    "audiences": ["members", "committee"],
}
MEETINGS_004 = [
    {"key": "members", "title": "向党员大会述职"},
    {"key": "committee", "title": "向街道党工委述职"},
]


def rules_for_shape(shape: str) -> dict[str, Any]:
    report = {"000": REPORT_000, "001": REPORT_001, "003": REPORT_003, "004": REPORT_004}[shape]
    extra: dict[str, Any] = {"report": copy.deepcopy(report)}
    if shape == "004":
        extra["meetings"] = MEETINGS_004
    return sample_rules(**extra)


@pytest.fixture
def campaign(cast: Cast) -> Campaign:
    c = make_campaign(cast.district, year=2026, reporters=[cast.branch, cast.community_branch])
    Deadline.objects.create(campaign=c, key="report_due", title="报送述职报告")
    return c


@pytest.fixture
def reporter(campaign: Campaign, cast: Cast) -> Reporter:
    return Reporter.objects.get(campaign=campaign, organization=cast.branch)


@pytest.fixture
def other_reporter(campaign: Campaign, cast: Cast) -> Reporter:
    return Reporter.objects.get(campaign=campaign, organization=cast.community_branch)


@pytest.fixture
def report(reporter: Reporter, cast: Cast) -> DutyReport:
    return services.open_report(reporter, actor=cast.reporter)
