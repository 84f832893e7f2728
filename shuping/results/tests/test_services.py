"""Approval → records and tasks; flags; carrying tasks out; feedback; remind."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shuping.assessment.models import Assessment
from shuping.assessment.services import reopen_grade
from shuping.audit.models import AuditEntry
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.results import services
from shuping.results.models import ConsequenceTask, Feedback, ResultRecord, TaskState
from shuping.results.tests.conftest import approve, preset_round

pytestmark = pytest.mark.django_db


def tasks_of(org) -> list[str]:
    return sorted(
        ConsequenceTask.objects.filter(reporter__organization=org)
        .exclude(state=TaskState.CANCELLED)
        .values_list("kind", flat=True)
    )


def test_004_approval_creates_the_tasks_of_each_grade(cast, street_004):
    approve(
        street_004, {cast.community: "优秀", cast.branch: "基本称职"}, actor=cast.street_organizer
    )
    assert tasks_of(cast.community) == ["commend"]
    assert tasks_of(cast.branch) == ["rectify", "reminder_talk", "revoke_awards"]
    rec = ResultRecord.objects.get(reporter__organization=cast.branch)
    assert rec.approved and rec.grade == "基本称职" and rec.year == 2018
    assert not rec.annual_excellent and rec.unit_awards_revoked
    talk = ConsequenceTask.objects.get(reporter__organization=cast.branch, kind="reminder_talk")
    assert talk.owner == cast.street  # the committee talks; the secretary rectifies
    rectify = ConsequenceTask.objects.get(reporter__organization=cast.branch, kind="rectify")
    assert rectify.owner == cast.branch
    assert rectify.due_on is not None and talk.due_on is not None
    assert AuditEntry.objects.filter(action="results.apply").exists()


def test_approving_again_does_not_double_tasks(cast, street_004):
    approve(
        street_004, {cast.community: "称职", cast.branch: "不称职"}, actor=cast.street_organizer
    )
    item = Assessment.objects.get(reporter__organization=cast.branch)
    reopen_grade(item, actor=cast.street_organizer, reason="补充核实")
    assert tasks_of(cast.branch) == []  # cancelled while reconsidered
    assert not ResultRecord.objects.get(reporter__organization=cast.branch).approved
    approve(street_004, {cast.branch: "不称职"}, actor=cast.street_organizer)
    assert tasks_of(cast.branch) == ["org_handling"]
    assert ConsequenceTask.objects.filter(reporter__organization=cast.branch).count() == 2


def test_two_consecutive_years_across_rounds_of_different_committees(cast, second_secretary):
    # 2017: the district's own round; 2018: the street's 双述双评 — same secretary 王建国
    earlier = preset_round(
        cast.district, "004_jiedao_shuangshu", year=2017, reporters=[cast.branch], title="区委2017"
    )
    approve(earlier, {cast.branch: "基本称职"}, actor=cast.organizer)
    assert "org_handling" not in tasks_of(cast.branch)
    later = preset_round(
        cast.street, "004_jiedao_shuangshu", year=2018, reporters=[cast.branch], title="街道2018"
    )
    approve(later, {cast.branch: "基本称职"}, actor=cast.street_organizer)
    task = ConsequenceTask.objects.get(campaign=later, kind="org_handling")
    assert "《区委2017》、《街道2018》均为“基本称职”" in task.reason


@pytest.mark.parametrize(("year", "grade"), [(2016, "基本称职"), (2017, "称职")])
def test_two_year_rule_not_triggered(cast, year, grade):
    earlier = preset_round(
        cast.district, "004_jiedao_shuangshu", year=year, reporters=[cast.branch]
    )
    approve(earlier, {cast.branch: grade}, actor=cast.organizer)
    later = preset_round(cast.street, "004_jiedao_shuangshu", year=2018, reporters=[cast.branch])
    approve(later, {cast.branch: "基本称职"}, actor=cast.street_organizer)
    assert not ConsequenceTask.objects.filter(campaign=later, kind="org_handling").exists()


@pytest.mark.parametrize(
    ("key", "grade", "expected"),
    [
        ("000_shizong_jiguan", "一般", ["rectify", "talk"]),
        ("000_shizong_jiguan", "好", []),
        ("001_zhen_dangwei", "差", ["rectify", "talk"]),
        ("002_shichang_jianguan", "差", ["rectify", "talk"]),
        ("002_shichang_jianguan", "较好", []),
        ("003_quwei_liangji", "差", []),
    ],
)
def test_each_seed_from_its_shipped_preset(cast, key, grade, expected):
    campaign = preset_round(cast.street, key, year=2023, reporters=[cast.branch])
    approve(campaign, {cast.branch: grade}, actor=cast.street_organizer)
    assert tasks_of(cast.branch) == expected
    rec = ResultRecord.objects.get(reporter__organization=cast.branch)
    assert rec.annual_excellent == (
        key == "003_quwei_liangji" or grade == "好" or key.startswith("002")
    )


def test_flag_serious_adds_accountability_and_checks_permission_and_state(cast):
    campaign = preset_round(cast.street, "000_shizong_jiguan", year=2016, reporters=[cast.branch])
    approve(campaign, {cast.branch: "差"}, actor=cast.street_organizer)
    rec = ResultRecord.objects.get(reporter__organization=cast.branch)
    with pytest.raises(PermissionDenied):
        services.set_flags(rec, actor=cast.outsider, flags=["serious"])
    with pytest.raises(DomainError) as err:
        services.set_flags(rec, actor=cast.street_organizer, flags=["lottery"])
    assert err.value.field == "flags"
    services.set_flags(rec, actor=cast.street_organizer, flags=["serious"])
    assert tasks_of(cast.branch) == ["accountability", "rectify", "talk"]
    services.set_flags(rec, actor=cast.street_organizer, flags=["serious"])  # idempotent
    assert len(tasks_of(cast.branch)) == 3
    reopen_grade(
        Assessment.objects.get(reporter=rec.reporter), actor=cast.street_organizer, reason="核实"
    )
    with pytest.raises(StateError):
        services.set_flags(rec, actor=cast.street_organizer, flags=[])


def test_001_inattentive_flag_whatever_the_grade(cast):
    campaign = preset_round(cast.street, "001_zhen_dangwei", year=2017, reporters=[cast.branch])
    approve(campaign, {cast.branch: "好"}, actor=cast.street_organizer)
    assert tasks_of(cast.branch) == []
    rec = ResultRecord.objects.get(reporter__organization=cast.branch)
    services.set_flags(rec, actor=cast.street_organizer, flags=["inattentive"])
    assert tasks_of(cast.branch) == ["rectify", "talk"]


def test_complete_talk_records_who_talked_to_whom(cast, street_004):
    approve(
        street_004, {cast.community: "称职", cast.branch: "基本称职"}, actor=cast.street_organizer
    )
    talk = ConsequenceTask.objects.get(kind="reminder_talk")
    today = date(2019, 1, 20)
    with pytest.raises(DomainError) as err:
        services.complete_task(
            talk, actor=cast.street_organizer, done_on=today, gist="谈了", today=today
        )
    assert err.value.field == "talked_by"
    with pytest.raises(DomainError) as err:
        services.complete_task(
            talk,
            actor=cast.street_organizer,
            done_on=today + timedelta(days=1),
            gist="x",
            talked_by="张书记",
            talked_to="王建国",
            today=today,
        )
    assert err.value.field == "done_on"
    with pytest.raises(DomainError) as err:
        services.complete_task(
            talk,
            actor=cast.street_organizer,
            done_on=today,
            gist="x",
            talked_by="张书记",
            talked_to="王建国",
            scan=b"MZ\x90\x00 not a scan",
            today=today,
        )
    assert err.value.field == "scan"
    with pytest.raises(PermissionDenied):
        services.complete_task(talk, actor=cast.reporter, done_on=today, gist="x", today=today)
    done = services.complete_task(
        talk,
        actor=cast.street_organizer,
        done_on=today,
        gist="指出问题，提出要求",
        talked_by="党工委书记张强",
        talked_to="王建国",
        scan=b"%PDF-1.4 scan",
        today=today,
    )
    assert done.state == TaskState.DONE and done.talked_to == "王建国"
    assert done.scan.name.endswith(".pdf")
    with pytest.raises(StateError):
        services.complete_task(
            done,
            actor=cast.street_organizer,
            done_on=today,
            gist="x",
            talked_by="a",
            talked_to="b",
            today=today,
        )


def test_cancel_and_due(cast, street_004):
    approve(street_004, {cast.community: "优秀", cast.branch: "称职"}, actor=cast.street_organizer)
    task = ConsequenceTask.objects.get(kind="commend")
    with pytest.raises(DomainError):
        services.cancel_task(task, actor=cast.street_organizer, reason=" ")
    services.set_task_due(task, actor=cast.street_organizer, due_on=date(2019, 3, 1))
    cancelled = services.cancel_task(
        task, actor=cast.street_organizer, reason="已在年度表彰中一并表彰"
    )
    assert cancelled.state == TaskState.CANCELLED
    with pytest.raises(StateError):
        services.set_task_due(cancelled, actor=cast.street_organizer, due_on=None)


def test_remind_marks_overdue_tasks_once(cast, street_004):
    approve(
        street_004, {cast.community: "优秀", cast.branch: "不称职"}, actor=cast.street_organizer
    )
    later = date.today() + timedelta(days=400)
    assert services.remind_overdue_tasks(today=later) == 2
    assert services.remind_overdue_tasks(today=later) == 0
    assert AuditEntry.objects.filter(action="results.task_overdue").count() == 2


def test_remind_command_includes_overdue_tasks(cast, street_004):
    from io import StringIO

    from django.core.management import call_command

    approve(street_004, {cast.community: "优秀", cast.branch: "称职"}, actor=cast.street_organizer)
    out = StringIO()
    call_command("remind", date=(date.today() + timedelta(days=400)).isoformat(), stdout=out)
    assert ConsequenceTask.objects.get(kind="commend").overdue_reminded_on is not None


def test_feedback_hand_over(cast, street_004):
    today = date(2019, 1, 12)
    with pytest.raises(StateError):
        services.record_feedback(
            street_004,
            actor=cast.street_organizer,
            reporters=list(street_004.reporters.all()),
            handed_over_on=today,
            way="集中约谈",
            today=today,
        )
    approve(street_004, {cast.community: "优秀", cast.branch: "称职"}, actor=cast.street_organizer)
    reporters = list(street_004.reporters.all())
    with pytest.raises(DomainError) as err:
        services.record_feedback(
            street_004,
            actor=cast.street_organizer,
            reporters=reporters,
            handed_over_on=today + timedelta(days=1),
            way="集中约谈",
            today=today,
        )
    assert err.value.field == "handed_over_on"
    with pytest.raises(PermissionDenied):
        services.record_feedback(
            street_004,
            actor=cast.outsider,
            reporters=reporters,
            handed_over_on=today,
            way="集中约谈",
            today=today,
        )
    assert (
        services.record_feedback(
            street_004,
            actor=cast.street_organizer,
            reporters=reporters,
            handed_over_on=today,
            way="集中约谈、会上宣布",
            handed_over_by="党工委书记",
            today=today,
        )
        == 2
    )
    assert Feedback.objects.filter(campaign=street_004, way="集中约谈、会上宣布").count() == 2
