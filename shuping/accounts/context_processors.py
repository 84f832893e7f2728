"""The navigation bar, built from the user's roles so each role sees its own entries."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from shuping.accounts.access import is_admin, roles_of
from shuping.accounts.models import Role

# (label, url name, roles that see it; empty = everyone logged in)
NAV: list[tuple[str, str, frozenset[str]]] = [
    ("首页", "accounts:home", frozenset()),
    (
        "组织架构",
        "organizations:index",
        frozenset({Role.ORGANIZER, Role.HOST, Role.SUPERIOR, Role.ADMIN}),
    ),
    ("考核方案", "rounds:index", frozenset()),
    ("述职报告", "reports:index", frozenset()),
    (
        "述职评议会",
        "meetings:index",
        frozenset({Role.ORGANIZER, Role.HOST, Role.SUPERIOR, Role.ADMIN}),
    ),
    (
        "民主测评",
        "ballots:index",
        frozenset({Role.ORGANIZER, Role.HOST, Role.SUPERIOR, Role.ADMIN}),
    ),
    ("综合评价", "assessment:index", frozenset()),
    ("操作日志", "organizations:audit", frozenset({Role.ORGANIZER, Role.ADMIN})),
    (
        "材料备案",
        "filing:index",
        frozenset({Role.ORGANIZER, Role.HOST, Role.SUPERIOR, Role.ADMIN}),
    ),
    ("督导", "oversight:index", frozenset({Role.ORGANIZER, Role.SUPERIOR, Role.ADMIN})),
    (
        "结果运用",
        "results:index",
        frozenset({Role.ORGANIZER, Role.HOST, Role.SUPERIOR, Role.ADMIN}),
    ),
    ("整改台账", "rectification:index", frozenset()),
    ("民主评议党员", "member_review:index", frozenset()),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = roles_of(user) | ({Role.ADMIN.value} if is_admin(user) else set())
    items: list[dict[str, Any]] = []
    for label, name, allowed in NAV:
        if allowed and not (roles & allowed):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": False})
    # The most specific entry wins: /org/audit/ lights up 操作日志, not 组织架构 too.
    matches = [
        i
        for i in items
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items}
