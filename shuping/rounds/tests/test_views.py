from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document

from shuping.conftest import PASSWORD
from shuping.rounds.models import Campaign, CampaignStatus, Preset, ReportMode
from shuping.rounds.services import create_campaign


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def street_round(cast):
    return create_campaign(
        cast.street, actor=cast.street_organizer, preset="004_jiedao_shuangshu", year=2026
    )


def test_index_lists_rounds_in_reach(client, cast, street_round, django_assert_max_num_queries):
    login(client, cast.organizer)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("rounds:index"))
    assert street_round.title in page.content.decode()
    login(client, cast.outsider)
    assert street_round.title not in client.get(reverse("rounds:index")).content.decode()


def test_detail_and_plan_download(client, cast, street_round, django_assert_max_num_queries):
    login(client, cast.street_organizer)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("rounds:detail", args=[street_round.pk]))
    html = page.content.decode()
    assert "甲街道第二党支部" in html and "时间节点" in html and "2027-01-10" in html
    response = client.get(reverse("rounds:plan", args=[street_round.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    Document(io.BytesIO(response.content))
    login(client, cast.outsider)
    assert client.get(reverse("rounds:detail", args=[street_round.pk])).status_code == 404
    assert client.get(reverse("rounds:plan", args=[street_round.pk])).status_code == 404


def test_reporter_sees_but_cannot_change(client, cast, street_round):
    login(client, cast.reporter)
    assert client.get(reverse("rounds:detail", args=[street_round.pk])).status_code == 200
    entry = street_round.reporters.get(organization=cast.branch)
    assert client.get(reverse("rounds:reporter", args=[entry.pk])).status_code == 404
    response = client.post(reverse("rounds:status", args=[street_round.pk]), {"to": "active"})
    assert response.status_code == 404


def test_create_page(client, cast):
    login(client, cast.street_organizer)
    url = reverse("rounds:create")
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"committee": cast.street.pk, "preset": "004_jiedao_shuangshu", "year": 1800}
    )
    assert bad.status_code == 200 and "2000" in bad.content.decode()
    ok = client.post(
        url, {"committee": cast.street.pk, "preset": "004_jiedao_shuangshu", "year": 2026}
    )
    campaign = Campaign.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("rounds:detail", args=[campaign.pk])
    dup = client.post(
        url, {"committee": cast.street.pk, "preset": "004_jiedao_shuangshu", "year": 2026}
    )
    assert "已存在" in dup.content.decode()
    # outside one's reach: the committee is not even a choice
    other = client.post(
        url, {"committee": cast.organ.pk, "preset": "004_jiedao_shuangshu", "year": 2026}
    )
    assert other.status_code == 200 and Campaign.objects.count() == 1
    login(client, cast.reporter)
    assert client.get(url).status_code == 404


def test_reporter_adjust_page(client, cast, street_round):
    login(client, cast.street_organizer)
    entry = street_round.reporters.get(organization=cast.branch)
    url = reverse("rounds:reporter", args=[entry.pk])
    missing = client.post(url, {"action": "mode", "mode": "written", "reason": ""})
    assert "请填写调整理由" in missing.content.decode()
    done = client.post(url, {"action": "mode", "mode": "written", "reason": "外出学习"})
    assert done.status_code == 302
    entry.refresh_from_db()
    assert entry.mode == ReportMode.WRITTEN
    street_round.status = CampaignStatus.CLOSED
    street_round.save()
    closed = client.post(url, {"action": "remove", "reason": "x"})
    assert "已结束" in closed.content.decode()


def test_status_wrong_state_shows_message(client, cast, street_round):
    login(client, cast.street_organizer)
    url = reverse("rounds:status", args=[street_round.pk])
    response = client.post(url, {"to": "closed"}, follow=True)
    assert "不能改为" in response.content.decode()
    street_round.refresh_from_db()
    assert street_round.status == CampaignStatus.DRAFT


def test_deadline_edit(client, cast, street_round):
    login(client, cast.street_organizer)
    item = street_round.deadlines.get(key="done")
    url = reverse("rounds:deadline", args=[street_round.pk, item.pk])
    bad = client.post(url, {"title": "结束", "starts_on": "2027-02-01", "due_on": "2027-01-01"})
    assert "开始日期不能晚于截止日期" in bad.content.decode()
    ok = client.post(url, {"title": "结束", "starts_on": "", "due_on": "2027-01-12"})
    assert ok.status_code == 302
    item.refresh_from_db()
    assert str(item.due_on) == "2027-01-12"
    login(client, cast.outsider)
    assert client.get(url).status_code == 404


def test_preset_pages(client, cast):
    login(client, cast.street_organizer)
    listing = client.get(reverse("rounds:presets")).content.decode()
    # no seed file names, hashes or preset codes on the page (issue 13, point 4)
    assert "002_b1addb69841a860d" not in listing and "202_" not in listing
    assert "002_shichang_jianguan<" not in listing and "市场监管局党总支" in listing
    detail = client.get(reverse("rounds:preset_detail", args=["003_quwei_liangji"]))
    assert "健全和完善党建工作制度体系情况" in detail.content.decode()
    copy = client.post(
        reverse("rounds:preset_copy", args=["004_jiedao_shuangshu"]),
        {"committee": cast.street.pk, "title": "甲街道双述双评"},
    )
    assert copy.status_code == 302
    preset = Preset.objects.get(title="甲街道双述双评")
    assert copy["Location"] == reverse("rounds:preset_edit", args=[preset.key])
    # the text editor stays, as 高级：导入/导出
    edit_url = reverse("rounds:preset_advanced", args=[preset.key])
    text = preset.latest().text
    form = {"title": "甲街道双述双评", "report_max_chars": 1500, "text": text, "note": ""}
    bad = client.post(edit_url, {**form, "text": text.replace("count = 4", 'count = "四"')})
    html = bad.content.decode()
    assert "grading[0].count" in html and "错误位置" in html and "<script>" not in html
    ok = client.post(
        edit_url,
        {
            **form,
            "text": text.replace("count = 4", "count = 3"),
            "report_max_chars": 1200,
            "minutes_per_report": 10,
            "note": "改",
        },
    )
    assert ok.status_code == 302
    latest = preset.latest()
    assert latest.number == 2 and latest.note == "改"
    assert latest.rules["report"]["max_chars"] == 1200
    assert latest.rules["meetings"][0]["minutes_per_report"] == 10
    assert latest.rules["grading"][0]["count"] == 3
    assert "minutes_per_report = 10" in latest.text and "# 关于认真做好" in latest.text
    upload = io.BytesIO(text.replace("count = 4", "count = 2").encode())
    upload.name = "模板.toml"
    imported = client.post(edit_url, {**form, "upload": upload})
    assert imported.status_code == 302 and preset.latest().rules["grading"][0]["count"] == 2
    login(client, cast.outsider)
    assert client.get(edit_url).status_code == 404
    assert client.get(reverse("rounds:preset_detail", args=[preset.key])).status_code == 404


def test_reassign_modes_page(client, cast, street_round):
    login(client, cast.street_organizer)
    url = reverse("rounds:reassign", args=[street_round.pk])
    bad = client.post(url, {"places": "-1", "reason": "x"}, follow=True)
    assert "不小于0" in bad.content.decode()
    no_reason = client.post(url, {"places": "0", "reason": ""}, follow=True)
    assert "请填写调整理由" in no_reason.content.decode()
    ok = client.post(url, {"places": "0", "reason": "全部书面"})
    assert ok.status_code == 302
    assert not street_round.reporters.filter(mode=ReportMode.ONSITE).exists()
    login(client, cast.outsider)
    assert client.post(url, {"places": "1", "reason": "x"}).status_code == 404
