"""The lean phone path: what is kept per process, what is still read every time, and
what the phone requests pass over."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from whitenoise.storage import CompressedManifestStaticFilesStorage

from shuping.ballots import casting, services, sheets
from shuping.ballots.middleware import is_phone_path
from shuping.ballots.models import Ballot
from shuping.ballots.tests.conftest import unsealed
from shuping.conftest import PASSWORD, Cast
from shuping.lib.staticfiles import ManifestStaticStorage

pytestmark = pytest.mark.django_db


def _tokens(ballot: Ballot, n: int = 1) -> list[str]:
    return casting.issue_tokens(ballot, actor=None, category="leader", count=n)


def test_blank_sheet_is_rendered_once_and_state_is_read_every_time(open_ballot: Ballot) -> None:
    a, b = _tokens(open_ballot, 2)
    client = Client()
    first = client.get(f"/b/{a}")
    assert [t.name for t in first.templates][:1] == ["ballots/phone_form.html"]
    second = client.get(f"/b/{b}")
    assert second.templates == []  # served from the sheet cache
    assert second.content == first.content and "下一步：确认选择" in second.content.decode()
    # Spent and closed are read from the database, whatever the cache holds.
    rows = {r["key"]: "好" for r in open_ballot.rows()}
    assert "提交成功" in client.post(f"/b/{a}", {**rows, "action": "submit"}).content.decode()
    assert casting.TOKEN_MESSAGES["used"] in client.get(f"/b/{a}").content.decode()
    services.close_ballot(open_ballot, actor=None)
    page = client.post(f"/b/{b}", {**rows, "action": "submit"}).content.decode()
    assert casting.TOKEN_MESSAGES["closed"] in page


def test_a_draft_token_gets_no_sheet(ballot: Ballot) -> None:
    [token] = _tokens(ballot)
    page = Client().get(f"/b/{token}")
    assert casting.TOKEN_MESSAGES["draft"] in page.content.decode()
    assert "下一步：确认选择" not in page.content.decode()


def test_confirm_rows_kept_per_grade_and_a_forged_grade_is_no_error(open_ballot: Ballot) -> None:
    [token] = _tokens(open_ballot)
    keys = [r["key"] for r in open_ballot.rows()]
    client = Client()
    one = client.post(f"/b/{token}", {keys[0]: "好", keys[1]: "差", "action": "confirm"})
    two = client.post(f"/b/{token}", {keys[0]: "好", keys[1]: "差", "action": "confirm"})
    assert one.content == two.content
    assert "ballots/_confirm_row.html" not in [t.name for t in two.templates]
    html = two.content.decode()
    assert f'name="{keys[0]}" value="好"' in html and "1 项未选择" in html
    # A grade that is not on the scale, or several: shown invalid, refused at submit.
    forged = client.post(f"/b/{token}", {keys[0]: "<b>优秀</b>", keys[1]: ["好", "差"]})
    text = forged.content.decode()
    assert forged.status_code == 200 and text.count("未选（无效）") == 3
    assert "&lt;b&gt;优秀&lt;/b&gt;" in text and "<b>优秀" not in text
    refused = client.post(f"/b/{token}", {keys[0]: "<b>优秀</b>", "action": "submit"})
    assert "不在等次表" in refused.content.decode() and unsealed(open_ballot) == []


def test_phone_path_has_no_session_yet_staff_pages_do(cast: Cast, open_ballot: Ballot) -> None:
    [token] = _tokens(open_ballot)
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/b/{token}")
    assert not hasattr(page.wsgi_request, "session") and not page.cookies
    assert (
        page.headers["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    )
    assert page.headers["X-Frame-Options"] == "DENY"  # the rest of the chain still runs
    turnout = client.get(f"/b/p/{open_ballot.projector_key}/turnout")
    assert turnout.status_code == 200 and not turnout.cookies
    assert not hasattr(turnout.wsgi_request, "session")
    # Signed in, the host's pages keep their session, user and CSRF protection.
    assert client.login(username=cast.host.username, password=PASSWORD)
    detail = client.get(reverse("ballots:detail", args=[open_ballot.pk]))
    assert detail.status_code == 200 and detail.wsgi_request.user == cast.host
    refused = client.post(reverse("ballots:close", args=[open_ballot.pk]))
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("path", "phone"),
    [
        ("/b/Abc-_09xyzABCDEFGHIJKLM", True),
        ("/b/p/KEY_1-x/turnout", True),
        ("/b/", False),
        ("/b/p/KEY", False),
        ("/b/ballot/1/", False),
        ("/b/m/1/", False),
        ("/accounts/login/", False),
        ("/b/x/y", False),
    ],
)
def test_which_paths_are_the_phone_path(path: str, phone: bool) -> None:
    assert is_phone_path(path) is phone


def test_turnout_poll_reads_the_shared_cache_and_sees_a_close_at_once(
    open_ballot: Ballot, django_assert_max_num_queries
) -> None:
    client = Client()
    url = f"/b/p/{open_ballot.projector_key}/turnout"
    _tokens(open_ballot, 3)
    assert client.get(url).json()["issued"] == 3
    with django_assert_max_num_queries(1):  # PostgreSQL's cache is a table; SQLite's none
        assert client.get(url).json()["state"] == "open"
    services.close_ballot(open_ballot, actor=None)
    assert client.get(url).json()["state"] == "closed"
    assert client.get("/b/p/no-such-key/turnout").status_code == 404


# --- the cache itself --------------------------------------------------------------


def _fake(pk: int, items: int = 16) -> Ballot:
    return Ballot(
        pk=pk,
        opened_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        items=[{"id": i, "name": f"第{i}人"} for i in range(items)],
    )


def test_cache_holds_a_whole_member_review_day() -> None:
    cache = sheets.SheetCache()
    for pk in range(300):  # 300 ballots open at once, each with its two pages
        ballot = cache.ballot(pk, "t", lambda pk=pk: _fake(pk, 50))  # type: ignore[misc]
        cache.page(ballot, "form", lambda: "表" * 20000)
        cache.page(ballot, "done", lambda: "谢" * 2000)
    assert len(cache) == 300 and cache.size <= sheets.budget_bytes()
    loads: list[int] = []

    def load() -> Ballot:
        loads.append(7)
        return _fake(7)

    cache.ballot(7, "t", load)
    assert loads == []


def test_cache_is_bounded_by_memory_least_recent_out(settings) -> None:
    settings.BALLOT_SHEET_CACHE_MB = 1
    cache = sheets.SheetCache()
    first = cache.ballot(1, "t", lambda: _fake(1))
    for pk in range(2, 200):
        cache.ballot(1, "t", lambda: _fake(1))  # ballot 1 stays in use
        ballot = cache.ballot(pk, "t", lambda pk=pk: _fake(pk))  # type: ignore[misc]
        cache.page(ballot, "form", lambda: "表" * 20000)
    assert cache.size <= 1024 * 1024 and 10 < len(cache) < 198
    assert cache.ballot(1, "t", lambda: _fake(1)) is first
    # A page larger than the whole budget is served but never kept.
    assert cache.page(first, "huge", lambda: "x" * 2_000_000) == "x" * 2_000_000
    assert cache.size <= 1024 * 1024


def test_a_new_opening_is_never_served_an_old_page() -> None:
    cache = sheets.SheetCache()
    old = cache.ballot(1, "opened-1", lambda: _fake(1))
    assert cache.page(old, "form", lambda: "old") == "old"
    new = cache.ballot(1, "opened-2", lambda: _fake(1))
    assert new is not old
    assert cache.page(new, "form", lambda: "new") == "new"
    # A request still holding the old sheet neither reads nor overwrites the new pages.
    assert cache.page(old, "form", lambda: "stale") == "stale"
    assert cache.page(new, "form", lambda: "again") == "new"


# --- static URLs ---------------------------------------------------------------------


def test_static_urls_are_computed_once(tmp_path) -> None:
    storage = ManifestStaticStorage(location=str(tmp_path), base_url="/static/")
    with mock.patch.object(
        CompressedManifestStaticFilesStorage, "url", return_value="/static/a.123.css"
    ) as url:
        assert storage.url("a.css") == storage.url("a.css") == "/static/a.123.css"
        assert url.call_count == 1
        storage.url("a.css", force=True)
        assert url.call_count == 2
    with mock.patch.object(CompressedManifestStaticFilesStorage, "url", side_effect=ValueError):
        with pytest.raises(ValueError):
            storage.url("missing.css")
        assert "missing.css" not in storage._urls


def test_phone_form_is_read_as_django_reads_it(rf, settings) -> None:  # type: ignore[no-untyped-def]
    from django.http import QueryDict

    from shuping.ballots import middleware
    from shuping.ballots.middleware import PhoneFormMiddleware

    seen = {}

    def view(request):  # type: ignore[no-untyped-def]
        seen["post"] = request.POST
        return None

    body = "r-1=%E5%A5%BD&r-1=%E5%B7%AE&r-2=&comment=a+b%26c&action=submit&%E9%94%AE=v"
    form = "application/x-www-form-urlencoded"
    PhoneFormMiddleware(view)(rf.post("/b/tok_EN-1", body, content_type=form))
    fast = seen["post"]
    assert fast == QueryDict(body.encode(), encoding="utf-8")
    assert {k: fast.getlist(k) for k in fast} == {
        "r-1": ["好", "差"],
        "r-2": [""],
        "comment": ["a b&c"],
        "action": ["submit"],
        "键": ["v"],
    }
    assert type(fast) is QueryDict and not fast._mutable
    with pytest.raises(AttributeError):
        fast["x"] = "y"

    # The second phone's identical pieces come from the per-process piece cache: same
    # answer; free text is decoded each time and never kept.
    PhoneFormMiddleware(view)(rf.post("/b/tok_EN-2", body + "&&", content_type=form))
    assert seen["post"] == fast
    assert "r-1=%E5%A5%BD" in middleware._PIECES
    assert not any(k.startswith("comment=") for k in middleware._PIECES)

    # Too many fields: left to Django, which refuses it exactly as before.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    seen.clear()
    request = rf.post("/b/tok_EN-1", body, content_type=form)
    PhoneFormMiddleware(lambda r: seen.setdefault("req", r))(request)
    assert not hasattr(request, "_post")


def test_phone_post_with_too_many_fields_is_refused_in_chinese(
    open_ballot: Ballot, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    (token,) = _tokens(open_ballot)
    response = Client().post(
        f"/b/{token}", "a=1&b=2&c=3&d=4", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "提交成功" not in response.content.decode()


def test_phone_pages_carry_the_same_content_security_policy(open_ballot: Ballot) -> None:
    (token,) = _tokens(open_ballot)
    client = Client()
    policy = client.get("/healthz")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    for _ in range(2):  # built once, then reused
        assert client.get(f"/b/{token}")["Content-Security-Policy"] == policy
    assert (
        client.get(f"/b/p/{open_ballot.projector_key}/turnout")["Content-Security-Policy"] == policy
    )
