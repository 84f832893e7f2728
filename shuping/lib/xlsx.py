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


def dress_table(
    ws: Worksheet, *, ncols: int, header_row: int, last_row: int | None = None, font: str = "宋体"
) -> None:
    """The look of an office's table: the title rows above the header merged across the
    table and centred, the header bold and centred, thin borders round every cell of
    the table, the header repeated on printed pages, landscape and fit to width. The
    caller freezes the panes (where depends on its columns)."""
    from openpyxl.styles import Alignment, Border, Font, Side

    last_row = last_row or ws.max_row
    for r in range(1, header_row):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
        cell = ws.cell(row=r, column=1)
        if r == 1:
            cell.font = Font(name=font, size=16, bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.row_dimensions[1].height = 30
        else:
            cell.font = Font(name=font, size=10)
            cell.alignment = Alignment(horizontal="left", vertical="center")
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for row in ws.iter_rows(min_row=header_row, max_row=last_row, max_col=ncols):
        for cell in row:
            cell.border = border
            bold = cell.row == header_row
            cell.font = Font(name=font, size=cell.font.size if not bold else 11, bold=bold)
            if bold:
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    print_landscape(ws, header_row=header_row)


def print_landscape(ws: Any, *, header_row: int | None = None) -> None:
    """A4 landscape, every column on one page width, centred; the header row repeated on
    each printed page."""
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
