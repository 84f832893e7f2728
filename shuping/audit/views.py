"""The audit log page: organizers read the log of their subtree, admins all of it."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shuping.accounts.access import WRITE_ROLES, grants, is_admin
from shuping.audit import labels
from shuping.audit.models import AuditEntry
from shuping.lib.errors import NotFound
from shuping.organizations.forms import AuditFilterForm


def audit_scope(user: Any) -> Q:
    """Entries about the subtrees the user organizes; nothing for other roles."""
    if is_admin(user):
        return Q()
    q = Q(pk__in=[])
    for grant in grants(user, WRITE_ROLES):
        q |= Q(org_path__startswith=grant.organization.path)
    return q


@login_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    if not (is_admin(request.user) or grants(request.user, WRITE_ROLES)):
        raise NotFound()
    form = AuditFilterForm(request.GET or None, actions=labels.action_choices())
    entries = AuditEntry.objects.filter(audit_scope(request.user))
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            entries = entries.filter(action=data["action"])
        tz = timezone.get_current_timezone()
        if data["start"]:
            entries = entries.filter(at__gte=datetime.combine(data["start"], time.min, tz))
        if data["end"]:
            entries = entries.filter(at__lte=datetime.combine(data["end"], time.max, tz))
    page = Paginator(entries.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.action_label = labels.action_label(entry.action)  # type: ignore[attr-defined]
        entry.change_lines = labels.change_lines(entry.action, entry.changes)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
