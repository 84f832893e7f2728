"""The phone path skips what it never uses.

A voter's phone makes three requests (the sheet, confirm, submit) and the projector and
host pages poll the turnout; none of them uses a session, a signed-in user or flash
messages, and at a meeting's peak hundreds arrive at once. These are Django's own
session, authentication and messages middleware, passed over on those paths only.
Everything else (security headers, host checks, CSRF, input hardening, and whatever is
added to MIDDLEWARE later) still runs on every request.

Secrecy gains too: a phone is never handed a session cookie.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.middleware import AuthenticationMiddleware as _Auth
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.contrib.sessions.middleware import SessionMiddleware as _Sessions
from django.http import HttpRequest, HttpResponse

# `/b/<token>` (tokens are URL-safe base64) and `/b/p/<projector key>/turnout`; see urls.py.
PHONE_PATH = re.compile(r"/b/(?:[A-Za-z0-9_-]+|p/[A-Za-z0-9_-]+/turnout)")


def is_phone_path(path: str) -> bool:
    return PHONE_PATH.fullmatch(path) is not None


class _SkipOnPhonePath:
    get_response: Any

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_phone_path(request.path_info):
            return self.get_response(request)  # type: ignore[no-any-return]
        return super().__call__(request)  # type: ignore[misc,no-any-return]


class SessionMiddleware(_SkipOnPhonePath, _Sessions):
    pass


class AuthenticationMiddleware(_SkipOnPhonePath, _Auth):
    pass


class MessageMiddleware(_SkipOnPhonePath, _Messages):
    pass
