"""State changes to the tree and to people. Each checks permission, saves and
writes the audit log in one transaction."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone

from shuping.accounts.access import can_manage, is_admin
from shuping.audit.services import diff, record, snapshot
from shuping.lib.errors import DomainError, PermissionDenied
from shuping.organizations.models import (
    PATH_MAX_CHARS,
    TREE_TOO_DEEP,
    MembershipPeriod,
    Organization,
    Person,
    PersonCategory,
)

if TYPE_CHECKING:
    from shuping.lib.types import Actor

ORG_FIELDS = (
    "code",
    "name",
    "kind",
    "sector",
    "parent",
    "sort_order",
    "secretary",
    "deputy_secretary",
    "is_retiree_branch",
    "is_active",
    "dissolved_on",
)
PERSON_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "category",
    "organization",
    "join_date",
    "member_status",
    "employment",
    "cadre_level",
    "position",
)


def _require_manage(actor: Actor, org: Organization | None) -> None:
    """Organizers manage their subtree; a root node (no parent) needs an admin.
    `actor=None` is the system itself (demo loader, migrations)."""
    if actor is None:
        return
    if org is None:
        if not is_admin(actor):
            raise PermissionDenied()
    elif not can_manage(actor, org):
        raise PermissionDenied()


def _set_path(org: Organization) -> None:
    parent_path = org.parent.path if org.parent_id else "/"  # type: ignore[union-attr]
    org.path = f"{parent_path}{org.pk}/"
    org.depth = org.path.count("/") - 2
    if len(org.path) > PATH_MAX_CHARS:
        raise DomainError(TREE_TOO_DEEP, field="parent")


@transaction.atomic
def create_organization(
    *, actor: Actor, parent: Organization | None, **fields: Any
) -> Organization:
    _require_manage(actor, parent)
    if parent is not None and not parent.is_active:
        raise DomainError("上级组织已撤销，不能在其下新建组织。", field="parent")
    _check_code(str(fields.get("code", "")))
    org = Organization(parent=parent, path=f"tmp-{uuid.uuid4().hex}", **fields)
    org.save()
    _set_path(org)
    org.save(update_fields=["path", "depth"])
    record(
        actor=actor,
        action="organization.create",
        target=org,
        organization=org,
        changes=diff({}, snapshot(org, ORG_FIELDS)),
    )
    return org


@transaction.atomic
def update_organization(org: Organization, *, actor: Actor, **fields: Any) -> Organization:
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _require_manage(actor, org)
    if "parent" in fields:
        raise DomainError("请使用“移动组织”修改上级组织。", field="parent")
    if "code" in fields:
        _check_code(str(fields["code"]), exclude=org.pk)
    for key in ("secretary", "deputy_secretary"):
        person = fields.get(key)
        if person is not None and (
            person.organization is None or not person.organization.is_within(org)
        ):
            raise DomainError("只能从本组织及下级组织的人员中任命。", field=key)
    if fields.get("is_active") is False and org.is_active:
        _check_can_dissolve(org)
    if fields.get("is_active") is True:
        fields["dissolved_on"] = None
    before = snapshot(org, ORG_FIELDS)
    for name, value in fields.items():
        setattr(org, name, value)
    changes = diff(before, snapshot(org, ORG_FIELDS))
    if changes:
        org.save(update_fields=list(fields))
        action = "organization.update"
        if set(fields) == {"secretary"}:
            action = "organization.secretary"
        record(actor=actor, action=action, target=org, organization=org, changes=changes)
    return org


def _check_can_dissolve(org: Organization) -> None:
    """A node is dissolved only once its sub-nodes are dissolved and its members moved."""
    if Organization.objects.filter(parent=org, is_active=True).exists():
        raise DomainError("请先撤销或移走全部下级组织。", field="is_active")
    if Person.objects.filter(organization=org, category=PersonCategory.MEMBER).exists():
        raise DomainError("请先将本组织党员的组织关系转出。", field="is_active")


@transaction.atomic
def move_organization(org: Organization, *, actor: Actor, new_parent: Organization) -> Organization:
    """Re-hang a subtree: one UPDATE rewrites every descendant's path prefix."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _require_manage(actor, org)
    _require_manage(actor, new_parent)
    if new_parent.path.startswith(org.path):
        raise DomainError("不能把组织移动到它自己的下级组织之下。", field="parent")
    if new_parent.pk == org.parent_id:
        raise DomainError("组织已在该上级组织之下。", field="parent")
    if not new_parent.is_active:
        raise DomainError("目标上级组织已撤销。", field="parent")
    old_path, old_parent, old_depth = org.path, org.parent, org.depth
    org.parent = new_parent
    _set_path(org)
    longest = Organization.objects.filter(path__startswith=old_path).aggregate(
        n=Max(Length("path"))
    )["n"]
    if (longest or 0) - len(old_path) + len(org.path) > PATH_MAX_CHARS:
        raise DomainError(TREE_TOO_DEEP, field="parent")
    org.save(update_fields=["parent", "path", "depth"])
    Organization.objects.filter(path__startswith=old_path).exclude(pk=org.pk).update(
        path=Concat(Value(org.path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + (org.depth - old_depth),
    )
    record(
        actor=actor,
        action="organization.move",
        target=org,
        organization=org,
        changes={"parent": [str(old_parent), str(new_parent)]},
    )
    return org


@transaction.atomic
def set_secretary(org: Organization, *, actor: Actor, person: Person | None) -> Organization:
    """Appoint a secretary, or pass None to record the post as vacant."""
    return update_organization(org, actor=actor, secretary=person)


@transaction.atomic
def set_committee(org: Organization, *, actor: Actor, members: list[Person]) -> Organization:
    """Replace the committee (委员) of a node; members come from its own subtree."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _require_manage(actor, org)
    for person in members:
        if person.organization is None or not person.organization.is_within(org):
            raise DomainError("只能从本组织及下级组织的人员中选择委员。", field="committee_members")
    before = sorted(str(p) for p in org.committee_members.all())
    org.committee_members.set(members)
    after = sorted(str(p) for p in members)
    if before != after:
        record(
            actor=actor,
            action="organization.committee",
            target=org,
            organization=org,
            changes={"committee_members": ["、".join(before), "、".join(after)]},
        )
    return org


def _check_identifiers(fields: dict[str, Any], *, exclude: int | None = None) -> None:
    id_number = fields.get("id_number") or ""
    if id_number and Person.objects.filter(id_number=id_number).exclude(pk=exclude or 0).exists():
        raise DomainError("该身份证号已登记在其他人员名下。", field="id_number")


def _check_code(code: str, *, exclude: int | None = None) -> None:
    if Organization.objects.filter(code=code).exclude(pk=exclude or 0).exists():
        raise DomainError("组织编码已被使用。", field="code")


@transaction.atomic
def create_person(*, actor: Actor, organization: Organization | None, **fields: Any) -> Person:
    _require_manage(actor, organization)
    _check_identifiers(fields)
    person = Person(organization=organization, **fields)
    person.save()
    if organization is not None and person.is_member:
        MembershipPeriod.objects.create(
            person=person,
            organization=organization,
            started_on=fields.get("join_date") or timezone.localdate(),
        )
    record(
        actor=actor,
        action="person.create",
        target=person,
        organization=organization,
        changes=diff({}, snapshot(person, PERSON_FIELDS)),
    )
    return person


@transaction.atomic
def update_person(person: Person, *, actor: Actor, **fields: Any) -> Person:
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=person.pk)
    )
    _require_manage(actor, person.organization)
    if "organization" in fields:
        raise DomainError("请使用“组织关系转接”变更党员所在组织。", field="organization")
    _check_identifiers(fields, exclude=person.pk)
    before = snapshot(person, PERSON_FIELDS)
    for name, value in fields.items():
        setattr(person, name, value)
    person.save(update_fields=list(fields))
    changes = diff(before, snapshot(person, PERSON_FIELDS))
    # Identifier changes are noted without their values.
    secret = sorted({"id_number", "phone"} & set(fields))
    if changes or secret:
        record(
            actor=actor,
            action="person.update",
            target=person,
            organization=person.organization,
            changes=changes,
            note=(
                "已修改："
                + "、".join({"id_number": "身份证号", "phone": "手机号"}[f] for f in secret)
            )
            if secret
            else "",
        )
    return person


@transaction.atomic
def transfer_member(
    person: Person, *, actor: Actor, to: Organization, on: date | None = None, note: str = ""
) -> Person:
    """Move a member to another branch, closing the open membership period."""
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=person.pk)
    )
    _require_manage(actor, person.organization)
    _require_manage(actor, to)
    if not person.is_member:
        raise DomainError("只有党员才有组织关系转接。")
    if person.organization_id == to.pk:
        raise DomainError("党员已在该组织，无需转接。", field="organization")
    if not to.is_active:
        raise DomainError("目标组织已撤销。", field="organization")
    on = on or timezone.localdate()
    MembershipPeriod.objects.filter(person=person, ended_on__isnull=True).update(ended_on=on)
    MembershipPeriod.objects.create(person=person, organization=to, started_on=on, note=note)
    old = person.organization
    person.organization = to
    person.save(update_fields=["organization"])
    record(
        actor=actor,
        action="person.transfer",
        target=person,
        organization=to,
        changes={"organization": [str(old), str(to)]},
        note=note,
    )
    return person
