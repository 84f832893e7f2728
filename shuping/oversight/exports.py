"""The dashboard's figures as .xlsx (the same numbers the charts show)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from shuping.lib.xlsx import append_row
from shuping.oversight.queries import OVERDUE, STAGES, Dashboard, percent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(wb: Workbook, title: str, width: int = 24) -> Any:
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"  # the header stays in view
    ws.column_dimensions["A"].width = width
    return ws


RECT_HEADER = ["整改事项", "整改已完成", "整改逾期", "整改完成率（%）"]
REVIEW_HEADER = ["党员评议支部数", "党员评议已存档", "党员评议超期"]


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
    wb = Workbook(write_only=True)
    ws = _sheet(wb, "各单位")
    append_row(
        ws,
        [
            "单位",
            "方案数",
            *[label for _, label in STAGES],
            *[label for _, label in OVERDUE],
            *RECT_HEADER,
            *REVIEW_HEADER,
        ],
    )
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
    append_row(
        ws,
        [
            "方案",
            "组织单位",
            "阶段",
            "述职人数",
            "已交报告",
            *RECT_HEADER,
            *REVIEW_HEADER,
            "逾期事项",
        ],
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
    ws = _sheet(wb, "民主评议党员", 18)
    append_row(ws, ["阶段", "支部数"])
    for label, n in board.review_stages:
        append_row(ws, [label, n])
    if board.member_reviews:
        append_row(ws, [])
        append_row(ws, ["本级所属党支部", "阶段", "党员人数", "已评定等次", "是否超期"])
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
    buffer = io.BytesIO()
    wb.save(buffer)
    name = f"{board.root.name}{board.year}年度述职评议考核督导统计.xlsx"
    return name, XLSX, buffer.getvalue()
