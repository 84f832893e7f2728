"""Writing spreadsheet rows that cannot attack the reader.

A cell whose text begins with =, +, -, @ (or a tab/CR) is a formula to Excel and WPS
when typed; openpyxl even writes "=…" as a real formula. Every exporter appends its
rows through `append_row`, which keeps such text a plain string cell, so a person
named `=HYPERLINK(…)` stays a name. Control characters a worksheet cannot hold (text
stored before input was cleaned, or read from an imported file) are dropped instead
of failing the whole export.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
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
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # a write-only sheet lacks the constant
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


# --- many rows, fast --------------------------------------------------------------
#
# openpyxl's write-only sheet spends ~20 µs on every cell (a Cell object, its style,
# an lxml element): 130 s for a province's 600,000-person roster. The rows of a big
# plain table are written here instead, straight as the XML openpyxl itself would have
# written (inline strings), and spliced into the sheet openpyxl saved with only its
# header, styles and validations; everything else in the file is openpyxl's. The rows
# are spooled to a temporary file first, so the sheet can say its size up front.

_XML_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ROWS_PER_CHUNK = 2000


def _cell_xml(ref: str, value: Any, date_style: int) -> str:
    if isinstance(value, str):
        value = _storable(value)
        if not value:
            return ""
        space = ' xml:space="preserve"' if value != value.strip() else ""
        text = value.translate(_XML_ESCAPE)
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}" t="n"><v>{value}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" t="n" s="{date_style}"><v>{to_excel(value)}</v></c>'
    raise TypeError(f"no fast cell for {type(value).__name__}")


def _spool_rows(
    rows: Iterable[Sequence[Any]], first: int, date_style: int, spool: IO[bytes]
) -> tuple[int, int]:
    """Write the rows' XML to `spool`; return the last row's number and the widest row."""
    letters = [get_column_letter(i) for i in range(1, 200)]
    chunk: list[str] = []
    last, widest = first - 1, 0
    for last, values in enumerate(rows, start=first):
        widest = max(widest, len(values))
        cells = "".join(
            _cell_xml(f"{letters[i]}{last}", v, date_style)
            for i, v in enumerate(values)
            if v is not None
        )
        chunk.append(f'<row r="{last}">{cells}</row>')
        if len(chunk) >= _ROWS_PER_CHUNK:
            spool.write("".join(chunk).encode())
            chunk.clear()
    spool.write("".join(chunk).encode())
    return last, widest


# Where <dimension> goes: after <sheetPr>, before whichever of these comes first.
_AFTER_DIMENSION = ("<sheetViews", "<sheetFormatPr", "<cols", "<sheetData")


def _with_dimension(head: str, last_row: int, widest: int) -> str:
    """openpyxl writes no <dimension>; without one, a reader in read-only mode (openpyxl's
    own, which the imports use) parses the whole sheet once just to size it."""
    at = min((i for i in (head.find(tag) for tag in _AFTER_DIMENSION) if i >= 0), default=-1)
    if at < 0 or "<dimension " in head:
        return head
    ref = f"A1:{get_column_letter(max(widest, 1))}{max(last_row, 1)}"
    return f'{head[:at]}<dimension ref="{ref}"/>{head[at:]}'


def save_with_rows(
    wb: Workbook,
    out: IO[bytes],
    bulk: Mapping[WriteOnlyWorksheet, Iterable[Sequence[Any]]],
    *,
    date_format: str = "yyyy-mm-dd",
) -> None:
    """Save a write-only workbook with each sheet of `bulk` followed by its rows (plain
    values: text, numbers, dates in `date_format`; None leaves the cell empty).

    Text is kept as text (a name like "=1+1" is never a formula) and memory stays flat:
    rows go to disk a chunk at a time."""
    probe = WriteOnlyCell(next(iter(bulk)), value=date(2000, 1, 1))  # type: ignore[arg-type]
    probe.number_format = date_format
    date_style = probe.style_id  # registers the style in the workbook before it is saved
    with tempfile.TemporaryFile() as shell:
        wb.save(shell)
        shell.seek(0)
        paths = {ws.path.lstrip("/"): ws for ws in bulk}
        with ZipFile(shell) as src, ZipFile(out, "w", ZIP_DEFLATED) as dst:
            for info in src.infolist():
                ws = paths.get(info.filename)
                if ws is None:
                    dst.writestr(info, src.read(info), ZIP_DEFLATED)
                    continue
                head, end, tail = src.read(info).decode().partition("</sheetData>")
                if not end:  # an empty sheet: openpyxl wrote <sheetData/>
                    head, end, tail = head.partition("<sheetData/>")
                    head, end = head + "<sheetData>", "</sheetData>"
                written = head.count("<row ")  # the header openpyxl wrote
                header_width = head.rpartition("<row ")[2].count("<c ")
                with tempfile.TemporaryFile() as spool:
                    last, widest = _spool_rows(bulk[ws], written + 1, date_style, spool)
                    head = _with_dimension(head, last, max(widest, header_width))
                    spool.seek(0)
                    part = ZipInfo(info.filename, info.date_time)
                    part.compress_type = ZIP_DEFLATED
                    with dst.open(part, "w", force_zip64=True) as f:
                        f.write(head.encode())
                        shutil.copyfileobj(spool, f, 1 << 20)
                        f.write((end + tail).encode())
