"""综合评价汇总表 as .docx (official layout, rounds/documents.py) and .xlsx.

Both carry, per reporter, the grade with its trace (inputs → each rule → result →
overrides, approval, reopenings) and the written opinion. Exporters return
(filename, content_type, bytes); the rows come from one query.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Alignment

from shuping.assessment.models import Assessment, AssessmentBoard
from shuping.assessment.services import display_name
from shuping.lib.xlsx import append_row, dress_table
from shuping.rounds.documents import DOCX, HEI, SIZE_4, PlanWriter, cn_date, cn_number

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Row:
    number: int
    organization: str
    name: str
    position: str
    score: str
    rank: str
    proposed: str
    grade: str
    approved: str
    reason: str
    trace: list[str]
    opinion: list[tuple[str, str]]


def trace_lines(item: Assessment) -> list[str]:
    """The trace as plain lines, in the order a person reads it."""
    trace = item.trace or {}
    lines = [*trace.get("inputs", [])]
    for step in trace.get("steps", []):
        lines.append(f"{step['rule']}：{step['reason']}")
    for event in trace.get("events", []):
        lines.append(f"{event['at']} {event['who']}：{event['text']}")
    return lines


def rows(board: AssessmentBoard) -> Iterator[Row]:
    items = board.items.select_related("reporter__person", "reporter__organization").order_by(
        "reporter__order", "reporter_id"
    )
    for number, item in enumerate(items, start=1):
        yield Row(
            number=number,
            organization=item.reporter.organization.name,
            name=display_name(item),
            position=item.reporter.position,
            score=str(item.score) if item.score is not None else "—",
            rank=str(item.rank) if item.rank else "—",
            proposed=item.proposed_grade or "—",
            grade=item.grade or "—",
            approved=item.approved_grade,
            reason=item.override_reason,
            trace=trace_lines(item),
            opinion=[
                ("成绩", item.achievements),
                ("问题", item.problems),
                ("总体评价", item.overall),
                ("整改要求", item.rectification_required),
            ],
        )


def _title(board: AssessmentBoard) -> str:
    return f"{board.campaign.committee.name}{board.campaign.year}年度述职评议综合评价汇总表"


def _status_line(board: AssessmentBoard) -> str:
    if board.approved_at:
        ref = f"，{board.minute_ref}" if board.minute_ref else ""
        return f"{cn_date(board.approved_at.date())}研究审定{ref}（{board.get_state_display()}）"
    return f"状态：{board.get_state_display()}（未经研究审定，仅供研究参考）"


def summary_docx(board: AssessmentBoard) -> tuple[str, str, bytes]:
    w = PlanWriter()
    w.title(_title(board))
    w.para(_status_line(board), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, size=SIZE_4)
    w.para(indent=False)
    data = list(rows(board))
    w.table(
        ["序号", "党组织", "述职人", "综合得分", "建议等次", "评定等次"],
        [
            [str(r.number), r.organization, r.name, r.score, r.proposed, r.approved or r.grade]
            for r in data
        ],
        [14, 46, 22, 24, 25, 25],
    )
    for r in data:
        w.para(indent=False)
        w.heading(f"{cn_number(r.number)}、{r.name}（{r.organization}）")
        w.para(f"评定等次：{r.approved or r.grade}", font=HEI, size=SIZE_4)
        if r.reason:
            w.para(f"调整理由：{r.reason}", size=SIZE_4)
        w.para("评定过程：", size=SIZE_4)
        for line in r.trace:
            w.para(line, size=SIZE_4, line=None)
        for label, text in r.opinion:
            if text.strip():
                w.para(f"{label}：{text.strip()}", size=SIZE_4, line=None)
    name = f"{_title(board)}.docx"
    return name, DOCX, w.save()


def _sheet(wb: Workbook, title: str, board: AssessmentBoard, first: bool = False) -> Any:
    ws: Any = wb.active if first else wb.create_sheet()
    ws.title = title
    append_row(ws, [_title(board)])
    append_row(ws, [_status_line(board)])
    return ws


def _layout(ws: Any, header: list[str], widths: list[int]) -> None:
    """Wrapped cells with row heights from their text (LibreOffice and WPS do not grow
    rows by themselves), header repeated on every printed page, landscape, fit to width."""
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=3):
        lines = 1
        for cell, width in zip(row, widths, strict=False):
            cell.alignment = wrap
            text = str(cell.value or "")
            # a CJK character is about two width units
            need = sum(max(1, -(-len(part) * 2 // max(width - 1, 1))) for part in text.split("\n"))
            lines = max(lines, need)
        ws.row_dimensions[row[0].row].height = min(15 * lines + 3, 409)
    dress_table(ws, ncols=len(widths), header_row=3)


def summary_xlsx(board: AssessmentBoard) -> tuple[str, str, bytes]:
    """Two sheets: the list (one row a reporter) and the trace with the opinion."""
    data = list(rows(board))
    wb = Workbook()
    ws = _sheet(wb, "综合评价汇总表", board, first=True)
    header = [
        "序号",
        "党组织",
        "述职人",
        "职务",
        "综合得分",
        "排名",
        "建议等次",
        "评定等次",
        "审定等次",
        "调整理由",
    ]
    append_row(ws, header)
    for r in data:
        append_row(
            ws,
            [
                r.number,
                r.organization,
                r.name,
                r.position,
                r.score,
                r.rank,
                r.proposed,
                r.grade,
                r.approved,
                r.reason,
            ],
        )
    _layout(ws, header, [6, 30, 10, 24, 10, 6, 10, 10, 10, 30])
    ws.freeze_panes = "A4"
    detail = _sheet(wb, "评定过程和评价意见", board)
    header = ["序号", "述职人", "评定过程", "成绩", "问题", "总体评价", "整改要求"]
    append_row(detail, header)
    for r in data:
        append_row(
            detail,
            [
                r.number,
                f"{r.name}\n{r.organization}",
                "\n".join(r.trace),
                *[text for _, text in r.opinion],
            ],
        )
    _layout(detail, header, [6, 16, 60, 34, 34, 20, 34])
    detail.freeze_panes = "C4"
    buffer = io.BytesIO()
    wb.save(buffer)
    return f"{_title(board)}.xlsx", XLSX, buffer.getvalue()
