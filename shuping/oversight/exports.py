"""The dashboard's figures as .xlsx (the same numbers the charts show)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from shuping.lib.xlsx import append_row
from shuping.oversight.queries import OVERDUE, STAGES, Dashboard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(wb: Workbook, title: str, width: int = 24) -> Any:
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"  # the header stays in view
    ws.column_dimensions["A"].width = width
    return ws


def dashboard_xlsx(board: Dashboard) -> tuple[str, str, bytes]:
    wb = Workbook(write_only=True)
    ws = _sheet(wb, "各单位")
    append_row(
        ws,
        ["单位", "方案数", *[label for _, label in STAGES], *[label for _, label in OVERDUE]],
    )
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
    ws = _sheet(wb, "阶段", 18)
    append_row(ws, ["阶段", "处于该阶段", "已到达该阶段"])
    for (_, label, n), (_, reached) in zip(board.stages, board.funnel, strict=True):
        append_row(ws, [label, n, reached])
    ws = _sheet(wb, "逾期事项", 18)
    append_row(ws, ["事项", "方案数"])
    for label, n in board.overdue:
        append_row(ws, [label, n])
    ws = _sheet(wb, "等次分布", 18)
    append_row(ws, ["等次", "有效票数"])
    for grade, n in board.grades:
        append_row(ws, [grade, n])
    ws = _sheet(wb, "各轮方案", 48)
    append_row(ws, ["方案", "组织单位", "阶段", "述职人数", "已交报告", "逾期事项"])
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
    buffer = io.BytesIO()
    wb.save(buffer)
    name = f"{board.root.name}{board.year}年度述职评议考核督导统计.xlsx"
    return name, XLSX, buffer.getvalue()
