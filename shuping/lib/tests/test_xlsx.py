from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from shuping.lib.xlsx import append_row

EVIL = ['=HYPERLINK("http://x","点我")', "+1+1", "-2", "@SUM(A1)", "\tTAB", "张三", 3]


@pytest.mark.parametrize("write_only", [False, True])
def test_formula_like_text_stays_text(write_only: bool) -> None:
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("名单") if write_only else wb.active
    assert ws is not None
    append_row(ws, EVIL)
    buf = io.BytesIO()
    wb.save(buf)
    back = load_workbook(io.BytesIO(buf.getvalue()))
    cells = next(back.worksheets[0].iter_rows())
    assert [c.value for c in cells] == EVIL
    assert all(c.data_type != "f" for c in cells)
