"""Feedback letters, 通报, 公示 with objections and working days; documents read back."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from shuping.assessment.models import Assessment, AssessmentBoard, BoardState
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.lib.models import CalendarCorrection
from shuping.reports.models import DutyReport, ReportState
from shuping.results import exports, publication, services
from shuping.results.models import (
    ConsequenceTask,
    NoticeState,
    ObjectionState,
    PublicationState,
    ResultRecord,
    TaskState,
)
from shuping.results.tests.conftest import approve, preset_round

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


# --- working days ---------------------------------------------------------------------


def test_notice_end_counts_working_days_over_a_weekend():
    friday = date(2024, 11, 15)
    assert publication.notice_end(friday, days=5, workdays_only=True) == date(2024, 11, 21)
    assert publication.notice_end(friday, days=5, workdays_only=False) == date(2024, 11, 19)
    saturday = date(2024, 11, 16)  # a notice posted on a weekend starts counting on Monday
    assert publication.notice_end(saturday, days=1, workdays_only=True) == date(2024, 11, 18)


def test_notice_end_over_the_national_day_holiday_and_its_makeup_workday():
    # 2024: 10月1日–7日 off, 10月12日 (Saturday) a working day (调休)
    assert publication.notice_end(date(2024, 9, 30), days=5, workdays_only=True) == date(
        2024, 10, 11
    )
    assert publication.notice_end(date(2024, 10, 11), days=2, workdays_only=True) == date(
        2024, 10, 12
    )


def test_office_corrects_a_day_the_calendar_does_not_know(cast):
    monday = date(2024, 11, 18)
    with pytest.raises(PermissionDenied):
        publication.set_calendar_day(monday, actor=cast.street_organizer, is_workday=False)
    publication.set_calendar_day(monday, actor=cast.organizer, is_workday=False, note="地方放假")
    assert publication.notice_end(date(2024, 11, 15), days=2, workdays_only=True) == date(
        2024, 11, 19
    )
    publication.set_calendar_day(monday, actor=cast.organizer, is_workday=None)
    assert not CalendarCorrection.objects.exists()
    with pytest.raises(DomainError) as err:
        publication.set_calendar_day(None, actor=cast.organizer, is_workday=True)
    assert err.value.field == "day"


# --- feedback letters, eligibility ---------------------------------------------------------


def test_feedback_letters_read_back(cast, street_004):
    approve(
        street_004, {cast.community: "优秀", cast.branch: "基本称职"}, actor=cast.street_organizer
    )
    records = list(publication.approved_records(street_004))
    name, ctype, data = exports.feedback_letters(street_004, records, issued_on=date(2019, 1, 12))
    assert name.endswith(".docx") and "wordprocessingml" in ctype
    text = text_of(data)
    assert text.count("综合评价意见的反馈") == 2
    assert "王建国同志：" in text and "李红梅同志：" in text
    assert "综合评价等次为“基本称职”" in text
    assert "甲街道第二党支部抓党建工作扎实" in text  # 成绩
    assert "党员教育管理不够严格" in text  # 问题
    assert "总体较好" in text and "加强“三会一课”" in text  # 总体评价, 整改要求
    rectify = ConsequenceTask.objects.get(reporter__organization=cast.branch, kind="rectify")
    due = rectify.due_on
    assert due is not None and f"{due.year}年{due.month}月{due.day}日前" in text
    assert "提醒谈话" in text and "优秀个人" in text
    assert "中共甲街道党工委" in text and "2019年1月12日" in text
    single = exports.feedback_letters(street_004, records[1:])
    assert text_of(single[2]).count("综合评价意见的反馈") == 1


def test_eligibility_list_xlsx(cast, street_004, django_assert_max_num_queries):
    approve(
        street_004, {cast.community: "优秀", cast.branch: "基本称职"}, actor=cast.street_organizer
    )
    with django_assert_max_num_queries(4):
        _name, _, data = exports.eligibility_xlsx(street_004)
    ws: Any = load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=4)]
    assert rows[0][1:5] == ["甲社区党委", "李红梅", "优秀", "可以"]
    assert rows[1][1:7] == [
        "甲街道第二党支部",
        "王建国",
        "基本称职",
        "不得评为优秀",
        rows[1][5],
        "取消",
    ]
    assert "优秀个人" in rows[1][5]


# --- 通报 ------------------------------------------------------------------------------------


def test_announcement_draft_edit_issue(cast, street_004):
    with pytest.raises(StateError):
        publication.prepare_announcement(street_004, actor=cast.street_organizer)
    approve(street_004, {cast.community: "优秀", cast.branch: "称职"}, actor=cast.street_organizer)
    with pytest.raises(PermissionDenied):
        publication.prepare_announcement(street_004, actor=cast.outsider)
    ann = publication.prepare_announcement(street_004, actor=cast.street_organizer)
    assert "“优秀”等次1名" in ann.body
    assert publication.prepare_announcement(street_004, actor=cast.street_organizer).pk == ann.pk
    with pytest.raises(DomainError) as err:
        publication.edit_announcement(ann, actor=cast.street_organizer, title="", body="x")
    assert err.value.field == "title"
    ann = publication.edit_announcement(
        ann,
        actor=cast.street_organizer,
        title="关于2018年度“双述双评”结果的通报",
        body="第一段。\n第二段：希望各党组织书记再接再厉。",
        doc_number="甲街党工〔2019〕3号",
        recipients="各社区党委、各党（总）支部",
        range_text="街道和下属单位党务公开栏",
    )
    ann = publication.issue_announcement(
        ann, actor=cast.street_organizer, issued_on=date(2019, 1, 15)
    )
    assert ann.state == PublicationState.ISSUED
    assert AssessmentBoard.objects.get(campaign=street_004).published  # each sees their own
    with pytest.raises(StateError):
        publication.edit_announcement(ann, actor=cast.street_organizer, title="x", body="y")
    _name, _, data = exports.announcement_document(ann)
    text = text_of(data)
    assert "关于2018年度“双述双评”结果的通报" in text and "甲街党工〔2019〕3号" in text
    assert "希望各党组织书记再接再厉" in text and "2019年1月15日" in text
    assert "甲社区党委 | 李红梅 | 优秀" in text.replace("1 | ", "", 1)
    assert "（此件在街道和下属单位党务公开栏通报）" in text


def test_announcement_off_where_the_preset_has_none(cast):
    campaign = preset_round(cast.street, "000_shizong_jiguan", year=2016, reporters=[cast.branch])
    approve(campaign, {cast.branch: "好"}, actor=cast.street_organizer)
    with pytest.raises(StateError):
        publication.prepare_announcement(campaign, actor=cast.street_organizer)
    with pytest.raises(StateError):
        publication.prepare_notice(campaign, actor=cast.street_organizer)


def test_summaries_published_with_the_results_003(cast):
    campaign = preset_round(cast.street, "003_quwei_liangji", year=2020, reporters=[cast.branch])
    report = DutyReport.objects.create(
        reporter=campaign.reporters.get(), state=ReportState.SUMMARIZED, summary="摘要：三件实事"
    )
    approve(campaign, {cast.branch: "好"}, actor=cast.street_organizer)
    row = exports.eligibility_rows(campaign)[0]
    assert row[4] == "本轮未作限制" and "年度考核等次的重要依据" in row[5]
    ann = publication.prepare_announcement(campaign, actor=cast.street_organizer)
    publication.issue_announcement(ann, actor=cast.street_organizer)
    report.refresh_from_db()
    assert report.state == ReportState.PUBLISHED and report.summary_published_at is not None


# --- 公示 and objections -------------------------------------------------------------------------


def start(cast, campaign, starts_on=date(2019, 1, 14)):
    notice = publication.prepare_notice(campaign, actor=cast.street_organizer)
    return publication.start_notice(
        notice, actor=cast.street_organizer, starts_on=starts_on, today=starts_on
    )


def test_notice_period_from_the_preset(cast, street_004):
    approve(street_004, {cast.community: "优秀", cast.branch: "称职"}, actor=cast.street_organizer)
    notice = publication.prepare_notice(street_004, actor=cast.street_organizer)
    assert notice.days == 5 and notice.workdays and "党务公开栏" in notice.where
    with pytest.raises(DomainError) as err:
        publication.edit_notice(
            notice, actor=cast.street_organizer, title="t", body="b", where="w", contact="", days=0
        )
    assert err.value.field == "days"
    with pytest.raises(DomainError) as err:
        publication.start_notice(notice, actor=cast.street_organizer, starts_on=None)
    assert err.value.field == "starts_on"
    notice = start(cast, street_004, starts_on=date(2019, 1, 11))  # a Friday
    assert notice.state == NoticeState.OPEN and notice.ends_on == date(2019, 1, 17)
    with pytest.raises(StateError):
        publication.edit_notice(
            notice, actor=cast.street_organizer, title="t", body="b", where="w", contact="", days=5
        )
    _name, _, data = exports.notice_document(notice)
    text = text_of(data)
    assert "公示时间：2019年1月11日至2019年1月17日" in text and "王建国 | 称职" in text


def test_no_objection_makes_results_final_idempotently(cast, street_004):
    approve(street_004, {cast.community: "优秀", cast.branch: "称职"}, actor=cast.street_organizer)
    notice = start(cast, street_004)
    assert notice.ends_on == date(2019, 1, 18)
    with pytest.raises(StateError):
        publication.finalize_notice(notice, actor=cast.street_organizer, today=date(2019, 1, 18))
    final = publication.finalize_notice(
        notice, actor=cast.street_organizer, today=date(2019, 1, 19)
    )
    assert final.state == NoticeState.FINAL and "未收到异议，结果确定" in final.final_note
    again = publication.finalize_notice(final, actor=cast.street_organizer, today=date(2019, 1, 20))
    assert again.final_at == final.final_at


def test_remind_finalizes_a_notice_after_its_period(cast, street_004):
    approve(street_004, {cast.community: "优秀", cast.branch: "称职"}, actor=cast.street_organizer)
    notice = start(cast, street_004)
    services.remind_overdue_tasks(today=date(2019, 1, 19))
    notice.refresh_from_db()
    assert notice.state == NoticeState.FINAL


def test_objection_upheld_reopens_the_grade(cast, street_004):
    approve(
        street_004, {cast.community: "优秀", cast.branch: "不称职"}, actor=cast.street_organizer
    )
    notice = start(cast, street_004)
    branch = street_004.reporters.get(organization=cast.branch)
    with pytest.raises(DomainError) as err:
        publication.record_objection(
            notice,
            actor=cast.street_organizer,
            received_on=date(2019, 1, 25),
            received_by="组织委员",
            content="等次偏低",
        )
    assert err.value.field == "received_on"
    objection = publication.record_objection(
        notice,
        actor=cast.street_organizer,
        received_on=date(2019, 1, 15),
        received_by="组织委员刘敏",
        raised_by="",
        content="该支部日常考核被漏算",
        reporter=branch,
    )
    with pytest.raises(StateError):  # the period is over but an objection is open
        publication.finalize_notice(notice, actor=cast.street_organizer, today=date(2019, 1, 21))
    notice.refresh_from_db()
    assert notice.state == NoticeState.ENDED
    with pytest.raises(PermissionDenied):
        publication.decide_objection(
            objection, actor=cast.outsider, upheld=True, handling="h", answer="a"
        )
    publication.decide_objection(
        objection,
        actor=cast.street_organizer,
        upheld=True,
        handling="经核查，日常管理考核得分录入有误",
        answer="已重新评定",
        today=date(2019, 1, 21),
    )
    objection.refresh_from_db()
    assert objection.state == ObjectionState.UPHELD
    item = Assessment.objects.get(reporter=branch)
    assert not item.locked
    assert AssessmentBoard.objects.get(campaign=street_004).state == BoardState.REOPENED
    assert not ResultRecord.objects.get(reporter=branch).approved
    assert not ConsequenceTask.objects.filter(reporter=branch, state=TaskState.OPEN).exists()
    with pytest.raises(StateError):  # the grade is being reconsidered
        publication.finalize_notice(notice, actor=cast.street_organizer, today=date(2019, 1, 22))
    with pytest.raises(StateError):
        publication.decide_objection(
            objection, actor=cast.street_organizer, upheld=False, handling="h", answer="a"
        )
    approve(street_004, {cast.branch: "基本称职"}, actor=cast.street_organizer)
    final = publication.finalize_notice(
        notice, actor=cast.street_organizer, today=date(2019, 1, 22)
    )
    assert final.state == NoticeState.FINAL and "成立1件" in final.final_note
    assert ResultRecord.objects.get(reporter=branch).grade == "基本称职"
    assert sorted(
        ConsequenceTask.objects.filter(reporter=branch, state=TaskState.OPEN).values_list(
            "kind", flat=True
        )
    ) == ["rectify", "reminder_talk", "revoke_awards"]


def test_objection_rejected_keeps_the_grade(cast, street_004):
    approve(street_004, {cast.community: "优秀", cast.branch: "称职"}, actor=cast.street_organizer)
    notice = start(cast, street_004)
    objection = publication.record_objection(
        notice,
        actor=cast.street_organizer,
        received_on=date(2019, 1, 16),
        received_by="刘敏",
        content="有意见",
    )
    with pytest.raises(DomainError) as err:
        publication.decide_objection(
            objection, actor=cast.street_organizer, upheld=True, handling="h", answer="a"
        )
    assert err.value.field == "reporter"
    publication.decide_objection(
        objection,
        actor=cast.street_organizer,
        upheld=False,
        handling="经核查不属实",
        answer="维持原等次",
    )
    assert AssessmentBoard.objects.get(campaign=street_004).state == BoardState.APPROVED
    final = publication.finalize_notice(
        notice, actor=cast.street_organizer, today=date(2019, 1, 19)
    )
    assert final.state == NoticeState.FINAL


@pytest.mark.parametrize(
    ("state", "action", "allowed"),
    [
        (NoticeState.DRAFT, "start", True),
        (NoticeState.DRAFT, "finalize", False),
        (NoticeState.OPEN, "start", False),
        (NoticeState.OPEN, "finalize", True),
        (NoticeState.ENDED, "start", False),
        (NoticeState.ENDED, "finalize", True),
        (NoticeState.FINAL, "start", False),
        (NoticeState.FINAL, "finalize", True),  # idempotent: stays final
    ],
)
def test_notice_transition_matrix(cast, street_004, state, action, allowed):
    from shuping.results.models import PublicNotice

    approve(street_004, {cast.community: "优秀", cast.branch: "称职"}, actor=cast.street_organizer)
    notice = publication.prepare_notice(street_004, actor=cast.street_organizer)
    PublicNotice.objects.filter(pk=notice.pk).update(
        state=state, starts_on=date(2019, 1, 14), ends_on=date(2019, 1, 18)
    )
    notice.refresh_from_db()
    today = date(2019, 1, 21)
    if action == "start":
        run = lambda: publication.start_notice(  # noqa: E731
            notice, actor=cast.street_organizer, starts_on=today, today=today
        )
    else:
        run = lambda: publication.finalize_notice(notice, actor=cast.street_organizer, today=today)  # noqa: E731
    if allowed:
        assert run().state in (NoticeState.OPEN, NoticeState.FINAL)
    else:
        with pytest.raises(StateError):
            run()
