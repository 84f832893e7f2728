from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from shuping.conftest import PASSWORD, Cast
from shuping.meetings import attendance, critiques, services
from shuping.meetings.models import Attendee, Meeting, MeetingStatus
from shuping.meetings.tests.conftest import add_people
from shuping.organizations.services import create_person


def login(user: object) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return client


def pages(meeting: Meeting) -> list[str]:
    entry = meeting.agenda.first()
    assert entry is not None
    return [
        reverse("meetings:setup", args=[meeting.pk]),
        reverse("meetings:attendance", args=[meeting.pk]),
        reverse("meetings:attendance_json", args=[meeting.pk]),
        reverse("meetings:host", args=[meeting.pk]),
        reverse("meetings:state_json", args=[meeting.pk]),
        reverse("meetings:entry", args=[meeting.pk, entry.pk]),
        reverse("meetings:record", args=[meeting.pk]),
    ]


@pytest.mark.django_db
def test_pages_render_for_staff_and_404_outside(cast: Cast, meeting: Meeting) -> None:
    for user in (cast.street_organizer, cast.superior, cast.host):
        client = login(user)
        for url in pages(meeting):
            assert client.get(url).status_code == 200, url
    for user in (cast.outsider, cast.reporter):
        client = login(user)
        for url in pages(meeting):
            assert client.get(url).status_code == 404, url
    assert login(cast.outsider).get(reverse("meetings:setup", args=[999999])).status_code == 404
    anon = Client()
    assert anon.get(pages(meeting)[0]).status_code == 302  # to login


@pytest.mark.django_db
def test_round_list_and_create(cast: Cast, meeting: Meeting) -> None:
    client = login(cast.street_organizer)
    assert meeting.title in client.get(reverse("meetings:index")).content.decode()
    url = reverse("meetings:campaign", args=[meeting.campaign_id])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"kind": "committee", "title": "", "starts_at": "2026-12-21T09:00"})
    assert bad.status_code == 200 and "这个字段是必填项" in bad.content.decode()
    ok = client.post(
        url, {"kind": "committee", "title": "向党工委述职", "starts_at": "2026-12-21T09:00"}
    )
    assert ok.status_code == 302
    assert Meeting.objects.filter(kind="committee").count() == 1
    # read-only users may list but not create
    assert login(cast.superior).post(url, {"kind": "committee"}).status_code == 404
    assert login(cast.outsider).get(url).status_code == 404


@pytest.mark.django_db
def test_read_only_user_cannot_post(cast: Cast, meeting: Meeting) -> None:
    client = login(cast.superior)
    for url in pages(meeting)[:2] + pages(meeting)[3:4]:
        assert client.post(url, {"action": "open"}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


@pytest.mark.django_db
def test_staff_sign_in_twice_is_idempotent(cast: Cast, meeting: Meeting) -> None:
    row = attendance.add_attendee(meeting, actor=None, name="张三", category="member")
    client = login(cast.street_organizer)
    url = reverse("meetings:attendance", args=[meeting.pk])
    for _ in range(2):
        r = client.post(
            url, {"action": "sign_in", "attendee": row.pk}, headers={"x-requested-with": "fetch"}
        )
        assert r.status_code == 200 and r.json()["signed_in"] is True
    assert r.json()["categories"][0]["present"] == 1
    assert Attendee.objects.filter(signed_in_at__isnull=False).count() == 1
    assert client.post(url, {"action": "sign_in", "attendee": "x"}).status_code == 404
    assert client.post(url, {"action": "sign_in", "attendee": 999}).status_code == 404
    r = client.post(url, {"action": "walk_in", "name": "", "category": "mass"})
    assert r.status_code == 200 and "这个字段是必填项" in r.content.decode()
    r = client.post(url, {"action": "override", "reason": ""})
    assert r.status_code == 200
    meeting.refresh_from_db()
    assert meeting.quorum_override_reason == ""


@pytest.mark.django_db
def test_host_console_flow_and_wrong_state(cast: Cast, meeting: Meeting) -> None:
    client = login(cast.street_organizer)
    url = reverse("meetings:host", args=[meeting.pk])
    first = meeting.agenda.first()
    assert first is not None
    r = client.post(url, {"action": "start", "entry": first.pk}, follow=True)
    assert "会议尚未开始或已结束" in r.content.decode()
    client.post(url, {"action": "open"})
    client.post(url, {"action": "start", "entry": first.pk})
    first.refresh_from_db()
    assert first.started_at is not None
    assert client.get(reverse("meetings:state_json", args=[meeting.pk])).json()["current"]
    client.post(url, {"action": "next"})
    first.refresh_from_db()
    assert first.ended_at is not None
    assert client.post(url, {"action": "bogus"}).status_code == 302
    client.post(url, {"action": "close"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED


@pytest.mark.django_db
def test_questions_and_critique_pages(cast: Cast, meeting: Meeting) -> None:
    client = login(cast.street_organizer)
    entry = meeting.agenda.first()
    assert entry is not None
    url = reverse("meetings:entry", args=[meeting.pk, entry.pk])
    r = client.post(url, {"action": "question", "text": "", "promise": "补课"})
    assert r.status_code == 200 and "这个字段是必填项" in r.content.decode()
    r = client.post(url, {"action": "question", "text": "问", "promise": "补课"})
    assert "请填写承诺完成时间" in r.content.decode()
    r = client.post(
        url,
        {"action": "question", "text": "怎么整改？", "answer": "月底前", "promise": "补课",
         "promised_by": "2027-01-31", "asker_category": "member"},
    )  # fmt: skip
    assert r.status_code == 302
    assert critiques.promises_for(meeting.campaign).get().promised_by == date(2027, 1, 31)
    client.post(url, {"action": "critique", "text": "草稿"})
    r = client.post(url, {"action": "finalize", "text": "定稿"})
    assert "述职结束后才能定稿点评" in r.content.decode()
    assert login(cast.superior).post(url, {"action": "critique", "text": "x"}).status_code == 404


@pytest.mark.django_db
def test_projector_without_login_reveals_only_names(cast: Cast, meeting: Meeting) -> None:
    cast.reporter_person.phone = "13900001111"
    cast.reporter_person.id_number = "110101199001011234"
    cast.reporter_person.save()
    services.open_meeting(meeting, actor=None)
    entry = meeting.agenda.first()
    assert entry is not None
    services.start_report(entry, actor=None)
    anon = Client()
    url = reverse("meetings:projector", args=[meeting.projector_key])
    r = anon.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and "王建国" in html
    state = anon.get(reverse("meetings:projector_state", args=[meeting.projector_key])).json()
    text = html + str(state)
    for secret in (meeting.signin_key, "13900001111", "1111", "110101199001011234", "csrf"):
        assert secret not in text
    assert set(state["current"]) == {
        "name", "position", "organization", "started_at", "ended_at", "position_in_order"
    }  # fmt: skip
    assert "id" not in state and "pk" not in str(state.keys())
    assert anon.get(reverse("meetings:projector", args=["wrong-key"])).status_code == 404
    assert anon.get(reverse("meetings:projector", args=[meeting.signin_key])).status_code == 404
    assert anon.get(reverse("meetings:projector_state", args=["x" * 41])).status_code == 404


@pytest.mark.django_db
def test_self_sign_in_page(cast: Cast, meeting: Meeting) -> None:
    cache.clear()
    person = create_person(actor=None, organization=cast.branch, name="赵六", phone="13812345678")
    attendance.populate_expected(meeting, actor=None, people=[person])
    anon = Client()
    url = reverse("meetings:signin", args=[meeting.signin_key])
    page = anon.get(url).content.decode()
    assert "赵六" not in page  # the list is never shown
    r = anon.post(url, {"name": "赵六", "phone_last4": "0000"})
    assert "未能核对身份" in r.content.decode()
    r = anon.post(url, {"name": "赵六", "phone_last4": "5678"})
    assert "签到成功" in r.content.decode()
    assert meeting.attendees.get(person=person).present
    assert anon.get(reverse("meetings:signin", args=[meeting.projector_key])).status_code == 404
    # guessing one person's digits is cut off after a few failures ...
    codes = [
        anon.post(url, {"name": "赵六", "phone_last4": f"{i:04d}"}).status_code for i in range(8)
    ]
    assert codes[:4] == [200] * 4 and codes[4:] == [429] * 4  # one failure happened above
    # ... while successful sign-ins from the same address never count
    others = [
        create_person(actor=None, organization=cast.branch, name=f"同志{i}") for i in range(70)
    ]
    attendance.populate_expected(meeting, actor=None, people=others)
    for i in range(70):
        assert "签到成功" in anon.post(url, {"name": f"同志{i}"}).content.decode()


@pytest.mark.django_db
def test_signin_qr_page(cast: Cast, meeting: Meeting) -> None:
    r = login(cast.street_organizer).get(reverse("meetings:signin_qr", args=[meeting.pk]))
    assert r.status_code == 200 and "<svg" in r.content.decode()
    assert (
        login(cast.superior).get(reverse("meetings:signin_qr", args=[meeting.pk])).status_code
        == 404
    )


@pytest.mark.django_db
def test_record_export_reopened(cast: Cast, meeting: Meeting) -> None:
    add_people(cast, members=4, mass=1)
    attendance.populate_expected(meeting, actor=None)
    for row in meeting.attendees.all()[:4]:
        attendance.sign_in(row, actor=None)
    services.open_meeting(meeting, actor=None)
    entry = meeting.agenda.first()
    assert entry is not None
    services.start_report(entry, actor=None)
    services.end_report(entry, actor=None)
    critiques.add_question(
        entry, actor=None, text="发展党员为何滞后？", answer="明年补上",
        promise="发展2名党员", promised_by=date(2027, 6, 30),
    )  # fmt: skip
    critiques.finalize_critique(entry, actor=None, text="组织生活不够规范，要限期整改。")
    r = login(cast.street_organizer).get(reverse("meetings:record", args=[meeting.pk]))
    assert r.status_code == 200
    assert "attachment" in r["Content-Disposition"]
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "会 议 记 录" in text and meeting.title in text
    assert "到会党员" in text and "发展党员为何滞后？" in text
    assert "2027年06月30日前完成" in text
    assert "组织生活不够规范" in text
    assert "王建国" in cells and "党员" in cells and "合计" in cells


def _page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_room(cast: Cast, meeting: Meeting) -> None:
    """Attendance, host, set-up and record pages cost the same for 10 or 60 people
    and 1 or 6 questions: no query per row."""
    services.open_meeting(meeting, actor=None)
    entry = meeting.agenda.first()
    assert entry is not None
    client = login(cast.street_organizer)
    names = ("attendance", "host", "setup", "record", "attendance_json", "state_json")
    urls = [reverse(f"meetings:{name}", args=[meeting.pk]) for name in names]
    urls.append(reverse("meetings:entry", args=[meeting.pk, entry.pk]))
    counts = []
    for members, questions in ((8, 1), (50, 5)):
        add_people(cast, members=members, mass=2)
        attendance.populate_expected(meeting, actor=None)
        for row in meeting.attendees.filter(signed_in_at__isnull=True)[: members // 2]:
            attendance.sign_in(row, actor=None)
        for i in range(questions):
            critiques.add_question(entry, actor=None, text=f"问题{i}")
        counts.append([_page_queries(client, url) for url in urls])
    assert counts[0] == counts[1], dict(zip(urls, zip(*counts, strict=True), strict=True))
    print("queries per page:", dict(zip((*names, "entry"), counts[1], strict=True)))
    # the host page carries the projector console, the ballot card and the critique
    # material of every registered provider (reports, inspections, rectification)
    assert max(counts[1]) <= 16, counts[1]
    projector = reverse("meetings:projector", args=[meeting.projector_key])
    assert _page_queries(Client(), projector) <= 3


@pytest.mark.django_db
def test_answer_added_later(cast: Cast, meeting: Meeting) -> None:
    entry = meeting.agenda.first()
    assert entry is not None
    q = critiques.add_question(entry, actor=None, text="何时整改？")
    client = login(cast.street_organizer)
    url = reverse("meetings:entry", args=[meeting.pk, entry.pk])
    r = client.post(
        url, {"action": "answer", "question": q.pk, "answer": "三月底", "promise": "整改"}
    )
    assert r.status_code == 200 and "请填写承诺完成时间" in r.content.decode()
    client.post(
        url,
        {"action": "answer", "question": q.pk, "answer": "三月底", "promise": "整改",
         "promised_by": "2027-03-31"},
    )  # fmt: skip
    q.refresh_from_db()
    assert (q.answer, q.promised_by) == ("三月底", date(2027, 3, 31))
    assert client.post(url, {"action": "answer", "question": 9999}).status_code == 404
    r = client.put(
        f"/api/v1/meetings/{meeting.pk}/entries/{entry.pk}/questions/{q.pk}",
        {"answer": "改", "promise": "", "promised_by": None},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["promised_by"] is None


@pytest.mark.django_db
def test_entry_page_ids_are_unique(cast: Cast, meeting: Meeting) -> None:
    """Question and critique forms share a page; duplicate ids break their labels."""
    import re

    entry = meeting.agenda.first()
    assert entry is not None
    html = (
        login(cast.street_organizer)
        .get(reverse("meetings:entry", args=[meeting.pk, entry.pk]))
        .content.decode()
    )
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'for="critique_text"' in html
