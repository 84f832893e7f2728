"""Pages and API as the world calls them: scoping (404 outside, 403 wrong role), wrong
state, bad input, CSRF, Bearer tokens and query counts."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from shuping.conftest import Cast
from shuping.lib import import_errors
from shuping.rectification import services
from shuping.rectification.models import Item, ItemStatus, Plan, PlanState
from shuping.rectification.tests.conftest import bearer, login
from shuping.rectification.tests.test_xlsx import _file
from shuping.reports.samples import make_png
from shuping.rounds.models import Campaign, Reporter

pytestmark = pytest.mark.django_db
API = "/api/v1/rectification"


def _item(reporter: Reporter, cast: Cast, **fields: object) -> Item:
    return services.create_item(
        reporter,
        actor=cast.reporter,
        problem="党费收缴不及时。",
        **fields,  # type: ignore[arg-type]
    )


def test_ledger_page_scoping(
    cast: Cast, reporter: Reporter, other: Reporter, other_reporter: User
) -> None:
    item = _item(reporter, cast, deadline=date(2020, 1, 1))
    url = f"/rectification/reporter/{reporter.pk}/"
    page = login(cast.reporter).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "党费收缴不及时" in body and "逾期" in body and "提交整改方案" in body
    for user in (cast.street_organizer, cast.organizer, cast.superior, cast.host):
        assert login(user).get(url).status_code == 200
    assert "提交整改方案" not in login(cast.superior).get(url).content.decode()
    for user in (cast.outsider, other_reporter):
        assert login(user).get(url).status_code == 404
        assert login(user).get(f"/rectification/item/{item.pk}/").status_code == 404
    assert Client().get(url).status_code == 302
    # the other reporter sees only their own ledger
    assert login(other_reporter).get(f"/rectification/reporter/{other.pk}/").status_code == 200
    mine = login(cast.reporter).get("/rectification/").content.decode()
    assert f"/rectification/reporter/{reporter.pk}/" in mine
    assert f"/rectification/reporter/{other.pk}/" not in mine


def test_reporter_works_an_item_through_the_pages(cast: Cast, reporter: Reporter) -> None:
    client = login(cast.reporter, csrf=False)
    url = f"/rectification/reporter/{reporter.pk}/"
    r = client.post(url, {"action": "add", "problem": "", "deadline": "x"})
    assert r.status_code == 400 and "请填写问题" in r.content.decode()
    r = client.post(url, {"action": "add", "problem": "党务公开不及时", "deadline": "2026-06-30"})
    item = Item.objects.get(reporter=reporter)
    assert r.status_code == 302 and r["Location"] == f"/rectification/item/{item.pk}/"
    item_url = f"/rectification/item/{item.pk}/"
    r = client.post(item_url, {"action": "edit", "problem": "党务公开不及时", "deadline": "明天"})
    assert r.status_code == 400 and "整改时限请填写日期" in r.content.decode()
    r = client.post(
        item_url,
        {
            "action": "edit",
            "problem": "党务公开不及时",
            "measures": "每月更新公开栏",
            "leader": "王建国",
            "deadline": "2026-06-30",
            "cause_kind": "subjective",
        },
    )
    assert r.status_code == 302
    upload = io.BytesIO(make_png())
    upload.name = "公开栏.png"
    r = client.post(item_url, {"action": "progress", "text": "已更新公开栏", "files": upload})
    assert r.status_code == 302
    ev = Item.objects.get(pk=item.pk).updates.get().evidence.get()
    assert client.get(f"/rectification/evidence/{ev.pk}/").status_code == 200
    assert login(cast.outsider).get(f"/rectification/evidence/{ev.pk}/").status_code == 404
    r = client.post(item_url, {"action": "sign_off"})
    assert r.status_code == 400  # not theirs to do
    assert Item.objects.get(pk=item.pk).status == ItemStatus.IN_PROGRESS
    client.post(item_url, {"action": "complete", "text": "全部完成"})
    office = login(cast.street_organizer)
    r = office.post(item_url, {"action": "send_back", "reason": ""})
    assert r.status_code == 400 and "退回时请写明理由" in r.content.decode()
    office.post(item_url, {"action": "sign_off", "note": "佐证齐全"})
    assert Item.objects.get(pk=item.pk).status == ItemStatus.CLOSED
    assert login(cast.superior).post(item_url, {"action": "edit"}).status_code == 404


def test_plan_through_the_page(cast: Cast, reporter: Reporter) -> None:
    url = f"/rectification/reporter/{reporter.pk}/"
    _item(reporter, cast, measures="按月收缴", leader="王建国", deadline=date(2026, 6, 30))
    assert login(cast.reporter).post(url, {"action": "submit"}).status_code == 302
    assert Plan.objects.get(reporter=reporter).state == PlanState.SUBMITTED
    r = login(cast.reporter).post(url, {"action": "approve"})
    assert r.status_code == 400 and Plan.objects.get(reporter=reporter).state == "submitted"
    assert login(cast.street_organizer).post(url, {"action": "approve"}).status_code == 302
    assert Plan.objects.get(reporter=reporter).state == PlanState.APPROVED
    r = login(cast.street_organizer).get(f"{url}export/plan.docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    assert login(cast.reporter).get(f"{url}export/xlsx").status_code == 200
    assert login(cast.outsider).get(f"{url}export/xlsx").status_code == 404


def test_round_page_lists_open_items_with_few_queries(
    cast: Cast, campaign: Campaign, reporter: Reporter, other: Reporter
) -> None:
    for i in range(3):
        _item(reporter, cast, deadline=date(2020, 1, i + 1))
        services.create_item(other, actor=None, problem=f"社区问题{i}")
    client = login(cast.street_organizer)
    url = f"/rectification/round/{campaign.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        r = client.get(url)
    assert r.status_code == 200 and r.content.decode().count("rect-item") >= 6
    for i in range(5):
        services.create_item(other, actor=None, problem=f"更多问题{i}")
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)
    overdue = client.get(url + "?show=overdue").content.decode()
    assert overdue.count('class="card rect-item is-overdue"') == 3
    assert login(cast.reporter).get(url).status_code == 404
    assert login(cast.outsider).get(url).status_code == 404
    for fmt in ("xlsx", "docx", "progress.docx"):
        assert client.get(f"{url}export/{fmt}").status_code == 200
    assert client.get(f"{url}export/pdf").status_code == 404
    assert login(cast.superior).post(url).status_code == 404  # carry-over is the office's
    assert client.post(url).status_code == 302


def test_oversight_by_committee(cast: Cast, reporter: Reporter, other: Reporter) -> None:
    _item(reporter, cast, deadline=date(2020, 1, 1))
    services.create_item(other, actor=None, problem="社区停车难。")
    client = login(cast.superior)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/rectification/overview/?year=2026")
    assert r.status_code == 200 and len(ctx.captured_queries) < 15
    body = r.content.decode()
    assert "甲街道党工委" in body and "逾期未完成的事项" in body and "党费收缴不及时" in body
    street = client.get(f"/rectification/overview/?org={cast.street.pk}&year=2026")
    assert "甲社区党委" in street.content.decode()
    assert (
        login(cast.outsider).get(f"/rectification/overview/?org={cast.street.pk}").status_code
        == 404
    )
    assert login(cast.reporter).get("/rectification/overview/").status_code == 404


def test_import_page(cast: Cast) -> None:
    client = login(cast.street_organizer)
    assert client.get("/rectification/import/").status_code == 200
    bad = io.BytesIO(_file([[1, ""], [2, "问题", "", "", "", "", "", "明年"]]))
    bad.name = "台账.xlsx"
    r = client.post("/rectification/import/", {"code": "S1B2", "year": "2025", "file": bad})
    body = r.content.decode()
    assert r.status_code == 400 and "2 处错误" in body and "整改时限" in body
    good = io.BytesIO(_file([[1, "党费收缴不及时", "上级点评"]]))
    good.name = "台账.xlsx"
    r = client.post("/rectification/import/", {"code": "S1B2", "year": "2025", "file": good})
    assert r.status_code == 302 and Item.objects.get().sources.get().kind == "critique"
    r = client.post("/rectification/import/", {"code": "O1B1", "year": "2025"})
    assert r.status_code == 400 and "不在您的管理范围内" in r.content.decode()
    assert login(cast.reporter).get("/rectification/import/").status_code == 404
    assert login(cast.superior).get("/rectification/import/").status_code == 404


def test_import_errors_download(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    url, errors_url = "/rectification/import/", "/rectification/import/errors.xlsx"
    client = login(cast.street_organizer)
    assert client.get(errors_url).status_code == 404  # nothing refused yet
    bad = io.BytesIO(_file([[1, ""], [2, "问题", "", "", "", "", "", "明年"], [3, ""]]))
    bad.name = "台账.xlsx"
    r = client.post(url, {"code": "S1B2", "year": "2025", "file": bad})
    body = r.content.decode()
    assert r.status_code == 400 and f'href="{errors_url}"' in body
    assert "清单列出全部 3 处错误" in body
    download = client.get(errors_url)
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    ws: Any = load_workbook(io.BytesIO(download.content)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == ["工作表", "行号", "列", "问题"]
    assert [(r[1], r[2]) for r in rows[1:]] == [(2, "问题"), (3, "整改时限"), (4, "问题")]
    for sheet, row, column, message in rows[1:]:  # every error the page lists
        assert f'<td>{sheet}</td><td class="num">{row}</td><td>{column}</td><td>{message}' in body
    # Another importer has no list of theirs; others are not importers; anonymous log in.
    assert login(cast.organizer).get(errors_url).status_code == 404
    assert login(cast.reporter).get(errors_url).status_code == 404
    anonymous = Client().get(errors_url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    # Past the cap the list keeps the first errors and says how many there were.
    monkeypatch.setattr(import_errors, "MAX_KEPT", 2)
    bad.seek(0)
    body = client.post(url, {"code": "S1B2", "year": "2025", "file": bad}).content.decode()
    assert "清单列出前 2 处错误（共 3 处）" in body
    ws = load_workbook(io.BytesIO(client.get(errors_url).content)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True) if any(r)]
    assert len(rows) == 4 and rows[-1][3] == "共 3 处错误，本表只列出前 2 处。"
    # A new attempt replaces the list.
    r = client.post(url, {"code": "S1B2", "year": "2025"})
    assert r.status_code == 400 and client.get(errors_url).status_code == 404


def test_api_with_bearer_and_csrf(cast: Cast, reporter: Reporter, other_reporter: User) -> None:
    headers = bearer(cast.reporter)
    # Bearer calls with CSRF enforced wait for the trust branch (issue 12); sessions below
    client = Client()
    r = client.post(
        f"{API}/reporters/{reporter.pk}/items",
        {"problem": "党务公开不及时", "deadline": "2030-06-30"},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 201, r.content
    item_id = r.json()["id"]
    assert r.json()["status_label"] == "未开始"
    r = client.patch(
        f"{API}/items/{item_id}",
        {"deadline": "x"},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 400 and r.json()["field"] == "deadline"
    r = client.post(
        f"{API}/items/{item_id}/progress",
        {"text": "完成", "complete": True},
        content_type="application/json",
        headers=headers,
    )
    assert r.json()["status"] == "done"
    r = client.post(
        f"{API}/items/{item_id}/sign-off", {}, content_type="application/json", headers=headers
    )
    assert r.status_code == 403
    office = bearer(cast.street_organizer)
    r = client.post(
        f"{API}/items/{item_id}/sign-off",
        {"note": "好"},
        content_type="application/json",
        headers=office,
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = client.post(
        f"{API}/items/{item_id}/sign-off", {}, content_type="application/json", headers=office
    )
    assert r.status_code == 409
    assert client.get(f"{API}/items/{item_id}", headers=bearer(other_reporter)).status_code == 404
    assert client.get(f"{API}/items", headers=bearer(other_reporter)).json() == []
    assert len(client.get(f"{API}/items", headers=headers).json()) == 1
    # a session without the CSRF token is refused
    session = login(cast.reporter, csrf=True)
    r = session.post(f"{API}/reporters/{reporter.pk}/draft")
    assert r.status_code == 403
    assert Client().get(f"{API}/items").status_code == 401
    r = client.post(f"{API}/reporters/{reporter.pk}/plan/submit", headers=headers)
    assert r.status_code == 400 and "第1项未填写" in r.json()["detail"]


def test_control_characters_in_text_never_break_the_ledger(cast: Cast, reporter: Reporter) -> None:
    # Found by the API fuzzing: an item written with \x01 in its text made its ledger
    # .xlsx a 500. Input drops such characters; the export copes with old rows too.
    headers = bearer(cast.reporter)
    client = Client(enforce_csrf_checks=True)
    r = client.post(
        f"{API}/reporters/{reporter.pk}/items",
        '{"problem": "党务\\u0001公开\\u001f不及时", "deadline": "2030-06-30"}',
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 201, r.content
    assert Item.objects.get(pk=r.json()["id"]).problem == "党务公开不及时"
    services.create_item(reporter, actor=cast.reporter, problem="旧数据\x02里的控制字符")
    r = client.get(f"{API}/reporters/{reporter.pk}/ledger.xlsx", headers=headers)
    assert r.status_code == 200


def test_import_error_list_is_capped(cast: Cast) -> None:
    # 500 bad rows: the page names the count and lists the first 200, not a page of all.
    client = login(cast.street_organizer)
    bad = io.BytesIO(_file([[i, ""] for i in range(1, 501)]))
    bad.name = "台账.xlsx"
    r = client.post("/rectification/import/", {"code": "S1B2", "year": "2025", "file": bad})
    body = r.content.decode()
    assert r.status_code == 400 and "500 处错误" in body and "前 200 处" in body
    assert body.count("<tr><td>") == 200
