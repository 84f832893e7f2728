"""The dashboard's figures as .xlsx (the same numbers the charts show)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from shuping.lib.xlsx import append_row, dress_table
from shuping.oversight.queries import OVERDUE, STAGES, Dashboard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(wb: Workbook, board: Dashboard, title: str, header: list[str]) -> Any:
    ws = wb.create_sheet(title)
    append_row(ws, [f"{board.root.name}{board.year}年度述职评议考核督导统计——{title}"])
    append_row(ws, header)
    return ws


def _finish(ws: Any, widths: list[int]) -> None:
    """Title over the table, borders, the header frozen and repeated when printed."""
    dress_table(ws, ncols=len(widths), header_row=2)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "B3"


def dashboard_xlsx(board: Dashboard) -> tuple[str, str, bytes]:
    # a few rows per branch and per round: an ordinary (styled) workbook is small enough
    wb = Workbook()
    for default in list(wb.worksheets):
        wb.remove(default)
    stage_labels = [label for _, label in STAGES]
    overdue_labels = [label for _, label in OVERDUE]
    ws = _sheet(wb, board, "各单位", ["单位", "方案数", *stage_labels, *overdue_labels])
    for b in board.branches:
        append_row(
            ws,
            [
                b.org.name,
                b.rounds,
                *[b.stages[key] for key, _ in STAGES],
                *[b.overdue[key] for key, _ in OVERDUE],
            ],
        )
    _finish(ws, [30, 8] + [10] * (len(stage_labels) + len(overdue_labels)))
    ws = _sheet(wb, board, "阶段", ["阶段", "处于该阶段", "已到达该阶段"])
    for (_, label, n), (_, reached) in zip(board.stages, board.funnel, strict=True):
        append_row(ws, [label, n, reached])
    _finish(ws, [18, 12, 14])
    ws = _sheet(wb, board, "逾期事项", ["事项", "方案数"])
    for label, n in board.overdue:
        append_row(ws, [label, n])
    _finish(ws, [24, 10])
    ws = _sheet(wb, board, "等次分布", ["等次", "有效票数"])
    for grade, n in board.grades:
        append_row(ws, [grade, n])
    _finish(ws, [18, 12])
    ws = _sheet(
        wb, board, "各轮方案", ["方案", "组织单位", "阶段", "述职人数", "已交报告", "逾期事项"]
    )
    for r in board.rounds:
        append_row(
            ws,
            [
                r.title,
                r.committee.name,
                r.stage_label,  # type: ignore[attr-defined]
                r.n_reporters,  # type: ignore[attr-defined]
                r.n_reports,  # type: ignore[attr-defined]
                "、".join(r.flags),  # type: ignore[attr-defined]
            ],
        )
    _finish(ws, [48, 24, 12, 10, 10, 30])
    buffer = io.BytesIO()
    wb.save(buffer)
    name = f"{board.root.name}{board.year}年度述职评议考核督导统计.xlsx"
    return name, XLSX, buffer.getvalue()
