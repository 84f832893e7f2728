"""Results read as an office reads them (issue 13, point 6): the top-two share and a
rank, valid ballots per reporter, one percentage format, export buttons first."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from shuping.ballots import services
from shuping.ballots.models import Ballot
from shuping.ballots.tests.conftest import all_grade
from shuping.conftest import PASSWORD, Cast


@pytest.mark.django_db
def test_closed_ballot_shows_top_share_rank_and_exports_first(
    cast: Cast, open_ballot: Ballot
) -> None:
    category = open_ballot.categories[0]["key"]
    tokens = services.issue_tokens(open_ballot, actor=None, category=category, count=3)
    for token, grade in zip(tokens, open_ballot.scale, strict=False):
        services.submit_sheet(token, choices=all_grade(open_ballot, grade))
    services.close_ballot(open_ballot, actor=None)
    client = Client()
    assert client.login(username=cast.organizer.username, password=PASSWORD)
    html = client.get(reverse("ballots:detail", args=[open_ballot.pk])).content.decode()
    scale = open_ballot.scale
    assert f"<th>{scale[0]}+{scale[1]}</th><th>排名</th>" in html
    assert "第1名" in html and "<th>有效票</th>" in html
    assert html.index("导出汇总表（Excel）") < html.index('class="bb-table"')
    # one format: every percentage with one decimal
    shown = re.sub(r"<[^>]+>", " ", html.split('class="bb-table"', 1)[1])  # text, not styles
    percents = re.findall(r"(\d+(?:\.\d+)?)%", shown)
    assert percents and all(re.fullmatch(r"\d+(\.\d)?", p) for p in percents)
