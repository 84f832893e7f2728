"""Demo ledger: last year's (2025) items feeding this year's (2026) reports and ledger.

- 西山区委 2025 (closed): items drafted from the meeting's critiques and questions, filled
  in and walked through every status (some signed off, some still open and overdue);
- 金顶街道 (QW-01): a 2025 spreadsheet ledger imported for the first demo reporter's
  organization (as an office starting with its Excel history);
- 2026: open items carried into both current rounds; QW-01's reporters draft items from
  their sources, so the critique's “三会一课” point comes back flagged as recurring; a
  district reporter's new item about young members recurs a signed-off 2025 item; one
  整改方案 submitted.

Idempotent: each part looks first and creates only what is missing.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

from django.db import transaction
from openpyxl import Workbook

from shuping.lib.errors import DomainError
from shuping.organizations.models import Organization
from shuping.rectification import ledger_import, services
from shuping.rectification.exports import HEADERS
from shuping.rectification.models import Item, ItemSource, ItemStatus, Plan, PlanState
from shuping.rounds.models import Campaign, Reporter

LEADERS = ["张建华", "李红梅", "王志强", "刘海燕", "陈国平", "赵丽君"]
MEASURES = [
    "列出问题清单，明确专人负责，每月对照检查一次，整改情况在支委会上通报。",
    "制定年度计划，书记带头落实，组织委员全程记实，季度末由上级党组织检查。",
    "建立工作台账，逐项明确完成时限，完成一项销号一项，并在党务公开栏公示。",
]
SIGN_OFF = ["佐证材料齐全，经实地核查已整改到位", "查阅会议记录和台账，整改到位"]

# 金顶街道: the first demo reporter's organization kept its 2025 ledger in Excel
IMPORTED_2025 = [
    [
        1,
        "“三会一课”记录不规范，问题查摆不深，主观原因剖析不透。",
        "上级点评",
        "主观原因：书记对组织生活制度重视不够",
        "制定年度组织生活计划，规范会议记录本，每季度自查一次",
        "社区党委书记",
        "社区党委",
        "2025-06-30",
        "已规范记录本并按月召开支委会",
        "已销号",
        "2025-07-10",
    ],
    [
        2,
        "党员活动室开放时间短，在职党员下班后无法使用。",
        "现场提问",
        "客观原因：值守人员不足",
        "与居委会协商错时开放，招募党员志愿者值守",
        "社区党委副书记",
        "社区党委",
        "2025-09-30",
        "已延长工作日开放时间，周末开放尚未落实",
        "整改中",
        "",
    ],
    [
        3,
        "发展党员工作滞后，近两年未发展35岁以下青年党员。",
        "自己查摆",
        "主观原因：对青年人才发现培养重视不够",
        "建立青年人才库，每年培养入党积极分子不少于2名",
        "社区党委书记",
        "社区党委",
        "2025-12-31",
        "已确定2名入党积极分子",
        "整改中",
        "",
    ],
    [
        4,
        "党务公开不及时，公开栏内容更新滞后。",
        "群众评议",
        "",
        "每月5日前更新党务公开栏",
        "社区党委委员",
        "社区党委",
        "2025-04-30",
        "已按月更新",
        "已销号",
        "2025-05-06",
    ],
]
# a district reporter's 2026 problem, in new words for a 2025 critique point
RECURRING_2026 = "近两年没有发展35岁以下的青年党员，党员队伍年龄结构老化，青年人才培养不够。"


def _campaign(code: str, year: int) -> Campaign | None:
    return Campaign.objects.filter(committee__code=code, year=year).first()


def _fill(item: Item, i: int, deadline: date) -> None:
    services.update_item(
        item,
        actor=None,
        cause_kind="subjective" if i % 3 else "objective",
        cause="思想上重视不够，抓落实的韧劲不足" if i % 3 else "人员力量和经费不足",
        measures=MEASURES[i % len(MEASURES)],
        leader=LEADERS[i % len(LEADERS)],
        unit=item.organization.name,
        deadline=deadline,
    )


def _walk(item: Item, i: int) -> None:
    """0: signed off; 1: done, waiting; 2: in progress (overdue); 3: not started."""
    stage = i % 4
    if stage in (0, 1, 2):
        services.add_progress(item, actor=None, text="已召开专题会议研究，制定整改措施并推进落实")
    if stage in (0, 1):
        services.add_progress(
            item, actor=None, text="整改措施已全部落实，佐证材料已归档", complete=True
        )
    if stage == 0:
        services.sign_off(item, actor=None, note=SIGN_OFF[i % len(SIGN_OFF)])


def _district_2025(out: Callable[[str], None]) -> int:
    campaign = _campaign("QW", 2025)
    if campaign is None or Item.objects.filter(reporter__campaign=campaign).exists():
        return 0
    made = 0
    reporters = campaign.reporters.select_related("organization", "person", "campaign")
    with transaction.atomic():
        for reporter in reporters.order_by("order", "id"):
            for item in services.draft_from_sources(reporter, actor=None):
                _fill(item, made, date(2026, 3, 31) if made % 2 else date(2026, 6, 30))
                _walk(Item.objects.get(pk=item.pk), made)
                made += 1
            plan, _ = Plan.objects.get_or_create(reporter=reporter)
            if made and plan.state == PlanState.DRAFT and not services.plan_gaps(reporter):
                Plan.objects.filter(pk=plan.pk).update(state=PlanState.APPROVED)
    out(f"整改台账：西山区委 2025 年度 {made} 项（来自点评和现场提问）")
    return made


def _import_street_2025(out: Callable[[str], None]) -> None:
    campaign = _campaign("QW-01", 2026)
    if campaign is None:
        return
    first = campaign.reporters.select_related("organization").order_by("order", "id").first()
    if first is None:
        return
    org: Organization = first.organization
    if Item.objects.filter(organization=org, year=2025).exists():
        return
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "整改台账"
    ws.append(list(HEADERS))
    for row in IMPORTED_2025:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    result = ledger_import.import_ledger(buffer.getvalue(), actor=None, organization=org, year=2025)
    out(f"整改台账：{org.name} 导入 2025 年度 Excel 台账 {result.created} 项")


def _recurring_district(campaign: Campaign) -> None:
    old = (
        Item.objects.filter(
            reporter__campaign__committee=campaign.committee,
            year=campaign.year - 1,
            status=ItemStatus.CLOSED,
            problem__contains="青年党员",
        )
        .select_related("organization")
        .first()
    )
    if old is None:
        return
    reporter = campaign.reporters.filter(organization=old.organization).first()
    if reporter is None or ItemSource.objects.filter(ref="demo:recurring").exists():
        return
    services.create_item(
        reporter,
        actor=None,
        problem=RECURRING_2026,
        source_ref="demo:recurring",
        source_kind="self",
        measures="制定青年党员发展三年计划，从社区工作者和志愿者中发现培养",
        leader=LEADERS[0],
        deadline=date(2027, 3, 31),
    )


def _current(out: Callable[[str], None]) -> None:
    carried = drafted = 0
    for code in ("QW", "QW-01"):
        campaign = _campaign(code, 2026)
        if campaign is None:
            continue
        with transaction.atomic():
            carried += services.carry_over(campaign, actor=None)
            if code == "QW":
                _recurring_district(campaign)
                continue
            reporters = list(
                campaign.reporters.select_related("organization", "person", "campaign").order_by(
                    "order", "id"
                )
            )
            for i, reporter in enumerate(reporters):
                for j, item in enumerate(services.draft_from_sources(reporter, actor=None)):
                    _fill(item, i + j, date(2027, 3, 31))
                    drafted += 1
            if reporters:
                plan, _ = Plan.objects.get_or_create(reporter=reporters[0])
                if plan.state == PlanState.DRAFT:
                    plan.reporter = reporters[0]
                    try:
                        services.submit_plan(plan, actor=None)
                    except DomainError as exc:
                        out(f"整改台账：整改方案未提交（{exc.message}）")
    recurring = Item.objects.filter(year=2026, recurs_of__isnull=False).count()
    out(
        f"整改台账：2026 年度结转往年未销号事项 {carried} 项，新起草 {drafted} 项，"
        f"反复出现的问题 {recurring} 项"
    )


def load(out: Callable[[str], None]) -> list[tuple[str, str]]:
    if not Reporter.objects.exists():
        out("整改台账：没有述职对象，跳过。")
        return []
    _district_2025(out)
    _import_street_2025(out)
    _current(out)
    return []
