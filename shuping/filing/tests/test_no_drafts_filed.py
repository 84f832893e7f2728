"""The filing bundle goes to the superior, who reads approved reports only (issue 12.7):
a report still under review is neither filed as a report nor put in the booklet."""

from __future__ import annotations

import io

from docx import Document

from shuping.conftest import Cast
from shuping.filing.kinds import build_booklet, build_reports
from shuping.meetings.models import Meeting, MeetingReporter
from shuping.reports import services
from shuping.reports.models import DutyReport, ReportState
from shuping.reports.samples import load_sample
from shuping.rounds.models import Reporter
from shuping.rounds.testing import make_campaign


def test_reports_under_review_stay_out_of_the_bundle(cast: Cast) -> None:
    campaign = make_campaign(
        cast.district, year=2026, reporters=[cast.branch, cast.community_branch]
    )
    meeting = Meeting.objects.create(campaign=campaign, kind="committee", title="述职评议会")
    for i, rep in enumerate(Reporter.objects.filter(campaign=campaign).order_by("order"), 1):
        MeetingReporter.objects.create(meeting=meeting, reporter=rep, order=i)
        report = services.open_report(rep, actor=cast.organizer)
        report.sections = load_sample("003_good")
        report.save(update_fields=["sections"])
    DutyReport.objects.filter(reporter__organization=cast.branch).update(state=ReportState.APPROVED)
    DutyReport.objects.filter(reporter__organization=cast.community_branch).update(
        state=ReportState.SUBMITTED
    )
    names = [name for name, _, _ in build_reports(campaign)]
    assert names == ["甲街道第二党支部述职报告.docx"]
    ((_, _, booklet),) = build_booklet(campaign)
    text = "\n".join(p.text for p in Document(io.BytesIO(booklet)).paragraphs)
    assert "甲街道第二党支部" in text and "甲社区第一党支部" not in text
