"""The results workbook keeps formula-like names as text."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from shuping.ballots import casting, exports, services
from shuping.ballots.models import Ballot
from shuping.ballots.tests.conftest import all_grade

EVIL = '=HYPERLINK("http://x.example","点我")'


def test_results_xlsx_writes_formula_like_text_as_text(open_ballot: Ballot) -> None:
    items = list(open_ballot.items)
    items[0] = {**items[0], "name": EVIL, "position": "@SUM(1+1)"}
    Ballot.objects.filter(pk=open_ballot.pk).update(items=items)
    ballot = Ballot.objects.get(pk=open_ballot.pk)
    [token] = casting.issue_tokens(ballot, actor=None, category="leader", count=1)
    casting.submit_sheet(token, choices=all_grade(ballot, "好"))
    closed = services.close_ballot(ballot, actor=None)
    _, _, content = exports.results_xlsx(closed)
    ws = load_workbook(io.BytesIO(content)).active
    assert ws is not None
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    risky = [c for c in cells if str(c.value)[:1] in "=+-@"]
    assert EVIL in {c.value for c in risky}
    assert all(c.data_type == "s" for c in risky)
