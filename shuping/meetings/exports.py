"""The meeting record (会议记录) as .docx, and the sign-in QR code.

Exporters return (filename, content_type, bytes); tests open the bytes again.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import segno
from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from shuping.lib.docx import page_number_footer, set_font
from shuping.meetings import attendance, critiques, services
from shuping.meetings.models import Critique, Meeting, MeetingReporter

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEAD_FONT = "黑体"


def qr_svg(url: str) -> str:
    """An inline SVG QR code (no XML declaration) that scales with CSS."""
    qr = segno.make(url, error="m")
    return str(qr.svg_inline(scale=8, border=2, omitsize=True))


def content_disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def _para(doc: object, text: str, *, font: str = BODY_FONT, size: float = 12, bold: bool = False,
          center: bool = False) -> None:  # fmt: skip
    p = doc.add_paragraph()  # type: ignore[attr-defined]
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(4)
    set_font(p.add_run(text), font, size, bold=bold)


def _heading(doc: object, text: str) -> None:
    _para(doc, text, font=HEAD_FONT, size=14, bold=False)


def _table(doc: object, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    table = doc.add_table(rows=1, cols=len(header))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        set_font(cell.paragraphs[0].add_run(text), HEAD_FONT, 10.5)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            set_font(cell.paragraphs[0].add_run(text), BODY_FONT, 10.5)
    # Word reads the cell widths, LibreOffice the grid columns: set both.
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _local(value: object, fmt: str) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime(fmt)  # type: ignore[arg-type]


def _duration(entry: MeetingReporter) -> str:
    seconds = services.report_seconds(entry)
    if seconds is None:
        return ""
    return f"{seconds // 60}分{seconds % 60:02d}秒"


ABSENTEES_LISTED = 200  # a hall of 700: name the absent, but never a book of names


def _absentees(doc: object, meeting: Meeting, titles: dict[str, str]) -> None:
    """缺席人员及原因: the expected who did not sign in, by category, with room for reasons."""
    absent = list(
        meeting.attendees.filter(expected=True, signed_in_at__isnull=True)
        .order_by("category", "name", "id")
        .values_list("category", "name")[: ABSENTEES_LISTED + 1]
    )
    _para(doc, "缺席人员及原因：" + ("无。" if not absent else ""), size=11)
    by_category: dict[str, list[str]] = {}
    for category, name in absent[:ABSENTEES_LISTED]:
        by_category.setdefault(category, []).append(name)
    for category, names in by_category.items():
        title = titles.get(category) or services.DEFAULT_TITLES.get(category) or "其他"
        _para(doc, f"{title}（{len(names)}人）：{'、'.join(names)}；原因：＿＿＿＿＿＿", size=11)
    if len(absent) > ABSENTEES_LISTED:
        _para(doc, f"（缺席人员较多，此处列出前{ABSENTEES_LISTED}人，完整名单见签到表。）", size=11)


def meeting_record_docx(meeting: Meeting) -> tuple[str, str, bytes]:
    """会议记录: meeting info, attendance by category with the quorum lines, speaking
    order with times, questions/answers/promises and each reporter's critique."""
    agenda = list(
        meeting.agenda.select_related("reporter__person", "reporter__organization", "critique")
        .prefetch_related("questions")
        .order_by("order", "id")
    )
    counts = attendance.attendance_counts(meeting)
    quorum = attendance.quorum_status(meeting)
    titles = dict(services.categories_for(meeting))
    limit = services.minutes_per_report(meeting)

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.6), Cm(2.4)
    page_number_footer(section)

    _para(doc, "会 议 记 录", font=TITLE_FONT, size=20, center=True)
    _para(doc, meeting.title, font="楷体_GB2312", size=14, center=True)
    _heading(doc, "一、会议基本情况")
    host = meeting.host.name if meeting.host is not None else "（未指定）"
    for label, value in (
        ("考核方案", meeting.campaign.title),
        ("会议时间", _local(meeting.starts_at, "%Y年%m月%d日 %H:%M")),
        ("会议地点", meeting.place or "—"),
        ("主 持 人", host),
        ("会议状态", meeting.get_status_display()),
        ("开始/结束", f"{_local(meeting.opened_at, '%H:%M') or '—'} / "
                     f"{_local(meeting.closed_at, '%H:%M') or '—'}"),
        ("每人述职时限", f"{limit} 分钟" if limit else "未设定"),
        ("记 录 人", "＿＿＿＿＿＿"),
    ):  # fmt: skip
        _para(doc, f"{label}：{value}")

    _heading(doc, "二、出席情况")
    _table(
        doc,
        ["类别", "应到", "实到"],
        [[r.title, str(r.expected), str(r.present)] for r in counts.rows]
        + [["合计", str(counts.expected), str(counts.present)]],
        [7, 4, 4],
    )
    for line in quorum.lines:
        _para(doc, line, size=11)
    if quorum.overridden:
        _para(
            doc, f"未达到会人数要求，经主持人决定继续进行。理由：{quorum.override_reason}", size=11
        )
    _absentees(doc, meeting, titles)

    _heading(doc, "三、述职顺序")
    rows = []
    for i, entry in enumerate(agenda, start=1):
        reporter = entry.reporter
        rows.append(
            [
                str(i),
                reporter.person.name if reporter.person is not None else "（空缺）",
                reporter.organization.name,
                "现场述职" if entry.speaks else "书面述职",
                f"{_local(entry.started_at, '%H:%M')}–{_local(entry.ended_at, '%H:%M')}"
                if entry.started_at
                else "",
                _duration(entry),
            ]
        )
    _table(
        doc,
        ["序号", "述职人", "党组织", "方式", "起止", "用时"],
        rows,
        [1.2, 2.0, 5.2, 2.0, 2.8, 2.4],
    )

    _heading(doc, "四、现场提问、回答与承诺")
    any_question = False
    for entry in agenda:
        questions = list(entry.questions.all())
        if not questions:
            continue
        any_question = True
        who = entry.reporter.person.name if entry.reporter.person is not None else "（空缺）"
        _para(doc, f"{entry.reporter.organization.name} {who}", font=HEAD_FONT, size=12)
        for n, q in enumerate(questions, start=1):
            asker = critiques.asker_label(q, titles)
            _para(doc, f"问{n}{('（' + asker + '）') if asker else ''}：{q.text}")
            _para(doc, f"答：{q.answer or '—'}")
            if q.promised_by:
                _para(
                    doc,
                    f"承诺：{q.promise or '整改'}，{q.promised_by:%Y年%m月%d日}前完成。",
                    bold=True,
                )
    if not any_question:
        _para(doc, "无。")

    _heading(doc, "五、领导点评")
    without: list[str] = []
    for entry in agenda:
        who = entry.reporter.person.name if entry.reporter.person is not None else "（空缺）"
        try:
            critique: Critique | None = entry.critique
        except Critique.DoesNotExist:
            critique = None
        if critique is None or not critique.text:
            without.append(f"{entry.reporter.organization.name} {who}")
            continue
        _para(doc, f"{entry.reporter.organization.name} {who}", font=HEAD_FONT, size=12)
        mark = "" if critique.status == "final" else "（草稿，未定稿）"
        _para(doc, critique.text + mark)
    if without:
        # one line, not a "（无点评）" placeholder under every written reporter
        _para(doc, f"未作点评：{'、'.join(without)}。")

    # signatures close the record; the generation time sits on the same line block, so
    # no page ever holds only a timestamp
    _para(doc, "")
    _para(doc, "主持人（签字）：＿＿＿＿＿＿　　记录人（签字）：＿＿＿＿＿＿")
    _para(doc, f"（本记录由系统于{_local(timezone.now(), '%Y年%m月%d日 %H:%M')}生成）", size=10)
    buf = io.BytesIO()
    doc.save(buf)
    stamp = _local(meeting.starts_at, "%Y%m%d")
    return f"会议记录-{meeting.title}-{stamp}.docx", DOCX, buf.getvalue()
