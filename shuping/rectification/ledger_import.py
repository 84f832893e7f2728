"""Importing an office's earlier spreadsheet ledger (整改台账), validated like the roster.

The file has the export's columns (序号、问题、来源、原因、整改措施、责任领导、责任单位、
整改时限、进展情况、状态、销号时间); the office chooses the organization and the year.
Every row is checked first; one bad row imports nothing and every bad row is listed with
sheet, row, column and a Chinese message (`roster_read.RosterInvalid`). Importing the same file
again adds nothing: a row whose problem is already in that organization's year is skipped.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from shuping.audit.services import record
from shuping.lib.errors import PermissionDenied
from shuping.lib.import_errors import RowError
from shuping.lib.types import Actor
from shuping.organizations.models import Organization
from shuping.organizations.roster_read import RosterInvalid, cell_text, cell_value, parse_date
from shuping.rectification import access, recurrence
from shuping.rectification.exports import HEADERS
from shuping.rectification.models import CauseKind, Item, ItemSource, ItemStatus, SourceKind

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
REQUIRED = ("问题",)
SHEET_HINT = "整改台账"

# the words offices write in 来源 → our kinds
SOURCE_WORDS = (
    ("自", SourceKind.SELF),
    ("查摆", SourceKind.SELF),
    ("督查", SourceKind.INSPECTION),
    ("调研", SourceKind.INSPECTION),
    ("提问", SourceKind.QUESTION),
    ("承诺", SourceKind.QUESTION),
    ("点评", SourceKind.CRITIQUE),
    ("群众", SourceKind.MASS),
    ("综合评价", SourceKind.ASSESSMENT),
    ("反馈", SourceKind.FEEDBACK),
)
STATUS_WORDS = {
    "未开始": ItemStatus.NOT_STARTED,
    "整改中": ItemStatus.IN_PROGRESS,
    "正在整改": ItemStatus.IN_PROGRESS,
    "持续整改": ItemStatus.IN_PROGRESS,
    "逾期": ItemStatus.IN_PROGRESS,
    "已完成待核": ItemStatus.DONE,
    "待核": ItemStatus.DONE,
    "已销号": ItemStatus.CLOSED,
    "已完成": ItemStatus.CLOSED,
    "已整改": ItemStatus.CLOSED,
    "完成": ItemStatus.CLOSED,
}
LIMITS = {"问题": 2000, "原因": 2000, "整改措施": 2000, "进展情况": 2000, "责任领导": 60}
LIMITS["责任单位"] = 120


@dataclass
class LedgerRow:
    row: int
    problem: str
    kinds: list[str]
    source_text: str
    cause_kind: str
    cause: str
    measures: str
    leader: str
    unit: str
    deadline: date | None
    progress: str
    status: str
    closed_on: date | None


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    rows: list[LedgerRow] = field(default_factory=list)


def _kinds(text: str) -> list[str]:
    return list(dict.fromkeys(kind for word, kind in SOURCE_WORDS if word in text))


def _cause(text: str) -> tuple[str, str]:
    for kind, label in ((CauseKind.SUBJECTIVE, "主观"), (CauseKind.OBJECTIVE, "客观")):
        if text.startswith(label):
            rest = text[len(label) :].lstrip("原因：:，, ")
            return kind, rest
    return "", text


HEADER_SEARCH_ROWS = 3


def read_ledger(data: bytes) -> list[LedgerRow]:
    """Every row checked; raises RosterInvalid listing every bad row."""
    if len(data) > MAX_BYTES:
        raise RosterInvalid([RowError("文件", 0, "", "文件超过 5 MB，请拆分后分别导入。")])
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise RosterInvalid(
            [RowError("文件", 0, "", "无法读取文件，请上传 .xlsx 格式的整改台账。")]
        ) from None
    sheet_name = SHEET_HINT if SHEET_HINT in wb.sheetnames else wb.sheetnames[0]
    it = wb[sheet_name].iter_rows(values_only=True)
    # The exported ledger has its title (unit and year) above the header; a ledger the
    # office made itself may start with the header. Look for it in the first rows.
    index: dict[str, int] = {}
    header_row = 0
    for header_row, first in enumerate(it, start=1):
        header = [str(h or "").strip() for h in first]
        index = {title: i for i, title in enumerate(header) if title in HEADERS}
        if all(h in index for h in REQUIRED) or header_row == HEADER_SEARCH_ROWS:
            break
    missing = [h for h in REQUIRED if h not in index]
    if missing:
        wb.close()
        raise RosterInvalid(
            [RowError(sheet_name, header_row or 1, "、".join(missing), "缺少必需的列。")]
        )
    errors: list[RowError] = []
    rows: list[LedgerRow] = []
    for number, raw in enumerate(it, start=header_row + 1):
        values = {h: cell_value(raw[i]) if i < len(raw) else None for h, i in index.items()}
        if all(v is None for v in values.values()):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(
                RowError(sheet_name, number, "", f"一次最多导入{MAX_ROWS}行，请拆分文件。")
            )
            break
        row = _parse(sheet_name, number, values, errors)
        if row is not None:
            rows.append(row)
    wb.close()
    if errors:
        raise RosterInvalid(errors)
    if not rows:
        raise RosterInvalid([RowError(sheet_name, 2, "问题", "文件中没有整改事项。")])
    return rows


def _parse(
    sheet: str, number: int, values: dict[str, Any], errors: list[RowError]
) -> LedgerRow | None:
    bad = len(errors)

    def err(column: str, message: str) -> None:
        errors.append(RowError(sheet, number, column, message))

    text = {h: cell_text(values.get(h)) for h in HEADERS if h not in ("整改时限", "销号时间")}
    if not text["问题"]:
        err("问题", "请填写问题。")
    for column, limit in LIMITS.items():
        if len(text.get(column, "")) > limit:
            err(column, f"不超过{limit}字。")
    dates: dict[str, date | None] = {}
    for column in ("整改时限", "销号时间"):
        value = values.get(column)
        dates[column] = None
        if value is not None:
            try:
                dates[column] = parse_date(value)
            except (ValueError, OverflowError):
                err(column, "日期格式不正确，可写作 2025-06-30 或 2025年6月30日。")
    status_text = text.get("状态", "")
    status = STATUS_WORDS.get(status_text)
    if status_text and status is None:
        err("状态", "状态只能是：未开始、整改中、已完成待核、已销号（或逾期）。")
    if status is None:
        status = ItemStatus.IN_PROGRESS if text.get("进展情况") else ItemStatus.NOT_STARTED
    if dates["销号时间"] is not None and status != ItemStatus.CLOSED:
        err("销号时间", "只有已销号的事项才填写销号时间。")
    if len(errors) > bad:
        return None
    cause_kind, cause = _cause(text.get("原因", ""))
    return LedgerRow(
        row=number,
        problem=text["问题"],
        kinds=_kinds(text.get("来源", "")),
        source_text=text.get("来源", ""),
        cause_kind=cause_kind,
        cause=cause,
        measures=text.get("整改措施", ""),
        leader=text.get("责任领导", ""),
        unit=text.get("责任单位", ""),
        deadline=dates["整改时限"],
        progress=text.get("进展情况", ""),
        status=status,
        closed_on=dates["销号时间"],
    )


def import_ledger(
    data: bytes, *, actor: Actor, organization: Organization, year: int
) -> ImportResult:
    if actor is not None and not access.can_review(actor, organization):
        raise PermissionDenied("只有组织部门可以导入整改台账。")
    if not 2000 <= year <= 2100:
        raise RosterInvalid([RowError("文件", 0, "", "请选择正确的年度。")])
    rows = read_ledger(data)
    result = ImportResult(rows=rows)
    with transaction.atomic():
        existing = set(
            Item.objects.filter(organization=organization, year=year).values_list(
                "problem", flat=True
            )
        )
        number = len(existing)
        secretary = organization.secretary_id
        for row in rows:
            if row.problem in existing:
                result.skipped += 1
                continue
            existing.add(row.problem)
            number += 1
            closed_at = (
                timezone.make_aware(datetime.combine(row.closed_on, time(12)))
                if row.closed_on
                else None
            )
            item = Item.objects.create(
                organization=organization,
                year=year,
                person_id=secretary,
                number=number,
                problem=row.problem,
                vector=recurrence.vectorize(row.problem),
                cause_kind=row.cause_kind,
                cause=row.cause,
                measures=row.measures,
                leader=row.leader,
                unit=row.unit,
                deadline=row.deadline,
                progress=row.progress,
                status=row.status,
                closed_at=closed_at,
            )
            ItemSource.objects.bulk_create(
                [ItemSource(item=item, kind=k, excerpt=row.source_text) for k in row.kinds]
                or [ItemSource(item=item, kind=SourceKind.IMPORTED, excerpt=row.source_text)]
            )
            result.created += 1
        record(
            actor=actor,
            action="rectification.import",
            target=organization,
            organization=organization,
            changes={"year": year, "created": result.created, "skipped": result.skipped},
        )
    return result
