"""The 汇总表 and the inputs template keep their format (lib.doccheck), approved or not."""

from __future__ import annotations

from shuping.assessment import exports, inputs_xlsx, services
from shuping.assessment.testing import close_with_counts
from shuping.assessment.tests.conftest import make_round
from shuping.conftest import Cast
from shuping.lib.doccheck import OFFICIAL, docx_problems, xlsx_problems


def test_documents_keep_their_format(cast: Cast) -> None:
    campaign, meetings = make_round(cast)
    reps = list(campaign.reporters.order_by("order"))
    close_with_counts(meetings["committee"], {r.pk: {"好": 9, "差": 1} for r in reps})
    board = services.ensure_board(campaign)
    for _ in range(2):
        assert docx_problems(exports.summary_docx(board)[2], OFFICIAL) == []
        assert xlsx_problems(exports.summary_xlsx(board)[2]) == []
        assert xlsx_problems(inputs_xlsx.template(campaign)[2]) == []
        board = services.propose_grades(campaign, actor=cast.organizer)
    services.approve_grades(campaign, actor=cast.organizer, minute_ref="区委常委会")
    board.refresh_from_db()
    assert docx_problems(exports.summary_docx(board)[2], OFFICIAL) == []
