"""Rounds over big subtrees: sampling linear in the subtree (counted, never timed),
and reporter lists that page and filter on the round page and in the API."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from shuping.conftest import PASSWORD
from shuping.organizations.models import Organization
from shuping.rounds.models import Reporter, ReportMode
from shuping.rounds.proposal import apply_sampling
from shuping.rounds.rules import Sampling, ScopeRules
from shuping.rounds.testing import make_campaign


def test_sampling_compares_no_organizations(monkeypatch):
    """A few thousand organizations in memory: the old list-membership test compared
    every kept organization with every pooled one (millions of __eq__ calls)."""
    orgs = [
        Organization(pk=i, path=f"/1/{i}/", kind="branch", sector=("non_public", "soe")[i % 2])
        for i in range(2, 4002)
    ]
    calls = {"n": 0}
    original = Organization.__eq__

    def counting(self, other):
        calls["n"] += 1
        return original(self, other)

    monkeypatch.setattr(Organization, "__eq__", counting)
    scope = ScopeRules(
        source="subtree",
        sampling=(Sampling(count=50, sectors=("non_public",)), Sampling(count=10)),
    )
    kept, sampled, log = apply_sampling(orgs, scope, seed=3)
    assert calls["n"] == 0
    assert len(kept) == 60 and len(sampled) == 60
    assert [len(entry["chosen"]) for entry in log] == [50, 10]
    # Same seed, same sample.
    assert apply_sampling(orgs, scope, seed=3)[1] == sampled


@pytest.fixture
def big_round(cast):
    """The street round with 130 reporters (bulk-made: only the list is under test)."""
    campaign = make_campaign(cast.street, reporters=[cast.branch])
    orgs = Organization.objects.bulk_create(
        Organization(
            code=f"BR{i:03d}",
            name=f"批量第{i:03d}党支部",
            kind="branch",
            sector="street",
            parent=cast.street,
            path=f"{cast.street.path}tmp{i}/",
            depth=cast.street.depth + 1,
        )
        for i in range(129)
    )
    Reporter.objects.bulk_create(
        Reporter(
            campaign=campaign,
            organization=org,
            order=i + 2,
            position=f"{org.name}书记",
            mode=ReportMode.WRITTEN if i % 3 else ReportMode.ONSITE,
            is_vacant=True,
        )
        for i, org in enumerate(orgs)
    )
    return campaign


def _login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_round_page_pages_and_filters_reporters(cast, big_round, django_assert_max_num_queries):
    client = _login(cast.street_organizer)
    with django_assert_max_num_queries(40):
        page = client.get(f"/rounds/{big_round.pk}/").content.decode()
    assert "述职对象 130 名" in page and "第 1 / 2 页" in page
    assert "批量第098党支部" in page and "批量第099党支部" not in page
    assert "等 129 个" in page  # the vacancy warning names a few and counts the rest
    page = client.get(f"/rounds/{big_round.pk}/?page=2").content.decode()
    assert "批量第099党支部" in page and "批量第050党支部" not in page
    page = client.get(f"/rounds/{big_round.pk}/?q=第12").content.decode()
    assert "批量第120党支部" in page and "批量第050党支部" not in page
    page = client.get(f"/rounds/{big_round.pk}/?mode=written&q=批量第03").content.decode()
    assert "批量第031党支部" in page and "批量第030党支部" not in page
    page = client.get(f"/rounds/{big_round.pk}/?q=没有这个&page=9").content.decode()
    assert "没有符合条件的述职对象" in page
    # Query count does not grow with the list.
    Reporter.objects.filter(campaign=big_round, order__gt=50).delete()
    with django_assert_max_num_queries(40):
        assert client.get(f"/rounds/{big_round.pk}/").status_code == 200


def test_round_page_outside_subtree_is_404(cast, big_round):
    assert _login(cast.outsider).get(f"/rounds/{big_round.pk}/?page=2").status_code == 404


def test_api_reporters_page_and_filter(cast, big_round):
    client = Client(enforce_csrf_checks=True)
    out = StringIO()
    call_command("create_token", "street_organizer", stdout=out)
    headers = {"Authorization": f"Bearer {out.getvalue().strip()}"}
    url = f"/api/v1/rounds/{big_round.pk}/reporters"
    response = client.get(url, headers=headers)
    assert response.status_code == 200 and response["X-Total-Count"] == "130"
    assert len(response.json()) == 130
    response = client.get(f"{url}?limit=50&offset=100", headers=headers)
    assert [r["order"] for r in response.json()] == list(range(101, 131))
    response = client.get(f"{url}?limit=100000", headers=headers)
    assert len(response.json()) == 130  # capped at 500, never unbounded
    response = client.get(f"{url}?mode=onsite&q=批量", headers=headers)
    assert response["X-Total-Count"] == "43"
    assert {r["mode"] for r in response.json()} == {"onsite"}
    assert client.get(f"{url}?limit=abc", headers=headers).status_code == 422
    out = StringIO()
    call_command("create_token", "outsider", stdout=out)
    other = {"Authorization": f"Bearer {out.getvalue().strip()}"}
    assert client.get(url, headers=other).status_code == 404
