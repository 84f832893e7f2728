"""Writing spreadsheet rows that cannot attack the reader.

A cell whose text begins with =, +, -, @ (or a tab/CR) is a formula to Excel and WPS
when typed; openpyxl even writes "=…" as a real formula. Every exporter appends its
rows through `append_row`, which keeps such text a plain string cell, so a person
named `=HYPERLINK(…)` stays a name. Control characters a worksheet cannot hold (text
stored before input was cleaned, or read from an imported file) are dropped instead
of failing the whole export.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

RISKY_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(RISKY_PREFIXES)


def _storable(value: Any) -> Any:
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def append_row(ws: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """`ws.append(values)`, with formula-like text stored as text."""
    values = [_storable(v) for v in values]
    if isinstance(ws, WriteOnlyWorksheet):
        row: list[Any] = []
        for value in values:
            if is_risky(value):
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"
                row.append(cell)
            else:
                row.append(value)
        ws.append(row)
        return
    ws.append(values)
    for written in ws[ws.max_row]:
        if is_risky(written.value):
            written.data_type = "s"
