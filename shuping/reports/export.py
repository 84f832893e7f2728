"""Word exports in the official format of seed 003 附件1 (reports) and 附件2 (cases),
the compiled booklet (述职材料汇编) and a zip of separate files.

Exporters return `(filename, content_type, bytes)`.

附件1: 大标题 华文中宋 二号(22 pt) 加粗 居中; 副标题及日期 楷体_GB2312 小二(18 pt) 居中;
一级标题 黑体 小二; 二级标题 楷体_GB2312 小二; 三级标题 仿宋_GB2312 小二 加粗; 正文
仿宋_GB2312 小二; 页边距 上3.7 下3.5 左2.8 右2.6 厘米, 装订线0; 行距 固定值32磅; 页码
4号(14 pt) 半角宋体阿拉伯数字, 左右各一条一字线, 单页居右, 双页居左; 不超过6页.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone
from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from shuping.lib.docx import official_page_numbers, set_default_font, set_font
from shuping.reports import checks
from shuping.reports.models import (
    APPROVED_STATES,
    REVIEWED_STATES,
    Attachment,
    DutyReport,
    InnovationCase,
)
from shuping.reports.services import default_title
from shuping.rounds.rules import ReportRules

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"

TITLE_FONT = "华文中宋"
KAI = "楷体_GB2312"
HEI = "黑体"
FANG = "仿宋_GB2312"
SONG = "宋体"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(18)  # 小二
PAGE_NUM_SIZE = Pt(14)  # 四号
LINE_PITCH = Pt(32)
DASH = "\u2014"  # 一字线

SECOND_RE = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
THIRD_RE = re.compile(r"^\d{1,2}[．.、](?!\d)")
CN_NUM = "一二三四五六七八九十"


# --- low-level formatting -------------------------------------------------------------


def _fixed_spacing(par: Paragraph, *, indent: bool = False) -> None:
    fmt = par.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(36)  # two characters of 小二


def add_par(
    doc: Document,
    text: str,
    font: str,
    size: Pt,
    *,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
    outline_level: int | None = None,
) -> Paragraph:
    par = doc.add_paragraph()
    _fixed_spacing(par, indent=indent)
    if align is not None:
        par.alignment = align
    if text:
        set_font(par.add_run(text), font, size, bold=bold)
    if outline_level is not None:
        lvl = OxmlElement("w:outlineLvl")
        lvl.set(qn("w:val"), str(outline_level))
        par._p.get_or_add_pPr().append(lvl)
    return par


def setup_section(section: object, *, page_numbers: bool = True, restart: bool = False) -> None:
    sec = section
    sec.page_width = Cm(21)  # type: ignore[attr-defined]
    sec.page_height = Cm(29.7)  # type: ignore[attr-defined]
    sec.top_margin = Cm(3.7)  # type: ignore[attr-defined]
    sec.bottom_margin = Cm(3.5)  # type: ignore[attr-defined]
    sec.left_margin = Cm(2.8)  # type: ignore[attr-defined]
    sec.right_margin = Cm(2.6)  # type: ignore[attr-defined]
    sec.gutter = Cm(0)  # type: ignore[attr-defined]
    # the dash line sits 7 mm below the text block: 3.5 cm − 0.7 cm − one 14 pt line
    sec.footer_distance = Cm(2.3)  # type: ignore[attr-defined]
    sec.header_distance = Cm(1.5)  # type: ignore[attr-defined]
    if restart:
        pg = OxmlElement("w:pgNumType")
        pg.set(qn("w:start"), "1")
        sec._sectPr.append(pg)  # type: ignore[attr-defined]
    if not page_numbers:
        return
    official_page_numbers(sec)


def base_document() -> Document:
    doc = new_document()
    doc.settings.odd_and_even_pages_header_footer = True  # w:evenAndOddHeaders
    set_default_font(doc, FANG, BODY_SIZE)
    return doc


def page_break(doc: Document) -> None:
    par = doc.add_paragraph()
    _fixed_spacing(par)
    par.add_run().add_break(WD_BREAK.PAGE)


# --- report body ---------------------------------------------------------------------


def _split_lead(text: str) -> tuple[str, str]:
    """ "（一）强化政治引领。一是……" → ("（一）强化政治引领。", "一是……")."""
    cut = text.find("。")
    if 0 < cut <= 40:
        return text[: cut + 1], text[cut + 1 :]
    return text, ""


def add_body(doc: Document, text: str) -> None:
    """Lines of a section: "（一）…" second-level (楷体), "1．…" third-level (仿宋 bold),
    the rest body text (仿宋); every paragraph indented two characters."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        par = doc.add_paragraph()
        _fixed_spacing(par, indent=True)
        par.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if SECOND_RE.match(line):
            lead, rest = _split_lead(line)
            set_font(par.add_run(lead), KAI, BODY_SIZE)
        elif THIRD_RE.match(line):
            lead, rest = _split_lead(line)
            set_font(par.add_run(lead), FANG, BODY_SIZE, bold=True)
        else:
            rest = line
        if rest:
            set_font(par.add_run(rest), FANG, BODY_SIZE)


def report_date(report: DutyReport) -> date:
    when = report.last_submitted_at or report.updated_at or timezone.now()
    return timezone.localdate(when)


TITLE_CHARS_PER_LINE = 20  # 二号 (22 pt) across the 15.6 cm text block


def title_lines(title: str, unit: str) -> str:
    """A long title breaks after the unit's name, between words, never inside one."""
    if len(title) > TITLE_CHARS_PER_LINE and title.startswith(unit) and len(title) > len(unit):
        return f"{unit}\n{title[len(unit) :]}"
    return title


def add_report(doc: Document, report: DutyReport, rules: ReportRules, *, outline: bool) -> None:
    add_par(
        doc,
        title_lines(
            report.title or default_title(report.reporter)[0],
            report.reporter.organization.name,
        ),
        TITLE_FONT,
        TITLE_SIZE,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        outline_level=0 if outline else None,
    )
    add_par(doc, "", FANG, BODY_SIZE)
    if report.subtitle:
        add_par(doc, report.subtitle, KAI, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
    when = report_date(report)
    add_par(
        doc, f"（{when.year}年{when.month}月）", KAI, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    add_par(doc, "", FANG, BODY_SIZE)
    for i, section in enumerate(rules.sections):
        number = CN_NUM[i] if i < len(CN_NUM) else str(i + 1)
        add_par(doc, f"{number}、{section.title}", HEI, BODY_SIZE, indent=True)
        add_body(doc, report.sections.get(section.key, ""))


def add_case(
    doc: Document, case: InnovationCase, pictures: Iterable[Attachment], *, outline: bool
) -> None:
    """附件2: 单位 + 基层党建创新案例 / ——副标题 / (日期) / 一、工作背景 二、主要举措 三、取得成效
    then the pictures with their captions."""
    unit = case.reporter.organization.name
    add_par(
        doc,
        f"{unit}基层党建创新案例",
        TITLE_FONT,
        TITLE_SIZE,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        outline_level=0 if outline else None,
    )
    sub = case.subtitle or case.title
    add_par(doc, f"{DASH}{DASH}{sub}", KAI, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
    when = timezone.localdate(case.updated_at)
    add_par(
        doc, f"（{when.year}年{when.month}月）", KAI, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    add_par(doc, "", FANG, BODY_SIZE)
    for i, (attr, title) in enumerate(InnovationCase.PARTS):
        add_par(doc, f"{CN_NUM[i]}、{title}", HEI, BODY_SIZE, indent=True)
        add_body(doc, getattr(case, attr))
    for pic in pictures:
        try:
            with pic.file.open("rb") as fh:
                data = fh.read()
        except OSError:
            continue
        par = doc.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        try:
            par.add_run().add_picture(io.BytesIO(data), width=Cm(13))
        except Exception:  # a damaged picture must not stop the whole booklet
            set_font(par.add_run("（图片无法显示）"), FANG, Pt(14))
        add_par(doc, pic.caption or "", KAI, Pt(16), align=WD_ALIGN_PARAGRAPH.CENTER)


def _save(doc: Document) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "", name)[:60] or "报告"


def report_pages(report: DutyReport, rules: ReportRules) -> int:
    pairs = [(s.title, report.sections.get(s.key, "")) for s in rules.sections]
    return checks.estimate_pages(pairs)


def case_pages(case: InnovationCase, n_pictures: int) -> int:
    pairs = [(t, getattr(case, a)) for a, t in InnovationCase.PARTS]
    # a 13 cm wide picture is about 9 cm tall, 8 lines of 32 pt, plus its caption
    extra_lines = n_pictures * 9
    lines = checks.TITLE_LINES + sum(
        checks.estimate_lines([h]) + checks.estimate_lines(b.splitlines()) for h, b in pairs
    )
    return max(1, -(-(lines + extra_lines) // checks.LINES_PER_PAGE))


def export_report(report: DutyReport) -> tuple[str, str, bytes]:
    rules = report.reporter.campaign.parsed_rules.report
    doc = base_document()
    setup_section(doc.sections[0])
    add_report(doc, report, rules, outline=False)
    name = f"{_safe(report.reporter.organization.name)}述职报告.docx"
    return name, DOCX, _save(doc)


def export_case(case: InnovationCase) -> tuple[str, str, bytes]:
    doc = base_document()
    setup_section(doc.sections[0])
    add_case(doc, case, case.pictures.all(), outline=False)
    name = f"{_safe(case.reporter.organization.name)}创新案例{case.order}.docx"
    return name, DOCX, _save(doc)


# --- the booklet -------------------------------------------------------------------------


class Unapproved(models.TextChoices):
    """What the booklet does with a report still under review (submitted, not approved).

    The office chooses when it generates the booklet; left out is the default everywhere
    it does not choose (the filing bundle, anyone but the organizer), so a reader who may
    only see approved reports (the superior) never receives one through the booklet."""

    OMIT = "omit", "不编入"
    MARK = "mark", "编入，目录中标注“（审核中）”"


@dataclass(frozen=True)
class BookletEntry:
    order: int
    label: str  # "金顶街道第一党支部书记 王××"
    kind: str  # "report" / "case"
    page: int  # first page, counted from the first report
    report: DutyReport | None = None
    case: InnovationCase | None = None
    pictures: tuple[Attachment, ...] = ()


def booklet_entries(
    meeting: object, *, unapproved: Unapproved = Unapproved.OMIT
) -> list[BookletEntry]:
    """Everything the booklet holds, in speaking order, with estimated first pages.

    Reports under review are left out, or marked "（审核中）" when the office asks for them.

    Four queries whatever the agenda's length: agenda with reporters, their submitted
    reports, their cases, and the cases' pictures."""
    from shuping.meetings.models import Meeting

    assert isinstance(meeting, Meeting)
    agenda = list(
        meeting.agenda.select_related(
            "reporter__organization", "reporter__person", "reporter__campaign"
        ).order_by("order", "id")
    )
    reporter_ids = [row.reporter_id for row in agenda]
    reports: dict[int, DutyReport] = {}
    # drafts stay with their authors: the booklet holds what was submitted to the office
    audience_reports = DutyReport.objects.filter(
        reporter_id__in=reporter_ids, state__in=REVIEWED_STATES
    ).select_related("reporter__organization", "reporter__person", "reporter__campaign")
    for r in audience_reports:
        # 004: the report for this meeting's kind; otherwise the (only) committee report
        if r.audience == meeting.kind or r.reporter_id not in reports:
            reports[r.reporter_id] = r
    cases: dict[int, list[InnovationCase]] = {}
    for case in (
        InnovationCase.objects.filter(reporter_id__in=reporter_ids)
        .select_related("reporter__organization")
        .prefetch_related("pictures")
    ):
        cases.setdefault(case.reporter_id, []).append(case)
    rules = meeting.campaign.parsed_rules.report
    entries: list[BookletEntry] = []
    page = 1
    for i, row in enumerate(agenda, start=1):
        rep = row.reporter
        who = rep.person.name if rep.person_id else "（书记空缺）"  # type: ignore[union-attr]
        label = f"{rep.position or rep.organization.name + '书记'} {who}"
        report = reports.get(rep.pk)
        if report is not None and report.state not in APPROVED_STATES:
            report = report if unapproved == Unapproved.MARK else None
        if report is not None:
            # a report still under review is marked in the contents, never passed off as final
            mark = "" if report.state in APPROVED_STATES else "（审核中）"
            entries.append(BookletEntry(i, label + mark, "report", page, report=report))
            page += report_pages(report, rules)
        for case in cases.get(rep.pk, []):
            pics = tuple(case.pictures.all())
            entries.append(
                BookletEntry(
                    i,
                    f"{rep.organization.name}创新案例：{case.title}",
                    "case",
                    page,
                    case=case,
                    pictures=pics,
                )
            )
            page += case_pages(case, len(pics))
    return entries


def _toc(doc: Document, entries: list[BookletEntry]) -> None:
    """A TOC field whose cached result is our own list, so the booklet reads right before
    anyone updates fields (Word: F9 refreshes it from the outline levels)."""
    par = doc.add_paragraph()
    _fixed_spacing(par)

    def fld(kind: str) -> Any:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    par.add_run()._r.append(fld("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = ' TOC \\o "1-1" \\h \\u '
    par.add_run()._r.append(instr)
    par.add_run()._r.append(fld("separate"))
    last: Paragraph = par
    for e in entries:
        line = doc.add_paragraph()
        _fixed_spacing(line)
        fmt = line.paragraph_format
        fmt.tab_stops.add_tab_stop(Cm(15.5), alignment=2, leader=1)  # right, dots
        text = e.label if e.kind == "report" else f"    {e.label}"
        set_font(line.add_run(f"{text}\t{e.page}"), FANG, Pt(16))
        last = line
    last.add_run()._r.append(fld("end"))


def export_booklet(
    meeting: object, *, unapproved: Unapproved = Unapproved.OMIT
) -> tuple[str, str, bytes]:
    from shuping.meetings.models import Meeting

    assert isinstance(meeting, Meeting)
    entries = booklet_entries(meeting, unapproved=unapproved)
    campaign = meeting.campaign
    doc = base_document()
    first = doc.sections[0]
    setup_section(first, page_numbers=False)
    for _ in range(4):
        add_par(doc, "", FANG, BODY_SIZE)
    # the cover names the round (unit, year, meeting), not the notice that announced it
    round_name = f"{campaign.committee.name}{campaign.year}年度"
    add_par(doc, round_name, TITLE_FONT, TITLE_SIZE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    add_par(doc, meeting.title, TITLE_FONT, TITLE_SIZE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    add_par(doc, "", FANG, BODY_SIZE)
    add_par(doc, "述职材料汇编", TITLE_FONT, Pt(36), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for _ in range(3):
        add_par(doc, "", FANG, BODY_SIZE)
    when = timezone.localdate(meeting.starts_at)
    add_par(doc, campaign.committee.name, KAI, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
    add_par(doc, f"{when.year}年{when.month}月", KAI, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
    page_break(doc)
    add_par(doc, "目　　录", HEI, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
    add_par(doc, "", FANG, BODY_SIZE)
    _toc(doc, entries)
    rules = campaign.parsed_rules.report
    for n, e in enumerate(entries):
        # first entry: a new section whose page numbers start at 1; then a page break each
        if n == 0:
            setup_section(doc.add_section(WD_SECTION.NEW_PAGE), restart=True)
        else:
            page_break(doc)
        if e.report is not None:
            add_report(doc, e.report, rules, outline=True)
        elif e.case is not None:
            add_case(doc, e.case, e.pictures, outline=True)
    if not entries:
        add_par(doc, "（本次会议尚无述职材料）", FANG, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
    name = f"{_safe(meeting.title)}述职材料汇编.docx"
    return name, DOCX, _save(doc)


def export_booklet_zip(
    meeting: object, *, unapproved: Unapproved = Unapproved.OMIT
) -> tuple[str, str, bytes]:
    from shuping.meetings.models import Meeting

    assert isinstance(meeting, Meeting)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        name, _, data = export_booklet(meeting, unapproved=unapproved)
        zf.writestr(f"00_{name}", data)
        for e in booklet_entries(meeting, unapproved=unapproved):
            if e.report is not None:
                fname, _, data = export_report(e.report)
            elif e.case is not None:
                fname, _, data = export_case(e.case)
            else:
                continue
            zf.writestr(f"{e.order:02d}_{fname}", data)
    return f"{_safe(meeting.title)}述职材料.zip", ZIP, buf.getvalue()
