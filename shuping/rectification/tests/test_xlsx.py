"""The 整改台账 .xlsx: the offices' columns, a round trip through the import, and bad rows."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from shuping.conftest import Cast
from shuping.organizations.roster_read import RosterInvalid
from shuping.rectification import exports, ledger_import, services
from shuping.rectification.models import CauseKind, Item, ItemStatus
from shuping.rounds.models import Reporter

pytestmark = pytest.mark.django_db


def _ledger(reporter: Reporter, cast: Cast) -> None:
    a = services.create_item(
        reporter,
        actor=cast.reporter,
        problem="“三会一课”制度落实不到位。",
        cause_kind=CauseKind.SUBJECTIVE,
        cause="书记抓党建意识不强",
        measures="制定年度计划，每月召开支委会",
        leader="王建国",
        unit="甲街道第二党支部",
        deadline=date(2026, 6, 30),
    )
    services.add_progress(a, actor=cast.reporter, text="已按月召开", complete=True)
    services.sign_off(a, actor=cast.street_organizer)
    services.create_item(
        reporter, actor=cast.reporter, problem='=HYPERLINK("x")党务公开不及时', leader="张三"
    )


def test_export_columns_and_round_trip(cast: Cast, reporter: Reporter) -> None:
    _ledger(reporter, cast)
    items = Item.objects.filter(reporter=reporter).order_by("number")
    with CaptureQueriesContext(connection) as ctx:
        _, _, data = exports.ledger_xlsx(items, title="台账")
    assert len(ctx.captured_queries) <= 3
    ws: Any = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "台账" and ws.freeze_panes == "C3"  # the title, then the header
    assert [c.value for c in ws[2]] == [
        "序号",
        "问题",
        "来源",
        "原因",
        "整改措施",
        "责任领导",
        "责任单位",
        "整改时限",
        "进展情况",
        "状态",
        "销号时间",
    ]
    row = [c.value for c in ws[3]]
    assert row[3] == "主观原因：书记抓党建意识不强" and row[9] == "已销号" and row[10] is not None
    assert ws["B4"].data_type == "s"  # formula-like text stays text

    result = ledger_import.import_ledger(
        data, actor=cast.street_organizer, organization=cast.branch, year=2024
    )
    assert result.created == 2
    imported = list(Item.objects.filter(year=2024).order_by("number"))
    assert [i.problem for i in imported] == [i.problem for i in items]
    first = imported[0]
    assert first.cause_kind == CauseKind.SUBJECTIVE and first.cause == "书记抓党建意识不强"
    assert first.status == ItemStatus.CLOSED and first.closed_at is not None
    assert first.deadline == date(2026, 6, 30) and first.leader == "王建国"
    again = ledger_import.import_ledger(
        data, actor=cast.street_organizer, organization=cast.branch, year=2024
    )
    assert (again.created, again.skipped) == (0, 2)


def _file(rows: list[list[object]], header: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "整改台账"
    ws.append(header or list(exports.HEADERS))
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_one_bad_row_imports_nothing_and_every_bad_row_is_listed(cast: Cast) -> None:
    good = [
        1,
        "党费收缴不及时",
        "自己查摆",
        "",
        "按月收缴",
        "王",
        "",
        "2025-06-30",
        "",
        "已销号",
        "2025-07-01",
    ]
    rows = [
        good,
        [2, "", "", "", "", "", "", "", "", "", ""],
        [3, "学习不深入", "", "", "", "", "", "明年", "", "差不多", ""],
        [4, "阵地建设滞后", "", "", "", "", "", "", "", "整改中", "2025-05-01"],
    ]
    with pytest.raises(RosterInvalid) as exc:
        ledger_import.import_ledger(
            _file(rows), actor=cast.street_organizer, organization=cast.branch, year=2025
        )
    found = [(e.sheet, e.row, e.column) for e in exc.value.errors]
    assert found == [
        ("整改台账", 3, "问题"),
        ("整改台账", 4, "整改时限"),
        ("整改台账", 4, "状态"),
        ("整改台账", 5, "销号时间"),
    ]
    assert all(e.message for e in exc.value.errors)
    assert not Item.objects.exists()


def test_structure_limits_and_permission(cast: Cast) -> None:
    with pytest.raises(RosterInvalid) as exc:
        ledger_import.import_ledger(
            b"not a workbook", actor=None, organization=cast.branch, year=2025
        )
    assert "无法读取" in exc.value.errors[0].message
    with pytest.raises(RosterInvalid) as exc:
        ledger_import.import_ledger(
            _file([["x"]], header=["标题"]), actor=None, organization=cast.branch, year=2025
        )
    assert exc.value.errors[0].column == "问题"
    with pytest.raises(RosterInvalid) as exc:
        ledger_import.import_ledger(
            b"x" * (ledger_import.MAX_BYTES + 1), actor=None, organization=cast.branch, year=2025
        )
    assert "5 MB" in exc.value.errors[0].message
    many = [[i, f"问题{i}"] + [""] * 9 for i in range(ledger_import.MAX_ROWS + 5)]
    with pytest.raises(RosterInvalid) as exc:
        ledger_import.import_ledger(_file(many), actor=None, organization=cast.branch, year=2025)
    assert "最多导入" in exc.value.errors[-1].message
    with pytest.raises(Exception, match="只有组织部门"):
        ledger_import.import_ledger(
            _file([[1, "问题"]]), actor=cast.reporter, organization=cast.branch, year=2025
        )
    with pytest.raises(Exception, match="只有组织部门"):
        ledger_import.import_ledger(
            _file([[1, "问题"]]), actor=cast.outsider, organization=cast.branch, year=2025
        )


def test_docx_exports_open(cast: Cast, reporter: Reporter) -> None:
    from docx import Document

    from shuping.rectification.models import Plan

    _ledger(reporter, cast)
    plan = Plan.objects.create(reporter=reporter)
    name, _, data = exports.plan_docx(plan)
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert name.endswith("整改方案.docx") and "问题清单及整改措施" in text
    assert "（一）“三会一课”制度落实不到位。" in text and "整改时限：2026年6月30日前" in text
    name, _, data = exports.progress_report_docx(reporter.campaign, today=date(2026, 7, 1))
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "共梳理整改事项2项，已销号1项，整改完成率50.0%" in text
    _, _, data = exports.ledger_docx(Item.objects.filter(reporter=reporter), title="台账")
    assert Document(io.BytesIO(data)).tables[0].rows[0].cells[1].text == "问题"
