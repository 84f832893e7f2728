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


@pytest.mark.parametrize("write_only", [False, True])
def test_control_characters_are_dropped_not_fatal(write_only: bool) -> None:
    # A rectification item saved with \x01 in its text made its ledger .xlsx a 500.
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("台账") if write_only else wb.active
    assert ws is not None
    append_row(ws, ["整改\x01措施\x1f", "=\x02公式"])
    buf = io.BytesIO()
    wb.save(buf)
    cells = next(load_workbook(io.BytesIO(buf.getvalue())).worksheets[0].iter_rows())
    assert [c.value for c in cells] == ["整改措施", "=公式"]
    assert cells[1].data_type == "s"
