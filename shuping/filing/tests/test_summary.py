"""The summary report: drafted from the round's own figures, edited, exported as .docx,
and part of the bundle where the preset names it."""

from __future__ import annotations

import io

import pytest
from docx import Document

from shuping.conftest import PASSWORD
from shuping.filing import services
from shuping.filing.summary import gather, summary_docx
from shuping.rounds.models import ReportMode
from shuping.rounds.testing import make_campaign, sample_rules

ITEMS = {
    "filing": ["基层党组织述职工作专题报告"],
    "filing_items": [{"title": "基层党组织述职工作专题报告", "kind": "summary_report"}],
    "filing_to": "区委组织部",
}


@pytest.fixture
def campaign(cast):
    campaign = make_campaign(
        cast.district, rules=sample_rules(**ITEMS), reporters=[cast.street, cast.organ]
    )
    campaign.reporters.filter(organization=cast.organ).update(mode=ReportMode.WRITTEN)
    return campaign


def test_draft_counts_the_round_and_degrades_without_later_stages(
    cast, campaign, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        facts = gather(campaign)
    assert (facts.reporters, facts.onsite, facts.written, facts.meetings) == (2, 1, 1, 0)
    report = services.draft_summary_report(campaign, actor=cast.organizer)
    assert "组织2名党组织书记进行述职，其中现场述职1名、书面述职1名" in report.situation
    assert "召开述职评议会" not in report.situation  # no meeting yet: no sentence about it
    assert report.suggestions and report.next_steps and report.problems
    # a second draft keeps the office's edits unless asked to redraft
    services.update_summary_report(
        report, actor=cast.organizer, title=report.title, parts={"situation": "改过的"}
    )
    assert services.draft_summary_report(campaign, actor=cast.organizer).situation == "改过的"
    again = services.draft_summary_report(campaign, actor=cast.organizer, redraft=True)
    assert again.situation.startswith("按照")


def test_docx_has_the_four_parts(cast, campaign):
    report = services.draft_summary_report(campaign, actor=cast.organizer)
    name, content_type, data = summary_docx(report)
    assert name.endswith("专题报告.docx") and "word" in content_type
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    for heading in (
        "一、开展情况",
        "二、存在问题",
        "三、意见建议",
        "四、下一步计划",
        "区委组织部：",
    ):
        assert heading in text
    # the drafting hint is in the editable draft, never in the official document
    assert "起草提示" in report.problems and "起草提示" not in text


def test_bundle_item_is_ready_once_drafted(cast, campaign):
    filing = services.ensure_filing(campaign)
    assert [r.state for r in services.checklist(filing)] == ["missing"]
    services.draft_summary_report(campaign, actor=cast.organizer)
    assert [r.state for r in services.checklist(filing)] == ["ready"]


def test_summary_pages(client, cast, campaign):
    assert client.login(username="organizer", password=PASSWORD)
    page = client.get(f"/filing/{campaign.pk}/summary/")
    assert "根据本轮数据起草" in page.content.decode()
    client.post(f"/filing/{campaign.pk}/summary/", {"action": "draft"})
    page = client.get(f"/filing/{campaign.pk}/summary/")
    assert "开展情况" in page.content.decode()
    bad = client.post(f"/filing/{campaign.pk}/summary/", {"action": "save", "title": ""})
    assert "请填写标题" in bad.content.decode()
    docx = client.get(f"/filing/{campaign.pk}/summary.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    client.logout()
    assert client.login(username="superior", password=PASSWORD)
    assert client.post(f"/filing/{campaign.pk}/summary/", {"action": "redraft"}).status_code == 403
    assert "开展情况" in client.get(f"/filing/{campaign.pk}/summary/").content.decode()
