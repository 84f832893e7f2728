"""The Content-Security-Policy and the pages that must satisfy it (issue 12, point 9).

The policy allows scripts and styles from our own files only: no inline <script>, no
on*= handlers, no style="" attributes, no javascript: links. A browser enforcing it
would silently drop any of these, so this test crawls what each demo role reaches (and
the pages people open without an account: projectors, the phone ballot, notices) and
fails on the first page that would need them. Cross-app, so it lives here.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from shuping.ballots import casting
from shuping.ballots.models import Ballot, BallotState
from shuping.demo import load_demo
from shuping.meetings.models import Meeting
from shuping.member_review.models import MemberReview
from shuping.results.models import PublicNotice

pytestmark = pytest.mark.django_db

DEMO_USERS = [
    "admin", "zuzhibu", "quwei", "shangji", "jiedao", "jiedaoshuji", "gongwei", "shuji01", "zhibu",
]  # fmt: skip
# Downloads and state-changing links are not pages; the API has its own docs page below.
SKIP = re.compile(r"^/(static|media)/|logout|export|download|docx|xlsx|zip|/file/|/api/")

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
HANDLER = re.compile(r"<[a-zA-Z][^>]*?\s(on[a-z]+)\s*=", re.S)
STYLE_ATTR = re.compile(r"<[a-zA-Z][^>]*?\sstyle\s*=", re.S)
STYLE_ELEMENT = re.compile(r"<style\b")
JS_URL = re.compile(r"""(?:href|action|src)\s*=\s*["']?\s*javascript:""", re.I)


def policy_problems(url: str, response) -> list[str]:  # type: ignore[no-untyped-def]
    """What in this page (or its header) a browser enforcing the policy would refuse."""
    problems = []
    policy = response.get("Content-Security-Policy", "")
    for part in ("default-src 'self'", "script-src 'self'", "object-src 'none'",
                 "base-uri 'self'", "form-action 'self'", "style-src 'self'"):  # fmt: skip
        if part not in policy:
            problems.append(f"{url}: header lacks {part}")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append(f"{url}: header allows unsafe code")
    page = response.content.decode()
    for name, pattern in (
        ("inline script", INLINE_SCRIPT),
        ("on* handler", HANDLER),
        ("style attribute", STYLE_ATTR),
        ("style element", STYLE_ELEMENT),
        ("javascript: URL", JS_URL),
    ):
        if m := pattern.search(page):
            problems.append(f"{url}: {name} {page[m.start() : m.start() + 80]!r}")
    return problems


def crawl(client: Client, start: list[str], limit: int = 90) -> tuple[list[str], int]:
    """Follow links breadth-first; at most two pages of one shape (ids replaced)."""
    todo, seen, problems = list(start), set[str](), list[str]()
    shapes: Counter[str] = Counter()
    while todo and len(seen) < limit:
        url = todo.pop(0)
        shape = re.sub(r"\d+", "N", url.split("?")[0])
        if url in seen or shapes[shape] >= 2:
            continue
        seen.add(url)
        shapes[shape] += 1
        response = client.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        problems += policy_problems(url, response)
        for link in re.findall(r'href="(/[^"#]*)', response.content.decode()):
            link = link.replace("&amp;", "&")
            if not SKIP.search(link) and link not in seen:
                todo.append(link)
    return problems, len(seen)


def public_pages() -> list[str]:
    """Pages opened without an account: projectors, sign-in, the phone ballot, notices."""
    urls = []
    for meeting in Meeting.objects.order_by("pk")[:2]:
        urls.append(reverse("meetings:projector", args=[meeting.projector_key]))
        urls.append(reverse("meetings:signin", args=[meeting.signin_key]))
    for ballot in Ballot.objects.order_by("pk"):
        urls.append(reverse("ballots:projector", args=[ballot.projector_key]))
    open_ballot = Ballot.objects.filter(state=BallotState.OPEN).first()
    if open_ballot is not None:
        (token,) = casting.issue_tokens(
            open_ballot, actor=None, category=open_ballot.categories[0]["key"], count=1
        )
        urls.append(reverse("ballots:vote", args=[token]))
    for key in MemberReview.objects.exclude(public_key=None).values_list("public_key", flat=True):
        urls.append(reverse("member_review:public", args=[key]))
    for code in PublicNotice.objects.values_list("public_code", flat=True)[:2]:
        urls.append(reverse("results:public_notice", args=[code]))
    return urls


def test_every_page_satisfies_the_content_security_policy() -> None:
    load_demo(out=lambda _line: None)
    problems: list[str] = []
    pages = 0
    for username in DEMO_USERS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        found, n = crawl(client, ["/"])
        problems += found
        pages += n
    found, n = crawl(Client(), [reverse("accounts:login"), *public_pages()], limit=40)
    problems += found
    pages += n
    assert pages > 300
    assert problems == [], "\n".join(problems[:40])


def test_the_policy_is_strict_and_the_projector_may_be_framed_by_its_console(client) -> None:  # type: ignore[no-untyped-def]
    login = client.get(reverse("accounts:login"))
    assert login.status_code == 200
    policy = login["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "img-src 'self' data:" in policy
    assert "unsafe-inline" not in policy
    assert policy_problems("login", login) == []
