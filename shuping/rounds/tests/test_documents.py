from __future__ import annotations

import io
from datetime import date

from docx import Document

from shuping.organizations.models import OrgKind, Sector
from shuping.rounds.documents import DOCX, plan_document
from shuping.rounds.services import create_campaign
from shuping.rounds.tests.conftest import make_org


def _text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_plan_document_for_seed_004(cast, django_assert_max_num_queries):
    street = cast.street
    for i in "甲乙丙":
        make_org(street, f"{i}公司党支部", OrgKind.BRANCH, Sector.NON_PUBLIC)
    campaign = create_campaign(
        street, actor=cast.street_organizer, preset="004_jiedao_shuangshu", year=2018
    )
    with django_assert_max_num_queries(6):
        filename, content_type, data = plan_document(campaign)
    assert filename.endswith(".docx") and content_type == DOCX
    document = Document(io.BytesIO(data))
    section = document.sections[0]
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins if m is not None] == [37, 35, 28, 26]
    assert section.page_width is not None and round(section.page_width.mm) == 210
    text = _text(document)
    # the title breaks between words (GB/T 9704-2012 7.3.3), in one paragraph
    assert "关于认真做好2018年度甲街道党工委\n下属党组织书记“双述双评”工作的通知" in text
    assert "现场述职" in text and "甲街道第二党支部" in text
    for heading in ("一、述职范围和方式", "二、述职内容", "三、方法步骤", "四、工作要求"):
        assert heading in text
    assert "2019年1月10日" in text and "2019年1月17日前" in text
    assert "抽样种子" in text
    assert "附件：1.党组织书记“双述双评”民主测评表" in text
    table = document.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["序号", "述职对象", "职务", "优秀", "称职", "基本称职", "不称职"]
    assert len(table.rows) == 1 + campaign.reporters.count()
    body_runs = [r for p in document.paragraphs for r in p.runs if "述职范围为" in r.text]
    assert body_runs[0].font.name == "仿宋_GB2312"
    assert body_runs[0].font.size is not None and body_runs[0].font.size.pt == 16


def test_plan_document_for_seed_003_has_indicator_table(cast):
    campaign = create_campaign(
        cast.district, actor=cast.organizer, preset="003_quwei_liangji", year=2026
    )
    document = Document(io.BytesIO(plan_document(campaign, issued_on=date(2027, 1, 5))[2]))
    text = _text(document)
    assert "示范区委2026年度党建述职工作方案" in text and "京石办发〔2027〕1号" in text
    # the 文号 year is the year of issue, and the 版记 closes the document
    issued_in_december = plan_document(campaign, issued_on=date(2026, 12, 1))
    assert issued_in_december[0] == "示范区委2026年度党建述职工作方案.docx"
    december = _text(Document(io.BytesIO(issued_in_december[2])))
    assert "京石办发〔2026〕1号" in december and "〔2027〕" not in december
    assert december.rstrip().endswith("中共示范区委办公室\t2026年12月1日印发")
    assert "2027年2月20日至2027年2月24日" in text
    indicator = document.tables[-1]
    assert [c.text for c in indicator.rows[0].cells] == ["指标类别", "测评内容"]
    assert len(indicator.rows) == 6
    assert indicator.rows[1].cells[0].text == "一、落实党建统领主体责任情况"


def test_round_page_and_plan_print_the_same_doc_number(cast, client):
    campaign = create_campaign(
        cast.district, actor=cast.organizer, preset="003_quwei_liangji", year=2026
    )
    number = campaign.issued_doc_number
    document = Document(io.BytesIO(plan_document(campaign)[2]))
    assert number in _text(document)
    client.force_login(cast.organizer)
    assert number in client.get(f"/rounds/{campaign.pk}/").content.decode()
