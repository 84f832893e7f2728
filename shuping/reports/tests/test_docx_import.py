"""Uploading a report written in Word/WPS: split into sections by headings."""

from __future__ import annotations

import copy
import io
import zipfile

import pytest
from docx import Document

from shuping.conftest import Cast
from shuping.lib.errors import DomainError
from shuping.reports import docx_import, export, services
from shuping.reports.models import DutyReport, VersionKind
from shuping.reports.samples import load_sample
from shuping.rounds.rules import parse_rules
from shuping.rounds.testing import sample_rules


def _word_file(paragraphs: list[tuple[str, str | None]]) -> bytes:
    doc = Document()
    for text, style in paragraphs:
        doc.add_paragraph(text, style=style)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_word_document_split_by_headings(report: DutyReport, cast: Cast) -> None:
    sample = load_sample("003_good")
    paras: list[tuple[str, str | None]] = [
        ("2026年度抓基层党建工作述职报告", "Title"),
        ("甲街道第二党支部书记  王建国", None),
        ("（2026年1月）", None),
        ("一、履职主要情况和特点", None),  # typed numbering, as most people write
        *[(p, None) for p in sample["performance"].splitlines()],
        ("存在问题及原因分析", "Heading 1"),  # a heading style, worded differently
        *[(p, None) for p in sample["problems"].splitlines()],
        ("三．下步工作打算", None),  # full-width dot, "下步…打算" instead of the preset's title
        *[(p, None) for p in sample["plans"].splitlines()],
        ("四、其他需要说明的事项", None),
        ("附：全年党建工作数据统计表见另册。", None),
    ]
    result = services.import_docx(report, actor=cast.reporter, data=_word_file(paras))
    assert [m[1] for m in result.matched] == [
        "履职主要情况和特点",
        "存在的主要问题及原因",
        "下一步工作思路和措施",
    ]
    assert result.unplaced == ["四、其他需要说明的事项", "附：全年党建工作数据统计表见另册。"]
    assert result.title == "2026年度抓基层党建工作述职报告"
    report.refresh_from_db()
    assert report.sections == sample
    assert report.title == "2026年度抓基层党建工作述职报告"
    assert report.versions.filter(kind=VersionKind.IMPORT).count() == 1


def test_export_then_import_round_trip(report: DutyReport, cast: Cast) -> None:
    report = services.save_sections(report, actor=cast.reporter, sections=load_sample("003_good"))
    data = export.export_report(report)[2]
    services.save_sections(report, actor=cast.reporter, sections={"plans": "被覆盖"})
    result = services.import_docx(report, actor=cast.reporter, data=data)
    assert result.unplaced == []
    report.refresh_from_db()
    assert report.sections == load_sample("003_good")


def test_file_with_no_matching_heading_is_refused(report: DutyReport, cast: Cast) -> None:
    data = _word_file([("今年工作很多。", None), ("明年继续努力。", None)])
    with pytest.raises(DomainError) as err:
        services.import_docx(report, actor=cast.reporter, data=data)
    assert err.value.field == "file" and "履职主要情况和特点" in err.value.message
    report.refresh_from_db()
    assert report.revision == 0


@pytest.mark.parametrize("data", [b"", b"not a word file", b"PK\x03\x04broken", b"%PDF-1.4"])
def test_non_docx_is_refused(report: DutyReport, cast: Cast, data: bytes) -> None:
    with pytest.raises(DomainError):
        services.import_docx(report, actor=cast.reporter, data=data)


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("一、履职主要情况和特点", "performance"),
        ("一、履职的主要情况和特点", "performance"),
        ("第一部分 主要工作情况", "performance"),
        ("二、存在的主要问题及原因", "problems"),
        ("二、存在的不足和差距", "problems"),
        ("三、下一步工作思路和措施", "plans"),
        ("3. 今后努力方向", "plans"),
    ],
)
def test_heading_matching(heading: str, key: str) -> None:
    sections = parse_rules(sample_rules()).report.sections
    assert docx_import._is_top_heading(heading, "Normal")
    matched = docx_import.match_section(heading, sections)
    assert matched is not None and matched.key == key


@pytest.mark.parametrize(
    "text",
    [
        "一是坚持把抓党建作为最大政绩。",  # a body sentence, not a heading
        "（一）扛牢第一责任人职责",  # second level stays in the section
        "2026年以来，街道党工委坚持以习近平新时代中国特色社会主义思想为指导，扎实推进各项工作。",
    ],
)
def test_not_top_headings(text: str) -> None:
    assert not docx_import._is_top_heading(text, "Normal")


def test_auto_numbered_and_outline_headings(report: DutyReport, cast: Cast) -> None:
    """Word's automatic numbering keeps "一、" out of the text; WPS often marks headings
    with an outline level instead of a heading style."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document()
    doc.add_paragraph("履职主要情况和特点")  # auto-numbered: the text is the title alone
    doc.add_paragraph("全年召开会议18次。")
    doc.add_paragraph("（一）存在的主要问题")  # second level: stays in the section
    par = doc.add_paragraph("存在问题和不足")
    lvl = OxmlElement("w:outlineLvl")
    lvl.set(qn("w:val"), "0")
    par._p.get_or_add_pPr().append(lvl)
    doc.add_paragraph("本人主观上重业务轻党建。")
    doc.add_paragraph("下一步工作思路和措施")
    doc.add_paragraph("一是加强学习。")
    buf = io.BytesIO()
    doc.save(buf)
    result = services.import_docx(report, actor=cast.reporter, data=buf.getvalue())
    assert result.unplaced == []
    assert result.sections == {
        "performance": "全年召开会议18次。\n（一）存在的主要问题",
        "problems": "本人主观上重业务轻党建。",
        "plans": "一是加强学习。",
    }


def _empty_paragraphs(count: int) -> bytes:
    """A small .docx whose body is `count` empty paragraphs (47 KB for 100,000)."""
    doc = Document()
    doc.add_paragraph("一、履职主要情况和特点")
    body = doc.element.body
    sect = body[-1]
    template = doc.add_paragraph()._p
    for _ in range(count - 1):
        sect.addprevious(copy.deepcopy(template))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_hundred_thousand_empty_paragraphs_are_refused(report: DutyReport, cast: Cast) -> None:
    data = _empty_paragraphs(100_000)
    assert len(data) < 200 * 1024
    before = report.sections
    with pytest.raises(DomainError) as err:
        services.import_docx(report, actor=cast.reporter, data=data)
    assert err.value.field == "file" and "段" in err.value.message
    report.refresh_from_db()
    assert report.sections == before


def test_refusal_shows_under_the_upload_field(report: DutyReport, cast: Cast) -> None:
    from django.test import Client

    c = Client()
    c.force_login(cast.reporter)
    upload = io.BytesIO(_empty_paragraphs(docx_import.MAX_PARAGRAPHS + 10))
    upload.name = "报告.docx"
    r = c.post(f"/reports/{report.pk}/import/", {"file": upload}, follow=True)
    html = r.content.decode()
    assert 'id="import-error"' in html and "最多 5000 段" in html
    # shown once, then gone
    assert 'id="import-error"' not in c.get(f"/reports/{report.pk}/write/").content.decode()


def test_too_many_characters_and_zip_bombs_are_refused() -> None:
    sections = parse_rules(sample_rules()).report.sections
    doc = Document()
    doc.add_paragraph("一、履职主要情况和特点")
    for _ in range(30):
        doc.add_paragraph("字" * 10_000)
    buf = io.BytesIO()
    doc.save(buf)
    with pytest.raises(DomainError, match="万字"):
        docx_import.read_docx(buf.getvalue(), sections)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b" " * (docx_import.MAX_DOCUMENT_XML + 1))
    with pytest.raises(DomainError, match="解压后"):
        docx_import.read_docx(bomb.getvalue(), sections)


def test_a_normal_report_with_blank_lines_still_imports(report: DutyReport, cast: Cast) -> None:
    data = _word_file(
        [("一、履职主要情况和特点", None), ("", None), ("抓党建。", None), ("", None)] * 3
    )
    result = services.import_docx(report, actor=cast.reporter, data=data)
    assert result.matched
