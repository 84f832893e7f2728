"""The document harness: every document Shuping generates, checked in its XML.

Loads the demo once and runs each exporter on real data; a document that loses its
fonts, margins, page numbers, frozen headers or leaves a placeholder fails here,
without anyone having to open it.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from shuping.ballots.exports import paper_form_docx, results_docx, results_xlsx, slips_docx
from shuping.ballots.models import Ballot, BallotState
from shuping.demo import load_demo
from shuping.lib.doccheck import FORM, OFFICIAL, TABLE, Layout, docx_problems, xlsx_problems
from shuping.meetings.exports import meeting_record_docx
from shuping.meetings.models import Meeting
from shuping.organizations.models import Organization
from shuping.organizations.roster import export_roster, template
from shuping.reports.export import booklet_entries, export_booklet, export_report
from shuping.reports.models import DutyReport
from shuping.rounds.documents import plan_document
from shuping.rounds.models import Campaign

pytestmark = pytest.mark.django_db

RECORD = Layout(margins=(30, 25, 26, 24))  # a working record, not a 公文: its own margins


def test_every_generated_document_keeps_its_format() -> None:
    load_demo(out=lambda _line: None)
    found: dict[str, list[str]] = {}

    def check(name: str, problems: list[str]) -> None:
        if problems:
            found[name] = problems

    for campaign in Campaign.objects.order_by("pk"):
        name, _, data = plan_document(campaign)
        check(name, docx_problems(data, OFFICIAL))
    for report in DutyReport.objects.exclude(sections={}).order_by("pk")[:5]:
        name, _, data = export_report(report)
        check(name, docx_problems(data, OFFICIAL))
    for meeting in Meeting.objects.order_by("pk"):
        name, _, data = meeting_record_docx(meeting)
        check(name, docx_problems(data, RECORD))
        name, _, data = export_booklet(meeting)
        # a booklet with nothing in it yet is a cover page: no page numbers to check
        layout = OFFICIAL if booklet_entries(meeting) else Layout(OFFICIAL.margins, False)
        check(name, docx_problems(data, layout))
    for ballot in Ballot.objects.order_by("pk"):
        name, _, data = paper_form_docx(ballot)
        check(name, docx_problems(data, FORM))
        category = ballot.categories[0]["key"] if ballot.categories else ""
        name, _, data = slips_docx(ballot, ["t" * 22] * 3, category=category, base_url="http://x")
        check(name, docx_problems(data, FORM))
        if ballot.state == BallotState.CLOSED:
            name, _, data = results_docx(ballot)
            check(name, docx_problems(data, TABLE))
            name, _, data = results_xlsx(ballot)
            check(name, xlsx_problems(data))
    name, _, data = template()
    check(name, xlsx_problems(data, frozen=False))
    admin = User.objects.get(username="admin")
    name, _, data = export_roster(Organization.objects.get(code="QW-01"), viewer=admin)
    check(name, xlsx_problems(data))
    assert found == {}
