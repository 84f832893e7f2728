"""Printed material of a ballot: QR slips, the paper form, and the 测评结果汇总表.

Each exporter returns (filename, content_type, bytes).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from fractions import Fraction
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import segno
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from shuping.ballots import figures
from shuping.ballots.models import Ballot
from shuping.ballots.tally import fmt_percent
from shuping.lib.docx import set_default_font, set_font
from shuping.lib.xlsx import append_row, print_landscape

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT = "宋体"
SLIP_COLS, SLIP_ROWS = 3, 4


def unit_year(ballot: Ballot) -> str:
    """ "金顶街道党工委2026年度": who holds the ballot and for which year, on every paper."""
    campaign = ballot.meeting.campaign
    return f"{campaign.committee.name}{campaign.year}年度"


def _meeting_date(ballot: Ballot) -> str:
    day = timezone.localtime(ballot.meeting.starts_at)
    return f"{day.year}年{day.month}月{day.day}日"


def _document(*, landscape: bool = False, margin_cm: float = 2.0) -> Any:
    doc = Document()
    set_default_font(doc, FONT, 11)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(margin_cm))
    return doc


def _save(doc: Any) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _para(
    container: Any,
    text: str,
    *,
    size: float = 11,
    bold: bool = False,
    center: bool = False,
    space_after: float = 0,
) -> Any:
    p = container.add_paragraph()
    set_font(p.add_run(text), FONT, size, bold=bold)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(0)
    return p


def _cell_text(
    cell: Any, text: str, *, size: float = 11, bold: bool = False, center: bool = True
) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    set_font(p.add_run(text), FONT, size, bold=bold)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _set_widths(table: Any, widths: list[Any]) -> None:
    """Column widths that Word and LibreOffice both honour (grid and every cell)."""
    table.autofit = False
    for col, width in zip(table.columns, widths, strict=False):
        col.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


def _repeat_header(row: Any) -> None:
    """The header row repeats at the top of every page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _dashed_borders(table: Any) -> None:
    """Cut lines between slips."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "dashed")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:color"), "999999")
        borders.append(el)
    tbl_pr.append(borders)


# --- QR slips ------------------------------------------------------------------------


def qr_png(matrix: Any, *, scale: int = 4, border: int = 2) -> bytes:
    """A QR matrix (rows of 0/1 modules, segno's `qr.matrix`) as an 8-bit grey PNG.

    A thousand slips need a thousand images; building each scanline from two
    pre-made module strips and compressing once is a small fraction of the cost of a
    general image writer, and the pixels are the same (dark modules black, quiet zone
    `border` modules wide)."""
    size = (len(matrix) + 2 * border) * scale
    dark, light = b"\x00" * scale, b"\xff" * scale
    edge = light * border
    blank = b"\x00" + b"\xff" * size  # filter byte "none", then a white scanline
    lines = [blank] * (border * scale)
    for row in matrix:
        line = b"\x00" + edge + b"".join(dark if m else light for m in row) + edge
        lines.extend([line] * scale)
    lines.extend([blank] * (border * scale))

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(body, zlib.crc32(kind))
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(lines), 6))
        + chunk(b"IEND", b"")
    )


# One slip is a table cell of fixed WordprocessingML: written once here and filled in
# per token, so a thousand slips cost a thousand string formats rather than tens of
# thousands of python-docx element insertions (whose id and part-name lookups scan the
# whole document each time, which made 1,000 slips quadratic).
_EMU_PER_CM = 360000
_TWIPS_PER_CM = 1440 / 2.54
_SLIP_CELL_W = round(6.3 * _TWIPS_PER_CM)
_SLIP_ROW_H = round(6.7 * _TWIPS_PER_CM)
_SLIP_QR = round(3.9 * _EMU_PER_CM)
_PIC_NS = (
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)
_SLIP_PICTURE = (
    '<w:p><w:pPr><w:spacing w:after="0" w:before="0"/><w:jc w:val="center"/></w:pPr>'
    f"<w:r><w:drawing><wp:inline {_PIC_NS}>"
    f'<wp:extent cx="{_SLIP_QR}" cy="{_SLIP_QR}"/><wp:docPr id="{{n}}" name="二维码{{n}}"/>'
    '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
    '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="qr{n}.png"/><pic:cNvPicPr/></pic:nvPicPr>'
    '<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
    '<pic:spPr><a:xfrm><a:off x="0" y="0"/>'
    f'<a:ext cx="{_SLIP_QR}" cy="{_SLIP_QR}"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr>'
    "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
)
_EMPTY_CELL = f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{_SLIP_CELL_W}"/></w:tcPr><w:p/></w:tc>'
_PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
_BODY_MARK = "SLIPS-BODY-MARK"


def _slip_para(text: str, *, size: float, bold: bool = False, space_after: float = 0) -> str:
    return (
        f'<w:p><w:pPr><w:spacing w:after="{round(space_after * 20)}" w:before="0"/>'
        f'<w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="{FONT}" '
        f'w:hAnsi="{FONT}" w:eastAsia="{FONT}"/>{"<w:b/>" if bold else ""}'
        f'<w:sz w:val="{round(size * 2)}"/></w:rPr>'
        f'<w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r></w:p>'
    )


def _slip_table_open() -> str:
    borders = "".join(
        f'<w:{edge} w:val="dashed" w:sz="4" w:color="999999"/>'
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    grid = f'<w:gridCol w:w="{_SLIP_CELL_W}"/>' * SLIP_COLS
    return (
        '<w:tbl><w:tblPr><w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/>'
        f'<w:tblLayout w:type="fixed"/><w:tblBorders>{borders}</w:tblBorders></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
    )


def slips_docx(
    ballot: Ballot, tokens: list[str], *, category: str, base_url: str
) -> tuple[str, str, bytes]:
    """A4 pages of 3×4 cut-out slips: QR code, short URL, category, meeting title."""
    cat_title = ballot.category_title(category)
    # Choosing the mask scores all eight on each code and is most of segno's cost; the
    # URLs differ only in equally long random tokens, so the first code's mask serves
    # all (any mask is valid; the choice only tunes contrast).
    mask = segno.make(f"{base_url}/{tokens[0]}", error="m").mask if tokens else None
    # Everything but the picture and the token is the same on every slip.
    text = "".join(
        (
            _slip_para(unit_year(ballot), size=8),
            _slip_para(ballot.meeting.title, size=8.5, bold=True),
            _slip_para(f"民主测评票 · {cat_title}", size=8.5),
            _slip_para("微信扫码，仅可提交一次", size=8, bold=True),
            # the address on two fixed lines (site, then code), the same on every slip
            _slip_para(f"{base_url}/", size=6.5),
        )
    )
    cell_open = f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{_SLIP_CELL_W}"/></w:tcPr>'
    row_open = f'<w:tr><w:trPr><w:trHeight w:val="{_SLIP_ROW_H}"/></w:trPr>'
    table_open = _slip_table_open()
    images: list[bytes] = []
    body: list[str] = []
    per_page = SLIP_COLS * SLIP_ROWS
    for start in range(0, len(tokens), per_page):
        if start:
            body.append(_PAGE_BREAK)
        body.append(table_open)
        chunk = tokens[start : start + per_page]
        for row_start in range(0, len(chunk), SLIP_COLS):
            cells = []
            for token in chunk[row_start : row_start + SLIP_COLS]:
                qr = segno.make(f"{base_url}/{token}", error="m", mask=mask, boost_error=False)
                images.append(qr_png(qr.matrix))
                n = len(images)
                picture = _SLIP_PICTURE.format(n=n, rid=f"rIdQr{n}")
                token_line = _slip_para(token, size=6.5, space_after=4)
                cells.append(f"{cell_open}{picture}{text}{token_line}</w:tc>")
            cells += [_EMPTY_CELL] * (SLIP_COLS - len(cells))
            body.append(row_open + "".join(cells) + "</w:tr>")
        body.append("</w:tbl>")
    doc = _document(margin_cm=1.0)
    doc.add_paragraph(_BODY_MARK)
    filename = f"测评二维码_{ballot.pk}_{cat_title}_{len(tokens)}张.docx"
    return filename, DOCX, _with_body(_save(doc), "".join(body), images)


def _with_body(skeleton: bytes, body: str, images: list[bytes]) -> bytes:
    """The skeleton document with its marker paragraph replaced by `body`, and the
    images stored as word/media/qrN.png related as rIdQrN."""
    rels_name = "word/_rels/document.xml.rels"
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(skeleton)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                xml = data.decode()
                start = xml.rindex("<w:p>", 0, xml.index(_BODY_MARK))
                end = xml.index("</w:p>", start) + len("</w:p>")
                data = (xml[:start] + body + xml[end:]).encode()
            elif item.filename == "[Content_Types].xml" and b'Extension="png"' not in data:
                default = '<Default Extension="png" ContentType="image/png"/>'
                data = data.decode().replace("</Types>", default + "</Types>").encode()
            elif item.filename == rels_name:
                rels = "".join(
                    f'<Relationship Id="rIdQr{n}" Type="{RT.IMAGE}" Target="media/qr{n}.png"/>'
                    for n in range(1, len(images) + 1)
                )
                data = data.decode().replace("</Relationships>", rels + "</Relationships>").encode()
            dst.writestr(item, data)
        for n, png in enumerate(images, start=1):
            # PNG data is compressed already: stored, not deflated again
            dst.writestr(f"word/media/qr{n}.png", png, zipfile.ZIP_STORED)
    return out.getvalue()


# --- paper form (seed 004's 民主测评表) --------------------------------------------------


def paper_form_docx(ballot: Ballot) -> tuple[str, str, bytes]:
    doc = _document(margin_cm=2.0)
    _para(doc, unit_year(ballot), size=14, center=True)
    _para(doc, f"{ballot.meeting.title}", size=16, bold=True, center=True)
    _para(doc, "民主测评表", size=16, bold=True, center=True, space_after=6)
    _para(
        doc,
        f"{_meeting_date(ballot)}　　　　票号：________（计票时由计票人填写）",
        size=11,
        center=True,
        space_after=6,
    )
    if len(ballot.categories) > 1:
        cats = "　".join(f"□{c['title']}" for c in ballot.categories)
        _para(doc, f"测评人类别（选一项）：{cats}", size=11, space_after=6)
    scale = list(ballot.scale)
    per_indicator = ballot.mode == "per_indicator" and bool(ballot.indicators)
    cols = 2 + len(scale)
    table = doc.add_table(rows=2, cols=cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0].cells
    second = "测评指标" if per_indicator else "职务"
    _cell_text(head[0], "述职对象", bold=True)
    _cell_text(head[1], second, bold=True)
    merged = head[2].merge(head[cols - 1])
    _cell_text(merged, "评价等次", bold=True)
    a = table.cell(0, 0).merge(table.cell(1, 0))
    b = table.cell(0, 1).merge(table.cell(1, 1))
    _cell_text(a, "述职对象", bold=True)
    _cell_text(b, second, bold=True)
    for i, grade in enumerate(scale):
        _cell_text(table.cell(1, 2 + i), grade, bold=True)
    for item in ballot.items or []:
        if per_indicator:
            first = last = None
            for ind in ballot.indicators:
                cells = table.add_row().cells
                first, last = first or cells[0], cells[0]
                _cell_text(cells[1], ind["title"], size=9, center=False)
                for i in range(len(scale)):
                    _cell_text(cells[2 + i], "□", size=14)
            assert first is not None and last is not None
            # one name beside all of a reporter's indicators, as on seed 003's form
            _cell_text(first.merge(last) if last is not first else first, item["name"])
        else:
            cells = table.add_row().cells
            _cell_text(cells[0], item["name"])
            _cell_text(cells[1], item["position"], size=10)
            for i in range(len(scale)):
                _cell_text(cells[2 + i], "□", size=14)
    # "基本称职" on one line at 11 pt needs 2.1 cm with the cell's padding
    long_grade = max((len(g) for g in scale), default=0) >= 4
    grade_w = (2.1 if long_grade else 1.9) if len(scale) <= 4 else 1.6
    widths = [Cm(3.0), Cm(17.0 - 3.0 - grade_w * len(scale))] + [Cm(grade_w)] * len(scale)
    _set_widths(table, widths)
    _repeat_header(table.rows[0])
    _repeat_header(table.rows[1])
    for i, row in enumerate(table.rows):
        row.height = Cm(0.8 if i < 2 or per_indicator else 1.1)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if ballot.allow_comment:
        _para(doc, "", space_after=4)
        _para(doc, "意见建议：", size=11)
        for _ in range(3):
            _para(doc, "_" * 60, size=11)
    _para(doc, "", space_after=2)
    _para(doc, "备注：在“评价等次”栏中选择其中一项打“√”，多选或不选无效。", size=11)
    _para(doc, "本表不记名，请勿在表上书写姓名或作任何标记。", size=10)
    return f"民主测评表_{ballot.meeting.title}.docx", DOCX, _save(doc)


# --- 测评结果汇总表 -----------------------------------------------------------------------


def _summary_columns(ballot: Ballot, fig: dict[str, Any]) -> list[str]:
    tally = fig["tally"]
    unit = fig["unit"]
    cols = ["序号", "述职对象", "职务", "收回票", "有效票"]
    for grade in tally["scale"]:
        cols += [f"{grade}({unit})", f"{grade}(占比)"]
    if fig["per_indicator"]:
        cols += ["有效项次", "无效项次"]
    if fig["top_label"]:
        cols.append(fig["top_label"])
    if fig["has_score"]:
        cols.append("测评得分")
    if fig["ranked"]:
        cols.append("排名")
    rules = tally["reporters"][0]["rules"] if tally["reporters"] else []
    for rule in rules:
        cols += ["+".join(rule["grades"]) + "占比", "规则结果"]
    return cols


def _summary_rows(fig: dict[str, Any], *, as_text: bool) -> list[list[Any]]:
    """Table rows; shares as fractions of 1 for Excel (formatted "0.0%" there, the same
    one decimal as the pages) or as the pages' text."""

    def share(value: Fraction) -> Any:
        return fmt_percent(value) if as_text else float(value)

    rows = []
    for n, row in enumerate(fig["rows"], start=1):
        rep = row.rep
        out: list[Any] = [n, rep["name"], rep["position"], row.collected, row.valid_ballots]
        for cell in row.cells:
            out += [cell.count, share(cell.share)]
        if fig["per_indicator"]:
            out += [rep["valid"], rep["invalid"]]
        if fig["top_label"]:
            out.append(share(row.top_share))
        if fig["has_score"]:
            out.append(row.score_text if as_text or row.score is None else float(row.score))
        if fig["ranked"]:
            out.append(row.rank)
        for rule in rep["rules"]:
            verdict = rule["result"] or ("超过" if rule["exceeds"] else "未超过")
            out += [share(Fraction(rule["share"])), verdict]
        rows.append(out)
    return rows


def _summary_caption(ballot: Ballot, tally: dict[str, Any]) -> str:
    channels = {"electronic": "手机", "paper": "纸质"}
    parts = [f"{channels.get(k, k)} {v} 张" for k, v in tally["by_channel"].items()]
    text = f"测评时间：{_meeting_date(ballot)}　收回测评票 {tally['sheets']} 张"
    if parts:
        text += "（" + "，".join(parts) + "）"
    return text


def results_xlsx(ballot: Ballot) -> tuple[str, str, bytes]:
    fig = figures.context(ballot)
    tally = fig["tally"]
    cols = _summary_columns(ballot, fig)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "测评结果汇总表"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    append_row(ws, [f"{unit_year(ballot)}{ballot.meeting.title}民主测评结果汇总表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(cols))
    ws["A1"].font = Font(name=FONT, size=16, bold=True)
    ws["A1"].alignment = center
    ws.row_dimensions[1].height = 30
    append_row(ws, [_summary_caption(ballot, tally)])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(cols))
    ws["A2"].font = Font(name=FONT, size=10)
    append_row(ws, cols)
    for cell in ws[3]:
        cell.font = Font(name=FONT, bold=True)
        cell.alignment = center
        cell.border = border
    score_col = cols.index("测评得分") + 1 if "测评得分" in cols else 0
    for row in _summary_rows(fig, as_text=False):
        append_row(ws, row)
        for cell in ws[ws.max_row]:
            cell.font = Font(name=FONT)
            cell.alignment = center
            cell.border = border
            if isinstance(cell.value, float):
                cell.number_format = "0.00" if cell.column == score_col else "0.0%"
    append_row(ws, [])
    for line in figures.notes(fig):
        append_row(ws, [line])
    for rule_text in {r["text"] for rep in tally.get("reporters", []) for r in rep["rules"]}:
        append_row(ws, [f"规则：{rule_text}"])
    if tally.get("weighted"):
        append_row(ws, ["加权占比 = Σ(类别权重×该等次票数) ÷ Σ(类别权重×有效票数)"])
    append_row(ws, [f"票据摘要（SHA-256）：{ballot.digest}"])
    for i, _ in enumerate(cols, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = 6 if i == 1 else 12 if i == 2 else 22 if i == 3 else 9
    _indicator_sheet(wb, tally, border=border, center=center)
    ws.freeze_panes = "A4"  # title, caption and header stay in sight while scrolling
    print_landscape(ws, header_row=3)
    buf = io.BytesIO()
    wb.save(buf)
    return f"测评结果汇总表_{ballot.meeting.title}.xlsx", XLSX, buf.getvalue()


def _indicator_sheet(wb: Any, tally: dict[str, Any], *, border: Any, center: Any) -> None:
    """A second sheet with the per-indicator counts (per_indicator ballots only)."""
    reporters = tally.get("reporters", [])
    if not reporters or not reporters[0].get("indicators"):
        return
    ws = wb.create_sheet("分指标统计")
    head = ["述职对象", "测评指标"]
    for g in tally["scale"]:
        head += [f"{g}(项次)", f"{g}(占比)"]
    head += ["有效项次", "无效项次"]
    append_row(ws, head)
    for rep in reporters:
        for ind in rep["indicators"]:
            row: list[Any] = [rep["name"], ind["title"]]
            for g in tally["scale"]:
                row += [ind["counts"][g], float(Fraction(ind["shares"][g]))]
            append_row(ws, [*row, ind["valid"], ind["invalid"]])
    for r, cells in enumerate(ws.iter_rows(), start=1):
        for cell in cells:
            cell.border = border
            cell.alignment = center
            cell.font = Font(name=FONT, bold=r == 1)
            if isinstance(cell.value, float):
                cell.number_format = "0.0%"
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 40
    ws.freeze_panes = "C2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True


def results_docx(ballot: Ballot) -> tuple[str, str, bytes]:
    fig = figures.context(ballot)
    tally = fig["tally"]
    cols = _summary_columns(ballot, fig)
    doc = _document(landscape=True, margin_cm=1.5)
    _para(
        doc,
        f"{unit_year(ballot)}{ballot.meeting.title}民主测评结果汇总表",
        size=16,
        bold=True,
        center=True,
        space_after=6,
    )
    _para(doc, _summary_caption(ballot, tally), size=10, space_after=6)
    table = doc.add_table(rows=1, cols=len(cols))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # many columns (grades × count and share, the office figures): a smaller size keeps
    # "100.0%" on one line
    size = 9 if len(cols) <= 12 else 8
    for cell, text in zip(table.rows[0].cells, cols, strict=True):
        # "基本称职(占比)" does not fit a 2 cm column: the unit goes on its own line
        _cell_text(cell, text.replace("(", "\n("), size=size, bold=True)
    _repeat_header(table.rows[0])
    for row in _summary_rows(fig, as_text=True):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _cell_text(cell, str(value), size=size)
    # 1.3 cm keeps "序号" on one line at 9 pt with the cell's own padding
    position = 4.6 if len(cols) <= 12 else 3.4
    rest = (26.7 - 1.3 - 2.0 - position) / max(1, len(cols) - 3)
    _set_widths(table, [Cm(1.3), Cm(2.0), Cm(position)] + [Cm(rest)] * (len(cols) - 3))
    for line in figures.notes(fig):
        _para(doc, line, size=9)
    for rule_text in {r["text"] for rep in tally.get("reporters", []) for r in rep["rules"]}:
        _para(doc, f"规则：{rule_text}", size=9)
    for rep in tally.get("reporters", []):
        for rule in rep["rules"]:
            if rule["exceeds"]:
                _para(doc, f"{rep['name']}：{rule['reason']}", size=9)
    _para(doc, f"票据摘要（SHA-256）：{ballot.digest}", size=8)
    _para(doc, "计票人：__________　　监票人：__________　　　年　　月　　日", size=10)
    return f"测评结果汇总表_{ballot.meeting.title}.docx", DOCX, _save(doc)


__all__ = ["fmt_percent", "paper_form_docx", "results_docx", "results_xlsx", "slips_docx"]
