from __future__ import annotations

import io
from typing import Any

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


def test_fast_rows_read_back_as_openpyxl_would_have_written_them() -> None:
    from datetime import date

    from shuping.lib.xlsx import save_with_rows

    wb = Workbook(write_only=True)
    people = wb.create_sheet("人员")
    people.freeze_panes = "A2"
    append_row(people, ["姓名", "出生日期", "编号", "备注"])
    other = wb.create_sheet("说明")
    append_row(other, ["其余的表照常由 openpyxl 写"])
    rows: list[list[Any]] = [
        [*EVIL[:2], date(1980, 2, 29), 7],
        ["整改\x01措施", None, 0, "  前后有空格 "],
        ["a<b&c>d", date(2001, 7, 1), 2.5, ""],
        ["王五", date(1950, 1, 1), True, None],
    ]
    buf = io.BytesIO()
    save_with_rows(wb, buf, {people: iter(rows)}, date_format="yyyy-mm-dd")

    back = load_workbook(io.BytesIO(buf.getvalue()))
    sheet = back["人员"]
    assert sheet.freeze_panes == "A2"
    got: list[list[Any]] = [[c.value for c in row] for row in sheet.iter_rows()]
    assert got[0] == ["姓名", "出生日期", "编号", "备注"]
    assert got[1][:2] == EVIL[:2] and sheet["A2"].data_type == "s"  # a formula stays text
    assert got[1][2].date() == date(1980, 2, 29) and got[1][3] == 7
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert got[2] == ["整改措施", None, 0, "  前后有空格 "]
    assert got[3][0] == "a<b&c>d" and got[3][2] == 2.5 and got[3][3] is None
    assert got[4][0] == "王五" and got[4][2] is True
    assert [c.value for c in next(back["说明"].iter_rows())] == ["其余的表照常由 openpyxl 写"]
    # Read-only mode (what the roster import uses) sees every row too.
    lean = load_workbook(io.BytesIO(buf.getvalue()), read_only=True)
    assert sum(1 for _ in lean["人员"].rows) == 5
    # The sheet says its size, so a read-only reader need not parse it twice to learn it.
    assert lean["人员"].calculate_dimension() == "A1:D5"
