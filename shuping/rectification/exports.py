"""The ledger as offices keep it: 整改台账 (.xlsx, .docx), a secretary's 整改方案 (.docx)
and the periodic 整改进展通报 (.docx). Each returns (filename, content_type, bytes).

Items are read with their sources in two queries, however many rows.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from shuping.lib.xlsx import append_row
from shuping.organizations.roster_export import HEADER_FILL, fit_for_print
from shuping.organizations.roster_layout import XLSX
from shuping.rectification.models import Item, ItemStatus, Plan, overdue_q
from shuping.rounds.documents import DOCX, HEI, PlanWriter, cn_date, cn_number
from shuping.rounds.models import Campaign, Reporter

COLUMNS = (
    ("序号", 6),
    ("问题", 40),
    ("来源", 14),
    ("原因", 24),
    ("整改措施", 40),
    ("责任领导", 10),
    ("责任单位", 16),
    ("整改时限", 12),
    ("进展情况", 30),
    ("状态", 10),
    ("销号时间", 12),
)
HEADERS = tuple(c[0] for c in COLUMNS)


def ledger_rows(items: Iterable[Item], today: date) -> Iterable[list[object]]:
    for i, item in enumerate(items, start=1):
        cause = item.cause
        if item.cause_kind:
            cause = (
                f"{item.get_cause_kind_display()}：{cause}"
                if cause
                else item.get_cause_kind_display()
            )
        yield [
            i,
            item.problem,
            item.source_labels,
            cause,
            item.measures,
            item.leader,
            item.unit or item.organization.name,
            item.deadline,
            item.progress,
            item.status_label(today),
            timezone.localdate(item.closed_at) if item.closed_at else None,
        ]


def _items(qs: QuerySet[Item]) -> QuerySet[Item]:
    return qs.select_related("organization").prefetch_related("sources")


def ledger_xlsx(items: QuerySet[Item], *, title: str) -> tuple[str, str, bytes]:
    today = timezone.localdate()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "整改台账"
    append_row(ws, [title])  # the unit and year, as the office's own tables carry them
    for i, (header, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=2, column=i, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[cell.column_letter].width = width
    widths = [w for _, w in COLUMNS]
    for row in ledger_rows(_items(items), today):
        append_row(ws, row)
        for written in ws[ws.max_row]:
            written.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(written.value, date):
                written.number_format = "yyyy-mm-dd"
        # Excel and WPS do not grow rows for wrapped text by themselves: a Chinese
        # character is about two width units, 15 points a line
        lines = max(
            -(-len(str(v or "")) * 2 // max(w - 1, 1)) for v, w in zip(row, widths, strict=True)
        )
        ws.row_dimensions[ws.max_row].height = 15 * max(lines, 1)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "C3"  # title, header and the 序号/问题 columns stay in sight
    fit_for_print(ws)
    ws.print_title_rows = "2:2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return f"{title}.xlsx", XLSX, buffer.getvalue()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value.year}.{value.month}.{value.day}"
    return str(value)


def _ledger_table(writer: PlanWriter, items: Iterable[Item], today: date) -> None:
    header = ["序号", "问题", "整改措施", "责任领导", "整改时限", "状态"]
    rows = [
        [_text(r[0]), _text(r[1]), _text(r[4]), _text(r[5]), _text(r[7]), _text(r[9])]
        for r in ledger_rows(items, today)
    ]
    # columns sum to the 156 mm type area of an A4 公文 page; at 小四 "序号", a date and
    # "已销号" each stay on one line (a character is 4.2 mm, a cell's padding 3.8 mm)
    writer.table(header, rows, [13, 43, 39, 21, 24, 16], size=Pt(12))


def ledger_docx(items: QuerySet[Item], *, title: str) -> tuple[str, str, bytes]:
    today = timezone.localdate()
    writer = PlanWriter()
    writer.title(title)
    _ledger_table(writer, _items(items), today)
    return f"{title}.docx", DOCX, writer.save()


def plan_docx(plan: Plan) -> tuple[str, str, bytes]:
    """A secretary's 整改方案 in 公文 layout: the problems (问题清单), each with cause,
    measures, responsibility and deadline (责任清单、整改清单), then the table."""
    reporter: Reporter = plan.reporter
    campaign = reporter.campaign
    org = reporter.organization
    today = timezone.localdate()
    items = list(_items(Item.objects.filter(reporter=reporter)).order_by("number", "id"))
    writer = PlanWriter()
    title = f"{org.name}关于{campaign.year}年度党建述职评议考核问题的整改方案"
    writer.title(title)
    # addressed to the committee that runs the round (the preset names it generically)
    writer.para(f"{campaign.committee.name}：", indent=False)
    writer.para(
        f"根据{campaign.title}要求，对照自己查摆、上级点评、群众评议和考核反馈指出的问题，"
        f"逐项列出问题清单、责任清单和整改清单，制定整改方案如下。"
    )
    writer.heading("一、问题清单及整改措施")
    for i, item in enumerate(items, start=1):
        writer.subheading(f"（{cn_number(i)}）{item.problem.rstrip('。')}。")
        if item.cause or item.cause_kind:
            kind = item.get_cause_kind_display() if item.cause_kind else "原因"
            writer.para(f"{kind}：{item.cause or '（待补充）'}")
        writer.para(f"整改措施：{item.measures or '（待补充）'}")
        who = "；".join(
            t
            for t in (
                f"责任领导：{item.leader}" if item.leader else "",
                f"责任单位：{item.unit}" if item.unit else "",
            )
            if t
        )
        deadline = (
            f"整改时限：{cn_date(item.deadline)}前" if item.deadline else "整改时限：（待补充）"
        )
        writer.para("；".join(t for t in (who, deadline) if t) + "。")
        if item.recurs_of_id:
            writer.para("（此问题与往年整改事项相似，属反复出现的问题，须从根源上整改。）")
    writer.heading("二、工作要求")
    writer.para(
        "建立整改台账，实行销号管理，逐项明确责任领导和完成时限，定期报告整改进展，"
        "整改落实情况作为下一年度述职的重点内容，防止“年年述、年年改、年年在”。"
    )
    writer.para()
    sign = writer.para(org.name, indent=False)
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    when = writer.para(
        cn_date(plan.submitted_at.date() if plan.submitted_at else today), indent=False
    )
    when.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    writer.page_break()
    writer.para("附件", font=HEI, indent=False)
    writer.title(f"{org.name}整改台账")
    _ledger_table(writer, items, today)
    return f"{org.name}整改方案.docx", DOCX, writer.save()


# --- the progress report (定期通报整改进展) ---------------------------------------------------


def completion_rows(campaign: Campaign, today: date) -> list[dict[str, object]]:
    """Per reporter: items, closed, waiting for sign-off, overdue — one aggregate query."""
    rows = (
        Item.objects.filter(reporter__campaign=campaign)
        .values("reporter_id", "organization__name", "reporter__order")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(status=ItemStatus.CLOSED)),
            done=Count("id", filter=Q(status=ItemStatus.DONE)),
            overdue=Count("id", filter=overdue_q(today)),
            recurring=Count("id", filter=Q(recurs_of__isnull=False)),
        )
        .order_by("reporter__order", "reporter_id")
    )
    return list(rows)


def progress_report_docx(
    campaign: Campaign, *, today: date | None = None
) -> tuple[str, str, bytes]:
    today = today or timezone.localdate()
    rows = completion_rows(campaign, today)
    total = sum(int(r["total"]) for r in rows)  # type: ignore[call-overload]
    closed = sum(int(r["closed"]) for r in rows)  # type: ignore[call-overload]
    overdue_items = list(
        Item.objects.filter(overdue_q(today), reporter__campaign=campaign)
        .select_related("organization")
        .order_by("deadline", "organization__path", "number")
    )
    recurring = sum(int(r["recurring"]) for r in rows)  # type: ignore[call-overload]
    writer = PlanWriter()
    writer.title(f"关于{campaign.year}年度述职评议考核问题整改进展情况的通报")
    rate = f"{closed * 100 / total:.1f}%" if total else "—"
    writer.para(
        f"截至{cn_date(today)}，{campaign.title}共梳理整改事项{total}项，已销号{closed}项，"
        f"整改完成率{rate}；逾期未完成{len(overdue_items)}项；与往年问题相似、反复出现的{recurring}项。"
        "现将整改进展情况通报如下。"
    )
    writer.heading("一、各单位整改进展")
    writer.table(
        ["党组织", "事项", "已销号", "待核", "逾期", "完成率"],
        [
            [
                str(r["organization__name"]),
                str(r["total"]),
                str(r["closed"]),
                str(r["done"]),
                str(r["overdue"]),
                f"{int(r['closed']) * 100 / int(r['total']):.0f}%" if r["total"] else "—",  # type: ignore[call-overload]
            ]
            for r in rows
        ],
        [60, 18, 20, 18, 18, 22],
    )
    writer.heading("二、逾期未完成的事项")
    if overdue_items:
        writer.table(
            ["党组织", "问题", "整改时限"],
            [[i.organization.name, i.problem, _text(i.deadline)] for i in overdue_items],
            [40, 84, 32],
        )
    else:
        writer.para("无。")
    writer.heading("三、下一步要求")
    writer.para(
        "逾期事项所在党组织要说明原因、明确新的完成时限，书记亲自督办；已完成待核的事项，"
        "组织部门及时核查销号；反复出现的问题要深挖根源，防止“年年述、年年改、年年在”。"
    )
    return f"{campaign.committee.name}{campaign.year}年度整改进展通报.docx", DOCX, writer.save()
