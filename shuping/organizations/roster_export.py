"""Roster export (.xlsx), the empty template and the workbook listing a refused file's
errors, all in the layout of `roster_layout` that the import reads.

Write-only workbooks: openpyxl spills each sheet's rows to a temporary file as they
are appended, so memory stays flat however large the tree; the finished file is
itself a temporary file the view streams back. ID and phone numbers are masked.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from shuping.accounts.access import can_manage, org_scope_q
from shuping.lib.errors import PermissionDenied
from shuping.lib.masking import mask_id_number, mask_phone
from shuping.lib.xlsx import append_row, save_with_rows
from shuping.organizations.models import (
    Employment,
    Gender,
    MemberStatus,
    Organization,
    OrgKind,
    Person,
    PersonCategory,
    Sector,
)
from shuping.organizations.roster_layout import (
    EXAMPLE_ORG,
    EXAMPLE_PERSON,
    NO,
    NOTES_SHEET,
    ORG_COLUMNS,
    ORG_SHEET,
    PERSON_COLUMNS,
    PERSON_SHEET,
    POST_COMMITTEE,
    POST_DEPUTY,
    POST_SECRETARY,
    SHEETS,
    XLSX,
    YES,
    Column,
)

if TYPE_CHECKING:
    from shuping.lib.types import Actor


HEADER_FILL = PatternFill("solid", fgColor="F3E0DC")
REQUIRED_FONT = Font(bold=True, color="B71C1C")
DATE_FORMAT = "yyyy-mm-dd"
PEOPLE_BATCH = 500  # organizations whose people are fetched in one query


def _sheet(wb: Workbook, title: str, columns: tuple[Column, ...]) -> Any:
    ws: Any = wb.create_sheet(title)
    header = []
    for i, column in enumerate(columns, start=1):
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = REQUIRED_FONT if column.required else Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = column.width
        if column.choices:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="无效的值",
                error="请从下拉列表中选择：" + "、".join(column.choices),
            )
            dv.add(f"{letter}2:{letter}20000")
            ws.data_validations.append(dv)
    ws.freeze_panes = "A2"
    fit_for_print(ws)
    ws.print_title_rows = "1:1"
    ws.append(header)
    return ws


def fit_for_print(ws: Any) -> None:
    """Landscape, all columns on one page width, so a printout stays readable."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _styled(ws: Any, value: str, **style: Any) -> Any:
    cell = WriteOnlyCell(ws, value=value)
    for name, item in style.items():
        setattr(cell, name, item)
    return cell


def _notes(wb: Workbook) -> None:
    ws: Any = wb.create_sheet(NOTES_SHEET)
    fit_for_print(ws)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 70
    ws.append([_styled(ws, "述评 · 党组织和人员花名册 填写说明", font=Font(bold=True, size=14))])
    ws.append([])
    lines = [
        "1. 红色列名为必填项；每行一个组织或一位人员，不要合并单元格，不要改动第一行列名。"
        "模板第2行为示例（名称带“（示例）”），填写前请删除；未删除的示例行不会导入。",
        "2. 导入时逐行检查全部数据：只要有一行有误，整个文件都不会导入，"
        "页面会列出每个错误的工作表、行号、列名和原因。",
        "3. 再次导入同一文件不会产生重复：组织按“组织编码”更新，"
        "人员按“身份证号”（无身份证号时按“姓名+出生日期”）更新。",
        "4. 人员出现在与系统中不同的组织时，按组织关系转接处理并保留历史记录。",
        "5. 导出文件中的身份证号、手机号已隐去部分数字；原样导入时不会修改系统中保存的号码。",
        "6. 日期可写作 1980-05-01、1980/5/1、1980.5.1、1980年5月1日 或 19800501。",
        "7. 同名同出生日期的两位人员，请都填写身份证号，以便区分。",
    ]
    for line in lines:
        ws.append([line])
    ws.append([])
    ws.append(
        [
            _styled(ws, title, font=Font(bold=True), fill=HEADER_FILL)
            for title in ("工作表", "列名", "说明 / 可选值")
        ]
    )
    for sheet, columns in SHEETS.items():
        for column in columns:
            text = "、".join(column.choices) if column.choices else ""
            text = "；".join(
                t for t in (("必填" if column.required else ""), text, column.note) if t
            )
            append_row(ws, [sheet, column.header, text])


def _save(wb: Workbook) -> IO[bytes]:
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    wb.save(out)
    out.seek(0)
    return out


def template() -> tuple[str, str, bytes]:
    """An empty roster with one example row per sheet."""
    wb = Workbook(write_only=True)
    ws = _sheet(wb, ORG_SHEET, ORG_COLUMNS)
    append_row(ws, EXAMPLE_ORG)
    ws = _sheet(wb, PERSON_SHEET, PERSON_COLUMNS)
    append_row(ws, EXAMPLE_PERSON)
    _notes(wb)
    with _save(wb) as out:
        return "党组织和人员花名册模板.xlsx", XLSX, out.read()


def _export_scope(root: Organization | None, viewer: Actor) -> QuerySet[Organization]:
    if viewer is not None and root is not None and not can_manage(viewer, root):
        raise PermissionDenied()
    orgs_qs = Organization.objects.all()
    if root is not None:
        return orgs_qs.filter(root.subtree_q())
    if viewer is not None:
        return orgs_qs.filter(org_scope_q(viewer, roles=("organizer", "admin")))
    return orgs_qs


def _org_rows(orgs_qs: QuerySet[Organization]) -> Iterator[list[Any]]:
    kinds, sectors = dict(OrgKind.choices), dict(Sector.choices)
    rows = orgs_qs.order_by("path").values_list(
        "code", "name", "kind", "sector", "parent__code", "is_retiree_branch", "sort_order"
    )
    for code, name, kind, sector, parent, retiree, order in rows.iterator(chunk_size=2000):
        retiree_text = YES if retiree else NO
        yield [code, name, kinds[kind], sectors[sector], parent or "", retiree_text, order]


def _people_rows(orgs_qs: QuerySet[Organization]) -> Iterator[list[Any]]:
    """People in tree order, a batch of organizations at a time: each batch is one
    query on the organization index, so memory holds one batch, never the tree."""
    labels = {
        "gender": dict(Gender.choices),
        "category": dict(PersonCategory.choices),
        "member_status": dict(MemberStatus.choices),
        "employment": dict(Employment.choices),
    }
    committee = Organization.committee_members.through
    orgs = orgs_qs.order_by("path").values_list("pk", "code", "secretary_id", "deputy_secretary_id")
    batch: list[tuple[int, str, int | None, int | None]] = []

    def flush() -> Iterator[list[Any]]:
        ids = [o[0] for o in batch]
        members = set(
            committee.objects.filter(organization_id__in=ids).values_list(
                "organization_id", "person_id"
            )
        )
        by_org: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        people = (
            Person.objects.filter(organization_id__in=ids)
            .order_by("organization_id", "name", "id")
            .values_list(
                "organization_id",
                "id",
                "name",
                "gender",
                "birth_date",
                "id_number",
                "phone",
                "category",
                "join_date",
                "member_status",
                "employment",
                "cadre_level",
                "position",
            )
        )
        for row in people:
            by_org[row[0]].append(row)
        for org_id, code, secretary, deputy in batch:
            for p in by_org.get(org_id, ()):
                _, pk, name, gender, birth, id_no, phone, category, joined, status = p[:10]
                post = (
                    POST_SECRETARY
                    if secretary == pk
                    else POST_DEPUTY
                    if deputy == pk
                    else POST_COMMITTEE
                    if (org_id, pk) in members
                    else ""
                )
                yield [
                    name,
                    labels["gender"].get(gender, ""),
                    birth,
                    mask_id_number(id_no),
                    mask_phone(phone),
                    labels["category"][category],
                    code,
                    joined,
                    labels["member_status"].get(status, ""),
                    labels["employment"].get(p[10], ""),
                    p[11],
                    p[12],
                    post,
                ]
        batch.clear()

    for org in orgs.iterator(chunk_size=2000):
        batch.append(org)
        if len(batch) >= PEOPLE_BATCH:
            yield from flush()
    if batch:
        yield from flush()


def stream_roster(root: Organization | None, *, viewer: Actor) -> tuple[str, str, IO[bytes]]:
    """The subtree under `root` (or everything the viewer reaches) in the import layout,
    as an open temporary file positioned at its start (the caller closes it). Memory
    stays flat whatever the size; ID and phone numbers are masked."""
    orgs_qs = _export_scope(root, viewer)
    wb = Workbook(write_only=True)
    orgs_ws = _sheet(wb, ORG_SHEET, ORG_COLUMNS)
    people_ws = _sheet(wb, PERSON_SHEET, PERSON_COLUMNS)
    _notes(wb)
    name = f"花名册-{root.name if root else '全部'}-{date.today():%Y%m%d}.xlsx"
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    save_with_rows(
        wb,
        out,
        {orgs_ws: _org_rows(orgs_qs), people_ws: _people_rows(orgs_qs)},
        date_format=DATE_FORMAT,
    )
    out.seek(0)
    return name, XLSX, out


def export_roster(root: Organization | None, *, viewer: Actor) -> tuple[str, str, bytes]:
    """`stream_roster` read into memory, for callers that want the bytes."""
    name, content_type, out = stream_roster(root, viewer=viewer)
    with out:
        return name, content_type, out.read()
