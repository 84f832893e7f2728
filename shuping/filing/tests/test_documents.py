"""The documents filing and oversight generate, checked in their XML by the shared harness
(fonts, margins, page numbers, frozen headers, no leftovers)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from shuping.filing import services
from shuping.filing.summary import summary_docx
from shuping.filing.tests.test_services import FILING_002
from shuping.lib.doccheck import OFFICIAL, docx_problems, xlsx_problems
from shuping.oversight.exports import dashboard_xlsx
from shuping.oversight.queries import dashboard
from shuping.rounds.testing import make_campaign, sample_rules


def test_summary_contents_and_dashboard_keep_their_format(cast):
    campaign = make_campaign(
        cast.district, rules=sample_rules(**FILING_002), reporters=[cast.street, cast.organ]
    )
    report = services.draft_summary_report(campaign, actor=cast.organizer)
    assert docx_problems(summary_docx(report)[2], OFFICIAL) == []
    filing = services.ensure_filing(campaign)
    for row in services.checklist(filing)[1:]:
        services.excuse_entry(row.entry, actor=cast.organizer, reason="暂缺")
    services.submit_filing(filing, actor=cast.organizer)
    with zipfile.ZipFile(io.BytesIO(filing.packages.get().file.read())) as zf:
        assert docx_problems(zf.read("00_目录.docx"), OFFICIAL) == []
    board = dashboard(cast.district, year=2025, today=date(2026, 3, 1))
    assert xlsx_problems(dashboard_xlsx(board)[2]) == []
