"""Who may open the superior's view of a node: a 上级党委, organizer or admin grant
covering it. Out of reach is NotFound; reachable only as a reporter or host is
PermissionDenied (they see their own pages, not the oversight of others)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shuping.accounts.access import get_organization_for, grants, is_admin, reaches
from shuping.accounts.models import Role
from shuping.lib.errors import NotFound, PermissionDenied
from shuping.organizations.models import Organization

if TYPE_CHECKING:
    from shuping.lib.types import Viewer

OVERSIGHT_ROLES = (Role.SUPERIOR, Role.ORGANIZER, Role.ADMIN)


def default_root(user: Viewer) -> Organization:
    if is_admin(user):
        root = Organization.objects.filter(parent=None).order_by("pk").first()
        if root is not None:
            return root
    nodes = sorted((g.organization for g in grants(user, OVERSIGHT_ROLES)), key=lambda o: o.depth)
    if not nodes:
        raise PermissionDenied("督导页面供上级党委和组织部门使用。")
    return nodes[0]


def get_oversight_root(user: Viewer, pk: Any | None) -> Organization:
    if pk in (None, ""):
        return default_root(user)
    org = get_organization_for(user, pk)  # NotFound outside the user's reach
    if not reaches(user, org, roles=OVERSIGHT_ROLES):
        raise PermissionDenied("督导页面供上级党委和组织部门使用。")
    return org


__all__ = ["NotFound", "default_root", "get_oversight_root"]
