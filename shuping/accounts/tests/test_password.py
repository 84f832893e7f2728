"""Changing one's own password, with Django's validators and Chinese messages."""

from __future__ import annotations

from django.test import Client

from shuping.audit.models import AuditEntry
from shuping.conftest import PASSWORD, Cast


def _form(old: str, new1: str, new2: str) -> dict[str, str]:
    return {"old_password": old, "new_password1": new1, "new_password2": new2}


def test_password_change_page(client: Client, cast: Cast) -> None:
    assert client.get("/password/").status_code == 302  # login first
    client.force_login(cast.reporter)
    page = client.get("/password/").content.decode()
    assert "修改密码" in page and "原密码" in page
    weak = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    ).content.decode()
    assert "密码" in weak and "数字" in weak  # NumericPasswordValidator, in Chinese
    assert "This password" not in weak
    wrong = client.post(
        "/password/",
        {"old_password": "nope", "new_password1": "Lv9-rq-2026x", "new_password2": "Lv9-rq-2026x"},
    ).content.decode()
    assert "原密码不正确" in wrong
    mismatch = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Lv9-rq-2026x",
            "new_password2": "Lv9-rq-2026y",
        },
    ).content.decode()
    assert "两次输入的新密码不一致" in mismatch
    ok = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Lv9-rq-2026x",
            "new_password2": "Lv9-rq-2026x",
        },
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200  # still logged in on this device
    cast.reporter.refresh_from_db()
    assert cast.reporter.check_password("Lv9-rq-2026x")
    assert AuditEntry.objects.filter(action="password.change", actor=cast.reporter).count() == 1
