"""Member search by any part of a name (one, two, three or more characters) gives what
`icontains` gives on every database; on PostgreSQL the import's batched lookups, the
member list's keyset pages, search and the subtree counts can all be served by an index
(the plans are read with EXPLAIN, sequential scans priced out)."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shuping.conftest import Cast
from shuping.organizations.models import Person
from shuping.organizations.queries import search_people
from shuping.organizations.roster_import import import_roster
from shuping.organizations.tests.test_roster import id_number, person_row, workbook

NAMES = ["张伟", "张伟明", "王伟", "伟", "欧阳娜娜", "李建国", "Li Na", "linA", "百分%比", "张_三"]
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's"
)


@pytest.fixture
def named(cast: Cast) -> list[Person]:
    return Person.objects.bulk_create(Person(name=n, organization=cast.branch) for n in NAMES)


@pytest.mark.parametrize(
    "query",
    ["伟", "张", "张伟", "伟明", "张伟明", "欧阳娜", "阳娜娜", "娜娜", "建国", "国建", "li", "NA",
     "i n", "%", "_", "分%", " 伟 ", "张伟明x"],
)  # fmt: skip
def test_search_is_icontains_for_any_length(named: list[Person], query: str) -> None:
    mine = Person.objects.filter(pk__in=[p.pk for p in named])
    got = set(search_people(mine, query).values_list("name", flat=True))
    text = query.strip().upper()
    assert got == {n for n in NAMES if text in n.upper()}


def test_search_in_the_api_with_a_bearer_token(cast: Cast, named: list[Person]) -> None:
    out = StringIO()
    call_command("create_token", "street_organizer", stdout=out)
    headers = {"Authorization": f"Bearer {out.getvalue().strip()}"}
    client = Client(enforce_csrf_checks=True)
    url = f"/api/v1/organizations/{cast.street.pk}/people?subtree=true&q=伟"
    data = client.get(url, headers=headers).json()
    assert sorted(p["name"] for p in data["items"]) == ["伟", "张伟", "张伟明", "王伟"]
    assert data["count"] == 4
    # Outside the user's subtree the same search is not found at all.
    url = f"/api/v1/organizations/{cast.organ.pk}/people?subtree=true&q=伟"
    assert client.get(url, headers=headers).status_code == 404


def _person_table_scans(queries: list[dict[str, str]]) -> list[str]:
    """EXPLAIN each captured SELECT that reads the person table, sequential scans
    priced out: a plan that still scans it sequentially has no index to use."""
    table = Person._meta.db_table
    bad = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or f'"{table}"' not in sql:
                continue
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            if f"Seq Scan on {table}" in plan:
                bad.append(f"{sql}\n{plan}")
    return bad


@postgres_only
def test_import_lookups_use_indexes(cast: Cast) -> None:
    # Rows matched by ID number, by name + birth date, and by name within the branch.
    rows = [person_row(f"甲{i}", "S1B2", id_number=id_number(i)) for i in range(1, 30)]
    rows += [person_row(f"乙{i}", "S1B2", birth=f"1981-02-{i:02d}") for i in range(1, 20)]
    data = workbook([], rows)
    import_roster(data, actor=cast.organizer)
    Person.objects.create(name="丙", organization=cast.branch)
    rows.append(person_row("丙", "S1B2", birth=""))
    with CaptureQueriesContext(connection) as ctx:
        import_roster(workbook([], rows), actor=cast.organizer)
    lookups = [q["sql"] for q in ctx.captured_queries if "organizations_person" in q["sql"]]
    assert any('"id_number" IN' in sql for sql in lookups)
    assert any('"birth_date" IN' in sql for sql in lookups)
    assert any('"birth_date" IS NULL' in sql for sql in lookups)
    assert _person_table_scans(ctx.captured_queries) == []


@postgres_only
def test_member_list_pages_search_and_counts_use_indexes(cast: Cast, named: list[Person]) -> None:
    Person.objects.bulk_create(
        Person(name=f"成员{i}", organization=cast.branch, birth_date=date(1980, 1, 1))
        for i in range(300)
    )
    client = Client()
    client.force_login(cast.organizer)
    base = f"/org/{cast.district.pk}/?all=1"
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(base)
        after = first.context["page"].next_cursor
        assert after
        client.get(f"{base}&after={after}")
        client.get(f"{base}&page=last")
        client.get(f"{base}&q=伟")
        client.get(f"{base}&q=张伟明")
    assert _person_table_scans(ctx.captured_queries) == []
    # The search's plan names the name index, whatever the query's length.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    for query in ("伟", "张伟", "欧阳娜"):
        plan = search_people(Person.objects.all(), query).explain()
        assert "person_name_grams_idx" in plan, plan
