"""Roster import, step one: reading the workbook and parsing its cells (no database).

    rows, errors = read_workbook(data)         # cells -> RosterRows, plus structural errors

Here live the upload limits (`MAX_BYTES`, `MAX_ROWS`, `MAX_SCANNED`, and the command's
larger ones), the cell parsers the other imports share (`cell_value`, `cell_text`, `parse_date`,
`_choice`, ID number check digits) and `RosterInvalid`, the error every import raises
with its list of bad rows. Checking the rows is `roster_check`'s; writing them is
`roster_import`'s. The layout read is `roster_layout`'s.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl import load_workbook

from shuping.lib.import_errors import RowError
from shuping.organizations.roster_layout import ORG_SHEET, PERSON_SHEET, SHEETS


@dataclass
class RosterRow:
    sheet: str
    number: int  # the row number as Excel shows it
    values: dict[str, Any]


class RosterInvalid(Exception):
    """The file has bad rows; nothing was imported."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(f"{len(errors)} 处错误")
        self.errors = list(errors)


def cell_value(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# Bounded work per upload: a file is read row by row (openpyxl read-only) and
# refused past these limits, so no upload can hold a worker for long or fill its memory.
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000  # data rows over both sheets
MAX_SCANNED = 100_000  # rows read, empty ones included
TOO_MANY_ROWS = f"文件超过 {MAX_ROWS} 行数据（或含大量空行），请删除空行或分批导入。"
# `shuping import-roster` runs on the server, not in a request: a whole province's file.
COMMAND_MAX_BYTES = 100 * 1024 * 1024
COMMAND_MAX_ROWS = 1_000_000


def too_many_rows(max_rows: int) -> str:
    return f"文件超过 {max_rows} 行数据（或含大量空行），请删除空行或分批导入。"


def read_workbook(
    data: bytes, *, max_rows: int | None = None, max_bytes: int | None = None
) -> tuple[list[RosterRow], list[RowError]]:
    """The rows of both sheets keyed by column key, plus structural errors
    (unreadable file, missing sheet or required header, too large). The limits default
    to an upload's (read when called, so tests can lower them)."""
    max_rows = max_rows or MAX_ROWS
    max_bytes = max_bytes or MAX_BYTES
    max_scanned = MAX_SCANNED * max_rows // MAX_ROWS
    if len(data) > max_bytes:
        return [], [
            RowError("文件", 0, "", f"文件超过 {max_bytes // 1024 // 1024} MB，请分批导入。")
        ]
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        return [], [RowError("文件", 0, "", "无法读取文件，请上传 .xlsx 格式的花名册。")]
    scanned = 0
    rows: list[RosterRow] = []
    errors: list[RowError] = []
    sheet_names = [name for name in SHEETS if name in wb.sheetnames]
    if not sheet_names:
        errors.append(RowError("文件", 0, "", f"找不到工作表「{ORG_SHEET}」或「{PERSON_SHEET}」。"))
    for sheet_name in sheet_names:
        columns = SHEETS[sheet_name]
        by_header = {c.header: c for c in columns}
        it = wb[sheet_name].iter_rows(values_only=True)
        header = next(it, None) or ()
        index: dict[str, int] = {}
        for i, title in enumerate(header):
            title = str(title or "").strip().rstrip("*＊").strip()
            if title in by_header:
                index[by_header[title].key] = i
        missing = [c.header for c in columns if c.required and c.key not in index]
        if missing:
            errors.append(RowError(sheet_name, 1, "、".join(missing), "缺少必需的列。"))
            continue
        for number, raw in enumerate(it, start=2):
            scanned += 1
            if scanned > max_scanned or len(rows) >= max_rows:
                wb.close()
                return [], [RowError("文件", 0, "", too_many_rows(max_rows))]
            values = {key: cell_value(raw[i]) if i < len(raw) else None for key, i in index.items()}
            if all(v is None for v in values.values()):
                continue
            rows.append(RosterRow(sheet_name, number, values))
    wb.close()
    return rows, errors


DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
EXCEL_EPOCH = date(1899, 12, 30)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def parse_date(value: Any) -> date:
    """A date from a date cell, an Excel serial number or one of the common spellings."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 1 < value < 100000:
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = str(value).strip().split(" ")[0]
    for pattern in DATE_PATTERNS:
        if m := pattern.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(text)


def id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def valid_id_number(value: str) -> bool:
    return bool(re.fullmatch(r"\d{17}[\dX]", value)) and id_check_digit(value[:17]) == value[17]


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(value: Any, choices: type[Any]) -> str:
    """Accept the Chinese label or the stored code; raise ValueError otherwise."""
    text = cell_text(value)
    code = _accepted(choices).get(text)
    if code is None:
        raise ValueError(text)
    return code


# `Choices.choices` builds a new list on every call, and an import asks four times a
# row: 400,000 times for a province's file. Each class's accepted texts, once.
_ACCEPTED: dict[str, dict[str, str]] = {}


def _accepted(choices: type[Any]) -> dict[str, str]:
    key = f"{choices.__module__}.{choices.__qualname__}"
    accepted = _ACCEPTED.get(key)
    if accepted is None:
        accepted = {}
        for code, label in reversed(choices.choices):  # the first match wins, as it did
            accepted[str(label)] = accepted[str(code)] = str(code)
        _ACCEPTED[key] = accepted
    return accepted


def _enum_list(choices: type[Any]) -> str:
    return "、".join(str(label) for label in choices.labels)
