from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shuping.accounts.access import grants


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's starting page: what they hold and where to go next."""
    return render(request, "accounts/home.html", {"grants": grants(request.user)})
