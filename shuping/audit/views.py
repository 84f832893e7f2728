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
from shuping.audit.models import AuditEntry
from shuping.lib.errors import NotFound
from shuping.organizations.forms import AuditFilterForm

ACTION_LABELS: dict[str, str] = {
    "organization.create": "新建组织",
    "organization.update": "修改组织",
    "organization.secretary": "任命书记",
    "organization.move": "移动组织",
    "organization.committee": "调整委员",
    "person.create": "新增人员",
    "person.update": "修改人员",
    "person.transfer": "组织关系转接",
    "roster.import": "导入花名册",
    "role.grant": "授予角色",
    "token.create": "创建 API 令牌",
    "demo.load": "加载演示数据",
    "login": "登录",
    "login.failed": "登录失败",
    "login.locked": "登录被暂停（失败次数过多）",
    "password.change": "修改密码",
}

FIELD_LABELS: dict[str, str] = {
    "code": "组织编码",
    "name": "名称",
    "kind": "类型",
    "sector": "领域",
    "parent": "上级组织",
    "sort_order": "排序",
    "secretary": "书记",
    "deputy_secretary": "副书记",
    "committee_members": "委员",
    "is_retiree_branch": "离退休党支部",
    "is_active": "有效",
    "dissolved_on": "撤销日期",
    "gender": "性别",
    "birth_date": "出生日期",
    "category": "身份",
    "organization": "所在组织",
    "join_date": "入党日期",
    "member_status": "党员类别",
    "employment": "在职状态",
    "cadre_level": "干部级别",
    "position": "职务",
    "orgs_created": "新建组织",
    "orgs_updated": "更新组织",
    "people_created": "新建人员",
    "people_updated": "更新人员",
    "transfers": "转接",
    "posts_changed": "任职变更",
    "organizations": "党组织",
    "people": "人员",
    "user": "用户",
    "role": "角色",
}


def audit_scope(user: Any) -> Q:
    """Entries about the subtrees the user organizes; nothing for other roles."""
    if is_admin(user):
        return Q()
    q = Q(pk__in=[])
    for grant in grants(user, WRITE_ROLES):
        q |= Q(org_path__startswith=grant.organization.path)
    return q


def _changes(entry: AuditEntry) -> list[tuple[str, str]]:
    out = []
    for key, value in (entry.changes or {}).items():
        label = FIELD_LABELS.get(key, key)
        if isinstance(value, list) and len(value) == 2:
            before, after = ("—" if v in (None, "") else str(v) for v in value)
            out.append((label, f"{before} → {after}"))
        else:
            out.append((label, str(value)))
    return out


@login_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    if not (is_admin(request.user) or grants(request.user, WRITE_ROLES)):
        raise NotFound()
    actions = sorted(ACTION_LABELS.items())
    form = AuditFilterForm(request.GET or None, actions=actions)
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
        entry.action_label = ACTION_LABELS.get(entry.action, entry.action)  # type: ignore[attr-defined]
        entry.change_lines = _changes(entry)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
