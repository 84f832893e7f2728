"""Crawl the pages each role reaches and fail on English words or raw keys in what
a user reads (issue 13, point 4). Cross-app, so it lives here rather than in one app."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from shuping.ballots import casting
from shuping.ballots import services as ballots
from shuping.ballots.tests.conftest import all_grade, make_meeting
from shuping.conftest import PASSWORD, Cast
from shuping.reports import services as reports
from shuping.rounds.models import CampaignStatus, Reporter
from shuping.rounds.services import change_status, create_campaign

# Words a Chinese office uses as they are: file kinds and the like.
ALLOWED = {"Word", "Excel", "PPT", "PPTX", "PDF", "JPG", "PNG", "ZIP", "MB", "KB", "SHA", "WPS"}
ALLOWED |= {"XX", "xx", "XXX"}  # placeholders the seed plans themselves use
WORD = re.compile(r"[A-Za-z][A-Za-z_.\-]*[A-Za-z]|[A-Za-z]")
SKIP_LINK = re.compile(r"^/(static|media|api|b/)|logout|export|download|docx|xlsx|zip|print|plan")
# Codes users type themselves (organization codes like QW-01) and URLs are data.
DATA = re.compile(
    r"https?://\S+|\b[A-Z]{1,4}\d*(-[A-Z0-9]+)*\b|\b[TS]\d+\w*\b"
    r"|\b[0-9a-f]{8,}…?"  # a ballot's digest, printed for comparison
)


def visible_text(page: str) -> str:
    page = re.sub(r"(?s)<(script|style|head|textarea)\b.*?</\1>", " ", page)
    extra = re.findall(r'(?:placeholder|title|aria-label|alt)="([^"]*)"', page)
    options = re.sub(r"(?s)<[^>]+>", " ", page)
    return html.unescape(" ".join([options, *extra]))


def english_words(text: str) -> set[str]:
    text = DATA.sub(" ", text)
    return {w for w in WORD.findall(text) if w not in ALLOWED and len(w) > 1}


def crawl(user, limit: int = 120) -> dict[str, set[str]]:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    todo, seen, found = ["/"], set[str](), dict[str, set[str]]()
    # demo users without a name show their login name; that is data, not wording
    usernames = set(User.objects.values_list("username", flat=True))
    shapes: Counter[str] = Counter()
    while todo and len(seen) < limit:
        url = todo.pop(0)
        shape = re.sub(r"\d+", "N", url)
        if url in seen or shapes[shape] >= 2:
            continue
        seen.add(url)
        shapes[shape] += 1
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        words = english_words(visible_text(page)) - usernames
        if words:
            found[url] = words
        for link in re.findall(r'href="(/[^"#?]*)', page):
            if not SKIP_LINK.search(link) and link not in seen:
                todo.append(link)
    return found


@pytest.fixture
def world(cast: Cast) -> Cast:
    street = create_campaign(
        cast.street, actor=cast.street_organizer, preset="004_jiedao_shuangshu", year=2026
    )
    if street.status != CampaignStatus.ACTIVE:
        change_status(street, actor=cast.street_organizer, to=CampaignStatus.ACTIVE)
    mine = Reporter.objects.filter(campaign=street, organization=cast.branch).first()
    if mine is not None:
        reports.open_report(mine, actor=cast.reporter, audience="members")
    meeting = make_meeting(cast)
    ballot = ballots.create_ballot(meeting, actor=None)
    ballot = ballots.open_ballot(ballot, actor=None)
    (token,) = casting.issue_tokens(
        ballot, actor=None, category=ballot.categories[0]["key"], count=1
    )
    casting.submit_sheet(token, choices=all_grade(ballot, ballot.scale[0]))
    ballots.close_ballot(ballot, actor=None)
    return cast


@pytest.mark.parametrize("who", ["organizer", "street_organizer", "host", "reporter", "superior"])
def test_pages_speak_chinese(world: Cast, who: str) -> None:
    found = crawl(getattr(world, who))
    assert found == {}, f"English words or raw keys on pages of {who}: {found}"


def test_error_pages_are_chinese_and_lead_back(client, cast: Cast) -> None:
    from django.template.loader import render_to_string

    assert client.login(username=cast.reporter.username, password=PASSWORD)
    missing = client.get("/no-such-page/", HTTP_REFERER="/reports/")
    page = missing.content.decode()
    assert missing.status_code == 404
    assert "页面不存在" in page and 'href="/"' in page and 'href="/reports/"' in page
    assert english_words(visible_text(page)) - {cast.reporter.username} == set()
    for name in ("500.html", "403.html", "403_csrf.html", "400.html"):
        text = visible_text(render_to_string(name))
        assert english_words(text) == set(), name
    csrf = Client(enforce_csrf_checks=True)
    csrf.login(username=cast.reporter.username, password=PASSWORD)
    refused = csrf.post(reverse("accounts:logout"))
    assert refused.status_code == 403 and "页面已过期" in refused.content.decode()
