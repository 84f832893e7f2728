"""Results read as an office reads them (issue 13, point 6): ballots collected and valid
per reporter, the top-two share (好+较好率, 满意率), a score where the preset gives points,
a rank, 项次 for per-indicator marks, one percentage format, export buttons first."""

from __future__ import annotations

import io
import re
from fractions import Fraction
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from shuping.ballots import casting, figures, services
from shuping.ballots.models import Ballot
from shuping.ballots.tally import fmt_percent
from shuping.ballots.tests.conftest import all_grade, make_meeting
from shuping.conftest import PASSWORD, Cast
from shuping.rounds.testing import sample_rules

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _cast(ballot: Ballot, sheets: list[list[str]]) -> None:
    """One sheet per list: the grade given to each reporter in order ("" leaves it blank)."""
    cat = ballot.categories[0]["key"]
    tokens = casting.issue_tokens(ballot, actor=None, category=cat, count=len(sheets))
    for token, grades in zip(tokens, sheets, strict=True):
        choices: dict[str, list[str]] = {}
        for row in ballot.rows():
            index = [int(i["id"]) for i in ballot.items].index(int(row["item"]["id"]))
            if grades[index]:
                choices[row["key"]] = [grades[index]]
        casting.submit_sheet(token, choices=choices)


def _ballot(cast: Cast, **rules: Any) -> Ballot:
    meeting = make_meeting(cast, rules=sample_rules(**rules) if rules else None)
    return services.open_ballot(services.create_ballot(meeting, actor=None), actor=None)


def _points_rules() -> dict[str, Any]:
    return {
        "grading_method": {
            "text": "好较好一般差分别计100、80、60、0分",
            "points": {"好": 100, "较好": 80, "一般": 60, "差": 0},
            "bands": [
                {"grade": "好", "min_score": 90},
                {"grade": "较好", "min_score": 80},
                {"grade": "一般", "min_score": 60},
                {"grade": "差", "min_score": 0},
            ],
        }
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(0), "0.0%"),
        (Fraction(1, 2), "50.0%"),
        (Fraction(1, 3), "33.3%"),
        (Fraction(1, 10), "10.0%"),
        (Fraction(1), "100.0%"),
    ],
)
def test_one_percentage_format(value: Fraction, text: str) -> None:
    assert fmt_percent(value) == text


@pytest.mark.parametrize(
    ("scale", "label"),
    [
        (["好", "较好", "一般", "差"], "好+较好率"),
        (["满意", "基本满意", "不满意"], "满意率"),
        (["优秀", "称职", "基本称职", "不称职"], "优秀+称职率"),
        (["同意", "不同意"], ""),  # two grades: no "best two" to add up
    ],
)
def test_top_share_label(scale: list[str], label: str) -> None:
    assert figures.top_label(scale) == label


def test_collected_valid_top_share_and_rank(cast: Cast) -> None:
    ballot = _ballot(cast)
    # reporter 1: 好 较好 一般 → 2/3; reporter 2: 好 好 好 → 1; reporter 3: 好 一般 blank
    _cast(ballot, [["好", "好", "好"], ["较好", "好", "一般"], ["一般", "好", ""]])
    rows = figures.reporter_rows(services.close_ballot(ballot, actor=None))
    assert [(r.collected, r.valid_ballots) for r in rows] == [(3, 3), (3, 3), (3, 2)]
    assert [r.top_text for r in rows] == ["66.7%", "100.0%", "50.0%"]
    assert [r.rank for r in rows] == [2, 1, 3]
    assert all(r.score is None for r in rows)  # the sample preset gives no points


def test_equal_shares_share_a_rank(cast: Cast) -> None:
    ballot = _ballot(cast)
    _cast(ballot, [["好", "较好", "一般"], ["一般", "差", "好"]])
    closed = services.close_ballot(ballot, actor=None)
    assert [r.rank for r in figures.reporter_rows(closed)] == [1, 1, 1]


def test_score_and_rank_by_score_where_the_preset_gives_points(cast: Cast) -> None:
    ballot = _ballot(cast, **_points_rules())
    # reporter 1: 好 差 → 50; reporter 2: 较好 较好 → 80 (same top share, higher score)
    _cast(ballot, [["好", "较好", "差"], ["差", "较好", "差"]])
    rows = figures.reporter_rows(services.close_ballot(ballot, actor=None))
    assert [r.score_text for r in rows] == ["50.00", "80.00", "0.00"]
    assert [r.top_text for r in rows] == ["50.0%", "100.0%", "0.0%"]
    assert [r.rank for r in rows] == [2, 1, 3]
    html = _login(cast.organizer).get(reverse("ballots:detail", args=[ballot.pk])).content
    page = html.decode()
    assert "<th>测评得分</th>" in page and "“好”100分" in page


def test_per_indicator_counts_marks_as_xiangci_and_ballots_as_sheets(cast: Cast) -> None:
    rules = sample_rules()
    rules["meetings"][0]["ballot_mode"] = "per_indicator"
    ballot = services.open_ballot(
        services.create_ballot(make_meeting(cast, rules=rules), actor=None), actor=None
    )
    keys = [r["key"] for r in ballot.rows()]  # reporter 1: keys 0, 1
    [t1, t2] = casting.issue_tokens(ballot, actor=None, category="leader", count=2)
    casting.submit_sheet(t1, choices=all_grade(ballot, "好"))
    casting.submit_sheet(t2, choices={k: ["较好"] for k in keys if k != keys[1]})
    first = figures.reporter_rows(services.close_ballot(ballot, actor=None))[0]
    # two sheets collected; the second left one indicator blank: one valid ballot,
    # three valid marks (项次) of four
    assert (first.collected, first.valid_ballots) == (2, 1)
    assert (first.rep["valid"], first.rep["invalid"]) == (3, 1)
    page = _login(cast.host).get(reverse("ballots:detail", args=[ballot.pk])).content.decode()
    table = page.split('class="bb-table"', 1)[1].split("</table>", 1)[0]
    assert "有效项次" in table and "项次" in table
    assert not re.search(r"[^效收]票", re.sub(r"收回票|有效票", "", table))


def test_page_and_exports_show_the_same_figures(cast: Cast) -> None:
    ballot = _ballot(cast)
    _cast(ballot, [["好", "好", "好"], ["较好", "好", "一般"], ["一般", "好", ""]])
    services.close_ballot(ballot, actor=None)
    client = _login(cast.organizer)
    html = client.get(reverse("ballots:detail", args=[ballot.pk])).content.decode()
    assert "<th>收回票</th><th>有效票</th>" in html
    assert "<th>好+较好率</th>" in html and "第1名" in html
    assert html.index("导出汇总表（Excel）") < html.index('class="bb-table"')
    shown = re.sub(r"<[^>]+>", " ", html.split('class="bb-table"', 1)[1])  # text, not styles
    percents = re.findall(r"(\d+(?:\.\d+)?)%", shown)
    assert percents and all(re.fullmatch(r"\d+\.\d", p) for p in percents)

    xlsx = client.get(reverse("ballots:export", args=[ballot.pk, "xlsx"]))
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws is not None
    head = [c.value for c in ws[3]]
    third = {h: c.value for h, c in zip(head, ws[6], strict=False)}
    assert third["收回票"] == 3 and third["有效票"] == 2 and third["排名"] == 3
    assert third["好+较好率"] == 0.5
    assert ws.cell(row=6, column=head.index("好+较好率") + 1).number_format == "0.0%"

    docx = client.get(reverse("ballots:export", args=[ballot.pk, "docx"]))
    table = Document(io.BytesIO(docx.content)).tables[0]
    cols = [c.text for c in table.rows[0].cells]
    assert [c.text for c in table.rows[3].cells][cols.index("好+较好率")] == "50.0%"


def test_outsider_sees_no_results(cast: Cast, open_ballot: Ballot) -> None:
    _cast(open_ballot, [["好", "好", "好"]])
    services.close_ballot(open_ballot, actor=None)
    client = _login(cast.outsider)
    assert client.get(reverse("ballots:detail", args=[open_ballot.pk])).status_code == 404
    assert client.get(reverse("ballots:export", args=[open_ballot.pk, "xlsx"])).status_code == 404


def test_open_ballot_shows_no_office_figures(cast: Cast, open_ballot: Ballot) -> None:
    _cast(open_ballot, [["好", "好", "好"]])
    html = _login(cast.organizer).get(reverse("ballots:detail", args=[open_ballot.pk]))
    assert "好+较好率" not in html.content.decode()
