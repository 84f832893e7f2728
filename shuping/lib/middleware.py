"""Input hardening for every request: no input reaches a 500.

* NUL characters, lone surrogates (broken Unicode) and the other control characters
  XML cannot hold are dropped from query strings, form posts and JSON bodies before
  any view sees them: PostgreSQL refuses NUL and surrogates in text, pasted text with
  a NUL used to make the report autosave fail and the text be lost, and a stored
  control character made every .xlsx/.docx export of that record fail. Tab, newline
  and carriage return stay. What remains is saved.
* Values the database cannot hold (a number past its column's range, text past its
  length, a constraint) answer 400 with a Chinese message instead of a server error:
  the API as JSON, pages as the Chinese error page.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

logger = logging.getLogger(__name__)

BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
BAD_JSON = re.compile(rb"\\u(000[0-8bcef]|001[0-9a-f]|d[89a-f][0-9a-f]{2}|fff[ef])", re.IGNORECASE)
UNREADABLE = "提交的内容无法解析，请刷新页面后重新提交。"
TOO_BIG = "提交的内容过大，请减少内容或分次提交。"
BAD_INPUT = (
    "输入的内容超出允许的范围（数值过大或为负、文字过长或与已有数据冲突），请检查后重新提交。"
)


def clean_text(value: str) -> str:
    return BAD_CHARS.sub("", value) if BAD_CHARS.search(value) else value


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(str(k)): _clean(v) for k, v in value.items()}
    return value


def _clean_querydict(qd: QueryDict) -> QueryDict:
    if not any(BAD_CHARS.search(v) for values in qd.lists() for v in [values[0], *values[1]]):
        return qd
    out = QueryDict(mutable=True)
    for key, values in qd.lists():
        out.setlist(clean_text(key), [clean_text(v) for v in values])
    out._mutable = False
    return out


class InputHardeningMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = _clean_querydict(request.GET)  # type: ignore[assignment]
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if request.content_type == "application/json":
                self._clean_json(request)
            elif request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                try:
                    request.POST = _clean_querydict(request.POST)  # type: ignore[assignment]
                except RequestDataTooBig:
                    return _refuse(request, TOO_BIG, status=413)
                except (MultiPartParserError, SuspiciousOperation):
                    # A broken multipart body (no boundary, cut short): the client's
                    # fault, answered in Chinese and as JSON on the API.
                    return _refuse(request, UNREADABLE)
        return self.get_response(request)

    @staticmethod
    def _clean_json(request: HttpRequest) -> None:
        try:
            body = request.body
        except Exception:  # too large: Django answers that itself
            return
        if not BAD_JSON.search(body):
            return
        try:
            data = json.loads(body)
        except ValueError:
            return  # not JSON: the API answers 4xx itself
        request._body = json.dumps(_clean(data), ensure_ascii=False).encode()

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, (DataError, OverflowError, IntegrityError)):
            return None
        logger.info("refused input the database cannot hold: %s", exc)
        return _refuse(request, BAD_INPUT)


def _refuse(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "invalid"}, status=status)
    return render(request, "400.html", {"message": message}, status=status)
