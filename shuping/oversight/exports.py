"""The dashboard's figures as .xlsx (the same numbers the charts show)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from shuping.lib.xlsx import append_row, dress_table
from shuping.oversight.queries import OVERDUE, STAGES, Dashboard, percent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RECT_HEADER = ["整改事项", "整改已完成", "整改逾期", "整改完成率（%）"]
REVIEW_HEADER = ["党员评议支部数", "党员评议已存档", "党员评议超期"]


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


def _figures(row: Any) -> list[Any]:
    """Rectification completion and member reviews of a branch or a round, as cells."""
    rate = percent(row.rect_done, row.rect_items)
    return [
        row.rect_items,
        row.rect_done,
        row.rect_overdue,
        "" if rate is None else rate,
        row.mr_total,
        row.mr_done,
        row.mr_overdue,
    ]


def dashboard_xlsx(board: Dashboard) -> tuple[str, str, bytes]:
    # a few rows per branch and per round: an ordinary (styled) workbook is small enough
    wb = Workbook()
    for default in list(wb.worksheets):
        wb.remove(default)
    stage_labels = [label for _, label in STAGES]
    overdue_labels = [label for _, label in OVERDUE]
    figures = [*RECT_HEADER, *REVIEW_HEADER]
    ws = _sheet(wb, board, "各单位", ["单位", "方案数", *stage_labels, *overdue_labels, *figures])
    for b in board.branches:
        append_row(
            ws,
            [
                b.org.name,
                b.rounds,
                *[b.stages[key] for key, _ in STAGES],
                *[b.overdue[key] for key, _ in OVERDUE],
                *_figures(b),
            ],
        )
    _finish(ws, [30, 8] + [10] * (len(stage_labels) + len(overdue_labels) + len(figures)))
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
        wb,
        board,
        "各轮方案",
        ["方案", "组织单位", "阶段", "述职人数", "已交报告", *figures, "逾期事项"],
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
                *_figures(r),
                "、".join(r.flags),  # type: ignore[attr-defined]
            ],
        )
    _finish(ws, [48, 24, 12, 10, 10] + [10] * len(figures) + [30])
    ws = _sheet(wb, board, "民主评议党员", ["阶段", "支部数"])
    for label, n in board.review_stages:
        append_row(ws, [label, n])
    _finish(ws, [18, 10])
    if board.member_reviews:
        ws = _sheet(
            wb, board, "本级党支部评议", ["党支部", "阶段", "党员人数", "已评定等次", "是否超期"]
        )
        for m in board.member_reviews:
            append_row(
                ws,
                [
                    m.branch.name,
                    m.get_stage_display(),
                    m.n_members,  # type: ignore[attr-defined]
                    m.n_graded,  # type: ignore[attr-defined]
                    "超期" if m.is_overdue else "",  # type: ignore[attr-defined]
                ],
            )
        _finish(ws, [30, 12, 10, 12, 10])
    buffer = io.BytesIO()
    wb.save(buffer)
    name = f"{board.root.name}{board.year}年度述职评议考核督导统计.xlsx"
    return name, XLSX, buffer.getvalue()
