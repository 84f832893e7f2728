"""Roster import (.xlsx): organizations and people from one workbook.

Three pure-ish steps, so each can be tested on its own:

    rows = read_workbook(data)                 # roster_read: cells -> RosterRows (no database)
    plan = validate(rows, actor=...)           # roster_check: every row checked; bulk prefetch
    result = apply(plan, actor=...)            # here: one transaction, bulk writes, one audit entry

`import_roster(data, actor=...)` runs them; it raises `RosterInvalid` carrying every bad
row and then nothing is written. A re-import of the same file finds nothing to change.
The layout is `roster_layout`'s, the one the export writes, so export -> import
round-trips.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Length, Substr

from shuping.audit.services import record
from shuping.lib.import_errors import RowError
from shuping.organizations.models import (
    PATH_MAX_CHARS,
    TREE_TOO_DEEP,
    MembershipPeriod,
    Organization,
    Person,
)
from shuping.organizations.roster_check import CHUNK, PersonRow, Plan, chunks, validate
from shuping.organizations.roster_layout import (
    ORG_SHEET,
    POST_COMMITTEE,
    POST_DEPUTY,
    POST_SECRETARY,
)
from shuping.organizations.roster_read import RosterInvalid, RosterRow, read_workbook

if TYPE_CHECKING:
    from shuping.lib.types import Actor


ORG_FIELDS = ("name", "kind", "sector", "is_retiree_branch", "sort_order")


def code_of_id(plan: Plan, pk: int) -> str:
    for org in plan.existing_orgs.values():
        if org.pk == pk:
            return org.code
    parent = Organization.objects.filter(pk=pk).only("code", "path", "parent_id").first()
    if parent is None:
        return ""
    plan.existing_orgs[parent.code] = parent
    return parent.code


@dataclass
class ImportResult:
    orgs_created: int = 0
    orgs_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    transfers: int = 0
    posts_changed: int = 0

    @property
    def changed(self) -> bool:
        return any(vars(self).values())

    def summary(self) -> str:
        return (
            f"新建组织 {self.orgs_created} 个，更新组织 {self.orgs_updated} 个；"
            f"新建人员 {self.people_created} 人，更新人员 {self.people_updated} 人，"
            f"组织关系转接 {self.transfers} 人；任职变更 {self.posts_changed} 处。"
        )


def apply(plan: Plan, *, actor: Actor) -> ImportResult:
    """Write the plan in one transaction with bulk statements and one audit entry."""
    with transaction.atomic():
        result = ImportResult()
        orgs = _apply_orgs(plan, result)
        _apply_people(plan, orgs, result)
        if result.changed:
            target = min(
                [orgs[o.code] for o in plan.orgs] or [orgs[p.org_code] for p in plan.people],
                key=lambda o: (o.depth, o.path),
            )
            record(
                actor=actor,
                action="roster.import",
                target=target,
                organization=target,
                changes={k: v for k, v in vars(result).items() if v},
                note=result.summary(),
            )
    return result


def _too_deep(row_number: int) -> None:
    # Raised inside the import's transaction: nothing of the file is kept.
    raise RosterInvalid([RowError(ORG_SHEET, row_number, "上级组织编码", TREE_TOO_DEEP)])


def _apply_orgs(plan: Plan, result: ImportResult) -> dict[str, Organization]:
    orgs: dict[str, Organization] = dict(plan.existing_orgs)
    to_create: list[Organization] = []
    to_update: list[Organization] = []
    moved: list[tuple[Organization, str]] = []
    code_by_id = {o.pk: o.code for o in orgs.values()}
    for row in plan.orgs:
        org = orgs.get(row.code)
        if org is None:
            org = Organization(code=row.code, path=f"tmp-{row.code}", **row.fields)
            to_create.append(org)
            orgs[row.code] = org
            continue
        changed = [f for f, value in row.fields.items() if getattr(org, f) != value]
        for f in changed:
            setattr(org, f, row.fields[f])
        if changed:
            to_update.append(org)
        parent_code = row.parent_code
        current_parent = code_by_id.get(org.parent_id) if org.parent_id else ""
        if org.parent_id and current_parent is None:
            current_parent = code_of_id(plan, org.parent_id)
        if parent_code and parent_code != current_parent:
            moved.append((org, parent_code))
    Organization.objects.bulk_create(to_create, batch_size=CHUNK)
    result.orgs_created = len(to_create)
    # Parents and paths of new nodes, top-down (a parent may itself be new).
    file_rows = {row.code: row for row in plan.orgs}
    created = {o.pk for o in to_create}
    done: set[str] = {code for code, o in orgs.items() if o.pk not in created}
    pending = [o for o in to_create]
    while pending:
        rest = []
        for org in pending:
            parent_code = file_rows[org.code].parent_code
            if parent_code and parent_code not in done:
                rest.append(org)
                continue
            parent = orgs[parent_code] if parent_code else None
            org.parent_id = parent.pk if parent else None
            org.path = f"{parent.path if parent else '/'}{org.pk}/"
            org.depth = org.path.count("/") - 2
            if len(org.path) > PATH_MAX_CHARS:
                _too_deep(file_rows[org.code].number)
            done.add(org.code)
        if len(rest) == len(pending):
            break  # cannot happen after validation; avoid looping forever
        pending = rest
    Organization.objects.bulk_update(to_create, ["parent", "path", "depth"], batch_size=CHUNK)
    Organization.objects.bulk_update(to_update, list(ORG_FIELDS), batch_size=CHUNK)
    result.orgs_updated = len({o.pk for o in to_update} | {o.pk for o, _ in moved})
    # Moves are few; each re-reads both paths (an earlier move may have changed them)
    # and rewrites the whole subtree's prefix in one UPDATE.
    for org, parent_code in moved:
        parent = Organization.objects.only("path").get(pk=orgs[parent_code].pk)
        old = Organization.objects.only("path", "depth").get(pk=org.pk)
        org.parent_id = parent.pk
        org.path = f"{parent.path}{org.pk}/"
        org.depth = org.path.count("/") - 2
        longest = Organization.objects.filter(path__startswith=old.path).aggregate(
            n=Max(Length("path"))
        )["n"]
        if (longest or 0) - len(old.path) + len(org.path) > PATH_MAX_CHARS:
            _too_deep(file_rows[org.code].number)
        Organization.objects.filter(path__startswith=old.path).update(
            path=Concat(Value(org.path), Substr("path", len(old.path) + 1)),
            depth=F("depth") + (org.depth - old.depth),
        )
        Organization.objects.filter(pk=org.pk).update(parent_id=parent.pk)
    return orgs


def _apply_people(plan: Plan, orgs: dict[str, Organization], result: ImportResult) -> None:
    """New people are built and inserted a chunk at a time (with their membership
    periods), so a 100,000-row import never holds 100,000 unsaved objects at once."""
    today = date.today()
    to_update: list[Person] = []
    transfers: list[tuple[Person, Organization]] = []
    posted: list[tuple[PersonRow, Person]] = []
    update_fields: set[str] = set()
    for chunk in chunks(plan.people):
        to_create: list[Person] = []
        for row in chunk:
            org = orgs[row.org_code]
            person = plan.existing_people.get(row.key)
            if person is None:
                person = Person(
                    organization_id=org.pk,
                    id_number=row.id_number or "",
                    phone=row.phone or "",
                    **row.fields,
                )
                to_create.append(person)
            else:
                changed = [f for f, value in row.fields.items() if getattr(person, f) != value]
                for f in changed:
                    setattr(person, f, row.fields[f])
                for f, value in (("id_number", row.id_number), ("phone", row.phone)):
                    if value is not None and getattr(person, f) != value:
                        setattr(person, f, value)
                        changed.append(f)
                if person.organization_id != org.pk:
                    if person.is_member and person.organization_id is not None:
                        transfers.append((person, org))
                    person.organization_id = org.pk
                    changed.append("organization")
                if changed:
                    update_fields.update(changed)
                    to_update.append(person)
            if row.post:
                posted.append((row, person))
        Person.objects.bulk_create(to_create, batch_size=CHUNK)
        result.people_created += len(to_create)
        MembershipPeriod.objects.bulk_create(
            [
                MembershipPeriod(
                    person=p,
                    organization_id=p.organization_id or 0,
                    started_on=p.join_date or today,
                )
                for p in to_create
                if p.is_member
            ],
            batch_size=CHUNK,
        )
    if to_update:
        Person.objects.bulk_update(to_update, sorted(update_fields), batch_size=CHUNK)
    result.people_updated = len(to_update)
    result.transfers = len(transfers)

    moved_ids = [p.pk for p, _ in transfers]
    for ids in chunks(moved_ids):
        MembershipPeriod.objects.filter(person_id__in=ids, ended_on__isnull=True).update(
            ended_on=today
        )
    MembershipPeriod.objects.bulk_create(
        [
            MembershipPeriod(person=p, organization=org, started_on=today, note="花名册导入转接")
            for p, org in transfers
        ],
        batch_size=CHUNK,
    )
    _apply_posts(posted, orgs, result)


def _apply_posts(
    placed: list[tuple[PersonRow, Person]], orgs: dict[str, Organization], result: ImportResult
) -> None:
    """Secretaries, deputies and committee members named in the file. A post nobody
    holds in the file is left as stored, so a partial roster never vacates a post."""
    changed: dict[int, Organization] = {}
    members: list[tuple[int, int]] = []
    for row, person in placed:
        org = orgs[row.org_code]
        if row.post == POST_SECRETARY and org.secretary_id != person.pk:
            org.secretary_id = person.pk
            changed[org.pk] = org
        elif row.post == POST_DEPUTY and org.deputy_secretary_id != person.pk:
            org.deputy_secretary_id = person.pk
            changed[org.pk] = org
        elif row.post == POST_COMMITTEE:
            members.append((org.pk, person.pk))
    if changed:
        Organization.objects.bulk_update(
            list(changed.values()), ["secretary", "deputy_secretary"], batch_size=CHUNK
        )
    if members:
        through = Organization.committee_members.through
        existing: set[tuple[int, int]] = set()
        org_ids = sorted({o for o, _ in members})
        for chunk in chunks(org_ids):
            existing.update(
                through.objects.filter(organization_id__in=chunk).values_list(
                    "organization_id", "person_id"
                )
            )
        new = [
            through(organization_id=o, person_id=p) for o, p in members if (o, p) not in existing
        ]
        through.objects.bulk_create(new, batch_size=CHUNK)
        result.posts_changed += len(new)
    result.posts_changed += len(changed)


def import_roster(
    data: bytes, *, actor: Actor, max_rows: int | None = None, max_bytes: int | None = None
) -> ImportResult:
    rows, errors = read_workbook(data, max_rows=max_rows, max_bytes=max_bytes)
    if errors:
        raise RosterInvalid(errors)
    return apply(validate(_consume(rows), actor=actor), actor=actor)


def _consume(rows: list[RosterRow]) -> Iterator[RosterRow]:
    """Yield the rows in order, dropping each from the list as it goes."""
    rows.reverse()
    while rows:
        yield rows.pop()
