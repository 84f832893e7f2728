"""An office whose organizations report in a higher committee's round (README: "Rounds an
office reads because its own organization reports in them"): it reads those reports in
every state and reviews its subordinates', but its own organization's report is reviewed
by the round's office."""

from __future__ import annotations

from django.test import Client

from shuping.conftest import Cast
from shuping.reports import services
from shuping.reports.models import DutyReport, ReportState
from shuping.reports.samples import load_sample
from shuping.rounds.models import Campaign, Reporter


def _submitted(campaign: Campaign, cast: Cast) -> DutyReport:
    # the street itself reports in the district's round (its secretary to the district)
    rep = Reporter.objects.create(campaign=campaign, organization=cast.street, order=99)
    report = services.open_report(rep, actor=cast.organizer)
    report.sections = load_sample("003_good")
    report.state = ReportState.SUBMITTED
    report.save(update_fields=["sections", "state"])
    return report


def test_the_street_office_reads_its_reporters_in_the_district_round(
    campaign: Campaign, cast: Cast
) -> None:
    assert campaign.committee == cast.district
    report = _submitted(campaign, cast)
    c = Client()
    c.force_login(cast.street_organizer)
    index = c.get("/reports/").content.decode()
    assert "本单位在上级方案中的述职" in index and f"/reports/{report.pk}/" in index
    assert f"/reports/round/{campaign.pk}/" not in index
    assert c.get(f"/reports/{report.pk}/").status_code == 200
    # the district's overview, booklet and review stay with the district's office
    assert c.get(f"/reports/round/{campaign.pk}/").status_code == 404
    assert c.post(f"/reports/{report.pk}/review/approve/", {"note": ""}).status_code == 404
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert "审核通过" not in c.get(f"/reports/{report.pk}/").content.decode().split("<main")[1]


def test_the_rounds_office_reviews_and_sees_no_participation_list(
    campaign: Campaign, cast: Cast
) -> None:
    report = _submitted(campaign, cast)
    c = Client()
    c.force_login(cast.organizer)
    assert "本单位在上级方案中的述职" not in c.get("/reports/").content.decode()
    assert c.post(f"/reports/{report.pk}/review/approve/", {"note": ""}).status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
