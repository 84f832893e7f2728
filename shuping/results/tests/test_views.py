"""Pages and API as the world calls them: client with real middleware, Bearer tokens, CSRF."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from shuping.conftest import PASSWORD
from shuping.results import publication
from shuping.results.models import (
    ConsequenceTask,
    NoticeState,
    PublicNotice,
    ResultRecord,
    TaskState,
)
from shuping.results.tests.conftest import approve

pytestmark = pytest.mark.django_db
API = "/api/v1/results"


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def csrf_session(user) -> tuple[Client, dict[str, str]]:
    """A logged-in client that enforces CSRF, and the header that passes it."""
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=user.username, password=PASSWORD)
    client.get("/results/")
    return client, {"X-CSRFToken": client.cookies["csrftoken"].value}


def bearer(username: str) -> dict[str, str]:
    out = StringIO()
    call_command("create_token", username, stdout=out)
    return {"Authorization": f"Bearer {out.getvalue().strip()}"}


@pytest.fixture
def graded(cast, street_004):
    approve(
        street_004, {cast.community: "优秀", cast.branch: "基本称职"}, actor=cast.street_organizer
    )
    return street_004


def test_round_page_scoping(cast, graded, django_assert_max_num_queries):
    url = f"/results/round/{graded.pk}/"
    client = login(cast.street_organizer)
    with django_assert_max_num_queries(20):
        page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "提醒谈话" in html and "不得评为优秀" in html and "记录反馈" in html
    superior = login(cast.superior).get(url)
    assert superior.status_code == 200 and "记录反馈" not in superior.content.decode()
    for user in (cast.outsider, cast.reporter):
        assert login(user).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # login first
    assert login(cast.superior).post(url, {"way": "x"}).status_code == 404


def test_index_lists_open_tasks_with_due_dates(cast, graded, django_assert_max_num_queries):
    client = login(cast.organizer)
    with django_assert_max_num_queries(15):
        html = client.get("/results/").content.decode()
    assert "提醒谈话" in html and "甲街道第二党支部" in html and graded.title in html
    assert "提醒谈话" not in login(cast.outsider).get("/results/").content.decode()


def test_feedback_form_bad_input_stays_on_the_page(cast, graded):
    client = login(cast.street_organizer)
    url = f"/results/round/{graded.pk}/"
    reporters = [str(r.pk) for r in graded.reporters.all()]
    future = (date.today() + timedelta(days=3)).isoformat()
    page = client.post(url, {"reporters": reporters, "handed_over_on": future, "way": "集中约谈"})
    assert page.status_code == 200 and "反馈日期不能晚于今天" in page.content.decode()
    ok = client.post(
        url, {"reporters": reporters, "handed_over_on": date.today().isoformat(), "way": "集中约谈"}
    )
    assert ok.status_code == 302


def test_task_page_complete_a_talk(cast, graded):
    task = ConsequenceTask.objects.get(kind="reminder_talk")
    url = f"/results/task/{task.pk}/"
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.reporter).get(url).status_code == 200  # the secretary sees their own
    assert login(cast.reporter).post(url, {"action": "cancel", "reason": "x"}).status_code == 404
    client = login(cast.street_organizer)
    bad = client.post(
        url, {"action": "complete", "done_on": date.today().isoformat(), "gist": "谈了"}
    )
    assert bad.status_code == 200 and "请填写谈话人" in bad.content.decode()
    good = client.post(
        url,
        {
            "action": "complete",
            "done_on": date.today().isoformat(),
            "gist": "指出问题，提出整改要求",
            "talked_by": "党工委书记",
            "talked_to": "王建国",
        },
    )
    assert good.status_code == 302
    task.refresh_from_db()
    assert task.state == TaskState.DONE


def test_flags_page_action(cast):
    from shuping.results.tests.conftest import preset_round

    campaign = preset_round(cast.street, "000_shizong_jiguan", year=2016, reporters=[cast.branch])
    approve(campaign, {cast.branch: "一般"}, actor=cast.street_organizer)
    rec = ResultRecord.objects.get()
    url = f"/results/record/{rec.pk}/flags/"
    assert login(cast.superior).post(url, {"flags": ["serious"]}).status_code == 404
    assert login(cast.street_organizer).post(url, {"flags": ["serious"]}).status_code == 302
    assert ConsequenceTask.objects.filter(kind="accountability").exists()


def test_documents_download(cast, graded):
    client = login(cast.street_organizer)
    for url in (
        f"/results/round/{graded.pk}/letters.docx",
        f"/results/record/{ResultRecord.objects.earliest('id').pk}/letter.docx",
        f"/results/round/{graded.pk}/eligibility/?format=xlsx",
    ):
        resp = client.get(url)
        assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    assert login(cast.outsider).get(f"/results/round/{graded.pk}/letters.docx").status_code == 404
    page = client.get(f"/results/round/{graded.pk}/eligibility/").content.decode()
    assert "评优资格名单" in page and "取消其他评先评优资格的单位：<strong>甲街道第二党支部" in page


def test_announcement_pages(cast, graded):
    client = login(cast.street_organizer)
    url = f"/results/round/{graded.pk}/announcement/"
    assert login(cast.superior).post(url, {"action": "prepare"}).status_code == 404
    assert client.post(url, {"action": "prepare"}).status_code == 302
    bad = client.post(url, {"action": "save", "title": "", "body": "正文"})
    assert bad.status_code == 200 and "这个字段是必填项" in bad.content.decode()
    assert client.post(url, {"action": "issue"}).status_code == 302
    assert "已印发" in client.get(url).content.decode()
    assert client.get(url + "?format=docx").status_code == 200


@pytest.mark.parametrize("page", ["announcement", "notice"])
def test_publication_pages_share_access_and_download(cast, graded, page):
    url = f"/results/round/{graded.pk}/{page}/"
    assert Client().get(url).status_code == 302  # login first
    assert login(cast.outsider).get(url).status_code == 404
    assert login(cast.superior).get(url).status_code == 200
    assert login(cast.superior).post(url, {"action": "prepare"}).status_code == 404
    client = login(cast.street_organizer)
    # No draft yet: the .docx link is not offered and the page itself answers.
    assert "format=docx" not in client.get(url + "?format=docx").content.decode()
    assert client.post(url, {"action": "save", "title": "x"}).status_code == 200
    assert client.post(url, {"action": "prepare"}).status_code == 302
    docx = login(cast.superior).get(url + "?format=docx")
    assert docx.status_code == 200 and docx["Content-Disposition"].endswith(".docx")


def test_notice_pages_and_the_public_page(cast, graded):
    client = login(cast.street_organizer)
    url = f"/results/round/{graded.pk}/notice/"
    client.post(url, {"action": "prepare"})
    notice = PublicNotice.objects.get()
    public = f"/results/gongshi/{notice.public_code}/"
    assert Client().get(public).status_code == 404  # a draft is not published
    page = client.post(url, {"action": "start", "starts_on": ""})
    assert page.status_code == 200 and "这个字段是必填项" in page.content.decode()
    assert (
        client.post(url, {"action": "start", "starts_on": date.today().isoformat()}).status_code
        == 302
    )
    anonymous = Client().get(public)
    html = anonymous.content.decode()
    assert anonymous.status_code == 200 and notice.title in html and "基本称职" in html
    assert "王建国" in html and "提醒谈话" not in html and "退出" not in html
    assert Client().get("/results/gongshi/nope/").status_code == 404
    objection = client.post(
        url,
        {
            "action": "objection",
            "received_on": date.today().isoformat(),
            "received_by": "组织委员",
            "content": "等次偏低",
            "reporter": str(graded.reporters.get(organization=cast.branch).pk),
        },
    )
    assert objection.status_code == 302
    early = client.post(url, {"action": "finalize"}, follow=True)
    assert "期满后才能确定结果" in early.content.decode()
    notice.refresh_from_db()
    assert notice.state == NoticeState.OPEN


def test_calendar_page(cast):
    assert login(cast.street_organizer).get("/results/calendar/").status_code == 404
    client = login(cast.organizer)
    assert "已收录官方安排" in client.get("/results/calendar/").content.decode()
    bad = client.post("/results/calendar/", {"day": "", "is_workday": "1"})
    assert bad.status_code == 200 and "这个字段是必填项" in bad.content.decode()
    assert (
        client.post("/results/calendar/", {"day": "2031-10-08", "is_workday": "0"}).status_code
        == 302
    )


# --- API ---------------------------------------------------------------------------


def test_api_with_bearer_token_and_csrf(cast, graded):
    client = Client(enforce_csrf_checks=True)
    headers = bearer("street_organizer")
    rows = client.get(f"{API}/rounds/{graded.pk}/records", headers=headers).json()
    assert {r["grade"] for r in rows} == {"优秀", "基本称职"}
    tasks = client.get(f"{API}/tasks", headers=headers).json()
    assert {t["kind"] for t in tasks} >= {"commend", "reminder_talk"}
    talk = next(t for t in tasks if t["kind"] == "reminder_talk")
    client, headers = csrf_session(cast.street_organizer)
    bad = client.post(
        f"{API}/tasks/{talk['id']}/complete",
        {"done_on": date.today().isoformat(), "gist": "x"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 400 and bad.json()["field"] == "talked_by"
    ok = client.post(
        f"{API}/tasks/{talk['id']}/complete",
        {"done_on": date.today().isoformat(), "gist": "x", "talked_by": "a", "talked_to": "b"},
        content_type="application/json",
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["state"] == "done"
    again = client.post(
        f"{API}/tasks/{talk['id']}/complete",
        {"done_on": date.today().isoformat(), "gist": "x", "talked_by": "a", "talked_to": "b"},
        content_type="application/json",
        headers=headers,
    )
    assert again.status_code == 409
    table = client.get(f"{API}/rounds/{graded.pk}/eligibility").json()
    assert table[0][0] == "序号" and len(table) == 3


def test_api_forbidden_and_session_csrf(cast, graded):
    outsider = bearer("outsider")
    client = Client(enforce_csrf_checks=True)
    assert client.get(f"{API}/rounds/{graded.pk}/records", headers=outsider).status_code == 404
    assert client.get(f"{API}/tasks", headers=outsider).json() == []
    task = ConsequenceTask.objects.get(kind="commend")
    superior, token = csrf_session(cast.superior)
    r = superior.post(
        f"{API}/tasks/{task.pk}/cancel",
        {"reason": "x"},
        content_type="application/json",
        headers=token,
    )
    assert r.status_code == 404
    session = Client(enforce_csrf_checks=True)
    session.login(username="street_organizer", password=PASSWORD)
    r = session.post(
        f"{API}/tasks/{task.pk}/cancel", {"reason": "x"}, content_type="application/json"
    )
    assert r.status_code == 403  # a session without the CSRF token
    assert Client().get(f"{API}/tasks").status_code == 401


def test_api_notice_objection_flow(cast, graded):
    assert (
        Client()
        .get(f"{API}/rounds/{graded.pk}/notice", headers=bearer("street_organizer"))
        .status_code
        == 404
    )
    client, headers = csrf_session(cast.street_organizer)
    notice = publication.prepare_notice(graded, actor=cast.street_organizer)
    publication.start_notice(notice, actor=cast.street_organizer, starts_on=date.today())
    branch = graded.reporters.get(organization=cast.branch)
    r = client.post(
        f"{API}/rounds/{graded.pk}/notice/objections",
        {
            "received_on": date.today().isoformat(),
            "received_by": "刘敏",
            "content": "",
            "reporter_id": branch.pk,
        },
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 400 and r.json()["field"] == "content"
    r = client.post(
        f"{API}/rounds/{graded.pk}/notice/objections",
        {
            "received_on": date.today().isoformat(),
            "received_by": "刘敏",
            "content": "漏算",
            "reporter_id": branch.pk,
        },
        content_type="application/json",
        headers=headers,
    )
    objection_id = r.json()["id"]
    r = client.post(
        f"{API}/objections/{objection_id}/decide",
        {"upheld": True, "handling": "属实", "answer": "重新评定"},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 200 and r.json()["state"] == "upheld"
    assert not ResultRecord.objects.get(reporter=branch).approved
    r = client.post(f"{API}/rounds/{graded.pk}/notice/finalize", headers=headers)
    assert r.status_code == 409
