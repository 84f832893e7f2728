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
from docx.shared import Length, Pt, RGBColor

PAGE_NUMBER_FONT = "宋体"
PAGE_NUMBER_SIZE = Pt(14)  # 4号


def set_font(
    run: Any,
    name: str,
    size: Length | float,
    *,
    bold: bool = False,
    color: RGBColor | None = None,
) -> None:
    """Font for a run in all four slots. Word and WPS draw Chinese text in the w:eastAsia
    font and digits/Latin in w:ascii/w:hAnsi; leaving either unset falls back to the
    theme font (等线/Calibri), which is why every exporter goes through here."""
    run.font.name = name
    run.font.size = size if isinstance(size, Length) else Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)


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


def page_number_paragraph(paragraph: Any, align: Any = WD_ALIGN_PARAGRAPH.CENTER) -> None:
    """A "— n —" page number (a PAGE field Word, WPS and LibreOffice update) in 4号宋体."""
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    set_font(paragraph.add_run("\u2014 "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    _field_run(paragraph, "PAGE")
    set_font(paragraph.add_run(" \u2014"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def page_number_footer(section: Any, *, align: Any = WD_ALIGN_PARAGRAPH.CENTER) -> None:
    """Page numbers in the section's footer, centred (a record or a form)."""
    page_number_paragraph(section.footer.paragraphs[0], align)


def official_page_numbers(section: Any) -> None:
    """GB/T 9704-2012 7.5: odd pages' number on the right, even pages' on the left (the
    document must set w:evenAndOddHeaders, which `doc.settings` does)."""
    section.footer.is_linked_to_previous = False
    section.even_page_footer.is_linked_to_previous = False
    page_number_paragraph(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    page_number_paragraph(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def set_default_font(doc: Any, name: str, size: Length | float) -> None:
    """The Normal style's font in all four slots, so empty paragraphs, table cells and
    anything the office types later use it rather than the theme font."""
    normal = doc.styles["Normal"]
    normal.font.name = name
    normal.font.size = size if isinstance(size, Length) else Pt(size)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)
