"""The JSON API: one NinjaAPI, one router per app, over the same services as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Swagger
from ninja.security import HttpBearer, django_auth

from shuping.accounts.api import router as accounts_router
from shuping.accounts.models import ApiToken, hash_token
from shuping.assessment.api import router as assessment_router
from shuping.ballots.api import router as ballots_router
from shuping.filing.api import router as filing_router
from shuping.inspections.api import router as inspections_router
from shuping.lib.errors import DomainError, NotFound
from shuping.meetings.api import router as meetings_router
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


api = NinjaAPI(
    title="述评 Shuping API",
    version="1",
    urls_namespace="api",
    auth=[django_auth, BearerToken()],
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
