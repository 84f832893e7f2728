"""Checking uploads by their content, never by their name or the browser's claim."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from shuping.lib.errors import DomainError

PICTURE_MAX = 5 * 1024 * 1024
SLIDES_MAX = 30 * 1024 * 1024
DOCX_MAX = 10 * 1024 * 1024


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str
    label: str


def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return zf.namelist()
    except (zipfile.BadZipFile, ValueError):
        return []


def sniff(data: bytes) -> Sniffed | None:
    """The real type of `data` from its leading bytes (and, for Office files, its parts)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", ".png", "PNG 图片")
    if data.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", ".jpg", "JPEG 图片")
    if data.startswith(b"%PDF-"):
        return Sniffed("application/pdf", ".pdf", "PDF 文件")
    if data.startswith(b"PK\x03\x04"):
        names = _zip_names(data)
        if "[Content_Types].xml" in names:
            if any(n.startswith("ppt/") for n in names):
                return Sniffed(
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    ".pptx",
                    "PowerPoint 演示文稿",
                )
            if any(n.startswith("word/") for n in names):
                return Sniffed(
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    ".docx",
                    "Word 文档",
                )
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return Sniffed("application/vnd.ms-powerpoint", ".ppt", "PowerPoint 97-2003 演示文稿")
    return None


def check_picture(data: bytes) -> Sniffed:
    if not data:
        raise DomainError("文件是空的。", field="file")
    if len(data) > PICTURE_MAX:
        raise DomainError(f"图片不能超过 {PICTURE_MAX // 1024 // 1024} MB。", field="file")
    kind = sniff(data)
    if kind is None or not kind.content_type.startswith("image/"):
        raise DomainError("只能上传 JPG 或 PNG 图片。", field="file")
    return kind


def check_slides(data: bytes) -> Sniffed:
    if not data:
        raise DomainError("文件是空的。", field="file")
    if len(data) > SLIDES_MAX:
        raise DomainError(f"演示文稿不能超过 {SLIDES_MAX // 1024 // 1024} MB。", field="file")
    kind = sniff(data)
    if kind is None or kind.extension not in (".pptx", ".ppt", ".pdf"):
        raise DomainError("只能上传 PPTX、PPT 或 PDF 格式的演示文稿。", field="file")
    return kind


def check_docx(data: bytes) -> None:
    if not data:
        raise DomainError("文件是空的。", field="file")
    if len(data) > DOCX_MAX:
        raise DomainError("Word 文档不能超过 10 MB。", field="file")
    kind = sniff(data)
    if kind is None or kind.extension != ".docx":
        raise DomainError(
            "只能导入 .docx 格式的 Word 文档（WPS 或 Word 中“另存为 .docx”）。", field="file"
        )


def clean_name(name: str) -> str:
    """The user's file name for display only: no directories, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:120] or "未命名"
