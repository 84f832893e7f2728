"""The results stage's documents through the shared document harness (fonts, margins,
page numbers, frozen headers, leftovers)."""

from __future__ import annotations

from datetime import date

import pytest

from shuping.lib.doccheck import OFFICIAL, docx_problems, xlsx_problems
from shuping.results import exports, publication
from shuping.results.tests.conftest import approve

pytestmark = pytest.mark.django_db


def test_results_documents_keep_their_format(cast, street_004):
    approve(
        street_004, {cast.community: "优秀", cast.branch: "基本称职"}, actor=cast.street_organizer
    )
    records = list(publication.approved_records(street_004))
    ann = publication.prepare_announcement(street_004, actor=cast.street_organizer)
    notice = publication.prepare_notice(street_004, actor=cast.street_organizer)
    notice = publication.start_notice(
        notice, actor=cast.street_organizer, starts_on=date(2019, 1, 14), today=date(2019, 1, 14)
    )
    found = {}
    for name, _, data in (
        exports.feedback_letters(street_004, records),
        exports.announcement_document(ann),
        exports.notice_document(notice),
    ):
        found[name] = docx_problems(data, OFFICIAL)
    name, _, data = exports.eligibility_xlsx(street_004)
    found[name] = xlsx_problems(data)
    assert {k: v for k, v in found.items() if v} == {}
