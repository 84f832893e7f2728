from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from shuping.audit.models import AuditEntry
from shuping.organizations.models import MembershipPeriod, Organization, Person
from shuping.organizations.roster_export import export_roster, template
from shuping.organizations.roster_import import import_roster
from shuping.organizations.roster_layout import ORG_COLUMNS, PERSON_COLUMNS
from shuping.organizations.roster_read import RosterInvalid, id_check_digit, parse_date


def id_number(seq: int, birth: str = "19800501") -> str:
    first = f"110108{birth}{seq:03d}"
    return first + id_check_digit(first)


def workbook(orgs: list[list[Any]], people: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "组织"
    ws.append([c.header for c in ORG_COLUMNS])
    for row in orgs:
        ws.append(row)
    ws = wb.create_sheet("人员")
    ws.append([c.header for c in PERSON_COLUMNS])
    for row in people:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def person_row(name: str, org: str, **kw: Any) -> list[Any]:
    return [
        name,
        kw.get("gender", "男"),
        kw.get("birth", "1980-05-01"),
        kw.get("id_number", ""),
        kw.get("phone", ""),
        kw.get("category", "党员"),
        org,
        kw.get("join", "2005/7/1"),
        kw.get("status", "正式党员"),
        kw.get("employment", "在职"),
        "",
        kw.get("position", ""),
        kw.get("post", ""),
    ]


GOOD_ORGS = [
    ["S1C2", "甲第二社区党委", "党委", "街道社区", "S1", "否", 2],
    ["S1C2B1", "甲第二社区第一党支部", "党支部", "街道社区", "S1C2", "否", 1],
    ["S1C2B2", "甲第二社区老年党支部", "党支部", "街道社区", "S1C2", "是", 2],
]
GOOD_PEOPLE = [
    person_row("赵一", "S1C2", id_number=id_number(1), post="书记"),
    person_row("钱二", "S1C2B1", birth=datetime(1970, 3, 2), post="书记"),
    person_row("孙三", "S1C2B1", birth="1971年4月5日", post="委员"),
    person_row("李四", "S1C2B2", birth="19500101", employment="离退休"),
    person_row("周五", "S1C2B2", birth="1960.2.3", category="群众代表", status=""),
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-01-02", date(2020, 1, 2)),
        ("2020/1/2", date(2020, 1, 2)),
        ("2020.01.02", date(2020, 1, 2)),
        ("2020年1月2日", date(2020, 1, 2)),
        ("20200102", date(2020, 1, 2)),
        (datetime(2020, 1, 2, 0, 0), date(2020, 1, 2)),
        (43832, date(2020, 1, 2)),
    ],
)
def test_dates_in_common_spellings(raw, expected):
    assert parse_date(raw) == expected


def test_good_file_imports_everything_in_one_audit_entry(cast):
    before = AuditEntry.objects.count()
    result = import_roster(workbook(GOOD_ORGS, GOOD_PEOPLE), actor=cast.street_organizer)
    assert (result.orgs_created, result.people_created) == (3, 5)
    community = Organization.objects.get(code="S1C2")
    branch = Organization.objects.get(code="S1C2B1")
    assert branch.path == f"{community.path}{branch.pk}/"
    assert community.parent == cast.street
    assert community.secretary is not None and community.secretary.name == "赵一"
    assert branch.secretary is not None and branch.secretary.name == "钱二"
    assert list(branch.committee_members.values_list("name", flat=True)) == ["孙三"]
    assert Organization.objects.get(code="S1C2B2").is_retiree_branch
    assert Person.objects.get(name="李四").birth_date == date(1950, 1, 1)
    assert MembershipPeriod.objects.filter(person__name="钱二", ended_on=None).count() == 1
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "roster.import" and entry.changes["people_created"] == 5


def test_reimport_changes_nothing(cast):
    data = workbook(GOOD_ORGS, GOOD_PEOPLE)
    import_roster(data, actor=cast.organizer)
    counts = (Organization.objects.count(), Person.objects.count(), AuditEntry.objects.count())
    result = import_roster(data, actor=cast.organizer)
    assert not result.changed
    assert counts == (
        Organization.objects.count(),
        Person.objects.count(),
        AuditEntry.objects.count(),
    )


def test_bad_rows_are_all_listed_and_nothing_is_imported(cast):
    orgs = [
        *GOOD_ORGS,
        ["S1C2", "重复编码", "党支部", "街道社区", "S1", "否", 1],  # row 5: duplicate code
        ["X1", "未知上级", "党支部", "街道社区", "NOPE", "否", 1],  # row 6: unknown parent
        ["X2", "坏类型", "支部", "街道社区", "S1", "否", 1],  # row 7: bad kind
        ["C1", "循环一", "党支部", "其他", "C2", "否", 1],  # rows 8, 9: cycle
        ["C2", "循环二", "党支部", "其他", "C1", "否", 1],
        ["", "无编码", "党支部", "其他", "S1", "否", 1],  # row 10: missing code
    ]
    people = [
        *GOOD_PEOPLE,
        person_row("吴六", "S1C2B1", birth="1980-13-45"),  # row 7: bad date
        person_row("郑七", "S1C2B1", id_number=id_number(7)),  # row 8
        person_row("郑七七", "S1C2B2", id_number=id_number(7)),  # row 9: same ID elsewhere
        person_row("钱二", "S1C2B1", birth="1970-03-02"),  # row 10: duplicate name+birth
        person_row("王八", "S1C2B1", gender="未知"),  # row 11: bad enum
        person_row("冯九", "NOPE"),  # row 12: unknown organization
        person_row("陈十", "S1C2B1", id_number="110108198005010000"),  # row 13: bad checksum
        person_row("", "S1C2B1"),  # row 14: no name
    ]
    with pytest.raises(RosterInvalid) as exc:
        import_roster(workbook(orgs, people), actor=cast.organizer)
    found = {(e.sheet, e.row, e.column) for e in exc.value.errors}
    assert {
        ("组织", 5, "组织编码"),
        ("组织", 6, "上级组织编码"),
        ("组织", 7, "类型"),
        ("组织", 8, "上级组织编码"),
        ("组织", 9, "上级组织编码"),
        ("组织", 10, "组织编码"),
        ("人员", 7, "出生日期"),
        ("人员", 9, "所在组织编码"),
        ("人员", 10, "姓名"),
        ("人员", 11, "性别"),
        ("人员", 12, "所在组织编码"),
        ("人员", 13, "身份证号"),
        ("人员", 14, "姓名"),
    } <= found
    assert all(e.message for e in exc.value.errors)
    assert "两个组织" in next(
        e.message for e in exc.value.errors if e.row == 9 and e.sheet == "人员"
    )
    assert not Organization.objects.filter(code__in=["S1C2", "X1"]).exists()
    assert not Person.objects.filter(name="赵一").exists()


def test_organizer_cannot_import_outside_subtree(cast):
    data = workbook([["O1B9", "乙机关第九党支部", "党支部", "机关", "O1", "否", 9]], [])
    with pytest.raises(RosterInvalid) as exc:
        import_roster(data, actor=cast.street_organizer)
    assert exc.value.errors[0].column == "上级组织编码"
    import_roster(data, actor=cast.outsider)
    assert Organization.objects.filter(code="O1B9").exists()


def test_export_round_trips_and_masks(cast):
    import_roster(workbook(GOOD_ORGS, GOOD_PEOPLE), actor=cast.organizer)
    Person.objects.filter(name="赵一").update(phone="13812345678")
    name, content_type, content = export_roster(cast.street, viewer=cast.street_organizer)
    assert name.endswith(".xlsx") and "spreadsheet" in content_type
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["组织", "人员", "填写说明"]
    rows = list(wb["人员"].iter_rows(values_only=True))
    zhao = next(r for r in rows if r[0] == "赵一")
    masked = str(zhao[3])
    assert "*" in masked and masked.endswith(id_number(1)[-4:]) and masked != id_number(1)
    assert zhao[4] == "138****5678" and zhao[12] == "书记"
    orgs_before = list(Organization.objects.values_list("code", "path", "secretary_id"))
    people_before = list(Person.objects.values_list("name", "id_number", "phone", "organization"))
    result = import_roster(content, actor=cast.street_organizer)
    assert not result.changed, result.summary()
    assert list(Organization.objects.values_list("code", "path", "secretary_id")) == orgs_before
    assert (
        list(Person.objects.values_list("name", "id_number", "phone", "organization"))
        == people_before
    )


def test_moving_a_member_in_the_file_is_a_transfer(cast):
    import_roster(workbook(GOOD_ORGS, GOOD_PEOPLE), actor=cast.organizer)
    moved = [
        person_row("钱二", "S1C2B2", birth="1970-03-02") if r[0] == "钱二" else r
        for r in GOOD_PEOPLE
    ]
    result = import_roster(workbook(GOOD_ORGS, moved), actor=cast.organizer)
    assert result.transfers == 1
    qian = Person.objects.get(name="钱二")
    assert [p.organization.code for p in qian.memberships.order_by("id")] == ["S1C2B1", "S1C2B2"]


def test_template_has_sheets_notes_and_lists():
    name, _, content = template()
    assert name.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["组织", "人员", "填写说明"]
    assert [c.value for c in wb["组织"][1]] == [c.header for c in ORG_COLUMNS]
    formulas = [dv.formula1 for dv in wb["人员"].data_validations.dataValidation]
    assert any("党员" in f and "群众代表" in f for f in formulas)
    assert any("男" in f for f in formulas)
    formulas = [dv.formula1 for dv in wb["组织"].data_validations.dataValidation]
    assert any("党支部" in f for f in formulas) and any("非公企业" in f for f in formulas)


def test_cli_lists_bad_rows_and_fails(cast, tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([["X1", "未知上级", "党支部", "其他", "NOPE", "否", 1]], []))
    # CommandError is what `shuping import-roster` turns into a non-zero exit status.
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_roster", str(bad))
    assert "上级组织编码" in capsys.readouterr().err
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook(GOOD_ORGS, GOOD_PEOPLE))
    call_command("import_roster", str(good))
    assert Organization.objects.filter(code="S1C2B2").exists()
    out = tmp_path / "out.xlsx"
    call_command("export_roster", output=str(out), code="S1")
    assert load_workbook(out)["组织"].max_row == 1 + 8  # S1 subtree: 5 + 3 new


def test_import_query_count_does_not_grow_with_rows(cast, django_assert_max_num_queries):
    people = [person_row(f"人员{i}", "S1B2", birth=f"1980-01-{i % 28 + 1:02d}") for i in range(120)]
    with django_assert_max_num_queries(40):
        import_roster(workbook([], people), actor=cast.organizer)
    assert Person.objects.filter(organization=cast.branch).count() == 121


def test_cycle_through_stored_nodes_is_found(cast):
    # S1 (stored) moved under a new node that hangs below S1's own stored child S1C1.
    orgs = [
        ["S1", "甲街道党工委", "党工委", "街道社区", "N1", "否", 0],
        ["N1", "新节点", "党支部", "街道社区", "S1C1", "否", 0],
    ]
    with pytest.raises(RosterInvalid) as exc:
        import_roster(workbook(orgs, []), actor=cast.organizer)
    assert any("循环" in e.message for e in exc.value.errors)
    # A stored node moved directly under its own stored descendant.
    orgs = [["S1", "甲街道党工委", "党工委", "街道社区", "S1C1B1", "否", 0]]
    with pytest.raises(RosterInvalid) as exc:
        import_roster(workbook(orgs, []), actor=cast.organizer)
    assert "循环" in exc.value.errors[0].message


def test_move_in_file_rehangs_subtree(cast):
    orgs = [["S1C1", "甲社区党委", "党委", "街道社区", "O1", "否", 0]]
    result = import_roster(workbook(orgs, []), actor=cast.organizer)
    assert result.orgs_updated == 1
    leaf = Organization.objects.get(code="S1C1B1")
    organ = Organization.objects.get(code="O1")
    assert leaf.path.startswith(organ.path) and leaf.depth == 3
