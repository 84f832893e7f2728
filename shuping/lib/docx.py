"""Word helpers several exporters share: East Asian fonts and "— n —" page numbers.

Fonts are named as GB/T 9704-2012 and the seeds name them (仿宋_GB2312, 方正小标宋简体 …);
a machine without them substitutes its own, and the README says what to install for
exact rendering.
"""

from __future__ import annotations

from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

PAGE_NUMBER_FONT = "宋体"
PAGE_NUMBER_SIZE = Pt(14)  # 4号


def set_font(run: Any, name: str, size: Pt | float, *, bold: bool = False) -> None:
    """Font for a run, East Asian text included (Word reads w:eastAsia for Chinese)."""
    run.font.name = name
    run.font.size = size if isinstance(size, Pt) else Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _field_run(paragraph: Any, instruction: str) -> None:
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"),
                       ("end", None)):  # fmt: skip
        run = paragraph.add_run()
        set_font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        else:
            run.text = text or ""


def page_number_footer(section: Any, *, align: Any = WD_ALIGN_PARAGRAPH.CENTER) -> None:
    """A "— n —" page number in the section's footer (a PAGE field Word and WPS update)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = align
    set_font(paragraph.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    _field_run(paragraph, "PAGE")
    set_font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
