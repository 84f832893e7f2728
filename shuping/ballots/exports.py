"""Printed material of a ballot: QR slips, the paper form, and the 测评结果汇总表.

Each exporter returns (filename, content_type, bytes).
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

import segno
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from shuping.ballots import figures
from shuping.ballots.models import Ballot
from shuping.ballots.tally import fmt_percent
from shuping.lib.xlsx import append_row

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
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
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


def _font(run: Any) -> None:
    run.font.name = FONT  # creates rPr/rFonts; East Asian text needs w:eastAsia too
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)


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
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    _font(run)
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
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    _font(run)
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


def slips_docx(
    ballot: Ballot, tokens: list[str], *, category: str, base_url: str
) -> tuple[str, str, bytes]:
    """A4 pages of 3×4 cut-out slips: QR code, short URL, category, meeting title."""
    doc = _document(margin_cm=1.0)
    cat_title = ballot.category_title(category)
    per_page = SLIP_COLS * SLIP_ROWS
    # Choosing the mask scores all eight on each code and is most of the cost; the URLs
    # differ only in equally long random tokens, so the first code's mask serves all
    # (any mask is valid; the choice only tunes contrast): 1,000 slips in seconds.
    mask = segno.make(f"{base_url}/{tokens[0]}", error="m").mask if tokens else None
    for start in range(0, len(tokens), per_page):
        if start:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        chunk = tokens[start : start + per_page]
        rows = (len(chunk) + SLIP_COLS - 1) // SLIP_COLS
        table = doc.add_table(rows=rows, cols=SLIP_COLS)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _dashed_borders(table)
        for i, token in enumerate(chunk):
            cell = table.cell(i // SLIP_COLS, i % SLIP_COLS)
            cell.width = Cm(6.3)
            url = f"{base_url}/{token}"
            buf = io.BytesIO()
            segno.make(url, error="m", mask=mask, boost_error=False).save(
                buf, kind="png", scale=4, border=2
            )
            buf.seek(0)
            cell.text = ""
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(buf, width=Cm(3.9))
            _para(cell, unit_year(ballot), size=8, center=True)
            _para(cell, ballot.meeting.title, size=8.5, bold=True, center=True)
            _para(cell, f"民主测评票 · {cat_title}", size=8.5, center=True)
            _para(cell, "微信扫码，仅可提交一次", size=8, bold=True, center=True)
            # the address on two fixed lines (site, then code), the same on every slip
            _para(cell, f"{base_url}/", size=6.5, center=True)
            _para(cell, token, size=6.5, center=True, space_after=4)
        for row in table.rows:
            row.height = Cm(6.7)
    filename = f"测评二维码_{ballot.pk}_{cat_title}_{len(tokens)}张.docx"
    return filename, DOCX, _save(doc)


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
            first = None
            for ind in ballot.indicators:
                cells = table.add_row().cells
                first = first or cells[0]
                _cell_text(cells[1], ind["title"], size=9, center=False)
                for i in range(len(scale)):
                    _cell_text(cells[2 + i], "□", size=14)
            assert first is not None
            _cell_text(first, item["name"])
        else:
            cells = table.add_row().cells
            _cell_text(cells[0], item["name"])
            _cell_text(cells[1], item["position"], size=10)
            for i in range(len(scale)):
                _cell_text(cells[2 + i], "□", size=14)
    grade_w = 1.9 if len(scale) <= 4 else 1.6
    widths = [Cm(3.0), Cm(17.0 - 3.0 - grade_w * len(scale))] + [Cm(grade_w)] * len(scale)
    _set_widths(table, widths)
    for i, row in enumerate(table.rows):
        row.height = Cm(0.8 if i < 2 else 1.1)
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
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
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
        _cell_text(cell, text, size=size, bold=True)
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
