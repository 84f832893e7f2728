"""The whole-tree member list pages by key (no OFFSET, any page costs what the first
does) on the node page and in the API; member search finds partial Chinese names."""

from __future__ import annotations

import html
import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shuping.lib.keyset import encode_cursor
from shuping.organizations.models import Person
from shuping.organizations.queries import PERSON_ORDER


@pytest.fixture
def crowd(cast):
    """130 more people spread over the street's branches (bulk: the list is under test)."""
    orgs = [cast.street, cast.community, cast.community_branch, cast.branch, cast.retiree_branch]
    Person.objects.bulk_create(
        Person(
            name=("张伟", "王芳", "李建国", "欧阳娜")[i % 4] + str(i % 7),
            organization=orgs[i % len(orgs)],
            category=("member", "masses")[i % 9 == 0],
            birth_date=date(1980, 1, 1),
        )
        for i in range(130)
    )


def _expected(cast) -> list[int]:
    qs = Person.objects.filter(cast.street.subtree_q("organization__"))
    return list(qs.order_by(*PERSON_ORDER).values_list("pk", flat=True))


def _ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/org/person/(\d+)/"', page)]


def _link(page: str, label: str) -> str | None:
    m = re.search(r'href="(\?[^"]*)">' + label, page)
    return html.unescape(m.group(1)) if m else None


def test_walking_the_pages_forward_and_back_visits_everyone_once(cast, crowd, login):
    client = login("street_organizer")
    base = f"/org/{cast.street.pk}/"
    expected = _expected(cast)
    seen: list[int] = []
    pages: list[str] = []
    url: str | None = "?all=1"
    while url:
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(base + url).content.decode()
        assert not any("OFFSET" in q["sql"].upper() for q in ctx.captured_queries)
        pages.append(url)
        seen += _ids(page)
        url = _link(page, "下一页")
    assert seen == expected and len(pages) == 3
    # The last page directly, then back one page.
    last = client.get(base + "?all=1&page=last").content.decode()
    assert _ids(last) == expected[-50:]
    assert _link(last, "下一页") is None
    previous = _link(last, "上一页")
    assert previous is not None
    back = client.get(base + previous).content.decode()
    assert _ids(back) == expected[-100:-50]
    assert _link(back, "下一页") and _link(back, "首页")


def test_page_query_count_does_not_grow_with_depth(
    cast, crowd, login, django_assert_max_num_queries
):
    client = login("street_organizer")
    base = f"/org/{cast.street.pk}/?all=1"
    client.get(base)
    with CaptureQueriesContext(connection) as first:
        client.get(base)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(base + "&page=last")


@pytest.mark.parametrize("cursor", ["garbage", encode_cursor([1, 2]), encode_cursor([None] * 4)])
def test_bad_cursor_shows_the_first_page(cast, crowd, login, cursor):
    response = login("street_organizer").get(f"/org/{cast.street.pk}/?all=1&after={cursor}")
    assert response.status_code == 200
    assert _ids(response.content.decode()) == _expected(cast)[:50]


def test_search_finds_partial_chinese_names(cast, crowd, login):
    client = login("street_organizer")
    page = client.get(f"/org/{cast.street.pk}/?all=1&q=建国").content.decode()
    found = Person.objects.filter(pk__in=_ids(page))
    assert found.count() > 0 and all("建国" in p.name for p in found)
    assert {p.name for p in found} >= {"李建国2"}
    page = client.get(f"/org/{cast.street.pk}/?all=1&q=阳娜3").content.decode()
    assert {p.name for p in Person.objects.filter(pk__in=_ids(page))} == {"欧阳娜3"}
    # Outside the subtree: nobody from 乙 even when the name matches.
    Person.objects.create(name="李建国9", organization=cast.organ_branch)
    page = client.get(f"/org/{cast.street.pk}/?all=1&q=建国9").content.decode()
    assert "李建国9" not in page


def test_reporter_and_outsider_reach_no_subtree_list(cast, crowd, login):
    assert login("outsider").get(f"/org/{cast.street.pk}/?all=1").status_code == 404
    page = login("reporter").get(f"/org/{cast.branch.pk}/?all=1").content.decode()
    assert set(_ids(page)) <= set(
        Person.objects.filter(organization=cast.branch).values_list("pk", flat=True)
    )


def _bearer(username: str) -> dict[str, str]:
    out = StringIO()
    call_command("create_token", username, stdout=out)
    return {"Authorization": f"Bearer {out.getvalue().strip()}"}


def test_api_people_cursor_walk(cast, crowd):
    client = Client(enforce_csrf_checks=True)
    headers = _bearer("street_organizer")
    url = f"/api/v1/organizations/{cast.street.pk}/people?subtree=true&limit=40"
    expected = _expected(cast)
    seen: list[int] = []
    data = client.get(url, headers=headers).json()
    while True:
        assert data["count"] == len(expected)
        seen += [p["id"] for p in data["items"]]
        if not data["next_cursor"]:
            break
        data = client.get(f"{url}&cursor={data['next_cursor']}", headers=headers).json()
    assert seen == expected
    last = client.get(f"{url}&last=true", headers=headers).json()
    assert [p["id"] for p in last["items"]] == expected[-40:] and last["next_cursor"] is None
    prev = client.get(f"{url}&before={last['prev_cursor']}", headers=headers).json()
    assert [p["id"] for p in prev["items"]] == expected[-80:-40]
    response = client.get(f"{url}&offset=20000", headers=headers)
    assert response.status_code == 400 and "cursor" in response.json()["detail"]
    # found by the API fuzzing: a negative offset (and limit) answered 500
    response = client.get(f"{url}&offset=-852220&limit=-77173184&q=%F0%9D%93%A3", headers=headers)
    assert response.status_code == 400 and "offset" in response.json()["detail"]
    assert client.get(url, headers=_bearer("outsider")).status_code == 404
