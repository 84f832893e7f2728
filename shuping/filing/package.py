"""Building the filing package: a .zip with a generated 目录/清单 (.docx) first, then every
item's files named in checklist order, plus a PDF copy of each Word file when LibreOffice
is installed (the 目录 says so when it is not). Runs in the task worker; progress is
written to the Package row as it goes so the page can show it."""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from shuping.filing.kinds import File, get_kind
from shuping.filing.models import Filing, Package, PackageStatus
from shuping.lib.docx import soffice_env
from shuping.rounds.documents import DOCX, PlanWriter, cn_date

logger = logging.getLogger(__name__)
NO_PDF = "服务器未安装文档转换软件，材料包未附 PDF 版本。"


def soffice() -> str | None:
    """The LibreOffice binary, or None. `FILING_SOFFICE` overrides ("" switches PDFs off)."""
    configured = getattr(settings, "FILING_SOFFICE", None)
    if configured is not None:
        return configured or None
    return shutil.which("soffice") or shutil.which("libreoffice")


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\r\n\t]', "", name).strip() or "材料"


def _progress(package: Package, done: int, message: str) -> None:
    Package.objects.filter(pk=package.pk).update(done_steps=done, message=message[:300])


def _collect(filing: Filing) -> list[tuple[int, str, list[File], str]]:
    """(position, title, files, remark) per checklist entry, in order."""
    out = []
    campaign = filing.campaign
    for entry in filing.entries.all():
        kind = get_kind(entry.kind)
        files: list[File] = []
        remark = ""
        if entry.file:
            with entry.file.open("rb") as fh:
                files = [(f"{entry.title}{entry.extension}", entry.content_type, fh.read())]
            remark = f"上传：{entry.original_name}"
        elif kind is not None and kind.available(campaign):
            files = kind.build(campaign)
            remark = kind.label
        if not files:
            remark = f"缺：{entry.missing_reason}" if entry.missing_reason else "缺"
        out.append((entry.position, entry.title, files, remark))
    return out


def _to_pdf(binary: str, docx_files: dict[str, bytes]) -> dict[str, bytes]:
    """Convert Word files in one LibreOffice run; returns {docx name: pdf bytes}."""
    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        dst = Path(tmp) / "out"
        src.mkdir()
        dst.mkdir()
        names = {}
        for i, (name, data) in enumerate(docx_files.items()):
            path = src / f"{i:03d}.docx"
            path.write_bytes(data)
            names[path.stem] = name
        profile = Path(tmp) / "profile"
        cmd = [
            binary,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(dst),
            *sorted(str(p) for p in src.iterdir()),
        ]
        subprocess.run(cmd, capture_output=True, timeout=600, check=False, env=soffice_env())
        for pdf in dst.glob("*.pdf"):
            if pdf.stem in names:
                out[names[pdf.stem]] = pdf.read_bytes()
    return out


# 序号, 材料, 文件, 说明 in mm: 156 mm is the text width of a 公文 page (A4, 28/26 mm margins).
CONTENTS_WIDTHS = [16, 40, 60, 40]


def _fixed_layout(table: Any, widths_mm: list[int]) -> None:
    """Make the column widths binding. LibreOffice lays out an autofit table by its
    content and ignores python-docx's widths unless the table says it is fixed, gives
    its total width, and every grid column and every cell carries its width (twips)."""
    twips = [round(mm * 1440 / 25.4) for mm in widths_mm]
    tbl = table._tbl
    props = tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout"):
        for old in props.findall(qn(tag)):
            props.remove(old)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(twips)))
    width.set(qn("w:type"), "dxa")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    # schema order inside tblPr: tblStyle, …, tblW, jc, …, tblLayout, tblCellMar, tblLook
    jc = props.find(qn("w:jc"))
    if jc is not None:
        jc.addprevious(width)
    else:
        props.append(width)
    after = props.find(qn("w:tblCellMar"))
    after = after if after is not None else props.find(qn("w:tblLook"))
    if after is not None:
        after.addprevious(layout)
    else:
        props.append(layout)
    for col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
        col.set(qn("w:w"), str(w))
    for row in table.rows:
        for cell, w in zip(row.cells, twips, strict=True):
            tc_pr = cell._tc.get_or_add_tcPr()
            for old in tc_pr.findall(qn("w:tcW")):
                tc_pr.remove(old)
            tc_w = OxmlElement("w:tcW")
            tc_w.set(qn("w:w"), str(w))
            tc_w.set(qn("w:type"), "dxa")
            tc_pr.insert(0, tc_w)


def _contents_docx(filing: Filing, lines: list[tuple[str, str, str, str]], pdf_note: str) -> bytes:
    campaign = filing.campaign
    w = PlanWriter()
    w.title(f"{campaign.committee.name}{campaign.year}年度述职评议考核备案材料目录")
    w.para(f"报送单位：{campaign.committee.name}", indent=False)
    w.para(f"报送至：{filing.filed_with}", indent=False)
    if filing.due_on:
        w.para(f"报送期限：{cn_date(filing.due_on)}前", indent=False)
    w.para(f"生成日期：{cn_date(timezone.localdate())}", indent=False)
    if pdf_note:
        w.para(pdf_note, indent=False)
    w.para()
    w.table(["序号", "材料", "文件", "说明"], [list(line) for line in lines], CONTENTS_WIDTHS)
    _fixed_layout(w.doc.tables[-1], CONTENTS_WIDTHS)
    return w.save()


def build_package(package_id: int) -> None:
    package = Package.objects.select_related("filing__campaign__committee").get(pk=package_id)
    filing = package.filing
    try:
        _build(package, filing)
    except Exception as exc:  # the page must say it failed, whatever went wrong
        logger.exception("filing package %s failed", package_id)
        Package.objects.filter(pk=package.pk).update(
            status=PackageStatus.FAILED,
            message=f"生成失败：{type(exc).__name__}",
            finished_at=timezone.now(),
        )


def _build(package: Package, filing: Filing) -> None:
    entries = list(filing.entries.all())
    binary = soffice()
    total = len(entries) + 2 + (1 if binary else 0)
    Package.objects.filter(pk=package.pk).update(
        status=PackageStatus.RUNNING, total_steps=total, message="正在收集材料"
    )
    collected = []
    for step, item in enumerate(_collect(filing), start=1):
        collected.append(item)
        _progress(package, step, f"已收集“{item[1]}”")
    files: list[tuple[str, bytes]] = []
    lines: list[tuple[str, str, str, str]] = []
    for position, title, item_files, remark in collected:
        prefix = f"{position:02d}_{_safe(title)}"
        if len(item_files) == 1:
            name, _, data = item_files[0]
            ext = Path(name).suffix
            files.append((f"{prefix}{ext}", data))
            lines.append((str(position), title, f"{prefix}{ext}", remark))
        elif item_files:
            for j, (name, _, data) in enumerate(item_files, start=1):
                files.append((f"{prefix}/{j:02d}_{_safe(name)}", data))
            lines.append((str(position), title, f"{prefix}（{len(item_files)}个文件）", remark))
        else:
            lines.append((str(position), title, "—", remark))
    step = len(entries)
    pdf_note = ""
    if binary:
        _progress(package, step, "正在生成 PDF 版本")
        words = {name: data for name, data in files if name.endswith(".docx")}
        pdfs = _to_pdf(binary, words) if words else {}
        files += [(name[: -len(".docx")] + ".pdf", pdfs[name]) for name in words if name in pdfs]
        if len(pdfs) < len(words):
            pdf_note = f"{len(words) - len(pdfs)}个 Word 文件未能转换为 PDF。"
        step += 1
    else:
        pdf_note = NO_PDF
    _progress(package, step, "正在生成目录")
    contents = ("00_目录.docx", _contents_docx(filing, lines, pdf_note))
    step += 1
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in [contents, *sorted(files)]:
            zf.writestr(name, data)
    campaign = filing.campaign
    filename = f"{campaign.committee.name}{campaign.year}年度述职评议考核备案材料.zip"
    data = buffer.getvalue()
    package.file.save("package.zip", ContentFile(data), save=False)
    Package.objects.filter(pk=package.pk).update(
        file=package.file.name,
        filename=filename[:200],
        size=len(data),
        pdf_note=pdf_note[:200],
        status=PackageStatus.DONE,
        done_steps=step + 1,
        message="材料包已生成",
        finished_at=timezone.now(),
    )


__all__ = ["DOCX", "build_package", "soffice"]
