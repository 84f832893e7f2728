"""Documents of the results stage; each returns (filename, content type, bytes).

Feedback letters (综合评价意见反馈), the 通报 and the 公示 print-out for the 党务公开栏
use the plan's official layout (`rounds.documents.PlanWriter`: GB/T 9704 margins,
仿宋_GB2312 三号 on a fixed 28 pt line, page numbers); the eligibility list for the
cadre department is an .xlsx written through `lib.xlsx.append_row`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta

from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Alignment

from shuping.lib.xlsx import append_row, dress_table
from shuping.results import source
from shuping.results.common import quoted
from shuping.results.models import (
    Announcement,
    ConsequenceTask,
    PublicNotice,
    ResultRecord,
    TaskState,
)
from shuping.results.publication import approved_records
from shuping.rounds.documents import DOCX, HEI, PlanWriter, cn_date
from shuping.rounds.models import Campaign

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit_year(campaign: Campaign) -> str:
    """File names people keep: the unit's name and the year, never an internal code."""
    return f"{campaign.committee.name}{campaign.year}年度"


def issuer_of(campaign: Campaign) -> str:
    issuer = campaign.parsed_rules.document.issuer
    name = campaign.committee.name
    text = issuer.replace("{committee}", name).replace("{year}", str(campaign.year))
    return text or f"中共{name}"


def _who(rec: ResultRecord) -> str:
    person = rec.reporter.person
    return person.name if person is not None else "（书记空缺）"


def _paragraphs(w: PlanWriter, text: str, empty: str = "无。") -> None:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for line in lines or [empty]:
        w.para(line)


def _tasks_by_reporter(campaign: Campaign) -> dict[int, list[ConsequenceTask]]:
    found: dict[int, list[ConsequenceTask]] = {}
    for task in ConsequenceTask.objects.filter(campaign=campaign).exclude(
        state=TaskState.CANCELLED
    ):
        found.setdefault(task.reporter_id, []).append(task)
    return found


def _letter(
    w: PlanWriter,
    campaign: Campaign,
    rec: ResultRecord,
    opinion: source.Opinion | None,
    tasks: list[ConsequenceTask],
    issued_on: date,
) -> None:
    rules = campaign.parsed_rules
    w.title(f"关于{rec.reporter.organization.name}书记抓基层党建工作述职评议综合评价意见的反馈")
    w.para(f"{_who(rec)}同志：", indent=False)
    w.para(
        f"根据{quoted(campaign.title)}安排，经述职评议、民主测评和综合研判，"
        f"{rules.results.feedback_by or campaign.committee.name}对你{campaign.year}年度"
        "抓基层党建工作情况作出综合评价，现反馈如下。"
    )
    w.heading("一、综合评价等次")
    w.para(f"综合评价等次为“{rec.grade}”。")
    w.heading("二、主要成绩")
    _paragraphs(w, opinion.achievements if opinion else "")
    w.heading("三、存在问题")
    _paragraphs(w, opinion.problems if opinion else "")
    w.heading("四、总体评价")
    _paragraphs(w, opinion.overall if opinion else "")
    w.heading("五、整改要求")
    _paragraphs(w, opinion.rectification_required if opinion else "", empty="")
    rectify = next((t for t in tasks if t.kind == "rectify"), None)
    due = rectify.due_on if rectify and rectify.due_on else None
    if due is None and rules.results.rectify_days:
        due = issued_on + timedelta(days=rules.results.rectify_days)
    to = rules.rectification.reported_to if rules.rectification else ""
    w.para(
        "请对照上述问题，认真制定整改方案，明确整改措施、责任和时限，逐项抓好整改落实"
        + (
            f"，于{cn_date(due)}前将整改落实情况报{to or campaign.committee.name}。"
            if due
            else "。"
        )
    )
    others = [t for t in tasks if t.kind != "rectify"]
    if others or not rec.annual_excellent:
        w.heading("六、结果运用")
        previous = ""
        for i, task in enumerate(others, start=1):
            when = f"（{cn_date(task.due_on)}前）" if task.due_on else ""
            basis = f"依据：{task.reason}。" if task.reason != previous else ""
            w.para(f"{i}.{task.title}{when}。{basis}")
            previous = task.reason
        if not rec.annual_excellent:
            w.para(f"{rec.annual_excellent_reason}。")
    w.para()
    w.para(issuer_of(campaign), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    w.para(cn_date(issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)


def feedback_letters(
    campaign: Campaign, records: Sequence[ResultRecord], *, issued_on: date | None = None
) -> tuple[str, str, bytes]:
    """One letter per secretary (each on its own pages), one file."""
    issued_on = issued_on or timezone.localdate()
    opinions = source.opinions(campaign)
    tasks = _tasks_by_reporter(campaign)
    w = PlanWriter()
    for i, rec in enumerate(records):
        if i:
            w.page_break()
        _letter(
            w,
            campaign,
            rec,
            opinions.get(rec.reporter_id),
            tasks.get(rec.reporter_id, []),
            issued_on,
        )
    if len(records) == 1:
        unit = records[0].reporter.organization.name
        name = f"{_unit_year(campaign)}述职评议反馈意见（{unit}）.docx"
    else:
        name = f"{_unit_year(campaign)}述职评议反馈意见.docx"
    return name, DOCX, w.save()


def _results_table(w: PlanWriter, records: Sequence[ResultRecord]) -> None:
    rows = [
        [str(i), rec.reporter.organization.name, _who(rec), rec.grade]
        for i, rec in enumerate(records, start=1)
    ]
    w.table(["序号", "党组织", "书记", "综合评价等次"], rows, [14, 72, 28, 42])


def announcement_document(ann: Announcement) -> tuple[str, str, bytes]:
    campaign = ann.campaign
    records = list(approved_records(campaign))
    issuer = issuer_of(campaign)
    w = PlanWriter()
    w.red_head(issuer, ann.doc_number)
    w.title(ann.title)
    if ann.recipients:
        w.para(f"{ann.recipients}：", indent=False)
    _paragraphs(w, ann.body)
    w.para()
    w.para("附件：述职评议考核综合评价结果")
    w.para()
    w.para(issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    w.para(
        cn_date(ann.issued_on or timezone.localdate()), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False
    )
    if ann.range_text:
        w.para(f"（此件{_range_phrase(ann.range_text)}通报）", indent=True)
    w.page_break()
    w.para("附件", font=HEI, indent=False)
    w.title("述职评议考核综合评价结果")
    _results_table(w, records)
    state = "" if ann.state == "issued" else "（草稿）"
    return f"{_unit_year(campaign)}述职评议考核结果通报{state}.docx", DOCX, w.save()


def _range_phrase(text: str) -> str:
    text = text.strip()
    if text.startswith(("在", "于")):
        return text
    return f"在{text}"


def notice_document(notice: PublicNotice) -> tuple[str, str, bytes]:
    """The print-out for the 党务公开栏."""
    campaign = notice.campaign
    records = list(approved_records(campaign))
    w = PlanWriter()
    w.title(notice.title)
    _paragraphs(w, notice.body)
    w.para()
    _results_table(w, records)
    w.para()
    if notice.starts_on and notice.ends_on:
        w.para(f"公示时间：{cn_date(notice.starts_on)}至{cn_date(notice.ends_on)}")
    if notice.contact:
        w.para(f"意见受理：{notice.contact}")
    w.para()
    w.para(issuer_of(campaign), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    w.para(
        cn_date(notice.starts_on or timezone.localdate()),
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        indent=False,
    )
    return f"{_unit_year(campaign)}述职评议考核结果公示.docx", DOCX, w.save()


ELIGIBILITY_HEADER = [
    "序号",
    "党组织",
    "书记",
    "综合评价等次",
    "年度考核可否评为优秀",
    "说明",
    "单位其他评先评优资格",
    "说明",
    "组织标记",
    "结果运用事项",
]


def _excellent(rec: ResultRecord, *, limited: bool) -> str:
    if not limited:
        return "本轮未作限制"
    return "可以" if rec.annual_excellent else "不得评为优秀"


def eligibility_rows(campaign: Campaign) -> list[list[str]]:
    rules = campaign.parsed_rules
    titles = {f.key: f.title for f in rules.results.flags}
    tasks = _tasks_by_reporter(campaign)
    rows = []
    for i, rec in enumerate(approved_records(campaign), start=1):
        rows.append(
            [
                str(i),
                rec.reporter.organization.name,
                _who(rec),
                rec.grade,
                _excellent(rec, limited=bool(rules.consequences)),
                rec.annual_excellent_reason,
                "取消" if rec.unit_awards_revoked else "保留",
                rec.unit_awards_reason,
                "、".join(titles.get(f, f) for f in rec.flags),
                "、".join(t.title for t in tasks.get(rec.reporter_id, [])),
            ]
        )
    return rows


def eligibility_xlsx(campaign: Campaign) -> tuple[str, str, bytes]:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "评优资格"
    append_row(ws, [f"{campaign.title}——综合评价结果运用名单（供组织人事部门年度考核使用）"])
    append_row(ws, ELIGIBILITY_HEADER)
    rows = eligibility_rows(campaign)
    for row in rows:
        append_row(ws, row)
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    dress_table(ws, ncols=len(ELIGIBILITY_HEADER), header_row=2)
    revoked = [row[1] for row in rows if row[6] == "取消"]
    if revoked:
        append_row(ws, [])
        append_row(ws, [f"取消其他评先评优资格的单位：{'、'.join(revoked)}"])
    basis = campaign.parsed_rules.results.basis
    if basis:
        append_row(ws, [])
        append_row(ws, [f"说明：{basis}。"])
    ws.freeze_panes = "A3"
    for col, width in zip("ABCDEFGHIJ", (6, 30, 12, 14, 20, 44, 20, 44, 24, 40), strict=True):
        ws.column_dimensions[col].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return f"{_unit_year(campaign)}评优资格名单.xlsx", XLSX, buffer.getvalue()
