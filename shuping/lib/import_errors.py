"""A refused import's errors: one row per problem, and the .xlsx a user downloads them as.

Every import (roster, assessment inputs, earlier rectification ledgers) checks all rows and
refuses the whole file on any error. The page lists the first errors; the list waits in the
user's own session for the download link. The session, not a file or the cache: it already
belongs to one signed-in user, ends with the sign-out, and holds one list per import (the
next attempt replaces it), at most MAX_KEPT rows plus the total, so it cannot grow.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from openpyxl import Workbook

from shuping.lib.errors import NotFound
from shuping.lib.http import download
from shuping.lib.xlsx import append_row, print_landscape

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ("工作表", "行号", "列", "问题")
# Enough to fix a file by; a file with more errors is usually wrong as a whole.
MAX_KEPT = 1000


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # as Excel shows it; 0 for the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} 第{self.row}行" + (f"「{self.column}」" if self.column else "")
        return f"{where}：{self.message}"


def error_workbook(errors: Sequence[RowError], *, total: int | None = None) -> bytes:
    """Every error given, one row each (sheet, row, column, problem); where `total` says
    there were more, a last line tells how many the list leaves out."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误清单")
    # Set before the first row: a write-only sheet writes its columns and panes first.
    for letter, width in zip("ABCD", (14, 8, 20, 60), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    print_landscape(ws, header_row=1)
    append_row(ws, HEADER)
    for e in errors:
        append_row(ws, [e.sheet, e.row or "", e.column, e.message])
    if total is not None and total > len(errors):
        append_row(ws, [])
        append_row(ws, ["", "", "", f"共 {total} 处错误，本表只列出前 {len(errors)} 处。"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _key(slot: str) -> str:
    return f"import_errors:{slot}"


def keep(request: HttpRequest, slot: str, errors: Sequence[RowError], *, scope: Any = "") -> int:
    """Hold a refused file's errors for `download_kept` (the first MAX_KEPT and the total);
    returns how many the download lists. `scope` names what was imported into (a round),
    so a link never serves the list of another."""
    request.session[_key(slot)] = {
        "user": request.user.pk,
        "scope": str(scope),
        "total": len(errors),
        "rows": [[e.sheet, e.row, e.column, e.message] for e in errors[:MAX_KEPT]],
    }
    return min(len(errors), MAX_KEPT)


def forget(request: HttpRequest, slot: str) -> None:
    """A new attempt: the earlier list no longer describes the file the user has."""
    request.session.pop(_key(slot), None)


def download_kept(
    request: HttpRequest, slot: str, *, filename: str, scope: Any = ""
) -> HttpResponse:
    """The kept list as .xlsx; 404 when this user kept none here (or it was replaced)."""
    kept = request.session.get(_key(slot))
    if (
        not isinstance(kept, dict)
        or kept.get("user") != request.user.pk
        or kept.get("scope") != str(scope)
    ):
        raise NotFound("错误清单已失效，请重新上传文件。")
    errors = [RowError(*row) for row in kept["rows"]]
    return download((filename, XLSX, error_workbook(errors, total=kept["total"])))
