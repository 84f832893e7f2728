"""Closing a ballot asks first and names what closing leaves behind (issue 13, point 3)."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from shuping.ballots import casting, paper
from shuping.ballots.models import Ballot
from shuping.ballots.tests.conftest import all_grade
from shuping.conftest import PASSWORD, Cast


@pytest.mark.django_db
def test_close_warns_with_unused_codes_and_unentered_paper(cast: Cast, open_ballot: Ballot) -> None:
    category = open_ballot.categories[0]["key"]
    tokens = casting.issue_tokens(open_ballot, actor=None, category=category, count=3)
    casting.submit_sheet(tokens[0], choices=all_grade(open_ballot, open_ballot.scale[0]))
    paper.set_paper_handed_out(open_ballot, actor=None, count=4)
    client = Client()
    assert client.login(username=cast.organizer.username, password=PASSWORD)
    page = html.unescape(
        client.get(reverse("ballots:detail", args=[open_ballot.pk])).content.decode()
    )
    assert "还有 2 个手机测评二维码未使用" in page
    assert "发出的纸质票还有 4 张未录入" in page
    assert 'data-confirm="结束测评后不能再提交或录入' in page
