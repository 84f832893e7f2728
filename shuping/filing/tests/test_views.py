"""Filing pages through the client with the real middleware: the bundle list, uploads,
the confirmation page, the superior's answer, 404 outside the subtree, 403 wrong role."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shuping.conftest import PASSWORD
from shuping.filing import services
from shuping.filing.models import FilingState
from shuping.filing.tests.conftest import tiny_docx
from shuping.filing.tests.test_services import FILING_002
from shuping.rounds.testing import make_campaign, sample_rules


@pytest.fixture
def campaign(cast):
    return make_campaign(cast.district, rules=sample_rules(**FILING_002), reporters=[cast.street])


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_bundle_page_lists_the_checklist(client, cast, campaign, django_assert_max_num_queries):
    login(client, cast.organizer)
    services.ensure_filing(campaign)
    with django_assert_max_num_queries(25):
        page = client.get(f"/filing/{campaign.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    for words in (
        "述职评议考核工作方案",
        "主持点评讲话",
        "述职评议表",
        "市委直属机关工委",
        "2026年2月9日前",
    ):
        assert words in text
    assert "上传或说明缺项" in text and "报送市委直属机关工委" in text


def test_outsider_gets_404_and_reporter_cannot_see(client, cast, campaign):
    login(client, cast.outsider)
    assert client.get(f"/filing/{campaign.pk}/").status_code == 404
    assert client.get("/filing/999999/").status_code == 404


def test_superior_reads_but_cannot_edit(client, cast, campaign):
    filing = services.ensure_filing(campaign)
    entry = filing.entries.get(title="主持点评讲话")
    login(client, cast.superior)
    assert client.get(f"/filing/{campaign.pk}/").status_code == 200
    page = client.post(
        f"/filing/{campaign.pk}/entries/{entry.pk}/", {"action": "excuse", "reason": "x"}
    )
    assert page.status_code == 403 and "组织部门" in page.content.decode()
    assert client.post(f"/filing/{campaign.pk}/submit/").status_code == 403


def test_upload_excuse_submit_acknowledge(client, cast, campaign):
    filing = services.ensure_filing(campaign)
    speech = filing.entries.get(title="主持点评讲话")
    form = filing.entries.get(title="述职评议表")
    login(client, cast.organizer)
    url = f"/filing/{campaign.pk}/entries/{speech.pk}/"
    bad = client.post(url, {"action": "upload", "file": SimpleUploadedFile("a.docx", b"nope")})
    assert bad.status_code == 200 and "只能上传" in bad.content.decode()
    empty = client.post(url, {"action": "upload"})
    assert "请选择要上传的文件" in empty.content.decode()
    good = client.post(
        url, {"action": "upload", "file": SimpleUploadedFile("讲话.docx", tiny_docx())}
    )
    assert good.status_code == 302
    download = client.get(f"/filing/{campaign.pk}/entries/{speech.pk}/file")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    confirm = client.get(f"/filing/{campaign.pk}/submit/")
    assert "不能报送" in confirm.content.decode() and "述职评议表" in confirm.content.decode()
    refused = client.post(f"/filing/{campaign.pk}/submit/", follow=True)
    assert "尚缺" in refused.content.decode()
    long = client.post(
        f"/filing/{campaign.pk}/entries/{form.pk}/", {"action": "excuse", "reason": "长" * 501}
    )
    assert "不能超过 500 字" in long.content.decode()
    client.post(
        f"/filing/{campaign.pk}/entries/{form.pk}/", {"action": "excuse", "reason": "未用纸质表"}
    )
    confirm = client.get(f"/filing/{campaign.pk}/submit/")
    assert "确认报送" in confirm.content.decode() and "未用纸质表" in confirm.content.decode()
    done = client.post(f"/filing/{campaign.pk}/submit/", follow=True)
    assert "已报送" in done.content.decode()
    filing.refresh_from_db()
    package = filing.packages.get()
    zipped = client.get(f"/filing/{campaign.pk}/packages/{package.pk}.zip")
    assert zipped.status_code == 200 and "attachment" in zipped["Content-Disposition"]
    # the office may not acknowledge its own filing
    assert client.post(f"/filing/{campaign.pk}/acknowledge/").status_code == 403
    client.logout()
    login(client, cast.superior)
    assert "待我确认的备案" in client.get("/filing/").content.decode()
    assert "确认备案并归档" in client.get(f"/filing/{campaign.pk}/acknowledge/").content.decode()
    no_reason = client.post(f"/filing/{campaign.pk}/return/", {"reason": ""})
    assert "请填写理由" in no_reason.content.decode()
    client.post(f"/filing/{campaign.pk}/acknowledge/")
    filing.refresh_from_db()
    assert filing.state == FilingState.ACKNOWLEDGED
    assert "本轮数据只读" in client.get(f"/filing/{campaign.pk}/").content.decode()
    assert client.get(f"/filing/{campaign.pk}/elsewhere/").status_code == 404


def test_index_query_count(client, cast, django_assert_max_num_queries):
    for year in range(2020, 2026):
        services.ensure_filing(make_campaign(cast.district, year=year, reporters=[cast.street]))
    login(client, cast.organizer)
    with django_assert_max_num_queries(12):
        page = client.get("/filing/")
    assert page.status_code == 200 and page.content.decode().count("整理中") == 6
