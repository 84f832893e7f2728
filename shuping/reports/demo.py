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
from shuping.rounds.models import Campaign, CampaignStatus, Reporter
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


def _share(text: str, part: int, parts: int) -> str:
    """The `part`-th of `parts` consecutive slices of `text`, cut at sentence ends."""
    if parts <= 1:
        return text
    sentences = [x + "。" for x in text.replace("\n", "").split("。") if x.strip()]
    size = -(-len(sentences) // parts)
    return "".join(sentences[part * size : (part + 1) * size]) or text


def demo_sections(rules: ReportRules, reporter: Reporter) -> dict[str, str]:
    name = _pick_sample(rules)
    sample = load_sample(name)
    by_role = {role: sample[key] for key, role in SAMPLE_ROLES[name].items()}
    by_role.setdefault("rectification", load_sample("004_good")["rectification"])
    org = reporter.organization.name
    roles = [s.role if s.role in by_role else "achievements" for s in rules.sections]
    out: dict[str, str] = {}
    for i, s in enumerate(rules.sections):
        role = roles[i]
        # Sections sharing a role (004 has two achievement sections) share the sample's
        # sentences in turn rather than repeating the same text.
        text = _share(by_role[role], roles[:i].count(role), roles.count(role))
        if role == "achievements" and roles[:i].count(role) == 0:
            # make each report read as its own organization's
            lead = f"一年来，{org}在上级党组织的领导下，围绕中心、服务大局，各项工作取得新进展。"
            text = f"{lead}\n{text}"
        # the samples were written for one community; each report names its own
        # organization, so the story matches the tree
        out[s.key] = (
            text.replace("金鑫社区党委书记", f"{org}书记")
            .replace("带领社区党委", f"带领{org}")
            .replace("金鑫小区", "辖区小区")
        )
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
        "辖区京西商务楼宇集中，入驻企业120余家、从业人员8000余人，其中党员近300名。"
        "由于企业规模小、人员流动快，不少党员的组织关系留在老家或原单位，平时既不参加"
        "组织生活，也不亮明党员身份，成了楼宇里的“隐形党员”。楼宇党组织覆盖面窄、"
        "活动难开展、作用难发挥，是街道“两新”组织党建的突出短板。",
        "（一）建阵地，让党员有“家”可回。街道党工委协调物业在楼宇一层腾出200平方米"
        "空间建设党建驿站，配备专职党务工作者2名，设置学习区、议事区、服务区，"
        "工作日全天开放。\n"
        "（二）亮身份，让党员有“责”可担。开展“亮身份、作表率”行动，逐层逐户摸排楼宇"
        "党员，建立电子台账，为286名党员发放党徽和服务卡，在工位设置党员示范岗。\n"
        "（三）办实事，让党员有“事”可做。组建政策咨询、法律服务、青年联谊等志愿服务队"
        "6支，每月开展“楼宇开放日”活动，把党员的作用发挥在企业发展和白领服务之中。\n"
        "（四）强机制，让工作有“章”可循。建立楼宇党建联席会议制度，每季度召开一次，"
        "由街道、物业、企业负责人共同研究解决楼宇党建和企业发展中的问题，"
        "对议定事项实行清单管理、按月督办、逐项销号，确保件件有着落。",
        "一是组织覆盖明显扩大。28名“隐形党员”转入组织关系，新建非公企业党组织5个，"
        "楼宇党组织覆盖率由62%提高到91%。二是作用发挥更加充分。全年开展志愿服务"
        "活动48场，服务白领3200余人次，帮助企业解决用工、融资等难题23个。"
        "三是治理合力不断增强。楼宇企业参与社区治理项目17个，捐资捐物折合12万元，"
        "党建驿站成为楼宇里的“红色会客厅”，经验做法被区委组织部推广。",
    ),
    (
        "“红色物业”破解老旧小区治理难题",
        "党组织领导下的物业服务新模式",
        "社区共有老旧小区9个、居民4100余户，建成时间早、设施老化，长期无物业或物业"
        "弃管，停车难、环境脏乱、管线老化等问题突出。全年涉及物业管理的诉求420件，"
        "占社区诉求总量的31%，居民意见大，社区干部疲于应付，基层治理陷入“越管越乱”的困境。",
        "（一）建机制，把党组织建在物业上。成立由社区党委牵头，居委会、业主代表、"
        "物业企业参加的物业管理委员会，推动物业企业成立党支部，实行社区党委委员与"
        "物业项目经理“双向进入、交叉任职”。\n"
        "（二）强协商，把群众请到议事桌前。每月召开一次“红色议事会”，党员楼门长带头"
        "收集问题、参与协商，全年协商解决停车、绿化、垃圾分类等事项156件。\n"
        "（三）抓服务，把实事办到群众心坎上。引入国有物业企业，推行“基础服务+菜单服务”"
        "模式，基础服务按每平方米0.5元收费，困难家庭由社区党委协调减免。\n"
        "（四）重监督，把评价权交给居民。每季度组织居民代表对物业服务进行满意度测评，"
        "测评结果与物业企业服务费用拨付挂钩，连续两次测评不合格的由物业管理委员会"
        "提出更换意见；社区党委定期公示物业收支情况，接受居民监督，让居民既当“评委”"
        "又当“监督员”，推动物业企业从“要我服务”向“我要服务”转变。",
        "一是物业服务实现全覆盖，9个老旧小区全部有了规范物业服务，物业费收缴率达到86%。"
        "二是群众诉求明显下降，物业类诉求同比下降24%，群众满意度由71%提升到93%。"
        "三是党组织威信显著提高，一批党员骨干在议事协商中脱颖而出，2名物业企业党员"
        "被推选为居委会委员，“红色物业”成为社区治理的一张名片。",
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
    campaigns = list(
        Campaign.objects.filter(year=2026, status=CampaignStatus.ACTIVE).select_related("committee")
    )
    if not campaigns:
        out("述职报告：没有进行中的2026年度方案，跳过。")
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
    out(f"述职报告：新建述职报告 {made} 份，创新案例 {cases} 篇")
    return []
