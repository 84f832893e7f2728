"""The document harness: every document Shuping generates, checked in its XML.

Loads the demo once and runs each exporter on real data; a document that loses its
fonts, margins, page numbers, frozen headers or leaves a placeholder fails here,
without anyone having to open it. `generated_documents()` is also what a person uses
to render every document through LibreOffice and look at it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from shuping.assessment.exports import summary_docx, summary_xlsx
from shuping.assessment.inputs_xlsx import template as inputs_template
from shuping.assessment.models import AssessmentBoard
from shuping.ballots.exports import paper_form_docx, results_docx, results_xlsx, slips_docx
from shuping.ballots.models import Ballot, BallotState
from shuping.demo import load_demo
from shuping.filing.models import Filing, SummaryReport
from shuping.filing.package import NO_PDF, _contents_docx
from shuping.filing.summary import summary_docx as filing_summary_docx
from shuping.lib.doccheck import FORM, OFFICIAL, TABLE, Layout, docx_problems, xlsx_problems
from shuping.meetings.exports import meeting_record_docx
from shuping.meetings.models import Meeting
from shuping.member_review.exports import round_xlsx
from shuping.organizations.models import Organization
from shuping.organizations.roster_export import export_roster, template
from shuping.oversight.exports import dashboard_xlsx
from shuping.oversight.queries import dashboard
from shuping.rectification.exports import ledger_docx, ledger_xlsx, plan_docx, progress_report_docx
from shuping.rectification.models import Item, Plan
from shuping.reports.export import booklet_entries, export_booklet, export_case, export_report
from shuping.reports.models import DutyReport, InnovationCase
from shuping.results.exports import (
    announcement_document,
    eligibility_xlsx,
    feedback_letters,
    notice_document,
)
from shuping.results.models import Announcement, PublicNotice, ResultRecord
from shuping.rounds.documents import plan_document
from shuping.rounds.models import Campaign

pytestmark = pytest.mark.django_db

RECORD = Layout(margins=(30, 25, 26, 24))  # a working record, not a 公文: its own margins
TODAY = date(2026, 12, 1)

Check = Callable[[bytes], list[str]]
Generated = tuple[str, bytes, Check]


def _docx(layout: Layout) -> Check:
    return lambda data: docx_problems(data, layout)


def _xlsx(*, frozen: bool = True) -> Check:
    return lambda data: xlsx_problems(data, frozen=frozen)


def _made(export: tuple[str, str, bytes], check: Check) -> Generated:
    name, _, data = export
    return name, data, check


def generated_documents() -> Iterator[Generated]:
    """(file name, bytes, its check) for every kind of document, on the demo's data."""
    admin = User.objects.get(username="admin")
    # rounds: the plan (工作方案)
    for campaign in Campaign.objects.order_by("pk"):
        yield _made(plan_document(campaign), _docx(OFFICIAL))
    # reports: 述职报告, 创新案例, 述职材料汇编
    for report in DutyReport.objects.exclude(sections={}).order_by("pk")[:5]:
        yield _made(export_report(report), _docx(OFFICIAL))
    for case in InnovationCase.objects.order_by("pk")[:2]:
        yield _made(export_case(case), _docx(OFFICIAL))
    for meeting in Meeting.objects.order_by("pk"):
        yield _made(meeting_record_docx(meeting), _docx(RECORD))
        # a booklet with nothing in it yet is a cover page: no page numbers to check
        layout = OFFICIAL if booklet_entries(meeting) else Layout(OFFICIAL.margins, False)
        yield _made(export_booklet(meeting), _docx(layout))
    # ballots: paper form, QR slips, 测评结果汇总表
    for ballot in Ballot.objects.order_by("pk"):
        yield _made(paper_form_docx(ballot), _docx(FORM))
        category = ballot.categories[0]["key"] if ballot.categories else ""
        slips = slips_docx(ballot, ["t" * 22] * 3, category=category, base_url="http://x/b")
        yield _made(slips, _docx(FORM))
        if ballot.state == BallotState.CLOSED:
            yield _made(results_docx(ballot), _docx(TABLE))
            yield _made(results_xlsx(ballot), _xlsx())
    # member review: the round's summary table
    for campaign in Campaign.objects.filter(member_reviews__isnull=False).distinct():
        yield _made(round_xlsx(campaign, user=admin, today=TODAY), _xlsx())
    # organizations: the roster template and an export
    yield _made(template(), _xlsx(frozen=False))
    root = Organization.objects.get(code="QW-01")
    yield _made(export_roster(root, viewer=admin), _xlsx())
    # assessment: 综合评价汇总表 (.docx/.xlsx) and the inputs template
    for board in AssessmentBoard.objects.select_related("campaign__committee").order_by("pk"):
        yield _made(summary_docx(board), _docx(OFFICIAL))
        yield _made(summary_xlsx(board), _xlsx())
        yield _made(inputs_template(board.campaign), _xlsx())
    # results: feedback letters, 通报, 公示, eligibility list
    for campaign in Campaign.objects.filter(result_records__isnull=False).distinct():
        records = list(
            ResultRecord.objects.filter(campaign=campaign)
            .select_related("reporter__organization", "reporter__person")
            .order_by("reporter__order")[:3]
        )
        yield _made(feedback_letters(campaign, records, issued_on=TODAY), _docx(OFFICIAL))
        yield _made(eligibility_xlsx(campaign), _xlsx())
    for ann in Announcement.objects.select_related("campaign__committee").order_by("pk"):
        yield _made(announcement_document(ann), _docx(OFFICIAL))
    for notice in PublicNotice.objects.select_related("campaign__committee").order_by("pk"):
        yield _made(notice_document(notice), _docx(OFFICIAL))
    # rectification: 整改方案, 整改台账 (.docx/.xlsx), 整改进展通报
    for plan in Plan.objects.select_related("reporter__campaign").order_by("pk")[:2]:
        yield _made(plan_docx(plan), _docx(OFFICIAL))
    with_items = Campaign.objects.filter(reporters__rectification_items__isnull=False)
    for campaign in with_items.distinct():
        items = Item.objects.filter(reporter__campaign=campaign)
        title = f"{campaign.title}整改台账"
        yield _made(ledger_docx(items, title=title), _docx(OFFICIAL))
        yield _made(ledger_xlsx(items, title=title), _xlsx())
        yield _made(progress_report_docx(campaign, today=TODAY), _docx(OFFICIAL))
    # filing: the package's 目录/清单 and the 专题报告
    for filing in Filing.objects.select_related("campaign__committee").order_by("pk"):
        lines = [
            (str(e.position), e.title, f"{e.position:02d}_{e.title}.docx", "系统生成")
            for e in filing.entries.all()
        ]
        data = _contents_docx(filing, lines, NO_PDF)
        yield f"{filing.campaign.title}-备案材料目录.docx", data, _docx(OFFICIAL)
    for summary in SummaryReport.objects.select_related("campaign__committee").order_by("pk"):
        yield _made(filing_summary_docx(summary, issued_on=TODAY), _docx(OFFICIAL))
    # oversight: the dashboard's figures
    yield _made(dashboard_xlsx(dashboard(root, today=timezone.localdate())), _xlsx())


def test_every_generated_document_keeps_its_format() -> None:
    load_demo(out=lambda _line: None)
    found: dict[str, list[str]] = {}
    names: list[str] = []
    for name, data, check in generated_documents():
        names.append(name)
        if problems := check(data):
            found[name] = problems
    assert found == {}
    # every family of documents is in the demo, so none is skipped silently
    for part in ("整改方案", "整改台账", "整改进展", "反馈意见", "通报", "公示", "评优资格",
                 "备案材料目录", "民主评议党员", "测评二维码", "民主测评表", "会议记录",
                 "测评结果汇总表"):  # fmt: skip
        assert any(part in n for n in names), part
