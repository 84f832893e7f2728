"""lib/docx: one font helper for every exporter, titles broken between words."""

from __future__ import annotations

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from shuping.lib.docx import FONTCONFIG, set_default_font, set_font, soffice_env, title_lines


def test_set_font_fills_every_slot() -> None:
    doc = Document()
    run = doc.add_paragraph().add_run("二〇二六年 2026")
    set_font(run, "仿宋_GB2312", 16, bold=True, color=RGBColor(0xE0, 0, 0))
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    assert {fonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "仿宋_GB2312"
    }
    assert run.font.size == Pt(16) and run.font.bold and run.font.color.rgb == RGBColor(0xE0, 0, 0)
    set_default_font(doc, "宋体", Pt(11))
    normal = doc.styles["Normal"]
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体" and normal.font.size == Pt(11)


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("西山区委2026年度党建述职工作方案", ["西山区委2026年度党建述职工作方案"]),
        (
            "关于2026年度述职评议考核问题整改进展情况的通报",
            ["关于2026年度述职评议考核", "问题整改进展情况的通报"],
        ),
        (
            "西山区委2025年度述职评议考核备案材料目录",
            ["西山区委2025年度", "述职评议考核备案材料目录"],
        ),
        (
            "区直机关工委2026年度党支部书记、党员述职评议考核工作实施方案",
            ["区直机关工委2026年度", "党支部书记、党员述职评议考核工作实施方案"],
        ),
        (
            "关于认真做好2026年度金顶街道党工委下属党组织书记“双述双评”工作的通知",
            ["关于认真做好2026年度金顶街道党工委", "下属党组织书记“双述双评”工作的通知"],
        ),
    ],
)
def test_titles_break_between_words(title: str, lines: list[str]) -> None:
    assert title_lines(title).split("\n") == lines


def test_a_title_without_a_word_boundary_is_left_to_the_word_processor() -> None:
    assert title_lines("甲" * 30) == "甲" * 30


def test_libreoffice_gets_the_font_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    assert soffice_env()["FONTCONFIG_FILE"] == str(FONTCONFIG) and FONTCONFIG.exists()
    assert "仿宋_GB2312" in FONTCONFIG.read_text(encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", "/etc/own.conf")  # the operator's choice wins
    assert soffice_env()["FONTCONFIG_FILE"] == "/etc/own.conf"
