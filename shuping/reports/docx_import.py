"""Splitting a report written in Word or WPS into the preset's sections by its headings."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from docx import Document
from docx.oxml.ns import qn

from shuping.lib.errors import DomainError
from shuping.rounds.rules import Section

# "一、履职主要情况和特点" / "二．存在问题" / "第三部分 下一步打算" / "3. 整改情况"
HEADING_RE = re.compile(
    r"^\s*(?:第[一二三四五六七八九十]+部分[、，:：\s]*|[一二三四五六七八九十]+\s*[、.．:：]\s*"
    r"|\d{1,2}\s*[、.．]\s*(?=[\u4e00-\u9fff]))(?P<text>.+)$"
)
# words that say which role a heading has, for headings worded differently from the preset
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "achievements": ("履职", "主要工作", "工作情况", "主要情况", "成绩", "特点", "做法", "成效"),
    "problems": ("问题", "不足", "差距", "原因"),
    "plans": ("下一步", "下步", "打算", "思路", "措施", "计划", "努力方向"),
    "rectification": ("整改",),
}
MAX_HEADING_CHARS = 40

# Bounds on the work one import may cost. A duty report is a few hundred paragraphs and
# a few tables; a 47 KB file with 100,000 empty paragraphs used to cost 106 s of CPU.
# Everything is counted from the file's XML before python-docx builds its objects, and
# the unpacked size is checked before anything is unpacked (a zip bomb stays small).
MAX_PARAGRAPHS = 5000
MAX_TABLES = 100
MAX_CHARS = 200_000
MAX_DOCUMENT_XML = 30 * 1024 * 1024
MAX_UNPACKED = 100 * 1024 * 1024


@dataclass
class ImportResult:
    sections: dict[str, str]
    title: str = ""
    subtitle: str = ""
    matched: list[tuple[str, str]] = field(default_factory=list)  # (heading in file, section)
    unplaced: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    return re.sub(r"[\s、，。：:；;（）()“”\"'.．]", "", text)


def _heading_level(style_name: str) -> int | None:
    m = re.search(r"(?:heading|标题)\s*(\d)", style_name, re.I)
    return int(m.group(1)) if m else None


def match_section(heading: str, sections: tuple[Section, ...]) -> Section | None:
    """The preset section a heading stands for: close wording first, then role words."""
    text = _norm(heading)
    best: tuple[float, Section | None] = (0.0, None)
    for s in sections:
        title = _norm(s.title)
        if title and (title in text or text in title):
            return s
        ratio = SequenceMatcher(None, text, title).ratio()
        if ratio > best[0]:
            best = (ratio, s)
    if best[0] >= 0.6:
        return best[1]
    # Role words; "问题" wins over "措施" ("存在问题及整改措施" is about problems),
    # and "整改" headings go to a rectification section only if the preset has one.
    for role in ("rectification", "problems", "plans", "achievements"):
        if any(w in heading for w in ROLE_WORDS[role]):
            for s in sections:
                if s.role == role:
                    return s
    return None


def _is_top_heading(
    text: str, style_name: str, sections: tuple[Section, ...] = (), outline: int | None = None
) -> bool:
    if len(text) > MAX_HEADING_CHARS:
        return False
    level = _heading_level(style_name)
    if level is None and outline is not None:
        level = outline + 1
    if level is not None:
        return level == 1
    if text.endswith(("。", "；", "，")):
        return False
    if HEADING_RE.match(text):
        return True
    # Word's automatic numbering keeps "一、" out of the text: a short line that reads
    # like a section's title is its heading
    if SECOND_LEVEL_RE.match(text):
        return False
    norm = _norm(text)
    return any(
        _norm(s.title) == norm or SequenceMatcher(None, norm, _norm(s.title)).ratio() >= 0.8
        for s in sections
    )


SECOND_LEVEL_RE = re.compile(r"^\s*[（(][一二三四五六七八九十\d]+[）)]")


def split_paragraphs(
    paragraphs: Sequence[tuple[Any, ...]], sections: tuple[Section, ...]
) -> ImportResult:
    """[(text, style name[, outline level])] → sections; what cannot be placed is listed,
    never dropped."""
    result = ImportResult(sections={s.key: "" for s in sections})
    bodies: dict[str, list[str]] = {s.key: [] for s in sections}
    current: str | None = None
    seen_heading = False
    lost: list[str] = []
    for item in paragraphs:
        raw, style = item[0], item[1]
        outline = item[2] if len(item) > 2 else None
        text = raw.strip()
        if not text:
            continue
        if _is_top_heading(text, style, sections, outline):
            seen_heading = True
            section = match_section(text, sections)
            if section is not None:
                current = section.key
                result.matched.append((text, section.title))
                continue
            current = None
            lost.append(text)
            continue
        if current is not None:
            bodies[current].append(text)
        elif not seen_heading and not result.title and "报告" in text and len(text) <= 40:
            result.title = text
        elif not seen_heading and result.title and len(text) <= 40:
            # subtitle and date lines under the title: "××书记 王××", "（2026年1月）"
            result.subtitle = (result.subtitle + " " + text).strip()
        else:
            lost.append(text)
    result.sections = {k: "\n".join(v) for k, v in bodies.items()}
    result.unplaced = lost
    return result


def _outline_level(par: Any) -> int | None:
    lvl = par._p.find(f"{{{W_NS}}}pPr/{{{W_NS}}}outlineLvl")
    if lvl is None:
        return None
    try:
        return int(lvl.get(f"{{{W_NS}}}val"))
    except (TypeError, ValueError):
        return None


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


UNREADABLE = "无法读取这个 Word 文档，请确认是 .docx 格式。"
TOO_LARGE = (
    "这个 Word 文档过大（{what}），不像一份述职报告，未导入。"
    "请删去多余的空行、表格或附件后重新导入，或把报告内容直接粘贴到各部分。"
)


def _check_unpacked_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise DomainError(UNREADABLE, field="file") from exc
    body = next((i.file_size for i in infos if i.filename == "word/document.xml"), 0)
    if body > MAX_DOCUMENT_XML or sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise DomainError(TOO_LARGE.format(what="解压后内容过多"), field="file")


def check_size(body: Any) -> None:
    """Refuse a document whose body holds more than a report ever does, counting XML
    elements only (cheap), before any per-paragraph work."""
    paragraphs = sum(1 for _ in body.iter(qn("w:p")))
    if paragraphs > MAX_PARAGRAPHS:
        raise DomainError(
            TOO_LARGE.format(what=f"{paragraphs} 段，最多 {MAX_PARAGRAPHS} 段"), field="file"
        )
    tables = sum(1 for _ in body.iter(qn("w:tbl")))
    if tables > MAX_TABLES:
        raise DomainError(
            TOO_LARGE.format(what=f"{tables} 个表格，最多 {MAX_TABLES} 个"), field="file"
        )
    chars = 0
    for text in body.iter(qn("w:t")):
        chars += len(text.text or "")
        if chars > MAX_CHARS:
            raise DomainError(
                TOO_LARGE.format(what=f"超过 {MAX_CHARS // 10000} 万字"), field="file"
            )


def read_docx(data: bytes, sections: tuple[Section, ...]) -> ImportResult:
    _check_unpacked_size(data)
    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for broken files
        raise DomainError(UNREADABLE, field="file") from exc
    check_size(doc.element.body)
    # Empty paragraphs are skipped before their style is looked up (the costly part).
    paragraphs = [
        (p.text, p.style.name if p.style is not None else "", _outline_level(p))
        for p in doc.paragraphs
        if p.text.strip()
    ]
    result = split_paragraphs(paragraphs, sections)
    if not result.matched:
        raise DomainError(
            "文档中没有找到与本轮述职报告各部分对应的标题（如“一、"
            + sections[0].title
            + "”），请检查标题后重新导入。",
            field="file",
        )
    return result
