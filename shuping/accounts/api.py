from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from shuping.accounts.access import grants, is_admin
from shuping.accounts.models import Role
from shuping.organizations.models import Person

router = Router(tags=["accounts"])


class GrantOut(Schema):
    role: str
    role_display: str
    organization_id: int
    organization_name: str


class MeOut(Schema):
    username: str
    full_name: str
    is_admin: bool
    person_id: int | None
    roles: list[GrantOut]


@router.get("/me", response=MeOut, summary="当前用户及其角色")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    person = Person.objects.filter(user_id=user.pk or 0).values_list("pk", flat=True).first()
    return MeOut(
        username=user.get_username(),
        full_name=user.get_full_name() if hasattr(user, "get_full_name") else "",
        is_admin=is_admin(user),
        person_id=person,
        roles=[
            GrantOut(
                role=g.role,
                role_display=g.get_role_display(),
                organization_id=g.organization_id,
                organization_name=g.organization.name,
            )
            for g in grants(user, list(Role.values))
        ],
    )
