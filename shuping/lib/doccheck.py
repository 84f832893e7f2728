"""Format rules a generated document must keep, checked in its XML (the document harness).

`docx_problems` and `xlsx_problems` return Chinese-free, developer-facing findings; an
empty list means the file passes. They read the bytes an exporter returned, so tests
catch a regression in fonts, margins, page numbers or sheet layout without rendering.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

# The fonts GB/T 9704-2012 and the seeds name; anything else means a run fell back to
# Word's default (Calibri/等线) because nobody set its East Asian font.
OFFICIAL_FONTS = frozenset(
    {"仿宋_GB2312", "仿宋", "方正小标宋简体", "黑体", "楷体_GB2312", "楷体", "宋体", "华文中宋"}
)
LEFTOVERS = re.compile(r"\{[a-z_]+\}|\bNone\b|202_|nan\b")


@dataclass(frozen=True)
class Layout:
    """What a kind of document must look like. Margins in mm: top, bottom, left, right."""

    margins: tuple[float, float, float, float] | None = None
    page_numbers: bool = True
    landscape: bool = False


OFFICIAL = Layout(margins=(37, 35, 28, 26))  # GB/T 9704-2012 and seed 003 附件1
FORM = Layout(page_numbers=False)  # a one-page form or sheet of slips
TABLE = Layout(page_numbers=False, landscape=True)


def _mm(length: int | None) -> float:
    return round((length or 0) / 36000, 1)


def _style_font(style: Any) -> str | None:
    while style is not None:
        rpr = style.element.rPr
        if rpr is not None and rpr.rFonts is not None and rpr.rFonts.get(qn("w:eastAsia")):
            return str(rpr.rFonts.get(qn("w:eastAsia")))
        style = style.base_style
    return None


def _east_asian_font(run: Any, paragraph: Any, default: str | None) -> str | None:
    """The East Asian font Word uses for a run: the run's, its paragraph style's, Normal's."""
    rpr = run._element.rPr
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    if fonts is not None and fonts.get(qn("w:eastAsia")):
        return str(fonts.get(qn("w:eastAsia")))
    return _style_font(paragraph.style) or default


def docx_problems(data: bytes, layout: Layout = OFFICIAL) -> list[str]:
    doc = Document(io.BytesIO(data))
    problems: list[str] = []
    for i, section in enumerate(doc.sections):
        w, h = _mm(section.page_width), _mm(section.page_height)
        want = (297.0, 210.0) if layout.landscape else (210.0, 297.0)
        if abs(w - want[0]) > 1 or abs(h - want[1]) > 1:
            problems.append(f"section {i}: page {w}x{h} mm, want A4 {want[0]}x{want[1]}")
        if layout.margins is not None:
            got = tuple(
                _mm(m)
                for m in (
                    section.top_margin,
                    section.bottom_margin,
                    section.left_margin,
                    section.right_margin,
                )
            )
            if any(abs(g - m) > 0.5 for g, m in zip(got, layout.margins, strict=True)):
                problems.append(f"section {i}: margins {got}, want {layout.margins}")
    if layout.page_numbers:
        footers = "".join(p._p.xml for s in doc.sections for p in s.footer.paragraphs) + "".join(
            p._p.xml for s in doc.sections for p in s.even_page_footer.paragraphs
        )
        if "PAGE" not in footers:
            problems.append("no PAGE field in any footer")
    normal = doc.styles["Normal"].element.rPr
    default_font = None
    if normal is not None and normal.rFonts is not None:
        default_font = normal.rFonts.get(qn("w:eastAsia"))
    paragraphs = list(doc.paragraphs) + [
        p for t in doc.tables for row in t.rows for cell in row.cells for p in cell.paragraphs
    ]
    empty_run = 0
    for p in doc.paragraphs:
        has_break = "w:br" in p._p.xml or "w:drawing" in p._p.xml or "w:sectPr" in p._p.xml
        empty_run = empty_run + 1 if not p.text.strip() and not has_break else 0
        if empty_run == 6:
            problems.append(f"six empty paragraphs in a row before “{p.text[:10]}”")
    for p in paragraphs:
        if LEFTOVERS.search(p.text):
            problems.append(f"placeholder left in “{p.text[:30]}”")
        for run in p.runs:
            if not run.text.strip():
                continue
            font = _east_asian_font(run, p, default_font)
            if font not in OFFICIAL_FONTS:
                problems.append(f"run “{run.text[:12]}” has East Asian font {font!r}")
            if run.font.size is None and doc.styles["Normal"].font.size is None:
                problems.append(f"run “{run.text[:12]}” has no size")
    return sorted(set(problems))


def xlsx_problems(data: bytes, *, frozen: bool = True) -> list[str]:
    wb = load_workbook(io.BytesIO(data))
    problems: list[str] = []
    for ws in wb.worksheets:
        if re.fullmatch(r"Sheet\d*", ws.title):
            problems.append(f"sheet {ws.title!r} has no title")
        instructions = "说明" in ws.title
        if frozen and not instructions and ws.max_row > 3 and ws.freeze_panes is None:
            problems.append(f"sheet {ws.title!r}: header not frozen")
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"sheet {ws.title!r} {cell.coordinate}: a formula")
                if isinstance(cell.value, str) and LEFTOVERS.search(cell.value):
                    problems.append(f"sheet {ws.title!r} {cell.coordinate}: placeholder")
    return sorted(set(problems))
