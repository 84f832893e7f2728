from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from shuping.accounts.services import login_locked, note_login_failure, note_login_success
from shuping.lib.clientaddr import client_address

__all__ = ["ChinesePasswordChangeForm", "ThrottledLoginForm", "client_address"]


class ThrottledLoginForm(AuthenticationForm):
    """Django's login form with a cool-down after repeated failures, counted under the
    normalized username and the client address (see services.login_locked)."""

    error_messages = {
        "invalid_login": "用户名或密码不正确。",
        "inactive": "该账号已停用。",
        "locked": "登录失败次数过多，请 {minutes} 分钟后再试。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].error_messages["required"] = "请填写用户名。"
        self.fields["password"].error_messages["required"] = "请填写密码。"

    def clean(self) -> dict[str, Any]:
        username = str(self.data.get("username", ""))
        address = client_address(self.request)
        if login_locked(username, address):
            note_login_failure(username, address, locked=True)
            minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
            raise forms.ValidationError(
                self.error_messages["locked"].format(minutes=minutes), code="locked"
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            note_login_failure(username, address)
            raise
        user = self.get_user()
        if user is not None:
            note_login_success(user, address, username=username)
        return cleaned


class ChinesePasswordChangeForm(PasswordChangeForm):
    """Django's password change form (old password, new twice, every configured validator)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "原密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "再次输入新密码"
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": "原密码不正确，请重新输入。",
            "password_mismatch": "两次输入的新密码不一致。",
        }
