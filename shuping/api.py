"""The JSON API: one NinjaAPI, one router per app, over the same services as the pages."""

from __future__ import annotations

from typing import Any

from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Swagger
from ninja.errors import ValidationError
from ninja.security import HttpBearer, SessionAuth

from shuping.accounts.api import router as accounts_router
from shuping.accounts.models import ApiToken, hash_token
from shuping.assessment.api import router as assessment_router
from shuping.ballots.api import router as ballots_router
from shuping.filing.api import router as filing_router
from shuping.inspections.api import router as inspections_router
from shuping.lib.errors import DomainError, NotFound
from shuping.lib.middleware import BAD_INPUT
from shuping.meetings.api import router as meetings_router
from shuping.member_review.api import router as member_review_router
from shuping.organizations.api import router as organizations_router
from shuping.oversight.api import router as oversight_router
from shuping.rectification.api import router as rectification_router
from shuping.reports.api import router as reports_router
from shuping.results.api import router as results_router
from shuping.rounds.api import router as rounds_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            api_token = ApiToken.objects.select_related("user").get(key_hash=hash_token(token))
        except ApiToken.DoesNotExist:
            return None
        if not api_token.user.is_active:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


class SessionCookie(SessionAuth):
    """The browser's session cookie, CSRF checked on writes (ninja does that for cookies).

    A request that carries an Authorization header is an API client: its token alone
    decides, so a bad token is a 401 and never falls back to the cookie's CSRF check
    (which answered every bearer write with 403 "CSRF check Failed")."""

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get("Authorization"):
            return None
        return super().__call__(request)


api = NinjaAPI(
    title="述评 Shuping API",
    version="1",
    urls_namespace="api",
    # The bearer token first: a token-holding client needs neither a session nor CSRF.
    auth=[BearerToken(), SessionCookie()],
    docs_url="/docs",
    # No online validator badge: the docs page must work without internet.
    docs=Swagger(settings={"validatorUrl": None}),
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 403 if exc.code == "forbidden" else 409 if exc.code == "state" else 400
    return api.create_response(
        request, {"detail": exc.message, "field": exc.field, "code": exc.code}, status=status
    )


@api.exception_handler(DataError)
@api.exception_handler(IntegrityError)
@api.exception_handler(OverflowError)
def unstorable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A value the database cannot hold (out of range, too long, a constraint): the
    # client's input, not a server fault.
    return api.create_response(request, {"detail": BAD_INPUT, "code": "invalid"}, status=400)


# Pydantic's English messages, in Chinese, by error type.
VALIDATION_MESSAGES = {
    "missing": "必须填写",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为是或否",
    "string_type": "应为文字",
    "string_too_long": "文字过长",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_attributes_type": "应为对象",
    "datetime_parsing": "应为日期时间，如 2026-03-01T09:00",
    "datetime_from_date_parsing": "应为日期时间，如 2026-03-01T09:00",
    "date_parsing": "应为日期，如 2026-03-01",
    "date_from_datetime_parsing": "应为日期，如 2026-03-01",
    "json_invalid": "不是有效的 JSON",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
}


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path")]
        field = ".".join(loc)
        message = VALIDATION_MESSAGES.get(str(err.get("type", "")), "格式不正确")
        errors.append({"field": field, "message": message})
    detail = "；".join(f"{e['field'] or '请求'}：{e['message']}" for e in errors[:10])
    return api.create_response(
        request,
        {
            "detail": f"请求数据有误：{detail}",
            "field": errors[0]["field"] if errors else None,
            "errors": errors,
            "code": "invalid",
        },
        status=422,
    )


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": "对象不存在或您无权访问。"}, status=404)


api.add_router("/accounts", accounts_router)
api.add_router("/organizations", organizations_router)
api.add_router("/rounds", rounds_router)
api.add_router("/reports", reports_router)
api.add_router("/meetings", meetings_router)
api.add_router("/ballots", ballots_router)
api.add_router("/filing", filing_router)
api.add_router("/oversight", oversight_router)
api.add_router("/inspections", inspections_router)
api.add_router("/assessment", assessment_router)
api.add_router("/results", results_router)
api.add_router("/rectification", rectification_router)
api.add_router("/member-reviews", member_review_router)
