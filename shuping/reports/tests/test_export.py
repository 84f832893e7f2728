"""The official Word format (seed 003 附件1/附件2), read back from the bytes."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from shuping.conftest import Cast
from shuping.reports import export, services
from shuping.reports.models import DutyReport
from shuping.reports.samples import load_sample


def _keep(name: str, data: bytes) -> None:
    """SHUPING_KEEP_EXPORTS=/dir writes the files out for a look through LibreOffice."""
    where = os.environ.get("SHUPING_KEEP_EXPORTS")
    if where:
        Path(where).mkdir(parents=True, exist_ok=True)
        (Path(where) / name).write_bytes(data)


def fill(report: DutyReport, cast: Cast, sample: str = "003_good") -> DutyReport:
    return services.save_sections(report, actor=cast.reporter, sections=load_sample(sample))


def east_asia(run: object) -> str | None:
    fonts = run._element.rPr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_report_export_format(report: DutyReport, cast: Cast) -> None:
    report = fill(report, cast)
    name, ctype, data = export.export_report(report)
    _keep("report.docx", data)
    assert name.endswith(".docx") and ctype == export.DOCX
    doc = Document(io.BytesIO(data))

    sec = doc.sections[0]
    assert sec.top_margin is not None and round(sec.top_margin.cm, 2) == 3.7
    assert sec.bottom_margin is not None and round(sec.bottom_margin.cm, 2) == 3.5
    assert sec.left_margin is not None and round(sec.left_margin.cm, 2) == 2.8
    assert sec.right_margin is not None and round(sec.right_margin.cm, 2) == 2.6
    assert sec.gutter == Cm(0)
    assert doc.settings.odd_and_even_pages_header_footer is True

    pars = [p for p in doc.paragraphs if p.text.strip()]
    title, subtitle, when = pars[0], pars[1], pars[2]
    # the unit on its own line, then the rest: the title breaks between words
    assert title.text == "甲街道第二党支部\n2026年度抓党建工作述职报告"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    r = title.runs[0]
    assert (east_asia(r), r.font.size, r.font.bold) == ("华文中宋", Pt(22), True)
    for p in (subtitle, when):
        assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert (east_asia(p.runs[0]), p.runs[0].font.size) == ("楷体_GB2312", Pt(18))
    assert subtitle.text == "甲街道第二党支部书记 王建国"
    assert when.text.startswith("（2026年") or when.text.startswith("（20")

    headings = [p for p in pars if p.text.startswith(("一、", "二、", "三、"))]
    assert [h.text for h in headings] == [
        "一、履职主要情况和特点",
        "二、存在的主要问题及原因",
        "三、下一步工作思路和措施",
    ]
    for h in headings:
        assert (east_asia(h.runs[0]), h.runs[0].font.size) == ("黑体", Pt(18))

    second = next(p for p in pars if p.text.startswith("（一）扛牢"))
    assert east_asia(second.runs[0]) == "楷体_GB2312" and second.runs[0].text.endswith("。")
    assert (east_asia(second.runs[1]), second.runs[1].font.size) == ("仿宋_GB2312", Pt(18))
    for p in doc.paragraphs:
        assert p.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert p.paragraph_format.line_spacing == Pt(32)

    odd, even = sec.footer.paragraphs[0], sec.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for p in (odd, even):
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert "PAGE" in p._p.xml
        assert all(east_asia(r) == "宋体" and r.font.size == Pt(14) for r in p.runs)


def test_third_level_headings_are_bold(report: DutyReport, cast: Cast) -> None:
    report = fill(report, cast)
    services.save_sections(
        report, actor=cast.reporter, sections={"plans": "1．加强学习。每月组织一次专题研讨。"}
    )
    report.refresh_from_db()
    doc = Document(io.BytesIO(export.export_report(report)[2]))
    third = next(p for p in doc.paragraphs if p.text.startswith("1．加强学习"))
    assert third.runs[0].font.bold is True and east_asia(third.runs[0]) == "仿宋_GB2312"
    assert third.runs[1].font.bold is False


def test_export_escapes_nothing_and_keeps_every_character(report: DutyReport, cast: Cast) -> None:
    report = fill(report, cast)
    doc = Document(io.BytesIO(export.export_report(report)[2]))
    body = "".join(p.text for p in doc.paragraphs)
    for text in load_sample("003_good").values():
        assert text.replace("\n", "") in body


@pytest.mark.skipif(
    not os.environ.get("SHUPING_LIBREOFFICE_TESTS") or not shutil.which("soffice"),
    reason="set SHUPING_LIBREOFFICE_TESTS=1 to render through LibreOffice (slow)",
)
def test_page_estimate_matches_libreoffice(report: DutyReport, cast: Cast, tmp_path: Path) -> None:
    """The ≤6 pages check estimates pages from the layout; LibreOffice agrees on a sample."""
    report = fill(report, cast)
    src = tmp_path / "report.docx"
    src.write_bytes(export.export_report(report)[2])
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdf = (tmp_path / "report.pdf").read_bytes()
    rendered = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert rendered == export.report_pages(report, services.rules_for(report)) == 8
