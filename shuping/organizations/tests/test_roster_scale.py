"""Roster at province size: the streamed export's contents and bounded queries, the
import's batched lookups, and namesakes (same name and birth date) told apart."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from shuping.organizations.models import Organization, Person
from shuping.organizations.roster_export import stream_roster
from shuping.organizations.roster_import import import_roster
from shuping.organizations.roster_read import RosterInvalid
from shuping.organizations.services import create_organization, create_person
from shuping.organizations.tests.test_roster import id_number, person_row, workbook


def _export_rows(root: Organization, viewer) -> dict[str, list[tuple]]:
    _, _, out = stream_roster(root, viewer=viewer)
    with out:
        wb = load_workbook(io.BytesIO(out.read()))
    return {name: list(wb[name].iter_rows(min_row=2, values_only=True)) for name in wb.sheetnames}


def _grow(parent: Organization, n: int) -> list[Organization]:
    orgs = []
    for i in range(n):
        org = create_organization(
            actor=None,
            parent=parent,
            code=f"G{parent.pk}-{i:03d}",
            name=f"扩展第{i}党支部",
            kind="branch",
            sector="street",
        )
        create_person(actor=None, organization=org, name=f"成员{i}", birth_date=date(1980, 1, 1))
        orgs.append(org)
    return orgs


def test_streamed_export_lists_tree_in_order_with_dates_masks_and_posts(cast):
    Person.objects.filter(pk=cast.reporter_person.pk).update(
        id_number=id_number(7), phone="13812345678", birth_date=date(1979, 4, 5)
    )
    rows = _export_rows(cast.street, cast.street_organizer)
    codes = [r[0] for r in rows["组织"]]
    assert codes == list(
        Organization.objects.filter(cast.street.subtree_q())
        .order_by("path")
        .values_list("code", flat=True)
    )
    people = rows["人员"]
    assert len(people) == Person.objects.filter(cast.street.subtree_q("organization__")).count()
    mine = next(r for r in people if r[0] == cast.reporter_person.name)
    assert mine[2].date() == date(1979, 4, 5)  # a real date cell, not text
    assert "*" in mine[3] and mine[3].endswith(id_number(7)[-4:])
    assert mine[4] == "138****5678" and mine[6] == cast.branch.code and mine[12] == "书记"
    # People follow the organizations' tree order.
    order = [codes.index(r[6]) for r in people]
    assert order == sorted(order)


def test_export_query_count_does_not_grow_with_the_tree(cast):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _export_rows(cast.district, cast.organizer)
        return len(ctx.captured_queries)

    count()  # the viewer's grants are cached after the first call
    before = count()
    _grow(cast.street, 30)
    assert count() == before


def test_export_page_streams_a_file(cast, login):
    response = login("street_organizer").get(f"/org/{cast.street.pk}/export.xlsx")
    assert response.status_code == 200 and response.streaming
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["组织", "人员", "填写说明"]


def test_export_outside_subtree_is_404(cast, login):
    assert login("outsider").get(f"/org/{cast.street.pk}/export.xlsx").status_code == 404
    assert login("reporter").get(f"/org/{cast.branch.pk}/export.xlsx").status_code == 404


def test_namesakes_with_id_numbers_are_two_people(cast):
    rows = [
        person_row("王伟", "S1B2", id_number=id_number(1)),
        person_row("王伟", "S1B2", id_number=id_number(2)),
    ]
    result = import_roster(workbook([], rows), actor=cast.organizer)
    assert result.people_created == 2
    assert Person.objects.filter(name="王伟").count() == 2
    # Re-importing finds both again and changes nothing.
    assert not import_roster(workbook([], rows), actor=cast.organizer).changed


def test_namesakes_without_id_numbers_ask_for_them(cast):
    rows = [
        person_row("王伟", "S1B2", id_number=id_number(1)),
        person_row("王伟", "S1B2"),
    ]
    with pytest.raises(RosterInvalid) as exc:
        import_roster(workbook([], rows), actor=cast.organizer)
    [error] = exc.value.errors
    assert (error.row, error.column) == (3, "身份证号")
    assert "第2行" in error.message and "请都填写身份证号" in error.message
    assert not Person.objects.filter(name="王伟").exists()


def test_stored_namesakes_ask_for_the_id_number(cast):
    for _ in range(2):
        create_person(
            actor=None, organization=cast.branch, name="李娜", birth_date=date(1980, 5, 1)
        )
    with pytest.raises(RosterInvalid) as exc:
        import_roster(workbook([], [person_row("李娜", "S1B2")]), actor=cast.organizer)
    assert "请在本行填写身份证号" in exc.value.errors[0].message
    # With an ID number the row is a third person: nobody is guessed.
    rows = [person_row("李娜", "S1B2", id_number=id_number(3))]
    with pytest.raises(RosterInvalid) as exc:
        import_roster(workbook([], rows), actor=cast.organizer)
    assert "补充身份证号" in exc.value.errors[0].message


def test_reimport_matches_by_id_and_name_birth_in_few_queries(cast, django_assert_max_num_queries):
    rows = [
        person_row(
            f"人员{i}",
            "S1B2",
            id_number=id_number(i) if i % 2 else "",
            birth=f"1980-01-{i % 28 + 1:02d}",
        )
        for i in range(1, 200)
    ]
    data = workbook([], rows)
    import_roster(data, actor=cast.organizer)
    with django_assert_max_num_queries(20):
        result = import_roster(data, actor=cast.organizer)
    assert not result.changed
