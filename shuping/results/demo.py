"""Demo results (see shuping/demo.py): 五里坨街道党工委 (QW-07), preset 004 (双述双评).

(金顶街道党工委's own 2025 round stays with the assessment demo, proposed and waiting
for approval; the district's approved 2025 round reaches this stage through the hook.)

- its 2024 round, closed, graded and approved (history for the two-year rule);
- its 2025 round, closed, approved: tasks from the grades (one secretary 基本称职 two
  years running ⇒ 组织处理 naming both rounds), one talk already carried out, feedback
  handed over (集中约谈), the 通报 issued, and the 公示 in progress with one objection
  received and answered.
Grades are set as the committee would after the meeting, then approved through the
assessment stage, whose hook creates this stage's records. Every step looks first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.utils import timezone

from shuping.assessment.models import Assessment, AssessmentBoard, BoardState
from shuping.assessment.services import approve_grades, ensure_board, save_opinion
from shuping.lib import workdays
from shuping.organizations.models import Organization
from shuping.results import publication, services
from shuping.results.models import (
    Announcement,
    ConsequenceTask,
    PublicNotice,
    ResultRecord,
    TaskKind,
)
from shuping.rounds import services as round_services
from shuping.rounds.models import Campaign, CampaignStatus

PRESET = "004_jiedao_shuangshu"
STREET = "QW-07"
WEAK = 2  # the reporter (by order) graded 基本称职 in both years


def _grades(count: int, year: int) -> list[str]:
    """2024: everyone 称职 but the weak one; 2025: two 优秀, the weak one again 基本称职."""
    grades = ["称职"] * count
    if year >= 2025:
        grades[: min(2, count)] = ["优秀"] * min(2, count)
    if count > WEAK:
        grades[WEAK] = "基本称职"
    return grades


OPINION = {
    "优秀": (
        "坚持党建引领，推行党务、居务公开，“三会一课”落实到位，党员活动日参与率高。",
        "发展党员工作计划性不强，青年党员比例偏低。",
        "履职尽责好，工作成效明显，群众认可度高。",
        "加强青年骨干培养，年内发展党员计划落实到位。",
    ),
    "称职": (
        "能够按要求开展组织生活，完成街道党工委交办的各项任务。",
        "党员教育管理方式单一，主题党日活动吸引力不强；查找问题多停留在工作层面。",
        "能够较好履行第一责任人职责，工作有一定成效。",
        "创新党员教育方式，从主观上深入剖析问题原因。",
    ),
    "基本称职": (
        "能够组织召开支部党员大会和支委会。",
        "“三会一课”记录不完整，两名党员连续三个月未参加组织生活；上年点评指出的问题整改不到位。",
        "抓党建工作主动性不够，履职存在明显差距。",
        "三个月内补齐组织生活记录，逐人谈心谈话，制定整改方案报党工委。",
    ),
}


def _round(street: Organization, year: int, out: Callable[[str], None]) -> Campaign | None:
    campaign = Campaign.objects.filter(committee=street, year=year).first()
    if campaign is None:
        campaign = round_services.create_campaign(
            street, actor=None, preset=PRESET, year=year, sampling_seed=year
        )
        Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
        out(f"  {campaign.title}（已结束）")
    if campaign.preset_key != PRESET:
        return None
    return campaign


def _approve(campaign: Campaign, out: Callable[[str], None]) -> None:
    if ResultRecord.objects.filter(campaign=campaign).exists():
        return
    board = ensure_board(campaign)
    if board.state not in (BoardState.DRAFT, BoardState.PROPOSED):
        return  # graded by someone else's demo step; the hook has run
    items = list(board.items.select_related("reporter").order_by("reporter__order", "pk"))
    with transaction.atomic():
        for item, grade in zip(items, _grades(len(items), campaign.year), strict=True):
            Assessment.objects.filter(pk=item.pk).update(grade=grade, proposed_grade=grade)
            achievements, problems, overall, required = OPINION[grade]
            AssessmentBoard.objects.filter(pk=board.pk).update(state=BoardState.PROPOSED)
            item.board = board
            save_opinion(
                item,
                actor=None,
                achievements=achievements,
                problems=problems,
                overall=overall,
                rectification_required=required,
            )
        approve_grades(campaign, actor=None, minute_ref=f"党工委会议纪要〔{campaign.year + 1}〕1号")
    out(f"  {campaign.title}：{len(items)} 名书记的综合评定已审定")


def _publish(campaign: Campaign, out: Callable[[str], None]) -> None:
    today = timezone.localdate()
    records = list(publication.approved_records(campaign))
    talk = (
        ConsequenceTask.objects.filter(campaign=campaign, kind=TaskKind.REMINDER_TALK)
        .order_by("pk")
        .first()
    )
    if talk is not None and talk.state == "open" and talk.reporter.person is not None:
        services.complete_task(
            talk,
            actor=None,
            done_on=today,
            talked_by=f"党工委书记{_secretary(campaign.committee)}",
            talked_to=talk.reporter.person.name,
            gist="通报综合评定结果，指出“三会一课”记录不完整、整改不到位等问题，要求三个月内整改到位。",
        )
    if not campaign.result_records.filter(reporter__feedback__isnull=False).exists():
        services.record_feedback(
            campaign,
            actor=None,
            reporters=[r.reporter for r in records],
            handed_over_on=today,
            way="集中约谈、会上宣布",
            handed_over_by="党工委书记",
        )
    if not Announcement.objects.filter(campaign=campaign).exists():
        ann = publication.prepare_announcement(campaign, actor=None)
        publication.issue_announcement(ann, actor=None, issued_on=today)
    if not PublicNotice.objects.filter(campaign=campaign).exists():
        notice = publication.prepare_notice(campaign, actor=None)
        start = _two_workdays_ago(today)
        notice = publication.start_notice(notice, actor=None, starts_on=start, today=today)
        weak = next((r.reporter for r in records if r.grade == "基本称职"), None)
        objection = publication.record_objection(
            notice,
            actor=None,
            received_on=start,
            received_by="党工委组织委员",
            raised_by="",
            content="反映该支部书记平时工作认真，评定为“基本称职”偏低。",
            reporter=weak,
        )
        publication.decide_objection(
            objection,
            actor=None,
            upheld=False,
            handling="经查阅组织生活记录、走访党员，支部“三会一课”记录确不完整，评定依据属实。",
            answer="维持原评定等次，已向反映人说明情况。",
        )
        out(f"  {notice.title}：公示中（至{notice.ends_on:%Y-%m-%d}）")


def _close_history(campaign: Campaign) -> None:
    """Last year's tasks were carried out last year."""
    for task in ConsequenceTask.objects.filter(campaign=campaign, state="open").select_related(
        "campaign__committee", "reporter__person"
    ):
        person = task.reporter.person.name if task.reporter.person else ""
        services.complete_task(
            task,
            actor=None,
            done_on=timezone.localdate(),
            gist="已按期落实，材料存档。",
            talked_by=f"党工委书记{_secretary(campaign.committee)}",
            talked_to=person or "党组织负责人",
        )


def _secretary(org: Organization) -> str:
    return org.secretary.name if org.secretary is not None else ""


def _two_workdays_ago(today: date) -> date:
    day = today
    for _ in range(2):
        day = day.fromordinal(day.toordinal() - 1)
        while not workdays.is_workday(day):
            day = day.fromordinal(day.toordinal() - 1)
    return day


def load(out: Callable[[str], None]) -> list[tuple[str, str]]:
    street = Organization.objects.filter(code=STREET).first()
    if street is None:
        out(f"未找到街道党工委（{STREET}），跳过结果运用演示数据。")
        return []
    out("结果运用与公开：")
    earlier = _round(street, 2024, out)
    latest = _round(street, 2025, out)
    if earlier is None or latest is None:
        return []
    _approve(earlier, out)
    _close_history(earlier)
    _approve(latest, out)
    _publish(latest, out)
    open_tasks = ConsequenceTask.objects.filter(campaign=latest, state="open").count()
    out(f"  待落实的结果运用事项 {open_tasks} 项（组织员 zuzhibu 登录查看）")
    return []
