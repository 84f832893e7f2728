"""Bugs found when the rounds pages were used as an office would (issue 13, point 5)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from shuping.conftest import PASSWORD
from shuping.organizations.models import OrgKind, Sector
from shuping.rounds.models import ReportMode
from shuping.rounds.services import create_campaign, default_report_year
from shuping.rounds.sub_rounds import create_sub_campaigns
from shuping.rounds.tests.conftest import make_org


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_deadline_edit_form_shows_its_dates_in_the_format_date_inputs_accept(client, cast):
    campaign = create_campaign(
        cast.street, actor=cast.street_organizer, preset="004_jiedao_shuangshu", year=2026
    )
    item = campaign.deadlines.exclude(due_on=None).get(key="done")
    assert item.due_on is not None
    login(client, cast.street_organizer)
    html = client.get(reverse("rounds:deadline", args=[campaign.pk, item.pk])).content.decode()
    # `2027/01/10` would show an empty picker and erase the date on save
    assert f'value="{item.due_on.isoformat()}"' in html
    assert item.due_on.strftime("%Y/%m/%d") not in html


@pytest.mark.parametrize(
    ("today", "year"),
    [(date(2026, 12, 1), 2026), (date(2026, 7, 1), 2026), (date(2027, 3, 5), 2026)],
)
def test_new_round_reports_on_the_year_just_worked(today, year):
    assert default_report_year(today) == year


def test_new_round_form_in_december_proposes_this_year(client, cast, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 12, 1))
    login(client, cast.street_organizer)
    html = client.get(reverse("rounds:create")).content.decode()
    assert 'name="year" value="2026"' in html


def test_sub_round_breadcrumb_links_the_parent_round_only_for_who_can_open_it(client, cast):
    parent = create_campaign(
        cast.district, actor=cast.organizer, preset="003_quwei_liangji", year=2026
    )
    (child,) = create_sub_campaigns(parent, actor=cast.organizer, committees=[cast.street])
    parent_url = reverse("rounds:detail", args=[parent.pk])
    login(client, cast.reporter)  # a street secretary reports in the street's round
    page = client.get(reverse("rounds:detail", args=[child.pk])).content.decode()
    assert client.get(parent_url).status_code == 404
    assert f'href="{parent_url}"' not in page
    login(client, cast.organizer)
    page = client.get(reverse("rounds:detail", args=[child.pk])).content.decode()
    assert f'href="{parent_url}"' in page


def test_rotation_note_is_only_on_those_moved_on_site(cast):
    district = cast.district
    units = [make_org(district, f"第{i}工委", OrgKind.WORKING, Sector.ORGAN) for i in range(1, 6)]
    preset = "003_quwei_liangji"
    create_campaign(district, actor=cast.organizer, preset=preset, year=2025, onsite_places=2)
    # three written last year, one on-site place: two of them stay written
    second = create_campaign(
        district, actor=cast.organizer, preset=preset, year=2026, onsite_places=1
    )
    written_last_year = second.reporters.filter(organization__in=units[2:])
    onsite = [r for r in written_last_year if r.mode == ReportMode.ONSITE]
    stayed = [r for r in written_last_year if r.mode == ReportMode.WRITTEN]
    assert len(onsite) == 1 and len(stayed) == 2
    assert "本年安排现场述职" in onsite[0].note
    for r in stayed:
        assert "现场述职" not in r.note.replace("书面述职", "") or "名额已满" in r.note
        assert "优先安排现场" not in r.note and "名额已满" in r.note
