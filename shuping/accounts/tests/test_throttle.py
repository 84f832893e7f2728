"""Login throttling that a spelling, an address or a proxy cannot sidestep; logins audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shuping.audit.models import AuditEntry
from shuping.conftest import PASSWORD, Cast
from shuping.lib.clientaddr import client_address


def _login(client: Client, username: str, password: str, **extra: Any) -> int:
    return client.post("/login/", {"username": username, "password": password}, **extra).status_code


@pytest.fixture
def limits(settings):  # type: ignore[no-untyped-def]
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 6
    settings.LOGIN_MAX_FAILURES_PER_USERNAME = 9
    return settings


@pytest.mark.parametrize(
    "spelling", [" organizer ", "ＯＲＧＡＮＩＺＥＲ", "Organizer", "ｏｒｇａｎｉｚｅｒ"]
)
def test_spellings_of_one_username_share_one_count(
    client: Client, cast: Cast, limits: object, spelling: str
) -> None:
    for name in ("organizer", spelling, "organizer"):
        assert _login(client, name, "wrong") == 200
    page = client.post("/login/", {"username": "organizer", "password": PASSWORD})
    assert "登录失败次数过多" in page.content.decode()


def test_full_width_username_logs_in_like_the_plain_one(client: Client, cast: Cast) -> None:
    assert _login(client, " ｏｒｇａｎｉｚｅｒ ", PASSWORD) == 302


def test_one_address_spraying_many_usernames_is_stopped(
    client: Client, cast: Cast, limits: object
) -> None:
    for i in range(6):
        _login(client, f"nobody{i}", "wrong")
    page = client.post("/login/", {"username": "host", "password": PASSWORD})
    assert "登录失败次数过多" in page.content.decode()
    # Another address is not affected.
    assert _login(Client(), "host", PASSWORD, REMOTE_ADDR="10.0.0.9") == 302


def test_an_attacker_elsewhere_does_not_lock_the_account_for_its_owner(
    client: Client, cast: Cast, limits: object
) -> None:
    for _ in range(5):
        _login(client, "organizer", "wrong", REMOTE_ADDR="203.0.113.7")
    assert _login(Client(), "organizer", PASSWORD, REMOTE_ADDR="198.51.100.2") == 302


def test_many_addresses_guessing_one_username_are_stopped(
    client: Client, cast: Cast, limits: object
) -> None:
    for i in range(9):
        _login(client, "organizer", "wrong", REMOTE_ADDR=f"203.0.113.{i}")
    page = Client().post(
        "/login/", {"username": "organizer", "password": PASSWORD}, REMOTE_ADDR="198.51.100.2"
    )
    assert "登录失败次数过多" in page.content.decode()


def test_behind_a_trusted_proxy_each_client_has_its_own_count(
    client: Client,
    cast: Cast,
    limits,  # type: ignore[no-untyped-def]
) -> None:
    limits.CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    limits.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(3):
        _login(client, "organizer", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    # The same account from another client behind the same proxy still logs in.
    other = {"HTTP_X_FORWARDED_FOR": "198.51.100.2", **proxy}
    assert _login(Client(), "organizer", PASSWORD, **other) == 302
    # A client cannot forge its way out: the address left of its own is ignored.
    forged: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.7", **proxy}
    page = Client().post("/login/", {"username": "organizer", "password": PASSWORD}, **forged)
    assert "登录失败次数过多" in page.content.decode()


def test_client_address_reads_the_header_only_from_trusted_proxies(rf, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "::1"]
    req = rf.get("/", REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_address(req) == "192.0.2.5"  # not a trusted proxy: header ignored
    req = rf.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.2")
    assert client_address(req) == "203.0.113.7"
    req = rf.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="garbage")
    assert client_address(req) == "10.1.2.3"
    settings.CLIENT_ADDRESS_HEADER = ""
    req = rf.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_address(req) == "10.1.2.3"


def test_logins_and_failures_are_audited_without_passwords(client: Client, cast: Cast) -> None:
    _login(client, "organizer", "wrong-secret-1")
    _login(client, "organizer", PASSWORD)
    entries = list(AuditEntry.objects.filter(action__startswith="login").order_by("at", "pk"))
    assert [e.action for e in entries] == ["login.failed", "login"]
    assert entries[1].actor == cast.organizer and "127.0.0.1" in entries[1].target_label
    assert entries[0].target_id == str(cast.organizer.pk)
    text = " ".join(f"{e.changes} {e.note} {e.target_label}" for e in entries)
    assert "wrong-secret-1" not in text and PASSWORD not in text
