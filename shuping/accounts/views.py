from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse

from shuping.accounts.access import grants, is_admin
from shuping.accounts.forms import ChinesePasswordChangeForm
from shuping.accounts.models import Role, RoleGrant
from shuping.accounts.services import change_password
from shuping.accounts.todo import todos_for
from shuping.organizations.models import BASIC_KINDS, Organization, Person, PersonCategory


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# What each role does next, as (label, url name, needs the organization's pk).
NEXT_STEPS: dict[str, list[tuple[str, str, bool]]] = {
    Role.ORGANIZER: [
        ("查看组织架构", "organizations:node", True),
        ("考核方案", "rounds:index", False),
        ("导入/导出花名册", "organizations:import", False),
        ("操作日志", "organizations:audit", False),
    ],
    Role.HOST: [
        ("查看组织架构", "organizations:node", True),
        ("述职评议会", "meetings:index", False),
        ("述职报告", "reports:index", False),
    ],
    Role.REPORTER: [
        ("我的组织", "organizations:node", True),
        ("撰写述职报告", "reports:index", False),
    ],
    Role.SUPERIOR: [
        ("查看组织架构（只读）", "organizations:node", True),
        ("考核方案进度", "rounds:index", False),
    ],
    Role.ADMIN: [
        ("组织架构", "organizations:index", False),
        ("导入/导出花名册", "organizations:import", False),
        ("操作日志", "organizations:audit", False),
    ],
}

ROLE_HINTS: dict[str, str] = {
    Role.ORGANIZER: "您负责本组织及下级组织的述职评议考核：维护组织和人员，制定方案，跟踪进度。",
    Role.HOST: "您主持述职评议会并逐一点评；可查看本组织及下级组织的情况。",
    Role.REPORTER: "您是述职书记：按方案要求撰写述职报告，参加述职评议。",
    Role.SUPERIOR: "您是上级党委，可查看下级组织的述职评议考核进展（只读）。",
    Role.ADMIN: "您是系统管理员，可查看和管理全部组织。",
}


@dataclass
class Panel:
    grant: RoleGrant
    hint: str
    links: list[tuple[str, str]] = field(default_factory=list)
    stats: list[tuple[str, int]] = field(default_factory=list)


def _stats(org: Organization) -> list[tuple[str, int]]:
    """Two queries per panel: organizations (and vacancies) and members in the subtree."""
    below = Organization.objects.filter(org.subtree_q(), is_active=True).aggregate(
        orgs=Count("pk"),
        basic=Count("pk", filter=Q(kind__in=BASIC_KINDS)),
        vacant=Count("pk", filter=Q(kind__in=BASIC_KINDS, secretary__isnull=True)),
    )
    members = Person.objects.filter(
        org.subtree_q("organization__"), category=PersonCategory.MEMBER
    ).count()
    return [
        ("党组织", below["orgs"]),
        ("基层党支部/党总支", below["basic"]),
        ("书记空缺", below["vacant"]),
        ("党员", members),
    ]


def panels_for(user: Any) -> list[Panel]:
    panels = []
    for grant in grants(user, list(Role.values)):
        panel = Panel(grant, ROLE_HINTS[grant.role])
        for label, name, with_pk in NEXT_STEPS[grant.role]:
            url = _url(name, grant.organization_id) if with_pk else _url(name)
            if url:
                panel.links.append((label, url))
        if grant.role != Role.REPORTER:
            panel.stats = _stats(grant.organization)
        panels.append(panel)
    return panels


# Other apps add a panel to the home page by shipping one of these templates; it is
# included with the home page's context (user, grants, panels, person).
HOME_PANEL_TEMPLATES = [
    "reports/home_panel.html",
    "meetings/home_panel.html",
    "ballots/home_panel.html",
]


def extra_panels() -> list[str]:
    found = []
    for name in HOME_PANEL_TEMPLATES:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        found.append(name)
    return found


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's starting page: what they hold and where to go next.
    Other apps add their panels by extending `accounts/home.html` (block home_panels)."""
    person = (
        Person.objects.filter(user_id=request.user.pk or 0).select_related("organization").first()
    )
    return render(
        request,
        "accounts/home.html",
        {
            "grants": grants(request.user),
            "panels": panels_for(request.user),
            "person": person,
            "is_admin": is_admin(request.user),
            "extra_panels": extra_panels(),
            "todos": todos_for(request.user),
        },
    )


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password: old password, the new one twice, Django's validators."""
    form = ChinesePasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_password(
            request.user,  # type: ignore[arg-type]
            actor=request.user,
            new_password=form.cleaned_data["new_password1"],
        )
        update_session_auth_hash(request, request.user)  # type: ignore[arg-type]  # stay logged in
        messages.success(request, "密码已修改。其他已登录的设备需要用新密码重新登录。")
        return redirect("accounts:home")
    return render(request, "accounts/password_change.html", {"form": form})
