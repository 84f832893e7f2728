"""Numbers an office can sign: on the demo, every figure agrees wherever it is shown.

One test loads the demo district once and reads each round, meeting and ballot through
every surface that states a figure — the pages, the API, the .xlsx/.docx exports — and
collects every disagreement, so a failure lists them all rather than the first.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from shuping.ballots.items import provider_for
from shuping.ballots.models import Ballot, BallotState
from shuping.demo import load_demo
from shuping.meetings.models import Meeting
from shuping.rounds.models import Campaign
from shuping.rounds.queries import reporter_counts

pytestmark = pytest.mark.django_db


def _num(pattern: str, text: str) -> int | None:
    found = re.search(pattern, text)
    return int(found.group(1)) if found else None


class Disagreements(list[str]):
    def same(self, what: str, **values: Any) -> None:
        if len(set(values.values())) > 1:
            shown = ", ".join(f"{k}={v}" for k, v in values.items())
            self.append(f"{what}: {shown}")


def _rounds(client: Client, bad: Disagreements) -> None:
    for campaign in Campaign.objects.order_by("pk"):
        counts = reporter_counts(campaign)
        api = client.get(f"/api/v1/rounds/{campaign.pk}/reporters").json()
        page = client.get(f"/rounds/{campaign.pk}/").content.decode()
        overview = client.get(f"/reports/round/{campaign.pk}/").content.decode()
        name = campaign.title
        bad.same(
            f"{name} 述职对象",
            query=counts.total,
            api=len(api),
            round_page=_num(r"<h2>述职对象 (\d+) 名</h2>", page),
            overview=_num(r'述职对象</div><div class="stat">(\d+)</div>', overview),
        )
        bad.same(
            f"{name} 现场述职",
            query=counts.onsite,
            api=sum(1 for r in api if r["mode"] == "onsite"),
            round_page=_num(r"现场 (\d+) 名", page),
        )
        audiences = len(campaign.parsed_rules.report.audiences)
        if audiences > 1:
            bad.same(
                f"{name} 报告份数",
                expected=counts.total * audiences,
                overview=_num(r"名述职对象，(\d+) 份报告", overview),
            )


def _meetings(client: Client, bad: Disagreements) -> None:
    for meeting in Meeting.objects.order_by("pk"):
        api = client.get(f"/api/v1/meetings/{meeting.pk}/attendance").json()
        page = client.get(f"/meetings/{meeting.pk}/attendance/").content.decode()
        record = Document(io.BytesIO(client.get(f"/meetings/{meeting.pk}/record.docx").content))
        table = next(t for t in record.tables if t.rows[0].cells[0].text == "类别")
        docx_rows = {r.cells[0].text: r.cells for r in table.rows[1:]}
        name = meeting.title
        bad.same(
            f"{name} 应到",
            api=api["expected"],
            by_category=sum(c["expected"] for c in api["categories"]),
            page=_num(r"应到 (\d+)", page),
        )
        bad.same(
            f"{name} 实到",
            api=api["present"],
            by_category=sum(c["present"] for c in api["categories"]),
            page=_num(r'id="present-total">(\d+)<', page),
        )
        for cat in api["categories"]:
            cells = docx_rows.get(cat["title"])
            bad.same(
                f"{name} {cat['title']} 应到/实到",
                api=(cat["expected"], cat["present"]),
                record=(int(cells[1].text), int(cells[2].text)) if cells else None,
            )
        agenda = client.get(f"/api/v1/meetings/{meeting.pk}/agenda").json()
        evaluated = len([e for e in agenda if e["evaluated"]])
        # A members' meeting of 民主评议党员 evaluates the branch's members, not an agenda.
        provider = provider_for(meeting.kind)
        if provider is not None:
            evaluated = len(provider(meeting))
        for ballot in meeting.ballots.all():
            bad.same(f"{ballot.title} 测评对象", agenda=evaluated, ballot=len(ballot.items))


def _ballots(client: Client, bad: Disagreements) -> None:
    for ballot in Ballot.objects.order_by("pk"):
        turnout = client.get(f"/api/v1/ballots/{ballot.pk}/turnout").json()
        page = client.get(f"/b/ballot/{ballot.pk}/").content.decode()
        name = ballot.title
        if ballot.state == BallotState.OPEN:
            bad.same(
                f"{name} 已提交", api=turnout["submitted"], page=_num(r'id="t-sub">(\d+)<', page)
            )
            bad.same(f"{name} 已发放", api=turnout["issued"], page=_num(r'id="t-iss">(\d+)<', page))
        if ballot.state != BallotState.CLOSED:
            continue
        res = client.get(f"/api/v1/ballots/{ballot.pk}/results").json()
        sheets = res["sheets"]
        wb = load_workbook(io.BytesIO(client.get(f"/b/ballot/{ballot.pk}/results.xlsx").content))
        ws = wb.worksheets[0]
        caption = " ".join(str(c.value) for row in ws.iter_rows(max_row=3) for c in row if c.value)
        bad.same(
            f"{name} 收回测评票",
            api=sheets,
            by_channel=sum(res["by_channel"].values()),
            by_category=sum(res["by_category"].values()),
            page=_num(r"收回测评票 <strong>(\d+)</strong> 张", page),
            xlsx=_num(r"收回测评票 (\d+) 张", caption),
        )
        rows_per_sheet = max(1, len(ballot.indicators)) if ballot.mode == "per_indicator" else 1
        # marks: 有效票 (one per sheet) or 有效项次 (one per indicator)
        valid_col = "有效项次" if ballot.mode == "per_indicator" else "有效票"
        header = next(
            [str(c.value or "") for c in row]
            for row in ws.iter_rows()
            if any(c.value == valid_col for c in row)
        )
        by_name: dict[str, list[str]] = {}
        for row in ws.iter_rows(values_only=True):
            cells = [str(v) if v is not None else "" for v in row]
            for rep in res["reporters"]:
                if rep["name"] in cells and rep["name"] not in by_name:
                    by_name[rep["name"]] = cells
        for rep in res["reporters"]:
            bad.same(
                f"{name} {rep['name']} 有效+无效 = 收回×每票行数",
                api=rep["valid"] + rep["invalid"],
                sheets=sheets * rows_per_sheet,
            )
            bad.same(
                f"{name} {rep['name']} 各等次之和 = 有效",
                counts=sum(rep["counts"].values()),
                valid=rep["valid"],
            )
            if rep["name"] not in by_name:
                bad.append(f"{name} {rep['name']}: not in the .xlsx")
                continue
            cells = by_name[rep["name"]]
            bad.same(
                f"{name} {rep['name']} 有效（.xlsx）",
                api=str(rep["valid"]),
                xlsx=cells[header.index(valid_col)],
            )
            bad.same(
                f"{name} {rep['name']} 收回票（.xlsx）",
                api=str(sheets),
                xlsx=cells[header.index("收回票")],
            )


def test_demo_figures_agree_everywhere() -> None:
    load_demo(out=lambda _line: None)
    client = Client()
    client.force_login(User.objects.get(username="zuzhibu"))
    bad = Disagreements()
    _rounds(client, bad)
    _meetings(client, bad)
    _ballots(client, bad)
    assert bad == []
