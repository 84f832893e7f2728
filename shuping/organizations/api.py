"""Read endpoints for the tree and people, scoped exactly like the pages
(objects outside the caller's reach answer 404). ID and phone numbers are masked."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Router, Schema

from shuping.accounts.access import (
    get_organization_for,
    get_person_for,
    org_scope_q,
    visible_organizations,
)
from shuping.lib.errors import DomainError
from shuping.lib.keyset import keyset_page
from shuping.organizations.models import Organization, Person
from shuping.organizations.queries import (
    PERSON_ORDER,
    people_total,
    reachable_roots,
    search_people,
    visible_children,
    with_counts,
)

router = Router(tags=["organizations"])


class PersonRef(Schema):
    id: int
    name: str


class OrgOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_display: str
    sector: str
    sector_display: str
    parent_id: int | None
    depth: int
    is_retiree_branch: bool
    is_active: bool
    secretary: PersonRef | None
    secretary_vacant: bool
    children_count: int
    members_count: int


class OrgDetail(OrgOut):
    deputy_secretary: PersonRef | None
    committee_members: list[PersonRef]
    ancestors: list[PersonRef]  # id + name of each ancestor, root first


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    category: str
    category_display: str
    organization_id: int | None
    organization_name: str
    position: str
    member_status: str
    employment: str
    join_date: date | None
    id_number_masked: str
    phone_masked: str


class MembershipOut(Schema):
    organization_id: int
    organization_name: str
    started_on: date
    ended_on: date | None
    note: str


class PersonDetail(PersonOut):
    birth_date: date | None
    cadre_level: str
    memberships: list[MembershipOut]


MAX_OFFSET = 10_000  # deeper pages go by cursor: OFFSET reads every row it skips


class PersonPage(Schema):
    count: int
    items: list[PersonOut]
    next_cursor: str | None = None  # pass as `cursor` for the following page
    prev_cursor: str | None = None  # pass as `before` for the preceding page


def _ref(person: Person | None) -> PersonRef | None:
    return PersonRef(id=person.pk, name=person.name) if person is not None else None


def _org(org: Organization) -> OrgOut:
    return OrgOut(
        id=org.pk,
        code=org.code,
        name=org.name,
        kind=org.kind,
        kind_display=org.get_kind_display(),
        sector=org.sector,
        sector_display=org.get_sector_display(),
        parent_id=org.parent_id,
        depth=org.depth,
        is_retiree_branch=org.is_retiree_branch,
        is_active=org.is_active,
        secretary=_ref(org.secretary),
        secretary_vacant=org.secretary_id is None,
        children_count=getattr(org, "n_children", 0),
        members_count=getattr(org, "n_members", 0),
    )


def _person(p: Person) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "gender": p.gender,
        "category": p.category,
        "category_display": p.get_category_display(),
        "organization_id": p.organization_id,
        "organization_name": p.organization.name if p.organization else "",
        "position": p.position,
        "member_status": p.member_status,
        "employment": p.employment,
        "join_date": p.join_date,
        "id_number_masked": p.masked_id_number,
        "phone_masked": p.masked_phone,
    }


@router.get("/roots", response=list[OrgOut], summary="我可查看的最上级组织")
def roots(request: HttpRequest) -> list[OrgOut]:
    return [_org(o) for o in with_counts(reachable_roots(request.user), request.user)]


@router.get("/search", response=list[OrgOut], summary="按名称搜索组织（最多 100 个）")
def search(request: HttpRequest, q: str) -> list[OrgOut]:
    found = (
        visible_organizations(request.user)
        .filter(name__icontains=q.strip())
        .select_related("secretary")
        .order_by("path")[:100]
    )
    return [_org(o) for o in with_counts(list(found), request.user)]


@router.get("/{org_id}", response=OrgDetail, summary="组织详情")
def detail(request: HttpRequest, org_id: int) -> OrgDetail:
    org = get_organization_for(request.user, org_id)
    org = with_counts(
        [Organization.objects.select_related("secretary", "deputy_secretary").get(pk=org.pk)],
        request.user,
    )[0]
    chain = Organization.objects.filter(pk__in=org.ancestor_ids()).order_by("depth")
    return OrgDetail(
        **_org(org).dict(),
        deputy_secretary=_ref(org.deputy_secretary),
        committee_members=[PersonRef(id=p.pk, name=p.name) for p in org.committee_members.all()],
        ancestors=[PersonRef(id=a.pk, name=a.name) for a in chain],
    )


@router.get("/{org_id}/children", response=list[OrgOut], summary="下级组织")
def children(request: HttpRequest, org_id: int) -> list[OrgOut]:
    org = get_organization_for(request.user, org_id)
    return [_org(o) for o in visible_children(request.user, org)]


@router.get("/{org_id}/people", response=PersonPage, summary="组织的人员（分页）")
def people(
    request: HttpRequest,
    org_id: int,
    subtree: bool = False,
    q: str = "",
    limit: int = 50,
    offset: int = 0,
    cursor: str = "",
    before: str = "",
    last: bool = False,
) -> PersonPage:
    org = get_organization_for(request.user, org_id)
    qs = Person.objects.filter(org.subtree_q("organization__") if subtree else Q(organization=org))
    if subtree:  # a reporter reaches its own node only, not the branches below it
        qs = qs.filter(org_scope_q(request.user, prefix="organization__"))
    qs = qs.select_related("organization")
    if q:
        qs = search_people(qs, q)
    limit = max(1, min(limit, 200))
    if offset < 0:
        raise DomainError("offset 不能小于 0。", field="offset")
    if offset > MAX_OFFSET:
        raise DomainError(f"offset 不能超过 {MAX_OFFSET}，请用 cursor 翻页。", field="offset")
    # Without a search the total comes from the per-organization counts, not a COUNT
    # over every person of the subtree (the whole table at the root).
    total = qs.count() if q else people_total(org, request.user, subtree=subtree)
    if cursor or before or last or not offset:
        page = keyset_page(qs, PERSON_ORDER, after=cursor, before=before, last=last, size=limit)
        return PersonPage(
            count=total,
            items=[PersonOut(**_person(p)) for p in page],
            next_cursor=page.next_cursor,
            prev_cursor=page.prev_cursor,
        )
    items = qs.order_by(*PERSON_ORDER)[offset : offset + limit]
    return PersonPage(count=total, items=[PersonOut(**_person(p)) for p in items])


@router.get("/people/{person_id}", response=PersonDetail, summary="人员详情")
def person_detail(request: HttpRequest, person_id: int) -> PersonDetail:
    p = get_person_for(request.user, person_id)
    memberships = [
        MembershipOut(
            organization_id=m.organization_id,
            organization_name=m.organization.name,
            started_on=m.started_on,
            ended_on=m.ended_on,
            note=m.note,
        )
        for m in p.memberships.select_related("organization").order_by("started_on")
    ]
    return PersonDetail(
        **_person(p), birth_date=p.birth_date, cadre_level=p.cadre_level, memberships=memberships
    )
