"""Word helpers several exporters share: East Asian fonts and "— n —" page numbers.

Fonts are named as GB/T 9704-2012 and the seeds name them (仿宋_GB2312, 方正小标宋简体 …);
a machine without them substitutes its own, and the README says what to install for
exact rendering.
"""

from __future__ import annotations

import os
from pathlib import Path
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


# Where a 公文 title may break (GB/T 9704-2012 7.3.3: "回行时，要做到词意完整，排列对称"):
# after these words the meaning is whole, so a line may end there.
_STRONG_BREAKS = ("的", "关于", "年度", "考核", "工作", "情况", "党委", "党工委", "区委", "县委",
                  "市委", "意见", "结果", "问题", "领导小组", "办公室")  # fmt: skip
# a line may also end after these, but it splits a compound ("述职评议考核"), so only
# when nothing better balances the lines
_WEAK_BREAKS = ("述职", "评议", "党建", "书记", "整改", "进展", "材料", "备案", "专题", "方案",
                "评价", "综合", "党组织", "支部", "测评")  # fmt: skip


# never broken inside
_UNBROKEN = ("党建工作", "抓基层党建", "抓党建", "双述双评", "党组织书记")


def _break_points(text: str) -> dict[int, int]:
    """Positions a title may break at, with a penalty: 0 after a strong word, 3 after a
    weak one; never inside a run of digits."""
    points: dict[int, int] = {}
    for penalty, words in ((3, _WEAK_BREAKS), (0, _STRONG_BREAKS)):
        for word in words:
            start = text.find(word)
            while start != -1:
                end = start + len(word)
                if 0 < end < len(text):
                    points[end] = min(points.get(end, penalty), penalty)
                start = text.find(word, start + 1)
    for i in range(1, len(text)):
        if text[i] in "（《“" and i not in points:
            points[i] = 1  # before an opening bracket or quote
        if text[i - 1] in "）》”" and i not in points:
            points[i] = 1
    for word in _UNBROKEN:
        start = text.find(word)
        while start != -1:
            for i in range(start + 1, start + len(word)):
                points.pop(i, None)
            start = text.find(word, start + 1)
    return {
        i: p
        for i, p in points.items()
        if not (text[i - 1].isdigit() and text[i].isdigit())
        and text[i] not in "、，。；：）》”"
        and not text.startswith("书记", i)
    }


def title_lines(text: str, per_line: int = 20) -> str:
    """A long title on balanced lines joined by "\\n" (a line break in its run), broken
    between words rather than wherever the line happens to be full."""
    if len(text) <= per_line or "\n" in text:
        return text
    points = _break_points(text)
    best: tuple[float, int] | None = None
    for i, penalty in points.items():
        first, rest = text[:i], text[i:]
        if len(first) > per_line:
            continue
        cost = abs(len(first) - min(len(rest), per_line)) + penalty
        if len(rest) > per_line:
            cost += 2 * (len(rest) - per_line)  # a third line must follow: avoid it
        if best is None or cost < best[0]:
            best = (cost, i)
    if best is None:
        return text  # no word boundary found: let the word processor wrap it
    i = best[1]
    return text[:i] + "\n" + title_lines(text[i:], per_line)


FONTCONFIG = Path(__file__).resolve().parent / "fonts" / "fonts.conf"


def soffice_env() -> dict[str, str]:
    """The environment for a LibreOffice conversion: Shuping's font fallbacks on top of
    the machine's own fontconfig, unless the operator already chose a FONTCONFIG_FILE."""
    env = os.environ.copy()
    env.setdefault("FONTCONFIG_FILE", str(FONTCONFIG))
    return env
