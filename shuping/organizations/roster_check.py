"""Roster import, step two: checking the rows read by `roster_read` into a `Plan`.

    plan = validate(rows, actor=...)           # every row checked; prefetches in bulk

Every problem of every row is collected and raised at once as `RosterInvalid`; the plan
holds the parsed rows and the stored organizations and people they match. Here too
are the template's example rows (never imported) and the permission checks. Writing
the plan is `roster_import`'s.

People are matched by ID number, or by name + birth date when no (unmasked) ID number is
given. Exports mask ID and phone numbers; a masked value in a file means "keep what is
stored", which is why round-tripping an export never overwrites them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from shuping.accounts.access import can_manage, is_admin
from shuping.lib.import_errors import RowError
from shuping.organizations.models import (
    Employment,
    Gender,
    MemberStatus,
    Organization,
    OrgKind,
    Person,
    PersonCategory,
    Sector,
)
from shuping.organizations.roster_layout import (
    EXAMPLE_MARK,
    EXAMPLE_MESSAGE,
    EXAMPLE_ORG,
    EXAMPLE_PERSON,
    NO,
    ORG_SHEET,
    PERSON_SHEET,
    POST_DEPUTY,
    POST_SECRETARY,
    POSTS,
    SHEETS,
    YES,
)
from shuping.organizations.roster_read import (
    RosterInvalid,
    RosterRow,
    _choice,
    _enum_list,
    cell_text,
    parse_date,
    valid_id_number,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from shuping.lib.types import Actor


CHUNK = 500


def _is_example(row: RosterRow) -> bool:
    """The template's example rows are never imported as data."""
    v = row.values
    if row.sheet == ORG_SHEET:
        return (cell_text(v.get("code")), cell_text(v.get("name"))) == EXAMPLE_ORG[:2]
    return (
        cell_text(v.get("name")) == EXAMPLE_PERSON[0]
        and cell_text(v.get("organization")) == (EXAMPLE_PERSON[6])
    )


@dataclass
class OrgRow:
    number: int
    code: str
    parent_code: str
    fields: dict[str, Any]


@dataclass
class PersonRow:
    number: int
    key: tuple[str, ...]
    org_code: str
    fields: dict[str, Any]
    id_number: str | None  # None: keep what is stored (blank or masked in the file)
    phone: str | None
    post: str


@dataclass
class Plan:
    orgs: list[OrgRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    existing_orgs: dict[str, Organization] = field(default_factory=dict)
    existing_people: dict[tuple[str, ...], Person] = field(default_factory=dict)
    bad_codes: set[str] = field(default_factory=set)


class _Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []

    def add(self, sheet: str, row: int, column_key: str, message: str) -> None:
        header = next((c.header for c in SHEETS[sheet] if c.key == column_key), column_key)
        self.items.append(RowError(sheet, row, header, message))


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _person_key(
    name: str, birth: date | None, id_number: str | None, org_code: str
) -> tuple[str, ...]:
    """How a row is recognised: ID number, else name + birth date, else (for people
    entered without either) name within the organization."""
    if id_number:
        return ("id", id_number)
    if birth:
        return ("nb", name, birth.isoformat())
    return ("n", name, org_code)


def _parse_org_row(row: RosterRow, errors: _Errors) -> OrgRow | None:
    v, n, ok = row.values, row.number, True
    code, name = cell_text(v.get("code")), cell_text(v.get("name"))
    fields: dict[str, Any] = {"name": name}
    if not code:
        errors.add(ORG_SHEET, n, "code", "组织编码不能为空。")
        ok = False
    elif len(code) > 40:
        errors.add(ORG_SHEET, n, "code", "组织编码不能超过 40 个字符。")
        ok = False
    if not name:
        errors.add(ORG_SHEET, n, "name", "组织名称不能为空。")
        ok = False
    elif name.startswith(EXAMPLE_MARK):
        errors.add(ORG_SHEET, n, "name", EXAMPLE_MESSAGE)
        ok = False
    for key, choices in (("kind", OrgKind), ("sector", Sector)):
        if v.get(key) is None:
            errors.add(ORG_SHEET, n, key, "不能为空。")
            ok = False
            continue
        try:
            fields[key] = _choice(v[key], choices)
        except ValueError:
            errors.add(
                ORG_SHEET,
                n,
                key,
                f"「{cell_text(v[key])}」不是有效值，应为：{_enum_list(choices)}。",
            )
            ok = False
    retiree = cell_text(v.get("is_retiree_branch")) or NO
    if retiree not in (YES, NO):
        errors.add(ORG_SHEET, n, "is_retiree_branch", "应填写“是”或“否”。")
        ok = False
    fields["is_retiree_branch"] = retiree == YES
    try:
        fields["sort_order"] = int(cell_text(v.get("sort_order")) or 0)
    except ValueError:
        errors.add(ORG_SHEET, n, "sort_order", "排序应为整数。")
        ok = False
    return OrgRow(n, code, cell_text(v.get("parent")), fields) if ok else None


def _parse_person_row(row: RosterRow, errors: _Errors) -> PersonRow | None:
    v, n, ok = row.values, row.number, True
    s = PERSON_SHEET
    name = cell_text(v.get("name"))
    fields: dict[str, Any] = {"name": name}
    if not name:
        errors.add(s, n, "name", "姓名不能为空。")
        ok = False
    elif len(name) > 40:
        errors.add(s, n, "name", "姓名过长。")
        ok = False
    elif name.startswith(EXAMPLE_MARK):
        errors.add(s, n, "name", EXAMPLE_MESSAGE)
        ok = False
    for key in ("birth_date", "join_date"):
        fields[key] = None
        if v.get(key) is not None:
            try:
                fields[key] = parse_date(v[key])
            except (ValueError, OverflowError):
                errors.add(
                    s, n, key, f"「{cell_text(v[key])}」不是有效日期，请写成 1980-05-01 的格式。"
                )
                ok = False
    enums: tuple[tuple[str, type[Any], str], ...] = (
        ("gender", Gender, ""),
        ("category", PersonCategory, ""),
        ("member_status", MemberStatus, ""),
        ("employment", Employment, Employment.IN_POST),
    )
    for key, choices, default in enums:
        if v.get(key) is None:
            fields[key] = default
            if key == "category":
                errors.add(s, n, key, f"身份不能为空，应为：{_enum_list(choices)}。")
                ok = False
            continue
        try:
            fields[key] = _choice(v[key], choices)
        except ValueError:
            errors.add(
                s, n, key, f"「{cell_text(v[key])}」不是有效值，应为：{_enum_list(choices)}。"
            )
            ok = False
    fields["cadre_level"] = cell_text(v.get("cadre_level"))[:20]
    fields["position"] = cell_text(v.get("position"))[:80]
    id_raw = cell_text(v.get("id_number")).upper()
    id_number: str | None = None
    if id_raw and "*" not in id_raw:
        if valid_id_number(id_raw):
            id_number = id_raw
        else:
            errors.add(s, n, "id_number", "身份证号格式或校验位不正确。")
            ok = False
    phone_raw = cell_text(v.get("phone"))
    phone: str | None = None
    if phone_raw and "*" not in phone_raw:
        if re.fullmatch(r"[\d\- +]{5,20}", phone_raw):
            phone = phone_raw
        else:
            errors.add(s, n, "phone", "手机号格式不正确。")
            ok = False
    org_code = cell_text(v.get("organization"))
    if not org_code:
        errors.add(s, n, "organization", "所在组织编码不能为空。")
        ok = False
    post = cell_text(v.get("post"))
    if post and post not in POSTS:
        errors.add(s, n, "post", f"「{post}」不是有效值，应为：{'、'.join(POSTS)}。")
        ok = False
    if fields.get("category") != PersonCategory.MEMBER:
        fields["member_status"] = ""
    if not ok:
        return None
    return PersonRow(
        n,
        _person_key(name, fields["birth_date"], id_number, org_code),
        org_code,
        fields,
        id_number,
        phone,
        post,
    )


def validate(rows: Iterable[RosterRow], *, actor: Actor) -> Plan:
    """Check every row; raise RosterInvalid with all problems, or return the plan.

    One pass over `rows`, each person row parsed as it comes: given a consuming
    iterator (as `import_roster` does), the raw cells of a big file are freed row by
    row instead of living beside their parsed form."""
    errors = _Errors()
    plan = Plan()
    # Rows that failed parsing still get their references checked, so one upload
    # reports every problem of a row, not just the first.
    refs: list[tuple[str, int, str, str]] = []
    org_rows: list[RosterRow] = []
    people: list[PersonRow] = []
    any_rows = False
    for row in rows:
        any_rows = True
        if _is_example(row):
            errors.add(row.sheet, row.number, "", EXAMPLE_MESSAGE)
        elif row.sheet == ORG_SHEET:
            org_rows.append(row)
        elif (parsed_person := _parse_person_row(row, errors)) is not None:
            people.append(parsed_person)
        else:
            code = cell_text(row.values.get("organization"))
            refs.append((PERSON_SHEET, row.number, "organization", code))
    if not any_rows:
        raise RosterInvalid([RowError("文件", 0, "", "文件中没有数据行。")])

    seen_codes: dict[str, int] = {}
    bad_codes: set[str] = set()
    for row in org_rows:
        parsed = _parse_org_row(row, errors)
        if parsed is None:
            bad_codes.add(cell_text(row.values.get("code")))
            refs.append((ORG_SHEET, row.number, "parent", cell_text(row.values.get("parent"))))
            continue
        if parsed.code in seen_codes:
            errors.add(
                ORG_SHEET, row.number, "code", f"组织编码与第{seen_codes[parsed.code]}行重复。"
            )
            continue
        seen_codes[parsed.code] = row.number
        plan.orgs.append(parsed)

    # One query per chunk of codes, for the file's organizations, their parents and
    # the people's organizations.
    codes = sorted(
        {o.code for o in plan.orgs}
        | {o.parent_code for o in plan.orgs if o.parent_code}
        | {p.org_code for p in people}
        | {code for *_, code in refs if code}
    )
    for chunk in chunks(codes):
        for org in Organization.objects.filter(code__in=chunk):
            plan.existing_orgs[org.code] = org
    file_orgs = {o.code: o for o in plan.orgs}
    plan.bad_codes = bad_codes - set(file_orgs)
    for sheet, number, key, code in refs:
        if code and code not in file_orgs and code not in plan.existing_orgs:
            errors.add(sheet, number, key, _missing(code, plan))

    _check_orgs(plan, file_orgs, actor, errors)
    _check_people(plan, people, file_orgs, actor, errors)
    if errors.items:
        raise RosterInvalid(sorted(errors.items, key=lambda e: (e.sheet != ORG_SHEET, e.row)))
    return plan


def _missing(code: str, plan: Plan) -> str:
    if code in plan.bad_codes:
        return f"组织编码「{code}」所在的组织行有错误，请先修正该行。"
    return f"组织编码「{code}」在文件和系统中都不存在。"


def _check_orgs(plan: Plan, file_orgs: dict[str, OrgRow], actor: Actor, errors: _Errors) -> None:
    for row in plan.orgs:
        parent_code = row.parent_code
        existing = plan.existing_orgs.get(row.code)
        if parent_code == row.code:
            errors.add(ORG_SHEET, row.number, "parent", "上级组织不能是它自己。")
            continue
        if parent_code and parent_code not in file_orgs and parent_code not in plan.existing_orgs:
            errors.add(
                ORG_SHEET,
                row.number,
                "parent",
                "上级" + _missing(parent_code, plan),
            )
            continue
        # Permission: an existing node must be manageable; a new one needs a manageable
        # parent already in the system (or one created by this file under a manageable node).
        if existing is not None:
            if actor is not None and not can_manage(actor, existing):
                errors.add(ORG_SHEET, row.number, "code", "您无权修改该组织。")
                continue
        elif not parent_code and actor is not None and not is_admin(actor):
            errors.add(ORG_SHEET, row.number, "parent", "只有系统管理员可以新建最上级组织。")
            continue
        stored_parent = plan.existing_orgs.get(parent_code) if parent_code else None
        # Hanging a node under a stored parent (new node or a move) needs that parent managed.
        hangs = stored_parent is not None and (
            existing is None or existing.parent_id != stored_parent.pk
        )
        if hangs and parent_code not in file_orgs:
            parent = plan.existing_orgs[parent_code]
            if actor is not None and not can_manage(actor, parent):
                errors.add(ORG_SHEET, row.number, "parent", "您无权在该上级组织下新建或挂接组织。")
                continue
            if not parent.is_active:
                errors.add(ORG_SHEET, row.number, "parent", "上级组织已撤销。")
        if existing is not None and existing.parent_id is None and parent_code:
            errors.add(ORG_SHEET, row.number, "parent", "最上级组织不能通过导入挂到其他组织下。")
    _check_cycles(plan, file_orgs, errors)


def _check_cycles(plan: Plan, file_orgs: dict[str, OrgRow], errors: _Errors) -> None:
    """Walk up from each file row through the parents the tree will have after the
    import (the file's where it says, the stored ones elsewhere); coming back to a node
    on the way is a cycle. Stored ancestors are fetched in one query per chunk."""
    known = {o.pk for o in plan.existing_orgs.values()}
    wanted = sorted(
        {pk for o in list(plan.existing_orgs.values()) for pk in o.ancestor_ids()} - known
    )
    for chunk in chunks(wanted):
        for org in Organization.objects.filter(pk__in=chunk):
            plan.existing_orgs.setdefault(org.code, org)
    code_by_id = {o.pk: o.code for o in plan.existing_orgs.values()}

    def parent_of(code: str) -> str:
        if code in file_orgs and file_orgs[code].parent_code:
            return file_orgs[code].parent_code
        org = plan.existing_orgs.get(code)
        return code_by_id.get(org.parent_id, "") if org and org.parent_id else ""

    limit = len(plan.existing_orgs) + len(file_orgs) + 1
    for row in plan.orgs:
        seen = {row.code}
        code = parent_of(row.code)
        for _ in range(limit):
            if not code:
                break
            if code in seen:
                errors.add(
                    ORG_SHEET,
                    row.number,
                    "parent",
                    f"上级组织形成循环（{row.code} → … → {code} → … → {row.code}）。",
                )
                break
            seen.add(code)
            code = parent_of(code)


def _stored_people(
    plan: Plan, good: list[PersonRow]
) -> tuple[
    dict[str, Person],
    dict[tuple[str, str], list[Person]],
    dict[tuple[str, str], list[Person]],
]:
    """The stored people the rows may mean, fetched by exactly the keys the rows carry:
    ID numbers first, then (name, birth date) for rows no ID number matched, then
    (name, organization) for rows with neither. Every query is a batch of equality
    lookups on an index, so neither the time nor the memory grows with the stored tree.
    People come without their organization: a re-import matches every row, and one
    organization object per person (select_related) tripled its memory."""
    by_id: dict[str, Person] = {}
    ids = sorted({p.id_number for p in good if p.id_number})
    for chunk in chunks(ids):
        # Repeating the partial index's condition lets the planner use it for the IN list.
        found = Person.objects.filter(id_number__in=chunk).exclude(id_number="")
        by_id.update((person.id_number, person) for person in found)
    pairs = sorted(
        {
            (p.fields["name"], p.fields["birth_date"])
            for p in good
            if p.fields["birth_date"] and (p.id_number or "") not in by_id
        }
    )
    by_nb: dict[tuple[str, str], list[Person]] = defaultdict(list)
    for chunk in chunks(pairs):
        # Two IN lists (a superset of the pairs, narrowed below) on the name index:
        # far cheaper to compile and plan than hundreds of OR-ed pairs.
        names = {name for name, _ in chunk}
        births = {birth for _, birth in chunk}
        wanted = set(chunk)
        found = Person.objects.filter(name__in=names, birth_date__in=births)
        for person in found:
            if (person.name, person.birth_date) in wanted and person.birth_date:
                by_nb[(person.name, person.birth_date.isoformat())].append(person)
    by_name_org: dict[tuple[str, str], list[Person]] = defaultdict(list)
    code_by_pk = {o.pk: o.code for o in plan.existing_orgs.values()}
    org_pairs = sorted(
        {
            (p.fields["name"], plan.existing_orgs[p.org_code].pk)
            for p in good
            if not p.id_number and not p.fields["birth_date"] and p.org_code in plan.existing_orgs
        }
    )
    for chunk in chunks(org_pairs):
        wanted_org = set(chunk)
        found = Person.objects.filter(
            name__in={name for name, _ in chunk},
            organization_id__in={org for _, org in chunk},
            birth_date=None,
        )
        for person in found:
            if (person.name, person.organization_id) in wanted_org:
                code = code_by_pk[person.organization_id]  # type: ignore[index]
                by_name_org[(person.name, code)].append(person)
    return by_id, by_nb, by_name_org


def _check_people(
    plan: Plan,
    people: list[PersonRow],
    file_orgs: dict[str, OrgRow],
    actor: Actor,
    errors: _Errors,
) -> None:
    s = PERSON_SHEET
    first_by_key: dict[tuple[str, ...], PersonRow] = {}
    by_name_birth: dict[tuple[str, str], list[PersonRow]] = defaultdict(list)
    posts: dict[tuple[str, str], int] = {}
    good: list[PersonRow] = []
    for p in people:
        ok = True
        if p.org_code not in file_orgs and p.org_code not in plan.existing_orgs:
            errors.add(
                s,
                p.number,
                "organization",
                _missing(p.org_code, plan),
            )
            ok = False
        elif p.org_code in plan.existing_orgs and p.org_code not in file_orgs:
            org = plan.existing_orgs[p.org_code]
            if actor is not None and not can_manage(actor, org):
                errors.add(s, p.number, "organization", "您无权管理该组织的人员。")
                ok = False
        birth = p.fields["birth_date"]
        nb = (p.fields["name"], birth.isoformat() if birth else "")
        other = first_by_key.get(p.key)
        # Two rows with the same name and birth date are two people when both carry
        # (different) ID numbers; without them the file cannot tell, so it asks for them.
        namesake = next(
            (o for o in by_name_birth.get(nb, ()) if not (p.id_number and o.id_number)), None
        )
        if other is not None:
            if other.org_code != p.org_code and p.fields["category"] == PersonCategory.MEMBER:
                errors.add(
                    s,
                    p.number,
                    "organization",
                    f"同一党员同时出现在两个组织（第{other.number}行为「{other.org_code}」）。",
                )
            else:
                errors.add(
                    s,
                    p.number,
                    "id_number" if p.id_number else "name",
                    f"与第{other.number}行是同一人（身份证号或姓名+出生日期相同），重复。",
                )
            ok = False
        elif birth and namesake is not None:
            errors.add(
                s,
                p.number,
                "id_number",
                f"与第{namesake.number}行姓名、出生日期相同：如是两个人，请都填写身份证号；"
                "如是同一人，请删除重复的一行。",
            )
            ok = False
        else:
            first_by_key[p.key] = p
            if birth:
                by_name_birth[nb].append(p)
        if p.post in (POST_SECRETARY, POST_DEPUTY):
            slot = (p.org_code, p.post)
            if slot in posts:
                errors.add(
                    s, p.number, "post", f"该组织已有{p.post}（第{posts[slot]}行），不能有两位。"
                )
                ok = False
            else:
                posts[slot] = p.number
        if ok:
            good.append(p)

    by_id, by_nb, by_name_org = _stored_people(plan, good)
    claimed: dict[int, int] = {}
    for p in good:
        birth = p.fields["birth_date"]
        match = by_id.get(p.id_number or "")
        if match is None and birth:
            candidates = [
                c
                for c in by_nb.get((p.fields["name"], birth.isoformat()), [])
                if not p.id_number or not c.id_number
            ]
            if len(candidates) > 1:
                errors.add(
                    s,
                    p.number,
                    "id_number",
                    "系统中有多位同名同出生日期、未登记身份证号的人员，无法确定是哪一位："
                    "请先在系统中为他们补充身份证号。"
                    if p.id_number
                    else "系统中有多位同名同出生日期的人员，无法确定是哪一位："
                    "请在本行填写身份证号。",
                )
                continue
            match = candidates[0] if candidates else None
        elif match is None:
            candidates = by_name_org.get((p.fields["name"], p.org_code), [])
            match = candidates[0] if len(candidates) == 1 else None
        if match is None:
            if not p.id_number and not birth:
                errors.add(
                    s, p.number, "birth_date", "新增人员须填写身份证号或出生日期，用于识别。"
                )
            continue
        if match.pk in claimed:
            errors.add(s, p.number, "name", f"与第{claimed[match.pk]}行对应系统中的同一人，重复。")
            continue
        claimed[match.pk] = p.number
        plan.existing_people[p.key] = match
    if actor is not None:
        _check_stored_orgs(plan, good, actor, errors)
    plan.people = good


def _check_stored_orgs(
    plan: Plan, good: list[PersonRow], actor: User | AnonymousUser, errors: _Errors
) -> None:
    """Each matched person's current organization must be one the actor manages; the
    organizations are fetched once each, in chunks, not once per person."""
    wanted = sorted({p.organization_id for p in plan.existing_people.values() if p.organization_id})
    managed: dict[int, bool] = {}
    for chunk in chunks(wanted):
        for org in Organization.objects.filter(pk__in=chunk):
            managed[org.pk] = can_manage(actor, org)
    for p in good:
        match = plan.existing_people.get(p.key)
        if match is not None and not managed.get(match.organization_id or 0, True):
            errors.add(PERSON_SHEET, p.number, "organization", "该人员属于您无权管理的组织。")
