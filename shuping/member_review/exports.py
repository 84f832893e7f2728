"""Exports return (filename, content_type, bytes); rows go through lib.xlsx.append_row."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from shuping.lib.types import Viewer
from shuping.lib.xlsx import append_row, print_landscape
from shuping.member_review.overview import round_rows
from shuping.rounds.models import Campaign

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _yes(value: bool) -> str:
    return "是" if value else "否"


def round_xlsx(campaign: Campaign, *, user: Viewer, today: date) -> tuple[str, str, bytes]:
    """民主评议党员进度及结果汇总表: one row per branch, then the totals."""
    view = round_rows(campaign, user=user, today=today)
    wb = Workbook()  # one row per branch: a few hundred rows, styled like the office's tables
    ws = wb.active
    assert ws is not None
    ws.title = "民主评议党员"
    append_row(ws, [f"{campaign.title} · 民主评议党员进度及结果汇总（{today:%Y-%m-%d}）"])
    header = [
        "党支部",
        "阶段",
        "党员人数",
        "已自评",
        "支委会已审议",
        "已召开党员大会",
        "已公示",
        "公示期满存档",
        "已上报",
        "本人已确认",
        *view.scale,
        "超期情况",
    ]
    append_row(ws, header)
    for row in view.rows:
        append_row(
            ws,
            [
                row["branch"],
                row["stage_label"],
                row["total"],
                row["self_in"],
                _yes(row["reviewed"]),
                _yes(row["meeting_held"]),
                _yes(row["published"]),
                _yes(row["publicity_done"]),
                _yes(row["reported"]),
                row["confirmed"],
                *[n for _, n in row["grades"]],
                row["overdue"],
            ],
        )
    t = view.totals
    append_row(
        ws,
        [
            f"合计（{len(view.rows)} 个支部）",
            "",
            t.get("total", 0),
            t.get("self_in", 0),
            sum(r["reviewed"] for r in view.rows),
            sum(r["meeting_held"] for r in view.rows),
            sum(r["published"] for r in view.rows),
            sum(r["publicity_done"] for r in view.rows),
            sum(r["reported"] for r in view.rows),
            t.get("confirmed", 0),
            *[n for _, n in view.grade_totals],
            f"超期 {view.overdue} 个",
        ],
    )
    _style(ws, len(header))
    buf = io.BytesIO()
    wb.save(buf)
    return f"{campaign.title}-民主评议党员汇总.xlsx", XLSX, buf.getvalue()


def _style(ws: Any, columns: int) -> None:
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    ws["A1"].font = Font(size=14, bold=True)
    ws["A1"].alignment = center
    ws.row_dimensions[1].height = 28
    ws.row_dimensions[2].height = 32  # two-line column headings
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.border = border
            cell.alignment = center
            if cell.row == 2 or cell.row == ws.max_row:
                cell.font = Font(bold=True)
    for i in range(1, columns + 1):
        width = 26 if i == 1 else 22 if i == columns else 13 if i == 2 else 9
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "B3"  # title and header rows, and the branch names, stay in sight
    print_landscape(ws, header_row=2)
