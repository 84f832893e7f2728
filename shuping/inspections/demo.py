"""Demo inspections (see shuping/demo.py for the contract).

The district's 2025 round (seed 003: 集中督查调研 with 个别访谈 and 民主测评, held with
the annual cadre assessment) gets two inspections covering most reporters, with
findings of every kind; the rest stay on the "not inspected yet" list. Rounds made
by the assessment demo record their own inspections there. A round that already has
inspections is left alone (idempotent).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from shuping.inspections import services
from shuping.inspections.models import FindingKind, Method
from shuping.organizations.models import Organization
from shuping.rounds.models import Campaign

ACHIEVEMENTS = [
    "“三会一课”记录完整，主题党日每月按时开展，党员参与率较高。",
    "党建阵地建设规范，党员活动室开放时间延长至晚8点，群众反映较好。",
    "班子成员落实“一岗双责”，年内专题研究党建工作4次，有会议记录可查。",
]
PROBLEMS = [
    "党支部书记对两新组织党建指导不够，部分非公企业支部组织生活不经常。",
    "发展党员培养考察材料不齐全，个别入党积极分子思想汇报缺失。",
    "党员教育管理存在“一刀切”，对流动党员联系不紧密。",
    "上年度点评指出的“软弱涣散支部整顿”问题整改进度滞后。",
]
NOT_HELD_UP = [
    "述职报告称“党员志愿服务全覆盖”，走访中有党员表示未参加过。",
    "述职报告称“每季度开展一次党课”，查阅资料只见两次记录。",
]


def record_for(
    campaign: Campaign,
    *,
    held_on: date,
    method: str,
    announced: bool,
    inspectors: str,
    count: int | None = None,
    note: str = "",
) -> int:
    """One inspection of the first `count` reporters with a finding of each kind each."""
    reporters = list(campaign.reporters.order_by("order", "id")[: count or None])
    if not reporters:
        return 0
    inspection = services.create_inspection(
        campaign,
        actor=None,
        reporters=reporters,
        held_on=held_on,
        inspectors=inspectors,
        method=method,
        announced=announced,
        note=note,
    )
    for i, rep in enumerate(reporters):
        services.add_finding(
            inspection,
            actor=None,
            reporter=rep,
            kind=FindingKind.ACHIEVEMENT,
            text=ACHIEVEMENTS[i % len(ACHIEVEMENTS)],
        )
        services.add_finding(
            inspection,
            actor=None,
            reporter=rep,
            kind=FindingKind.PROBLEM,
            text=PROBLEMS[i % len(PROBLEMS)],
        )
        if i % 3 == 1:
            services.add_finding(
                inspection,
                actor=None,
                reporter=rep,
                kind=FindingKind.NOT_HELD_UP,
                text=NOT_HELD_UP[i % len(NOT_HELD_UP)],
            )
    return len(reporters)


def load(out: Callable[[str], None]) -> list[tuple[str, str]]:
    district = Organization.objects.filter(code="QW").first()
    campaign = Campaign.objects.filter(committee=district, year=2025).first()
    if campaign is None or campaign.inspections.exists():
        return []
    total = campaign.reporters.count()
    n = record_for(
        campaign,
        held_on=date(2026, 1, 15),
        method=Method.INTERVIEW,
        announced=True,
        inspectors="区委组织部 督查调研组（与处级干部年度考核同步）",
        count=max(total - 2, 1),
        note="集中督查调研：个别访谈班子成员和党员群众代表，了解抓党建工作情况。",
    )
    out(f"督查调研：西山区委 2025 年度，已督查 {n} 人，{total - n} 人尚未督查")
    return []
