"""The board, trace, approval and exports through the client with the real middleware."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from docx import Document
from openpyxl import Workbook, load_workbook

from shuping.assessment import services
from shuping.assessment.models import Assessment, AssessmentBoard, BoardState
from shuping.assessment.testing import close_with_counts
from shuping.conftest import PASSWORD, Cast
from shuping.meetings.models import Meeting
from shuping.rounds.models import Campaign

Round = tuple[Campaign, dict[str, Meeting]]


def login(user: object) -> Client:
    client = Client(enforce_csrf_checks=False)
    assert client.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def proposed(cast: Cast, round_002: Round) -> Campaign:
    campaign, meetings = round_002
    reps = list(campaign.reporters.order_by("order"))
    rows = [{"好": 9, "一般": 1}, {"好": 8, "一般": 2}, {"较好": 10}, {"好": 10}]
    close_with_counts(meetings["committee"], {r.pk: c for r, c in zip(reps, rows, strict=True)})
    services.propose_grades(campaign, actor=cast.organizer)
    return campaign


def _item(campaign: Campaign, order: int) -> Assessment:
    return Assessment.objects.get(board__campaign=campaign, reporter__order=order)


def test_board_scoping(cast: Cast, proposed: Campaign) -> None:
    url = f"/assessment/round/{proposed.pk}/"
    page = login(cast.organizer).get(url).content.decode()
    assert "生成建议等次" in page and "审定等次" in page and "王建国" in page
    superior = login(cast.superior).get(url).content.decode()
    assert "王建国" in superior and "审定等次…" not in superior and "重新生成" not in superior
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.reporter).get(url).status_code == 404
    assert login(cast.superior).post(f"/assessment/round/{proposed.pk}/propose/").status_code == 404
    assert login(cast.host).get(f"/assessment/round/{proposed.pk}/approve/").status_code == 404


def test_board_query_count_does_not_grow(cast: Cast, proposed: Campaign) -> None:
    client = login(cast.organizer)
    url = f"/assessment/round/{proposed.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for org in (cast.organ, cast.organ_branch):
        proposed.reporters.create(organization=org, order=9)
    client.get(url)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_trace_page_and_override_form(cast: Cast, proposed: Campaign) -> None:
    item = _item(proposed, 2)
    client = login(cast.organizer)
    page = client.get(f"/assessment/{item.pk}/").content.decode()
    assert "超过10%" in page and "逐条规则" in page
    r = client.post(
        f"/assessment/{item.pk}/", {"action": "override", "grade": "一般", "reason": ""}
    )
    assert (r.status_code == 200 and "必填" in r.content.decode()) or "请填写" in r.content.decode()
    r = client.post(
        f"/assessment/{item.pk}/", {"action": "override", "grade": "一般", "reason": "核实后调整"}
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.grade == "一般" and "核实后调整" in str(item.trace["events"])
    r = client.post(f"/assessment/{item.pk}/", {"action": "inputs", "daily_score": "abc"})
    assert "0 到 100" in r.content.decode()
    draft = client.get(f"/assessment/{item.pk}/?draft=1").content.decode()
    assert "已从述职报告" in draft


def test_approve_confirmation_then_lock(cast: Cast, proposed: Campaign) -> None:
    client = login(cast.organizer)
    url = f"/assessment/round/{proposed.pk}/approve/"
    services.override_grade(_item(proposed, 3), actor=cast.organizer, grade="好", reason="成效突出")
    page = client.get(url).content.decode()
    assert "审定后将发生" in page and "确认审定并锁定" in page
    assert "建议“较好”，调整为“好”。理由：成效突出" in page
    r = client.post(url, {"minute_ref": "区委常委会第3次会议"})
    assert r.status_code == 302
    board = AssessmentBoard.objects.get(campaign=proposed)
    assert board.state == BoardState.APPROVED and board.minute_ref == "区委常委会第3次会议"
    page = client.get(url).content.decode()
    assert "不能审定" in page
    item = _item(proposed, 1)
    detail = client.get(f"/assessment/{item.pk}/").content.decode()
    assert "重新打开" in detail and 'value="override"' not in detail
    r = client.post(f"/assessment/{item.pk}/", {"action": "reopen", "reason": ""})
    assert r.status_code == 200
    assert AssessmentBoard.objects.get(campaign=proposed).state == BoardState.APPROVED


def test_reporter_sees_own_result_only_after_publication(cast: Cast, proposed: Campaign) -> None:
    own = _item(proposed, 1)  # 甲街道第二党支部, the cast's reporter
    other = _item(proposed, 2)
    client = login(cast.reporter)
    assert client.get(f"/assessment/{own.pk}/").status_code == 404
    services.approve_grades(proposed, actor=cast.organizer)
    services.mark_published(AssessmentBoard.objects.get(campaign=proposed), actor=cast.organizer)
    page = client.get(f"/assessment/{own.pk}/").content.decode()
    assert "评定过程" in page and 'value="override"' not in page and 'value="opinion"' not in page
    assert client.get(f"/assessment/{other.pk}/").status_code == 404
    assert "我的综合评价结果" in client.get("/assessment/").content.decode()
    assert client.get(f"/assessment/round/{proposed.pk}/summary.xlsx").status_code == 404


def test_exports_open_again(cast: Cast, proposed: Campaign) -> None:
    client = login(cast.superior)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(f"/assessment/round/{proposed.pk}/summary.docx")
    assert r.status_code == 200 and len(ctx.captured_queries) < 15
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "综合评价汇总表" in text and "超过10%" in text
    assert doc.tables[0].rows[1].cells[2].text == "王建国"
    r = client.get(f"/assessment/round/{proposed.pk}/summary.xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb["综合评价汇总表"]["C4"].value == "王建国"
    assert "超过10%" in wb["评定过程和评价意见"]["C5"].value


def _xlsx(rows: list[list[object]], sheet: str = "考核情况") -> bytes:
    wb = Workbook()
    ws: Any = wb.active
    ws.title = sheet
    ws.append(["序号", "组织编码", "党组织", "述职人", "日常管理考核得分", "年度党建考核结果"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_inputs_import_all_or_nothing(cast: Cast, proposed: Campaign) -> None:
    client = login(cast.organizer)
    url = f"/assessment/round/{proposed.pk}/inputs.xlsx"
    template: Any = load_workbook(io.BytesIO(client.get(url).content)).active
    assert template["B2"].value == "S1B2"
    bad = _xlsx(
        [
            [1, "S1B2", "", "", 95, "好"],
            [2, "NOPE", "", "", 90, ""],
            [3, "S1C1", "", "", 101, ""],
            [4, "S1B2", "", "", 80, ""],
            [5, "S1C1B1", "", "", "", "很长" * 11],
        ]
    )
    r = client.post(url, {"file": io.BytesIO(bad)})
    page = r.content.decode()
    assert r.status_code == 400 and "没有导入任何一行" in page
    assert "第3行「组织编码」" in page and "第4行「日常管理考核得分」" in page
    assert "第5行「组织编码」：与第2行重复" in page and "第6行「年度党建考核结果」" in page
    assert not Assessment.objects.filter(board__campaign=proposed, daily_score__isnull=False)
    good = _xlsx([[1, "S1B2", "", "", 95.5, "好"], [2, "S1C1", "", "", "", "较好"]])
    r = client.post(url, {"file": io.BytesIO(good)})
    assert r.status_code == 302
    assert (
        str(_item(proposed, 1).daily_score) == "95.50"
        and _item(proposed, 2).annual_result == "较好"
    )
    r = client.post(url, {"file": io.BytesIO(b"not a workbook")})
    assert "无法读取文件" in r.content.decode()
    assert login(cast.superior).post(url, {"file": io.BytesIO(good)}).status_code == 404


def test_inputs_import_errors_download(cast: Cast, proposed: Campaign) -> None:
    client = login(cast.organizer)
    url = f"/assessment/round/{proposed.pk}/inputs.xlsx"
    errors_url = f"/assessment/round/{proposed.pk}/inputs-errors.xlsx"
    assert client.get(errors_url).status_code == 404  # nothing refused yet
    bad = _xlsx([[1, "NOPE", "", "", 90, ""], [2, "S1C1", "", "", 101, ""]])
    page = client.post(url, {"file": io.BytesIO(bad)}).content.decode()
    assert f'href="{errors_url}"' in page and "清单列出全部 2 处错误" in page
    download = client.get(errors_url)
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    ws: Any = load_workbook(io.BytesIO(download.content)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == ["工作表", "行号", "列", "问题"] and len(rows) == 3
    for sheet, row, column, message in rows[1:]:
        assert f"{sheet} 第{row}行「{column}」：{message}" in page  # every listed error
    # Another user who may import into this round has no list; the anonymous log in first.
    assert login(cast.admin).get(errors_url).status_code == 404
    assert login(cast.superior).get(errors_url).status_code == 404
    anonymous = Client().get(errors_url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    # A file refused as a whole replaces the list; a good import forgets it.
    page = client.post(url, {"file": io.BytesIO(b"x")}).content.decode()
    assert "无法读取文件" in page and "清单列出全部 1 处错误" in page
    client.post(url, {"file": io.BytesIO(_xlsx([[1, "S1B2", "", "", 95, ""]]))})
    assert client.get(errors_url).status_code == 404


def test_index_lists_rounds_in_reach(cast: Cast, proposed: Campaign) -> None:
    assert proposed.title in login(cast.superior).get("/assessment/").content.decode()
    page = login(cast.outsider).get("/assessment/").content.decode()
    assert proposed.title not in page and "暂无可查看的综合评价" in page
