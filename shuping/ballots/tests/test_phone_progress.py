"""Per-indicator sheets on a phone: a sticky row of reporters with progress and anchors."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from shuping.ballots import casting, services
from shuping.ballots.models import Ballot
from shuping.ballots.tests.conftest import make_meeting
from shuping.conftest import Cast
from shuping.rounds.testing import sample_rules


def _per_indicator(cast: Cast) -> Ballot:
    rules = sample_rules()
    rules["meetings"][0]["ballot_mode"] = "per_indicator"
    meeting = make_meeting(cast, rules=rules)
    return services.open_ballot(services.create_ballot(meeting, actor=None), actor=None)


def _markers(html: str) -> list[str]:
    return re.findall(r'data-progress="r\d+"[^>]*>[^<]*<span>([^<]*)</span>', html)


def test_reporters_get_progress_markers_and_anchors(cast: Cast) -> None:
    ballot = _per_indicator(cast)
    [token] = casting.issue_tokens(ballot, actor=None, category="leader", count=1)
    url = reverse("ballots:vote", args=[token])
    client = Client(enforce_csrf_checks=True)
    html = client.get(url).content.decode()
    n = len(ballot.indicators)
    assert _markers(html) == [f"0/{n} 已填"] * len(ballot.items)
    for i, item in enumerate(ballot.items, start=1):  # anchors work without JavaScript
        assert f'href="#r{i}"' in html and f'id="r{i}"' in html and item["name"] in html
    assert "<script>" not in html and "phone_form.js" in html  # no inline script (CSP)
    # back from the confirmation page: the server counts what is ticked
    first = [r["key"] for r in ballot.rows() if r["item"]["id"] == ballot.items[0]["id"]]
    second = [r["key"] for r in ballot.rows() if r["item"]["id"] == ballot.items[1]["id"]]
    picked = {key: "好" for key in first} | {second[0]: "差", "action": "edit"}
    html = client.post(url, picked).content.decode()
    assert _markers(html)[:3] == ["已填完", f"1/{n} 已填", f"0/{n} 已填"]
    assert 'class="done"' in html


def test_one_grade_per_reporter_has_no_reporter_row(open_ballot: Ballot) -> None:
    [token] = casting.issue_tokens(open_ballot, actor=None, category="leader", count=1)
    html = Client().get(reverse("ballots:vote", args=[token])).content.decode()
    assert "bb-reporters" not in html and not _markers(html)


def test_closed_ballot_shows_no_sheet(cast: Cast) -> None:
    ballot = _per_indicator(cast)
    [token] = casting.issue_tokens(ballot, actor=None, category="leader", count=1)
    services.close_ballot(ballot, actor=None)
    html = Client().get(reverse("ballots:vote", args=[token])).content.decode()
    assert casting.TOKEN_MESSAGES["closed"] in html and "bb-reporters" not in html
