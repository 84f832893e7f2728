"""The phone path skips what it never uses.

A voter's phone makes three requests (the sheet, confirm, submit) and the projector and
host pages poll the turnout; none of them uses a session, a signed-in user or flash
messages, and at a meeting's peak hundreds arrive at once. These are Django's own
session, authentication and messages middleware, passed over on those paths only, and
django-csp's, whose fixed header is built once there.
Everything else (security headers, host checks, CSRF, input hardening, and whatever is
added to MIDDLEWARE later) still runs on every request.

Secrecy gains too: a phone is never handed a session cookie.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CSPMiddleware as _CSP
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware as _Auth
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.contrib.sessions.middleware import SessionMiddleware as _Sessions
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.utils.datastructures import MultiValueDict

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


class CSPMiddleware(_CSP):
    """django-csp rebuilds the policy from settings on every response (copying,
    sorting and joining each directive, twice with the report-only pass). Phone pages
    never vary it (no nonce, no per-view decorator: they are rendered without the
    request), so there the header is built once per settings object and reused."""

    _policy: tuple[Any, str] | None = None

    def process_request(self, request: HttpRequest) -> None:
        if not is_phone_path(request.path_info):
            super().process_request(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not is_phone_path(request.path_info) or getattr(
            settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None
        ):
            return super().process_response(request, response)
        if any(hasattr(response, name) for name in _PER_RESPONSE) or getattr(
            response, "_csp_exempt", False
        ):
            return super().process_response(request, response)
        config = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        cached = self._policy
        if cached is None or cached[0] is not config:
            # Keyed by the settings object itself, so override_settings is honoured.
            cached = self._policy = (config, build_policy())
        if cached[1] and CSP_HEADER not in response:
            response[CSP_HEADER] = cached[1]
        return response


# Set on a response by django-csp's view decorators: such a response takes the long road.
_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace")


class PhoneFormMiddleware:
    """Reads a phone's posted sheet into `request.POST` in one pass.

    Django's QueryDict adds the fields one by one through four layers of checks; a sheet
    is a few dozen fields, and on the submit request that was a quarter of the server's
    work. Same parser, same limits, same result (an immutable UTF-8 QueryDict); anything
    unusual (too big, too many fields, not UTF-8, not a plain form) is left to Django,
    which answers it as before. Must run before anything that reads `request.POST`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "POST"
            and request.content_type == "application/x-www-form-urlencoded"
            and request.encoding is None
            and is_phone_path(request.path_info)
        ):
            _read_form(request)
        return self.get_response(request)


# A sheet's fields are a row key and one of a few grades, percent-encoded Chinese: every
# phone posts pieces from the same small set, and decoding each one (unquote, twice) was
# most of the parse. Each distinct `key=value` piece is decoded once per process; free
# text (the comment) and long or surplus pieces are decoded every time, not kept.
_PIECES: dict[str, tuple[str, str]] = {}
_PIECES_MAX = 20_000
_PIECE_MAX = 120


def _read_form(request: HttpRequest) -> None:
    try:
        text = request.body.decode()
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        if limit is not None and text and text.count("&") + 1 > limit:
            return  # Django reads it again and refuses it as it always does
    except (RequestDataTooBig, UnicodeDecodeError):
        return
    fields: dict[str, list[str]] = {}
    for piece in text.split("&") if text else ():
        pair = _PIECES.get(piece)
        if pair is None:
            parsed = parse_qsl(piece, keep_blank_values=True, encoding="utf-8")
            if not parsed:  # an empty piece ("a=1&&b=2"), skipped as parse_qsl does
                continue
            pair = parsed[0]
            if len(_PIECES) < _PIECES_MAX and len(piece) <= _PIECE_MAX and pair[0] != "comment":
                _PIECES[piece] = pair
        fields.setdefault(pair[0], []).append(pair[1])
    post = QueryDict(encoding="utf-8")
    dict.update(post, fields)  # MultiValueDict keeps each key's list as its dict value
    request._post = post  # type: ignore[attr-defined]
    request._files = MultiValueDict()  # type: ignore[attr-defined]
