"""The office's inputs (日常管理考核得分, 年度党建考核结果) as an .xlsx round trip.

The template lists the round's reporters by 组织编码; the office fills in the two
columns and uploads it. Validated like the roster import (organizations/roster_check.py):
every bad row is listed with sheet, row, column and a Chinese message, and one bad
row imports nothing. Limits: file size and row count, each with a clear message.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from shuping.assessment.models import Assessment
from shuping.assessment.services import (
    _require_editable,
    _require_manager,
    display_name,
    ensure_board,
    parse_daily_score,
)
from shuping.audit.services import record
from shuping.lib.errors import DomainError
from shuping.lib.import_errors import RowError
from shuping.lib.types import Actor
from shuping.lib.xlsx import append_row
from shuping.organizations.roster_read import RosterInvalid, cell_text
from shuping.rounds.models import Campaign

SHEET = "考核情况"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("序号", "组织编码", "党组织", "述职人", "日常管理考核得分", "年度党建考核结果")
REQUIRED = ("组织编码", "日常管理考核得分", "年度党建考核结果")


@dataclass(frozen=True)
class InputsResult:
    updated: int
    unchanged: int


def template(campaign: Campaign) -> tuple[str, str, bytes]:
    board = ensure_board(campaign)
    wb = Workbook()
    ws: Any = wb.active
    ws.title = SHEET
    append_row(ws, list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    items = board.items.select_related("reporter__organization", "reporter__person").order_by(
        "reporter__order", "reporter_id"
    )
    for n, item in enumerate(items, start=1):
        append_row(
            ws,
            [
                n,
                item.reporter.organization.code,
                item.reporter.organization.name,
                display_name(item),
                float(item.daily_score) if item.daily_score is not None else None,
                item.annual_result,
            ],
        )
    for col, width in zip("ABCDEF", (6, 14, 30, 12, 18, 18), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    for line in (
        "只填写“日常管理考核得分”（0 到 100 的数字，可留空）"
        "和“年度党建考核结果”（不超过 20 字，可留空）。",
        "按“组织编码”对应述职人，请勿修改编码；党组织和述职人两列只供核对。",
        "任何一行有错误时整份文件都不导入，页面会列出每一处错误。",
    ):
        append_row(notes, [line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    wb.save(buffer)
    name = f"{campaign.committee.name}{campaign.year}年度综合评价考核情况.xlsx"
    return name, XLSX, buffer.getvalue()


def read_rows(
    data: bytes, codes: dict[str, int]
) -> tuple[dict[int, tuple[Decimal | None, str]], list[RowError]]:
    """{assessment id: (score, annual)} and every error; nothing is written here."""
    if not data:
        return {}, [RowError("文件", 0, "", "文件是空的。")]
    if len(data) > MAX_BYTES:
        return {}, [RowError("文件", 0, "", f"文件不能超过 {MAX_BYTES // 1024 // 1024} MB。")]
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        return {}, [RowError("文件", 0, "", "无法读取文件，请上传 Excel 表格。")]
    if SHEET not in wb.sheetnames:
        return {}, [RowError("文件", 0, "", f"找不到工作表「{SHEET}」，请使用下载的模板。")]
    it = wb[SHEET].iter_rows(values_only=True)
    header = [cell_text(h).rstrip("*＊") for h in (next(it, None) or ())]
    index = {title: i for i, title in enumerate(header) if title in COLUMNS}
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        return {}, [RowError(SHEET, 1, "、".join(missing), "缺少必需的列。")]
    out: dict[int, tuple[Decimal | None, str]] = {}
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(it, start=2):
        if number - 1 > MAX_ROWS:
            errors.append(RowError(SHEET, number, "", f"最多 {MAX_ROWS} 行，请分批导入。"))
            break

        def cell(column: str, raw: Any = raw) -> str:
            i = index[column]
            return cell_text(raw[i]) if i < len(raw) else ""

        code, score_text, annual = (
            cell("组织编码"),
            cell("日常管理考核得分"),
            cell("年度党建考核结果"),
        )
        if not (code or score_text or annual):
            continue
        row_ok = True
        if not code:
            errors.append(RowError(SHEET, number, "组织编码", "请填写组织编码。"))
            row_ok = False
        elif code not in codes:
            errors.append(RowError(SHEET, number, "组织编码", f"“{code}”不是本轮的述职单位。"))
            row_ok = False
        elif code in seen:
            errors.append(RowError(SHEET, number, "组织编码", f"与第{seen[code]}行重复。"))
            row_ok = False
        else:
            seen[code] = number
        try:
            score = parse_daily_score(score_text)
        except DomainError as exc:
            errors.append(RowError(SHEET, number, "日常管理考核得分", exc.message))
            row_ok = False
        if len(annual) > 20:
            errors.append(RowError(SHEET, number, "年度党建考核结果", "不能超过 20 字。"))
            row_ok = False
        if row_ok:
            out[codes[code]] = (score, annual)
    wb.close()
    return out, errors


def import_inputs(campaign: Campaign, *, actor: Actor, data: bytes) -> InputsResult:
    """All rows or none; raises RosterInvalid listing every bad row."""
    board = ensure_board(campaign)
    _require_manager(actor, campaign)
    codes = dict(board.items.values_list("reporter__organization__code", "pk"))
    values, errors = read_rows(data, codes)
    if errors:
        raise RosterInvalid(errors)
    with transaction.atomic():
        items = list(Assessment.objects.select_for_update().filter(pk__in=list(values)))
        locked_board = board.__class__.objects.select_for_update().get(pk=board.pk)
        changed = []
        for item in items:
            _require_editable(locked_board, item, "导入考核情况")
            score, annual = values[item.pk]
            if item.daily_score != score or item.annual_result != annual:
                item.daily_score, item.annual_result = score, annual
                changed.append(item)
        Assessment.objects.bulk_update(changed, ["daily_score", "annual_result"])
        record(
            actor=actor,
            action="assessment.import_inputs",
            target=locked_board,
            organization=campaign.committee,
            changes={"updated": len(changed), "rows": len(values)},
        )
    return InputsResult(updated=len(changed), unchanged=len(values) - len(changed))
