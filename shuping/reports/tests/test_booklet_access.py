"""Reports under review and who reads them (issues 12.7 and 14.4).

The office chooses whether the booklet leaves reports under review out or marks them
"（审核中）"; left out is the default for everyone but the organizer, and the superior
never receives one — not through the booklet page, its downloads, the API, nor a
report's earlier versions.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from docx import Document

from shuping.accounts.services import create_api_token
from shuping.conftest import Cast
from shuping.meetings.models import Meeting, MeetingReporter
from shuping.reports import export, services
from shuping.reports.models import DutyReport, ReportState
from shuping.reports.samples import load_sample
from shuping.rounds.models import Campaign, Reporter

UNDER_REVIEW = "甲社区第一党支部书记"  # its report is submitted, not approved
APPROVED = "甲街道第二党支部书记 王建国"
MARKED = f"{UNDER_REVIEW} （书记空缺）（审核中）"


@pytest.fixture
def meeting(campaign: Campaign, cast: Cast) -> Meeting:
    m = Meeting.objects.create(campaign=campaign, kind="committee", title="述职评议会")
    for i, rep in enumerate(Reporter.objects.filter(campaign=campaign).order_by("order"), 1):
        MeetingReporter.objects.create(meeting=m, reporter=rep, order=i)
        report = services.open_report(rep, actor=cast.organizer)
        report.sections = load_sample("003_good")
        report.state = ReportState.SUBMITTED
        report.save(update_fields=["sections", "state"])
    DutyReport.objects.filter(reporter__organization=cast.branch).update(state=ReportState.APPROVED)
    return m


def page(user, meeting: Meeting, query: str = "") -> str:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    resp = c.get(f"/reports/meeting/{meeting.pk}/booklet/{query}")
    assert resp.status_code == 200
    return resp.content.decode()


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {create_api_token(user, actor=None)}"}


def test_left_out_by_default_and_marked_on_request(meeting: Meeting) -> None:
    left_out = [e.label for e in export.booklet_entries(meeting)]
    assert left_out == [APPROVED]
    marked = [e.label for e in export.booklet_entries(meeting, unapproved=export.Unapproved.MARK)]
    assert sorted(marked) == sorted([MARKED, APPROVED])
    text = docx_text(export.export_booklet(meeting)[2])
    assert APPROVED in text and UNDER_REVIEW not in text and "审核中" not in text
    with zipfile.ZipFile(io.BytesIO(export.export_booklet_zip(meeting)[2])) as zf:
        assert [n for n in zf.namelist() if "甲社区" in n] == []


def test_drafts_stay_out_even_when_marking(meeting: Meeting, cast: Cast) -> None:
    DutyReport.objects.filter(reporter__organization=cast.community_branch).update(
        state=ReportState.DRAFT
    )
    marked = export.booklet_entries(meeting, unapproved=export.Unapproved.MARK)
    assert [e.label for e in marked] == [APPROVED]


def test_organizer_chooses_and_marked_is_the_default(meeting: Meeting, cast: Cast) -> None:
    html = page(cast.organizer, meeting)
    assert MARKED in html and 'name="unapproved" value="omit"' in html
    html = page(cast.organizer, meeting, "?unapproved=omit")
    assert MARKED not in html and "尚未审核通过" in html
    c = Client()
    c.force_login(cast.organizer)
    resp = c.get(f"/reports/meeting/{meeting.pk}/booklet/?format=docx&unapproved=omit")
    assert UNDER_REVIEW not in docx_text(resp.content)
    resp = c.get(f"/reports/meeting/{meeting.pk}/booklet/?format=docx")
    assert MARKED in docx_text(resp.content)


def test_host_may_choose_but_gets_them_left_out_by_default(meeting: Meeting, cast: Cast) -> None:
    html = page(cast.host, meeting)
    assert MARKED not in html and 'name="unapproved"' in html
    assert MARKED in page(cast.host, meeting, "?unapproved=mark")


def test_superior_never_reads_a_report_under_review(meeting: Meeting, cast: Cast) -> None:
    html = page(cast.superior, meeting)
    assert UNDER_REVIEW not in html and APPROVED in html and 'name="unapproved"' not in html
    # asking for them is refused with a message, and the booklet still leaves them out
    html = page(cast.superior, meeting, "?unapproved=mark")
    assert "只能看到审核通过的报告" in html and UNDER_REVIEW not in html
    c = Client()
    c.force_login(cast.superior)
    for fmt in ("docx", "zip"):
        resp = c.get(f"/reports/meeting/{meeting.pk}/booklet/?format={fmt}&unapproved=mark")
        assert resp.status_code == 200
        data = resp.content
        if fmt == "zip":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                assert not [n for n in zf.namelist() if "甲社区" in n]
                data = zf.read(zf.namelist()[0])
        assert UNDER_REVIEW not in docx_text(data) and APPROVED in docx_text(data)


def test_not_the_rounds_office_sees_no_booklet(meeting: Meeting, cast: Cast) -> None:
    # the street's organizer reaches the reporters but not the district's round
    for user in (cast.street_organizer, cast.reporter, cast.outsider):
        c = Client()
        c.force_login(user)
        assert c.get(f"/reports/meeting/{meeting.pk}/booklet/").status_code == 404


def test_api_booklet_choice_with_bearer_and_csrf(meeting: Meeting, cast: Cast) -> None:
    url = f"/api/v1/reports/meetings/{meeting.pk}/booklet"
    c = Client(enforce_csrf_checks=True)
    resp = c.get(url, headers=bearer(cast.organizer))
    assert resp.status_code == 200 and MARKED in docx_text(resp.content)
    resp = c.get(f"{url}?unapproved=omit", headers=bearer(cast.organizer))
    assert UNDER_REVIEW not in docx_text(resp.content)
    resp = c.get(f"{url}?unapproved=sometimes", headers=bearer(cast.organizer))
    assert resp.status_code == 400 and "审核中的报告" in resp.json()["detail"]

    superior = bearer(cast.superior)
    resp = c.get(url, headers=superior)
    assert resp.status_code == 200
    assert UNDER_REVIEW not in docx_text(resp.content) and APPROVED in docx_text(resp.content)
    resp = c.get(f"{url}?unapproved=mark", headers=superior)
    assert resp.status_code == 403 and "审核通过" in resp.json()["detail"]
    resp = c.get(f"{url}?unapproved=mark&format=zip", headers=superior)
    assert resp.status_code == 403
    assert c.get(url, headers=bearer(cast.street_organizer)).status_code == 404

    session = Client(enforce_csrf_checks=True)
    session.force_login(cast.superior)
    resp = session.get(f"{url}?format=zip")
    with zipfile.ZipFile(io.BytesIO(resp.content)) as zf:
        assert not [n for n in zf.namelist() if "甲社区" in n]


def test_superior_reads_the_approved_text_not_its_drafts(meeting: Meeting, cast: Cast) -> None:
    report = DutyReport.objects.get(reporter__organization=cast.branch)
    assert report.versions.filter(number=1).exists()  # the text it started from
    c = Client()
    c.force_login(cast.superior)
    assert c.get(f"/reports/{report.pk}/").status_code == 200
    assert c.get(f"/reports/{report.pk}/versions/1/").status_code == 404
    assert "第1版" not in c.get(f"/reports/{report.pk}/").content.decode()
    under_review = DutyReport.objects.get(reporter__organization=cast.community_branch)
    assert c.get(f"/reports/{under_review.pk}/").status_code == 404
    assert c.get(f"/reports/{under_review.pk}/export.docx").status_code == 404
    api = Client(enforce_csrf_checks=True)
    superior = bearer(cast.superior)
    assert api.get(f"/api/v1/reports/{under_review.pk}", headers=superior).status_code == 404
    ids = [r["id"] for r in api.get("/api/v1/reports/", headers=superior).json()]
    assert report.pk in ids and under_review.pk not in ids
    c.force_login(cast.organizer)
    assert c.get(f"/reports/{report.pk}/versions/1/").status_code == 200
