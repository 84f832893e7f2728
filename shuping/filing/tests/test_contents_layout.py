"""The 目录 table keeps its column widths in LibreOffice: fixed layout, table width, grid
columns and every cell's width are all written."""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

from docx import Document
from docx.oxml.ns import qn

from shuping.filing.package import CONTENTS_WIDTHS, _contents_docx


def test_contents_table_has_a_fixed_layout():
    filing = SimpleNamespace(
        campaign=SimpleNamespace(committee=SimpleNamespace(name="示范区委"), year=2025),
        filed_with="示范区委组织部",
        due_on=date(2026, 2, 9),
    )
    lines = [("1", "工作方案", "01_工作方案.docx", "系统生成")]
    doc = Document(io.BytesIO(_contents_docx(filing, lines, "")))  # type: ignore[arg-type]
    tbl = doc.tables[0]._tbl
    twips = [round(mm * 1440 / 25.4) for mm in CONTENTS_WIDTHS]
    assert tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    width = tbl.tblPr.find(qn("w:tblW"))
    assert (width.get(qn("w:type")), int(width.get(qn("w:w")))) == ("dxa", sum(twips))
    assert [int(c.get(qn("w:w"))) for c in tbl.tblGrid.findall(qn("w:gridCol"))] == twips
    for row in doc.tables[0].rows:
        widths = [int(c._tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for c in row.cells]
        assert widths == twips
    # tblLayout sits before tblLook, as the schema orders them (Word refuses otherwise)
    tags = [child.tag for child in tbl.tblPr]
    assert tags.index(qn("w:tblLayout")) < tags.index(qn("w:tblLook"))
