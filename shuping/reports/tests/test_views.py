"""Pages and API: 404 outside the reach, wrong state, bad input, query counts."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from docx import Document

from shuping.conftest import PASSWORD, Cast
from shuping.organizations.services import create_organization
from shuping.reports import services
from shuping.reports.models import DutyReport, ReportState
from shuping.reports.samples import load_sample
from shuping.rounds.models import Campaign, Reporter


def client(user: Any) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def _submitted(report: DutyReport, cast: Cast) -> DutyReport:
    services.save_sections(report, actor=cast.reporter, sections=load_sample("003_good"))
    return services.submit_report(DutyReport.objects.get(pk=report.pk), actor=cast.reporter)


def test_write_page_and_autosave(report: DutyReport, cast: Cast) -> None:
    c = client(cast.reporter)
    resp = c.get(f"/reports/{report.pk}/write/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "履职主要情况和特点" in html and "write.js" in html and "质量检查" in html
    body = {"sections": load_sample("003_good"), "revision": report.revision}
    resp = c.post(
        f"/reports/{report.pk}/autosave/", json.dumps(body), content_type="application/json"
    )
    assert resp.status_code == 200
    data = resp.json()
    assert data["revision"] == 1 and data["counts"]["problems"] == 931
    assert {c["key"] for c in data["checks"]} >= {"length", "sections", "figures"}
    # a stale revision (another window) is refused with 409
    resp = c.post(
        f"/reports/{report.pk}/autosave/", json.dumps(body), content_type="application/json"
    )
    assert resp.status_code == 409
    resp = c.post(f"/reports/{report.pk}/autosave/", "not json", content_type="application/json")
    assert resp.status_code == 400
    resp = c.post(
        f"/reports/{report.pk}/autosave/",
        json.dumps({"sections": {"nope": "x"}}),
        content_type="application/json",
    )
    assert resp.status_code == 400 and resp.json()["field"] == "nope"


def test_live_checks_do_not_save(report: DutyReport, cast: Cast) -> None:
    c = client(cast.reporter)
    resp = c.post(
        f"/reports/{report.pk}/checks/",
        json.dumps({"sections": {"problems": "问题。"}}),
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["counts"]["problems"] == 3
    report.refresh_from_db()
    assert report.revision == 0


@pytest.mark.parametrize("who", ["outsider", "superior"])
def test_draft_pages_404_for_others(report: DutyReport, cast: Cast, who: str) -> None:
    c = client(getattr(cast, who))
    for url in (
        f"/reports/{report.pk}/",
        f"/reports/{report.pk}/write/",
        f"/reports/{report.pk}/export.docx",
    ):
        assert c.get(url).status_code == 404
    resp = c.post(
        f"/reports/{report.pk}/autosave/",
        json.dumps({"sections": {}}),
        content_type="application/json",
    )
    assert resp.status_code == 404


def test_other_reporter_cannot_see_draft(
    report: DutyReport, other_reporter: Reporter, cast: Cast
) -> None:
    from shuping.accounts.models import Role, RoleGrant
    from shuping.conftest import make_user

    neighbour = make_user("neighbour")
    RoleGrant.objects.create(
        user=neighbour, role=Role.REPORTER, organization=other_reporter.organization
    )
    c = client(neighbour)
    assert c.get(f"/reports/{report.pk}/").status_code == 404
    assert c.get("/api/v1/reports/").json() == []
    assert c.get(f"/api/v1/reports/{report.pk}").status_code == 404


def test_submit_from_page(report: DutyReport, cast: Cast) -> None:
    c = client(cast.reporter)
    resp = c.post(f"/reports/{report.pk}/submit/")  # empty report: blocked by the checks
    assert resp.status_code == 302 and resp["Location"].endswith("/write/")
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    services.save_sections(report, actor=cast.reporter, sections=load_sample("003_good"))
    resp = c.post(f"/reports/{report.pk}/submit/")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    # submitted: the write page sends the reporter to the read-only page
    assert c.get(f"/reports/{report.pk}/write/")["Location"].endswith(f"/reports/{report.pk}/")


def test_review_from_page(report: DutyReport, cast: Cast) -> None:
    report = _submitted(report, cast)
    reporter_client = client(cast.reporter)
    resp = reporter_client.post(f"/reports/{report.pk}/review/approve/")
    assert resp.status_code == 403  # the reporter cannot approve
    c = client(cast.organizer)
    page = c.get(f"/reports/{report.pk}/").content.decode()
    assert "退回修改" in page and "审核通过" in page
    resp = c.post(f"/reports/{report.pk}/review/return/", {"comment_problems": ""})
    assert resp.status_code == 400  # no comment
    resp = c.post(f"/reports/{report.pk}/review/return/", {"comment_problems": "问题要具体。"})
    assert resp.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    resp = c.post(f"/reports/{report.pk}/review/approve/")
    assert resp.status_code == 409  # wrong state
    write = reporter_client.get(f"/reports/{report.pk}/write/").content.decode()
    assert "问题要具体。" in write and "与上次提交相比的修改" in write
    assert client(cast.outsider).post(f"/reports/{report.pk}/review/approve/").status_code == 404
    assert c.post(f"/reports/{report.pk}/review/bogus/").status_code == 404


def test_overview_with_late_flag_and_filters(
    report: DutyReport, campaign: Campaign, cast: Cast, django_assert_max_num_queries: Any
) -> None:
    from datetime import date

    campaign.deadlines.filter(key="report_due").update(due_on=date(2020, 1, 20))
    for i in range(6):
        org = create_organization(
            actor=None,
            parent=cast.street,
            code=f"Y{i}",
            name=f"测试第{i}支部",
            kind="branch",
            sector="street",
        )
        rep = Reporter.objects.create(campaign=campaign, organization=org, order=10 + i)
        if i % 2:
            services.open_report(rep, actor=cast.organizer)
    c = client(cast.organizer)
    c.get(f"/reports/round/{campaign.pk}/")  # warm the session
    with django_assert_max_num_queries(12):
        resp = c.get(f"/reports/round/{campaign.pk}/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert html.count("逾期</span>") == 8  # every reporter is past the 2020 deadline
    resp = c.get(f"/reports/round/{campaign.pk}/?state=none")
    assert resp.content.decode().count("未开始") >= 4
    assert client(cast.outsider).get(f"/reports/round/{campaign.pk}/").status_code == 404
    assert client(cast.reporter).get(f"/reports/round/{campaign.pk}/").status_code == 404
    # the superior sees the overview but no draft content
    sup = client(cast.superior).get(f"/reports/round/{campaign.pk}/").content.decode()
    assert f"/reports/{report.pk}/" not in sup


def test_export_download(report: DutyReport, cast: Cast) -> None:
    report = _submitted(report, cast)
    resp = client(cast.organizer).get(f"/reports/{report.pk}/export.docx")
    assert resp.status_code == 200
    assert "attachment;" in resp["Content-Disposition"]
    Document(io.BytesIO(resp.content))


def test_import_page_lists_unplaced(report: DutyReport, cast: Cast) -> None:
    doc = Document()
    doc.add_paragraph("一、履职主要情况和特点")
    doc.add_paragraph("全年召开会议18次。")
    doc.add_paragraph("五、附件说明")
    doc.add_paragraph("无法归类的一段。")
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    buf.name = "report.docx"
    resp = client(cast.reporter).post(f"/reports/{report.pk}/import/", {"file": buf})
    html = resp.content.decode()
    assert resp.status_code == 200 and "无法归入" in html and "无法归类的一段。" in html
    bad = io.BytesIO(b"plain text")
    bad.name = "x.docx"
    resp = client(cast.reporter).post(f"/reports/{report.pk}/import/", {"file": bad}, follow=True)
    assert "只能导入 .docx" in resp.content.decode()


def test_materials_and_case_pages(reporter: Reporter, cast: Cast) -> None:
    c = client(cast.reporter)
    assert c.get(f"/reports/reporter/{reporter.pk}/materials/").status_code == 200
    resp = c.post(f"/reports/reporter/{reporter.pk}/materials/", {"title": "红色物业"})
    assert resp.status_code == 302
    case_url = resp["Location"]
    assert c.get(case_url).status_code == 200
    assert client(cast.outsider).get(case_url).status_code == 404
    assert (
        client(cast.outsider).get(f"/reports/reporter/{reporter.pk}/materials/").status_code == 404
    )


def test_index_lists_own_reports(report: DutyReport, cast: Cast) -> None:
    html = client(cast.reporter).get("/reports/").content.decode()
    assert report.title in html and "各轮述职报告汇总" not in html
    assert "各轮述职报告汇总" in client(cast.organizer).get("/reports/").content.decode()


# --- API --------------------------------------------------------------------------------


def test_api_cycle(report: DutyReport, cast: Cast) -> None:
    rc, oc = client(cast.reporter), client(cast.organizer)
    url = f"/api/v1/reports/{report.pk}"
    resp = rc.put(
        f"{url}/sections",
        json.dumps({"sections": load_sample("003_good")}),
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["total_chars"] == 2816
    assert oc.post(f"{url}/approve", "{}", content_type="application/json").status_code == 409
    assert rc.post(f"{url}/submit").status_code == 200
    assert rc.post(f"{url}/approve", "{}", content_type="application/json").status_code == 403
    resp = oc.post(f"{url}/return", json.dumps({"comments": {}}), content_type="application/json")
    assert resp.status_code == 400
    resp = oc.post(
        f"{url}/return",
        json.dumps({"comments": {"plans": "措施要具体"}}),
        content_type="application/json",
    )
    assert resp.json()["state"] == "returned"
    assert resp.json()["comments"][0]["text"] == "措施要具体"
    assert rc.post(f"{url}/submit").json()["state"] == "resubmitted"
    assert (
        oc.post(f"{url}/approve", "{}", content_type="application/json").json()["state"]
        == "approved"
    )
    assert client(cast.superior).post(f"{url}/read").status_code == 200
    assert (
        oc.post(
            f"{url}/summary", json.dumps({"summary": "摘要"}), content_type="application/json"
        ).status_code
        == 200
    )
    assert oc.post(f"{url}/publish").json()["state"] == "published"
    assert oc.get(f"{url}/export").status_code == 200
    assert client(cast.outsider).get(url).status_code == 404
    assert [r["id"] for r in oc.get("/api/v1/reports/").json()] == [report.pk]


def test_api_list_query_count(
    campaign: Campaign, cast: Cast, django_assert_max_num_queries: Any
) -> None:
    for rep in Reporter.objects.filter(campaign=campaign):
        services.open_report(rep, actor=cast.organizer)
    c = client(cast.organizer)
    c.get("/api/v1/reports/")
    with django_assert_max_num_queries(6):
        assert len(c.get("/api/v1/reports/").json()) == 2


def test_published_summaries_page(report: DutyReport, other_reporter: Reporter, cast: Cast) -> None:
    report = _submitted(report, cast)
    services.approve_report(report, actor=cast.organizer)
    services.write_summary(report, actor=cast.organizer, summary="抓党建成效明显，问题查找深入。")
    campaign_pk = report.reporter.campaign_id
    url = f"/reports/round/{campaign_pk}/summaries/"
    assert "抓党建成效明显" not in client(cast.organizer).get(url).content.decode()  # not yet
    services.publish_summary(DutyReport.objects.get(pk=report.pk), actor=cast.organizer)
    for who in ("organizer", "superior", "reporter"):
        assert "抓党建成效明显" in client(getattr(cast, who)).get(url).content.decode()
    assert client(cast.outsider).get(url).status_code == 404


def test_api_booklet(campaign: Campaign, cast: Cast) -> None:
    from shuping.meetings.models import Meeting

    m = Meeting.objects.create(campaign=campaign, title="评议会")
    resp = client(cast.organizer).get(f"/api/v1/reports/meetings/{m.pk}/booklet")
    assert resp.status_code == 200 and resp["Content-Type"].endswith("document")
    resp = client(cast.organizer).get(f"/api/v1/reports/meetings/{m.pk}/booklet?format=zip")
    assert resp["Content-Type"] == "application/zip"
    assert client(cast.outsider).get(f"/api/v1/reports/meetings/{m.pk}/booklet").status_code == 404
    assert client(cast.reporter).get(f"/api/v1/reports/meetings/{m.pk}/booklet").status_code == 404
