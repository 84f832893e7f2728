from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache

from shuping.api import api


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Early: the phone pages are the busiest, and patterns are tried in order.
    path("b/", include("shuping.ballots.urls")),
    path("api/v1/", api.urls),
    path("", include("shuping.accounts.urls")),
    path("org/", include("shuping.organizations.urls")),
    path("rounds/", include("shuping.rounds.urls")),
    path("reports/", include("shuping.reports.urls")),
    path("meetings/", include("shuping.meetings.urls")),
    path("filing/", include("shuping.filing.urls")),
    path("oversight/", include("shuping.oversight.urls")),
    path("inspections/", include("shuping.inspections.urls")),
    path("assessment/", include("shuping.assessment.urls")),
    path("results/", include("shuping.results.urls")),
    path("rectification/", include("shuping.rectification.urls")),
    path("mr/", include("shuping.member_review.urls")),
]
