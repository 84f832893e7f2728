from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from shuping.accounts.models import ApiToken
from shuping.conftest import PASSWORD


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_login_and_logout(client, cast):
    response = _login(client, "organizer", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_in_chinese(client, cast):
    page = _login(client, "organizer", "nope").content.decode()
    assert "用户名或密码不正确" in page


def test_login_locks_after_repeated_failures(client, cast, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert _login(client, "organizer", "wrong").status_code == 200
    page = _login(client, "organizer", PASSWORD).content.decode()
    assert "登录失败次数过多" in page
    assert client.get("/").status_code == 302  # still not logged in
    # Another account from the same address is not locked out by this one.
    assert _login(client, "host", PASSWORD).status_code == 302


def test_successful_login_clears_failures(client, cast, settings):
    settings.LOGIN_MAX_FAILURES = 3
    _login(client, "organizer", "wrong")
    _login(client, "organizer", "wrong")
    assert _login(client, "organizer", PASSWORD).status_code == 302
    client.post("/logout/")
    _login(client, "organizer", "wrong")
    _login(client, "organizer", "wrong")
    assert _login(client, "organizer", PASSWORD).status_code == 302


def test_me_endpoint_with_session_and_token(client, cast):
    client.force_login(cast.reporter)
    data = client.get("/api/v1/accounts/me").json()
    assert data["username"] == "reporter"
    assert data["person_id"] == cast.reporter_person.pk
    assert [(r["role"], r["organization_name"]) for r in data["roles"]] == [
        ("reporter", "甲街道第二党支部")
    ]
    client.logout()
    out = StringIO()
    call_command("create_token", "street_organizer", stdout=out)
    raw = out.getvalue().strip()
    assert len(raw) > 30 and not ApiToken.objects.filter(key_hash=raw).exists()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/accounts/me", headers=headers).json()["username"] == (
        "street_organizer"
    )
    roots = client.get("/api/v1/organizations/roots", headers=headers).json()
    assert [r["code"] for r in roots] == ["S1"]
    found = client.get("/api/v1/organizations/search?q=支部", headers=headers).json()
    assert "O1B1" not in {r["code"] for r in found} and "S1B2" in {r["code"] for r in found}
    bad = {"Authorization": "Bearer nope"}
    assert client.get("/api/v1/accounts/me", headers=bad).status_code == 401


def test_openapi_and_docs_work_offline(client, cast):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/organizations/{org_id}" in schema["paths"]
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_grant_role_command(cast):
    from django.contrib.auth.models import User

    from shuping.accounts.access import get_organization_for

    out = StringIO()
    call_command("grant_role", "newbie", "organizer", "S1", create=True, name="新人", stdout=out)
    assert "初始密码" in out.getvalue()
    user = User.objects.get(username="newbie")
    assert get_organization_for(user, cast.branch.pk, write=True) == cast.branch


def test_home_includes_other_apps_panels(cast, client, settings, tmp_path):
    (tmp_path / "meetings").mkdir()
    (tmp_path / "meetings" / "home_panel.html").write_text(
        '<section class="card">本年度方案面板 {{ user.username }}</section>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    client.force_login(cast.organizer)
    assert "本年度方案面板 organizer" in client.get("/").content.decode()
