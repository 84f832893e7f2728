"""Irreversible report actions ask first and say what happens; failing checks are
shown to the reporter before submitting and to the reviewer next to approve
(issue 13, point 3)."""

from __future__ import annotations

import html

from django.urls import reverse

from shuping.conftest import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_reporter_is_told_what_fails_before_submitting(client, cast, report):
    login(client, cast.reporter)
    page = html.unescape(client.get(reverse("reports:write", args=[report.pk])).content.decode())
    assert 'data-confirm="提交后报告交组织单位审核，审核期间不能修改。以下检查仍未通过：' in page
    assert "提交前请注意，以下检查仍未通过" in page


def test_reviewer_sees_failed_checks_next_to_approve_and_confirms(client, cast, report):
    report.sections = {key: "我们开展了工作。" * 3 for key in report.sections or {"a": ""}}
    report.save(update_fields=["sections"])
    report.state = "submitted"
    report.save(update_fields=["state"])
    login(client, cast.organizer)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    approve_at = page.index(reverse("reports:review", args=[report.pk, "approve"]))
    failing_at = page.index("项检查未通过")
    assert failing_at < approve_at  # the failures come right before the button
    assert 'data-confirm="审核通过后报告定稿，述职人不能再修改。仍有' in page
    assert 'data-confirm="退回后报告回到述职人手中修改' in page


def test_confirmations_do_not_replace_the_server_checks(client, cast, report):
    login(client, cast.reporter)
    # a blocked report is refused by the service whatever the page did
    response = client.post(reverse("reports:submit", args=[report.pk]), follow=True)
    assert "不能提交" in response.content.decode()
    report.refresh_from_db()
    assert report.state == "draft"


def test_returned_report_opens_with_a_banner_quoting_the_reviewer(client, cast, report):
    from shuping.reports import services
    from shuping.reports.models import DutyReport

    DutyReport.objects.filter(pk=report.pk).update(state="submitted")
    report.refresh_from_db()
    key = next(iter(services.rules_for(report).sections)).key
    services.return_report(
        report, actor=cast.organizer, comments={key: "请补充具体数据", "": "问题查摆不深"}
    )
    login(client, cast.reporter)
    page = client.get(reverse("reports:write", args=[report.pk])).content.decode()
    banner = page.split('class="card returned-banner"', 1)[1].split("</div>", 1)[0]
    assert "请补充具体数据" in banner and "问题查摆不深" in banner
    assert f'href="#sec-{key}"' in banner and 'href="#comments-general"' in banner
    assert 'id="comments-general"' in page and f'id="sec-{key}"' in page


def test_reviewer_reaches_cases_and_slides_from_the_report(client, cast, report):
    login(client, cast.organizer)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert reverse("reports:materials", args=[report.reporter_id]) in page
