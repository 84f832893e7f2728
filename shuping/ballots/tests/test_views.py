from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from shuping.ballots import casting, paper, services, views
from shuping.ballots.models import Ballot, BallotState, Mark, Sheet
from shuping.ballots.tests.conftest import all_grade, unsealed
from shuping.conftest import PASSWORD, Cast
from shuping.meetings.attendance import QuorumStatus


def login(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.login(username=user.username, password=PASSWORD)
    return client


# --- phone page ------------------------------------------------------------------


def test_phone_flow_form_confirm_submit(open_ballot: Ballot) -> None:
    [token] = casting.issue_tokens(open_ballot, actor=None, category="leader", count=1)
    client = Client(enforce_csrf_checks=True)  # works without any cookie or CSRF token
    url = reverse("ballots:vote", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert open_ballot.items[0]["name"] in html and "较好" in html
    assert "Set-Cookie" not in str(page.headers)
    keys = [r["key"] for r in open_ballot.rows()]
    confirm = client.post(url, {keys[0]: "好", keys[1]: "差", "action": "confirm"})
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "确认提交" in text and "1 项未选择" in text
    # The kept frame and the voter's body make one whole page, the body in its place.
    assert text.count("<html") == 1 and "\x00" not in text
    title = open_ballot.category_title("leader")
    assert text.index(f"请确认您的选择 · {title}") < text.index("选择汇总") < text.index("</html>")
    assert not Sheet.objects.exists()
    edit = client.post(url, {keys[0]: "好", "action": "edit"})
    assert 'value="好" checked' in edit.content.decode()
    done = client.post(url, {keys[0]: "好", keys[1]: "差", "action": "submit"})
    assert done.status_code == 200 and "提交成功" in done.content.decode()
    [(_, rows, _)] = unsealed(open_ballot)
    assert [r[3] for r in rows].count("valid") == 2
    assert not Sheet.objects.exists() and not Mark.objects.exists()  # nothing plain before close
    again = client.get(url)
    assert casting.TOKEN_MESSAGES["used"] in again.content.decode()


def test_phone_page_messages(ballot: Ballot) -> None:
    [token] = casting.issue_tokens(ballot, actor=None, category="leader", count=1)
    client = Client()
    assert casting.TOKEN_MESSAGES["draft"] in client.get(f"/b/{token}").content.decode()
    unknown = client.get("/b/" + "A" * 22)
    assert unknown.status_code == 404
    assert casting.TOKEN_MESSAGES["unknown"] in unknown.content.decode()
    services.open_ballot(ballot, actor=None)
    services.close_ballot(ballot, actor=None)
    assert casting.TOKEN_MESSAGES["closed"] in client.get(f"/b/{token}").content.decode()
    posted = client.post(f"/b/{token}", {"action": "submit"})
    assert casting.TOKEN_MESSAGES["closed"] in posted.content.decode()


def test_phone_bad_input(open_ballot: Ballot) -> None:
    [token] = casting.issue_tokens(open_ballot, actor=None, category="leader", count=1)
    key = open_ballot.rows()[0]["key"]
    r = Client().post(f"/b/{token}", {key: "优秀", "action": "submit"})
    assert r.status_code == 200 and "不在等次表" in r.content.decode()
    assert not Sheet.objects.exists()


# --- host pages ------------------------------------------------------------------


def test_host_console_and_404_outside(cast: Cast, open_ballot: Ballot) -> None:
    url = reverse("ballots:detail", args=[open_ballot.pk])
    assert login(Client(), cast.host).get(url).status_code == 200
    assert login(Client(), cast.superior).get(url).status_code == 200
    for user in (cast.outsider, cast.reporter, cast.street_organizer):
        assert login(Client(), user).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # login required
    assert (
        login(Client(), cast.superior)
        .post(reverse("ballots:close", args=[open_ballot.pk]))
        .status_code
        == 404
    )  # read-only role cannot write


def test_open_close_through_pages(cast: Cast, ballot: Ballot) -> None:
    client = login(Client(), cast.host)
    client.post(reverse("ballots:open", args=[ballot.pk]))
    ballot.refresh_from_db()
    assert ballot.state == BallotState.OPEN
    client.post(reverse("ballots:open", args=[ballot.pk]))  # wrong state: message, no change
    ballot.refresh_from_db()
    assert ballot.state == BallotState.OPEN
    r = client.post(reverse("ballots:close", args=[ballot.pk]), follow=True)
    assert "测评已结束" in r.content.decode()
    ballot.refresh_from_db()
    assert ballot.state == BallotState.CLOSED


def test_quorum_override_through_page(cast: Cast, ballot: Ballot, no_quorum: None) -> None:
    client = login(Client(), cast.host)
    r = client.post(reverse("ballots:open", args=[ballot.pk]), follow=True)
    assert "不能开始测评" in r.content.decode()
    client.post(reverse("ballots:open", args=[ballot.pk]), {"override_reason": "经研究同意"})
    ballot.refresh_from_db()
    assert ballot.state == BallotState.OPEN and ballot.override_reason == "经研究同意"


def test_issue_returns_slips_once(cast: Cast, open_ballot: Ballot) -> None:
    client = login(Client(), cast.organizer)
    r = client.post(
        reverse("ballots:issue", args=[open_ballot.pk]), {"category": "leader", "count": "14"}
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    doc = Document(io.BytesIO(r.content))
    texts = [c.text for t in doc.tables for row in t.rows for c in row.cells if c.text.strip()]
    assert len(texts) == 14 and all("/b/" in t for t in texts)
    assert len(doc.inline_shapes) == 14
    bad = client.post(
        reverse("ballots:issue", args=[open_ballot.pk]),
        {"category": "leader", "count": "x"},
        follow=True,
    )
    assert "数量应在" in bad.content.decode()


def test_paper_entry_page(cast: Cast, open_ballot: Ballot) -> None:
    url = reverse("ballots:paper", args=[open_ballot.pk])
    keys = [r["key"] for r in open_ballot.rows()]
    data = {
        "number": "5",
        "category": "leader",
        keys[0]: "好",
        keys[1]: "none",
        keys[2]: "multiple",
    }
    assert login(Client(), cast.organizer).post(url, data).status_code == 302
    same = login(Client(), cast.organizer).post(url, data)
    assert same.status_code == 200 and "另一位计票人" in same.content.decode()
    assert login(Client(), cast.host).post(url, data).status_code == 302
    assert paper.paper_status(open_ballot).matched == [5]
    missing = login(Client(), cast.host).post(url, {"number": "6", "category": "leader"})
    assert "未录入的行" in missing.content.decode()
    assert login(Client(), cast.outsider).get(url).status_code == 404


def test_results_projector_and_exports(
    cast: Cast, open_ballot: Ballot, django_assert_max_num_queries
) -> None:
    tokens = casting.issue_tokens(open_ballot, actor=None, category="leader", count=3)
    for token, grade in zip(tokens, ["好", "一般", "差"], strict=True):
        casting.submit_sheet(token, choices=all_grade(open_ballot, grade))
    projector = Client().get(reverse("ballots:projector", args=[open_ballot.projector_key]))
    body = projector.content.decode()
    assert "民主测评进行中" in body and "一般" not in body  # no results while open
    turnout = Client().get(reverse("ballots:turnout", args=[open_ballot.projector_key])).json()
    assert turnout["submitted"] == 3 and turnout["issued"] == 3
    services.close_ballot(open_ballot, actor=None)
    projector = Client().get(reverse("ballots:projector", args=[open_ballot.projector_key]))
    assert "一般+差 66.7%" in projector.content.decode()
    client = login(Client(), cast.host)
    detail = client.get(reverse("ballots:detail", args=[open_ballot.pk])).content.decode()
    assert "与存储的票据一致" in detail and "重新计票结果相同" in detail
    with django_assert_max_num_queries(8):
        xlsx = client.get(reverse("ballots:export", args=[open_ballot.pk, "xlsx"]))
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws is not None
    assert "民主测评结果汇总表" in str(ws["A1"].value)
    assert ws.cell(row=4, column=2).value == open_ballot.items[0]["name"]
    head = [c.value for c in ws[3]]
    assert ws.cell(row=4, column=head.index("收回票") + 1).value == 3
    assert ws.cell(row=4, column=head.index("好(票)") + 1).value == 1
    docx = client.get(reverse("ballots:export", args=[open_ballot.pk, "docx"]))
    doc = Document(io.BytesIO(docx.content))
    assert doc.tables[0].rows[1].cells[1].text == open_ballot.items[0]["name"]
    assert Client().get("/b/p/nope").status_code == 404


def test_exports_refused_before_close(cast: Cast, open_ballot: Ballot) -> None:
    r = login(Client(), cast.host).get(reverse("ballots:export", args=[open_ballot.pk, "xlsx"]))
    assert r.status_code == 302


def test_paper_form_docx(cast: Cast, open_ballot: Ballot) -> None:
    r = login(Client(), cast.host).get(reverse("ballots:paper_form", args=[open_ballot.pk]))
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "多选或不选无效" in text and "票号" in text
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells][:3] == ["述职对象", "职务", "评价等次"]
    assert [c.text for c in table.rows[1].cells][2:] == ["好", "较好", "一般", "差"]
    assert len(table.rows) == 2 + 3


@pytest.mark.parametrize("name", ["index"])
def test_index(cast: Cast, open_ballot: Ballot, name: str) -> None:
    r = login(Client(), cast.organizer).get(reverse(f"ballots:{name}"))
    assert open_ballot.title in r.content.decode()
    r = login(Client(), cast.outsider).get(reverse(f"ballots:{name}"))
    assert open_ballot.title not in r.content.decode()


def test_per_indicator_results_page_and_export(cast: Cast) -> None:
    from shuping.ballots.tests.conftest import make_meeting
    from shuping.rounds.testing import sample_rules

    rules = sample_rules()
    rules["meetings"][0]["ballot_mode"] = "per_indicator"
    ballot = services.open_ballot(
        services.create_ballot(make_meeting(cast, rules=rules), actor=None), actor=None
    )
    [token] = casting.issue_tokens(ballot, actor=None, category="leader", count=1)
    casting.submit_sheet(token, choices=all_grade(ballot, "较好"))
    services.close_ballot(ballot, actor=None)
    client = login(Client(), cast.host)
    page = client.get(reverse("ballots:detail", args=[ballot.pk])).content.decode()
    assert "分指标统计" in page and ballot.indicators[1]["title"] in page
    wb = load_workbook(
        io.BytesIO(client.get(reverse("ballots:export", args=[ballot.pk, "xlsx"])).content)
    )
    sheet = wb["分指标统计"]
    assert sheet.max_row == 1 + 3 * 2
    assert sheet.cell(row=2, column=5).value == 1  # 较好 votes on the first indicator


def test_index_query_count_is_constant(cast: Cast, django_assert_max_num_queries) -> None:
    from shuping.ballots.tests.conftest import make_meeting

    for year in (2020, 2021, 2022):
        services.create_ballot(make_meeting(cast, year=year), actor=None)
    client = login(Client(), cast.organizer)
    with django_assert_max_num_queries(6):
        r = client.get(reverse("ballots:index"))
    assert r.content.decode().count("/b/ballot/") == 3


def test_quorum_lines_shown_once_marked(
    cast: Cast, ballot: Ballot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """quorum_status lines carry their own ✓/✗; the page must not add a second mark."""
    line = "✗ 到会党员 7/10 = 70.0%，要求达到应到人数的 80.0% 以上"
    monkeypatch.setattr(views, "quorum_status", lambda m: QuorumStatus(met=False, lines=[line]))
    html = login(Client(), cast.host).get(reverse("ballots:detail", args=[ballot.pk])).content
    text = html.decode()
    assert f"<p>{line}</p>" in text and "✘" not in text
