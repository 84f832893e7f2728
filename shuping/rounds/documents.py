"""The round's plan (工作方案 / 通知) as an official document (.docx, GB/T 9704 layout).

A4, 公文 margins (上37 下35 左28 右26 mm), red issuing-office line and rule,
文号, title in 小标宋 二号, 主送, body in 仿宋_GB2312 三号 on a fixed 28 pt line,
headings 一、 in 黑体 and （一） in 楷体, page numbers "— 1 —" (odd right, even left),
then the attachments (evaluation form, indicator table) on their own pages.
The office edits the file afterwards: everything is plain paragraphs and tables.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from shuping.lib.docx import official_page_numbers, set_default_font, set_font, title_lines
from shuping.organizations.models import OrgKind, Sector
from shuping.rounds.models import Campaign, Deadline, Reporter, ReportMode, doc_number_for
from shuping.rounds.rules import Rules

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI = "黑体"
KAI = "楷体_GB2312"
RED = RGBColor(0xE0, 0x00, 0x00)
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
LINE = Pt(28)
NUMERALS = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    if n < 20:
        return "十" + NUMERALS[n - 11]
    return NUMERALS[n // 10 - 1] + "十" + (NUMERALS[n % 10 - 1] if n % 10 else "")


def cn_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


class PlanWriter:
    def __init__(self) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.footer_distance = Mm(20)
        self.doc.settings.odd_and_even_pages_header_footer = True
        official_page_numbers(section)
        set_default_font(self.doc, BODY_FONT, SIZE_3)

    def para(
        self,
        text: str = "",
        *,
        font: str = BODY_FONT,
        size: Length = SIZE_3,
        bold: bool = False,
        align: WD_ALIGN_PARAGRAPH | None = None,
        indent: bool = True,
        color: RGBColor | None = None,
        line: Pt | None = LINE,
    ) -> Paragraph:
        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        if line is not None:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = line
        if indent:
            fmt.first_line_indent = Pt(size.pt * 2)
        if align is not None:
            p.alignment = align
        if text:
            set_font(p.add_run(text), font, size, bold=bold, color=color)
        return p

    def red_head(self, issuer: str, doc_number: str) -> None:
        self.para(
            f"{issuer}文件" if issuer else "",
            font=TITLE_FONT,
            size=Pt(30),
            color=RED,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
            line=Pt(48),
        )
        self.para(line=LINE, indent=False)
        number = self.para(doc_number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        # the red rule under the 文号 (版头分隔线)
        ppr = number._p.get_or_add_pPr()
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for k, v in (("w:val", "single"), ("w:sz", "18"), ("w:space", "8"), ("w:color", "E00000")):
            bottom.set(qn(k), v)
        border.append(bottom)
        ppr.append(border)
        self.para(indent=False)

    def title(self, text: str) -> None:
        self.para(
            title_lines(text),
            font=TITLE_FONT,
            size=SIZE_2,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
            line=Pt(36),
        )
        self.para(indent=False)

    def heading(self, text: str) -> None:
        self.para(text, font=HEI)

    def subheading(self, text: str) -> None:
        self.para(text, font=KAI)

    def colophon(self, *, cc: str, printed_by: str, on: date) -> None:
        """版记: 抄送 and 印发机关、印发日期 between rules, at the end of the document."""
        lines = ([f"抄送：{cc}。"] if cc else []) + [f"{printed_by}\t{cn_date(on)}印发"]
        for i, text in enumerate(lines):
            p = self.para(text, size=SIZE_4, indent=False, line=Pt(28))
            p.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
            borders = OxmlElement("w:pBdr")
            for side in ("top", "bottom") if i == len(lines) - 1 else ("top",):
                edge = OxmlElement(f"w:{side}")
                edge.set(qn("w:val"), "single")
                edge.set(qn("w:sz"), "8" if side == "bottom" or i == 0 else "4")
                edge.set(qn("w:space"), "1")
                edge.set(qn("w:color"), "000000")
                borders.append(edge)
            p._p.get_or_add_pPr().append(borders)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def table(
        self,
        header: list[str],
        rows: Iterable[list[str]],
        widths: list[int],
        *,
        size: Length = SIZE_4,
    ) -> None:
        """A ruled table; its header row repeats at the top of every page it runs onto."""
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for cell, text, width in zip(table.rows[0].cells, header, widths, strict=True):
            cell.width = Mm(width)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_font(cell.paragraphs[0].add_run(text), HEI, size)
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(repeat)
        for row in rows:
            cells = table.add_row().cells
            for cell, text, width in zip(cells, row, widths, strict=True):
                cell.width = Mm(width)
                set_font(cell.paragraphs[0].add_run(text), BODY_FONT, size)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Mm(width)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def _fmt(text: str, year: int, committee: str = "") -> str:
    return (
        text.replace("{committee}", committee)
        .replace("{year}", str(year))
        .replace("{next_year}", str(year + 1))
        .replace("{prev_year}", str(year - 1))
    )


def _end(text: str) -> str:
    """A sentence ends with 。 (seed items are written with and without)."""
    return text if text.endswith(("。", "；", "：", "！")) else f"{text}。"


def _scope_sentence(campaign: Campaign, rules: Rules) -> str:
    """The scope in words from the rules (not the seed's own unit names)."""
    scope = rules.scope
    where = "直属" if scope.source == "direct_children" else "所辖"
    sectors = "、".join(str(Sector(s).label) for s in scope.sectors if s in Sector.values)
    kinds = "、".join(str(OrgKind(k).label) for k in scope.kinds if k in OrgKind.values)
    field = f"{sectors}领域" if sectors else ""
    text = f"{campaign.committee.name}{where}{field}{kinds or '党组织'}书记"
    extra = []
    if scope.exclude_retiree:
        extra.append("老年党支部书记除外")
    extra += [s.text for s in scope.sampling if s.text]
    if scope.members_report:
        extra.append("全体在职党员向所在支部述职")
    return text + (f"（{'，'.join(extra)}）" if extra else "")


def _range(start: date | None, due: date | None) -> str:
    if start and due and start != due:
        return f"{cn_date(start)}至{cn_date(due)}"
    if due:
        return f"{cn_date(due)}前" if not start else cn_date(due)
    return "时间另行通知"


def plan_document(
    campaign: Campaign,
    *,
    issued_on: date | None = None,
    reporters: list[Reporter] | None = None,
    deadlines: list[Deadline] | None = None,
) -> tuple[str, str, bytes]:
    """The plan of `campaign` as .docx: (filename, content type, bytes). A preset's
    preview passes an unsaved round with its proposed `reporters` and `deadlines`."""
    rules: Rules = campaign.parsed_rules
    year = campaign.year
    doc = rules.document
    if reporters is None:
        reporters = list(campaign.reporters.select_related("organization", "person"))
    if deadlines is None:
        deadlines = list(campaign.deadlines.all())
    issued_on = issued_on or campaign.created_at.date()
    issuer = _fmt(doc.issuer, year, campaign.committee.name) or f"中共{campaign.committee.name}"
    w = PlanWriter()
    # no number assigned yet: the line keeps its place with the year, for the office to
    # fill in (a 文件 without a 发文字号 line would look finished when it is not)
    number = doc_number_for(campaign.doc_number, issued_on) or f"　　〔{issued_on.year}〕　号"
    w.red_head(issuer, number)
    w.title(campaign.title)
    committee = campaign.committee.name
    if doc.recipients:
        w.para(f"{_fmt(doc.recipients, year, committee)}：", indent=False)
    if doc.preamble:
        w.para(_fmt(doc.preamble, year, committee))

    w.heading("一、述职范围和方式")
    w.para(f"述职范围为{_scope_sentence(campaign, rules)}，共{len(reporters)}名。")
    onsite = [r.organization.name for r in reporters if r.mode == ReportMode.ONSITE]
    written = [r.organization.name for r in reporters if r.mode == ReportMode.WRITTEN]
    if onsite:
        w.para(f"现场述职（{len(onsite)}名）：{'、'.join(onsite)}。")
    if written:
        w.para(f"书面述职（{len(written)}名）：{'、'.join(written)}。")
    if rules.modes.text:
        w.para(rules.modes.text + "。")
    for entry in campaign.sampling_log:
        chosen = "、".join(o["name"] for o in entry["chosen"])
        w.para(
            f"{entry['text']}：从{len(entry['pool'])}个党组织中随机抽取{entry['count']}名"
            f"（抽样种子{entry['seed']}），抽中{chosen}。"
        )

    w.heading("二、述职内容")
    for i, item in enumerate(rules.content, start=1):
        w.para(f"（{cn_number(i)}）{_end(_fmt(item, year))}")
    for item in rules.report.requirements:
        w.para(_end(_fmt(item, year)))

    w.heading("三、方法步骤")
    for i, d in enumerate(deadlines, start=1):
        when = _range(d.starts_on, d.due_on)
        # a note explains its step: it goes into that sentence, not a paragraph of its own
        note = f"，{d.note.rstrip('。')}" if d.note and d.note not in when else ""
        w.subheading(f"（{cn_number(i)}）{d.title}（{when}{note}）")
    for meeting in rules.meetings:
        bits = [meeting.title]
        if meeting.host:
            bits.append(f"由{meeting.host}主持")
        if meeting.participants:
            bits.append("参加人员：" + "、".join(meeting.participants))
        if meeting.minutes_per_report:
            bits.append(f"每人述职时间不超过{meeting.minutes_per_report}分钟")
        if meeting.quorum and meeting.quorum.source:
            bits.append(meeting.quorum.source)
        w.para("；".join(bits) + "。")
        for j, step in enumerate(meeting.agenda, start=1):
            w.para(f"{j}.{step}。")
    w.para(f"测评等次分为{'、'.join(rules.ballot_scale)}{len(rules.ballot_scale)}个等次。")
    for rule in rules.grading:
        if rule.text:
            w.para(rule.text + "。")
    for cons in rules.consequences:
        if cons.text:
            w.para(cons.text + "。")

    w.heading("四、工作要求")
    for i, item in enumerate(rules.requirements, start=1):
        w.para(f"（{cn_number(i)}）{_end(_fmt(item, year))}")
    if rules.rectification and rules.rectification.text:
        w.para(rules.rectification.text + "。")
    if campaign.requires_sub_rounds and rules.sub_round:
        w.para(rules.sub_round.text + "。")
    if rules.filing:
        due = ""
        if rules.filing_due:
            filing = next((d for d in deadlines if d.key == "filing"), None)
            due = f"于{cn_date(filing.due_on)}前" if filing and filing.due_on else ""
        to = f"报{rules.filing_to}备案" if rules.filing_to else "存档"
        w.para(f"{due}将{'、'.join(rules.filing)}等材料{to}。")

    attachments = list(doc.attachments) or ["述职评议测评表"]
    w.para()
    lines = [f"{i}.{a}" for i, a in enumerate(attachments, start=1)]
    w.para("附件：" + lines[0])
    for line in lines[1:]:
        w.para("　　　" + line)
    w.para()
    w.para(issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    w.para(cn_date(issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)

    _attachments(w, campaign, rules, reporters, attachments)
    w.colophon(cc=_fmt(doc.cc, year), printed_by=doc.printed_by or _office(issuer), on=issued_on)
    return f"{campaign.title}.docx", DOCX, w.save()


def _office(issuer: str) -> str:
    return issuer if issuer.endswith("办公室") else f"{issuer}办公室"


def _attachments(
    w: PlanWriter, campaign: Campaign, rules: Rules, reporters: list[Reporter], names: list[str]
) -> None:
    form_index = next((i for i, n in enumerate(names, 1) if "测评" in n or "评议表" in n), 1)
    for index, name in enumerate(names, start=1):
        if index == form_index and "指标" not in name:
            w.page_break()
            w.para(f"附件{index}", font=HEI, indent=False)
            w.title(name)
            w.para("年    月    日", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
            scale = list(rules.ballot_scale)
            rows = [
                [str(i), r.organization.name, r.position or "书记", *[""] * len(scale)]
                for i, r in enumerate(reporters, start=1)
            ]
            side = (156 - 96) // len(scale)  # 156 mm of text width
            w.table(["序号", "述职对象", "职务", *scale], rows, [12, 44, 40, *[side] * len(scale)])
            w.para(
                "备注：在“评价等次”栏中选择其中一项打“√”，多选或不选无效。",
                size=SIZE_4,
                indent=False,
            )
        elif "指标" in name and rules.indicators:
            w.page_break()
            w.para(f"附件{index}", font=HEI, indent=False)
            w.title(name)
            rows = [
                [f"{cn_number(i)}、{ind.title}", ind.description]
                for i, ind in enumerate(rules.indicators, start=1)
            ]
            w.table(["指标类别", "测评内容"], rows, [50, 106])
        elif "具体安排" in name and rules.meetings:
            meeting = rules.meetings[0]
            w.page_break()
            w.para(f"附件{index}", font=HEI, indent=False)
            w.title(name)
            items = [
                ("会议时间", meeting.timing or "另行通知"),
                ("会议地点", meeting.place or "另行通知"),
                ("参会人员", "；".join(meeting.participants)),
                (
                    "述职对象",
                    "、".join(r.organization.name for r in reporters if r.mode == ReportMode.ONSITE)
                    + "书记进行现场述职，其他书记进行书面述职",
                ),
                ("议程安排", "；".join(meeting.agenda)),
            ]
            for i, (label, text) in enumerate(items, start=1):
                w.heading(f"{cn_number(i)}、{label}")
                w.para(text + "。")
        elif "案例" in name and rules.report.innovation_case_chars:
            w.page_break()
            w.para(f"附件{index}", font=HEI, indent=False)
            w.title(name)
            low, high = rules.report.innovation_case_pictures
            w.para(
                f"案例篇幅控制在{rules.report.innovation_case_chars}字左右，"
                f"可附{low}至{high}幅配图。"
            )
            for i, part in enumerate(("工作背景", "主要举措", "取得成效"), start=1):
                w.heading(f"{cn_number(i)}、{part}")
        elif "格式" in name and rules.report.format:
            w.page_break()
            w.para(f"附件{index}", font=HEI, indent=False)
            w.title(name)
            w.para(rules.report.format + "。")
            for s in rules.report.sections:
                w.heading(f"{s.title}")
