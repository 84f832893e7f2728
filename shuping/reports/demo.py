"""Demo reports: the 2026 rounds' reporters get reports in every state, with realistic text
from the real-length samples (reports/samples), and a couple of innovation cases.

Idempotent: a reporter that already has a report (or a case) is left alone. Does nothing
if the rounds step made no 2026 round.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from shuping.lib.errors import DomainError
from shuping.reports import services
from shuping.reports.models import AttachmentKind, DutyReport
from shuping.reports.samples import load_sample, make_png
from shuping.rounds.models import Campaign, Reporter
from shuping.rounds.rules import ReportRules

SAMPLE_ROLES = {
    "000_good": {"work": "achievements", "problems": "problems", "plans": "plans"},
    "001_good": {"performance": "achievements", "problems": "problems", "plans": "plans"},
    "003_good": {"performance": "achievements", "problems": "problems", "plans": "plans"},
    "004_good": {
        "duties": "achievements",
        "problems": "problems",
        "rectification": "rectification",
        "plans": "plans",
    },
}
SAMPLE_TOTALS = {"000_good": 746, "004_good": 991, "001_good": 2294, "003_good": 2816}

# the cycle of states the demo walks reporters through; None = not started (shows as late)
PLAN = [
    "published",
    "approved_read",
    "approved",
    "resubmitted",
    "returned",
    "submitted",
    "draft",
    None,
    "summarized",
    "submitted",
    "draft",
    "approved",
]


def _pick_sample(rules: ReportRules) -> str:
    if rules.max_chars is not None:
        fitting = [n for n, t in SAMPLE_TOTALS.items() if t <= rules.max_chars]
        return max(fitting, key=SAMPLE_TOTALS.__getitem__) if fitting else "000_good"
    if rules.target_chars is not None:
        return min(SAMPLE_TOTALS, key=lambda n: abs(SAMPLE_TOTALS[n] - rules.target_chars))  # type: ignore[operator]
    return "003_good"


def demo_sections(rules: ReportRules, reporter: Reporter) -> dict[str, str]:
    name = _pick_sample(rules)
    sample = load_sample(name)
    by_role = {role: sample[key] for key, role in SAMPLE_ROLES[name].items()}
    by_role.setdefault("rectification", load_sample("004_good")["rectification"])
    org = reporter.organization.name
    out: dict[str, str] = {}
    for s in rules.sections:
        role = s.role if s.role in by_role else "achievements"
        text = by_role[role]
        if role == "achievements":
            # make each report read as its own organization's
            lead = f"一年来，{org}在上级党组织的领导下，围绕中心、服务大局，各项工作取得新进展。"
            text = f"{lead}\n{text}"
        out[s.key] = text
    return out


def _walk(report: DutyReport, target: str, rules: ReportRules) -> None:
    steps: list[str] = {
        "draft": [],
        "submitted": ["submit"],
        "returned": ["submit", "return"],
        "resubmitted": ["submit", "return", "resubmit"],
        "approved": ["submit", "approve"],
        "approved_read": ["submit", "approve", "read"],
        "summarized": ["submit", "approve", "summary"],
        "published": ["submit", "approve", "read", "summary", "publish"],
    }[target]
    for step in steps:
        if step in ("submit", "resubmit"):
            if step == "resubmit":
                key = next((s.key for s in rules.sections if s.role == "problems"), None)
                if key:
                    extra = "\n此外，我作为书记对年轻党员的思想引导不够，主观上重使用、轻培养。"
                    services.save_sections(
                        report, actor=None, sections={key: report.sections[key] + extra}
                    )
            report = services.submit_report(report, actor=None)
        elif step == "return":
            key = next((s.key for s in rules.sections if s.role == "problems"), "")
            report = services.return_report(
                report,
                actor=None,
                comments={key: "问题查找还不够深入，请结合本人履职情况再剖析主观原因。"},
            )
        elif step == "approve":
            report = services.approve_report(report, actor=None)
        elif step == "read" and rules.superior_reads:
            report = services.mark_read_by_superior(report, actor=None)
        elif step == "summary" and rules.summary_published:
            org = report.reporter.organization.name
            report = services.write_summary(
                report,
                actor=None,
                summary=f"{org}书记述职报告摘要：全年履行第一责任人职责，党建统领作用增强；"
                "查摆问题4个，剖析了主观原因；明确了下一步整改措施。",
            )
        elif step == "publish" and rules.summary_published:
            report = services.publish_summary(report, actor=None)


CASES = [
    (
        "楼宇党建驿站让“隐形党员”亮身份",
        "以驿站为纽带，把楼宇里的流动党员组织起来",
        "辖区商务楼宇集中，入驻企业120余家，党员流动性大，不少党员组织关系不在楼宇，"
        "成了“隐形党员”，楼宇党组织覆盖和作用发挥都存在短板。",
        "（一）建阵地。在楼宇一层设立党建驿站，配备党务专干2名。\n"
        "（二）亮身份。开展党员“亮身份、作表率”行动，摸排登记楼宇党员286名。\n"
        "（三）办实事。组建志愿服务队6支，为楼宇白领提供政策咨询、青年联谊等服务。",
        "一是28名“隐形党员”纳入组织管理；二是新建非公企业党组织5个；"
        "三是楼宇企业参与社区治理项目17个，驿站成为楼宇“红色会客厅”。",
    ),
    (
        "“红色物业”破解老旧小区治理难题",
        "党组织领导下的物业服务新模式",
        "老旧小区无物业、弃管问题突出，停车难、环境脏乱等诉求占社区诉求总量的三成以上。",
        "（一）建机制。成立由社区党委牵头的物业管理委员会。\n"
        "（二）强协商。每月召开一次“红色议事会”，党员楼门长带头参与。\n"
        "（三）抓服务。引入国有物业企业，实行菜单式服务。",
        "一是9个老旧小区实现物业服务全覆盖；二是协商解决问题156件；三是物业类诉求同比下降24%。",
    ),
]


def _cases(reporter: Reporter, rules: ReportRules, index: int) -> int:
    if rules.innovation_cases[1] == 0 or reporter.innovation_cases.exists():
        return 0
    title, subtitle, background, measures, results = CASES[index % len(CASES)]
    case = services.save_case(
        reporter,
        actor=None,
        data={
            "title": title,
            "subtitle": subtitle,
            "background": background,
            "measures": measures,
            "results": results,
        },
    )
    for i, (colour, caption) in enumerate(
        [((183, 28, 28), "党建驿站揭牌仪式"), ((21, 101, 192), "党员志愿服务活动现场")]
    ):
        services.add_attachment(
            reporter,
            actor=None,
            kind=AttachmentKind.PICTURE,
            data=make_png(480, 300, colour),
            filename=f"demo-{i + 1}.png",
            case=case,
            caption=caption,
        )
    return 1


def load(out: Callable[[str], None]) -> list[tuple[str, str]]:
    campaigns = list(Campaign.objects.filter(year=2026).select_related("committee"))
    if not campaigns:
        out("reports: 没有2026年度的述职方案，跳过")
        return []
    made = cases = 0
    for campaign in campaigns:
        rules = campaign.parsed_rules.report
        reporters = list(
            campaign.reporters.select_related("organization", "person", "campaign").order_by(
                "order", "id"
            )
        )
        for i, reporter in enumerate(reporters):
            target = PLAN[i % len(PLAN)]
            with transaction.atomic():
                if target is not None and not reporter.reports.exists():
                    for audience in rules.audiences:
                        report = services.open_report(reporter, actor=None, audience=audience)
                        report = services.save_sections(
                            report, actor=None, sections=demo_sections(rules, reporter)
                        )
                        try:
                            _walk(report, target, rules)
                        except DomainError as exc:  # a preset's blocking check: stays a draft
                            out(f"reports: {reporter} 停在草稿（{exc.message}）")
                        made += 1
                if i < 2 and reporter.mode == "onsite":
                    cases += _cases(reporter, rules, i)
    out(f"reports: 新建述职报告 {made} 份，创新案例 {cases} 篇")
    return []
