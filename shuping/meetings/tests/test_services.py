from __future__ import annotations

from datetime import date

import pytest

from shuping.audit.models import AuditEntry
from shuping.conftest import Cast
from shuping.lib.errors import DomainError, NotFound, PermissionDenied, StateError
from shuping.meetings import attendance, critiques, services
from shuping.meetings.access import get_meeting_for
from shuping.meetings.models import (
    MEETING_TRANSITIONS,
    Attendee,
    CritiqueStatus,
    Meeting,
    MeetingStatus,
    SignInMethod,
)
from shuping.meetings.tests.conftest import add_people, when
from shuping.organizations.services import create_person
from shuping.rounds.models import Campaign, ReportMode

STATUSES = list(MeetingStatus.values)


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_transition_matrix(source: str, target: str) -> None:
    allowed = {("planned", "in_progress"), ("in_progress", "closed")}
    assert services.can_transition(source, target) == ((source, target) in allowed)
    assert (target in MEETING_TRANSITIONS[source]) == ((source, target) in allowed)


@pytest.mark.django_db
def test_open_close_and_wrong_state(cast: Cast, meeting: Meeting) -> None:
    actor = cast.street_organizer
    with pytest.raises(StateError):
        services.close_meeting(meeting, actor=actor)
    services.open_meeting(meeting, actor=actor)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS and meeting.opened_at
    assert meeting.current_entry is not None and meeting.current_entry.order == 1
    with pytest.raises(StateError):
        services.open_meeting(meeting, actor=actor)
    services.close_meeting(meeting, actor=actor)
    with pytest.raises(StateError):
        services.open_meeting(meeting, actor=actor)
    assert AuditEntry.objects.filter(action="meeting.closed").count() == 1


@pytest.mark.django_db
def test_agenda_from_round_and_two_meetings(cast: Cast, campaign: Campaign) -> None:
    written = campaign.reporters.get(organization=cast.community)
    written.mode = ReportMode.WRITTEN
    written.save()
    made = services.create_meetings_from_rules(
        campaign, actor=cast.street_organizer, starts_at=when()
    )
    assert [m.kind for m in made] == ["members", "committee"]
    members, committee = made
    # members' rule does not evaluate written reports; the committee's does.
    assert [(e.reporter.organization_id, e.speaks) for e in members.agenda.all()] == [
        (cast.branch.pk, True)
    ]
    assert [(e.reporter.organization_id, e.speaks) for e in committee.agenda.all()] == [
        (cast.branch.pk, True),
        (cast.community.pk, False),
    ]
    assert services.create_meetings_from_rules(campaign, actor=None, starts_at=when()) == []


@pytest.mark.django_db
def test_create_meeting_bad_input_and_forbidden(cast: Cast, campaign: Campaign) -> None:
    with pytest.raises(DomainError) as err:
        services.create_meeting(campaign, actor=None, kind="nope", title="x", starts_at=when())
    assert err.value.field == "kind"
    with pytest.raises(DomainError) as err:
        services.create_meeting(campaign, actor=None, kind="members", title=" ", starts_at=when())
    assert err.value.field == "title"
    for user in (cast.outsider, cast.reporter, cast.host):
        with pytest.raises(PermissionDenied):
            services.create_meeting(
                campaign, actor=user, kind="members", title="会", starts_at=when()
            )
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_reorder_add_remove(cast: Cast, meeting: Meeting) -> None:
    actor = cast.street_organizer
    ids = list(meeting.agenda.values_list("id", flat=True))
    services.reorder_agenda(meeting, actor=actor, entry_ids=ids[::-1])
    assert list(meeting.agenda.values_list("id", flat=True)) == ids[::-1]
    with pytest.raises(DomainError):
        services.reorder_agenda(meeting, actor=actor, entry_ids=ids[:1])
    entry = meeting.agenda.first()
    assert entry is not None
    with pytest.raises(DomainError) as err:
        services.remove_agenda_entry(entry, actor=actor, reason="")
    assert err.value.field == "reason"
    reporter = entry.reporter
    services.remove_agenda_entry(entry, actor=actor, reason="因病请假")
    assert meeting.agenda.count() == 1
    services.add_agenda_entry(meeting, actor=actor, reporter=reporter, reason="病愈参会")
    with pytest.raises(DomainError):
        services.add_agenda_entry(meeting, actor=actor, reporter=reporter, reason="重复")
    assert AuditEntry.objects.filter(action="meeting.agenda_remove", note="因病请假").exists()


@pytest.mark.django_db
def test_expected_from_tree_and_sign_in_twice(cast: Cast, meeting: Meeting) -> None:
    add_people(cast, members=3, mass=1)
    added = attendance.populate_expected(meeting, actor=cast.street_organizer)
    # the branch's people (3 members, 1 mass, the secretary) + the community's (none)
    assert added == 5
    assert attendance.populate_expected(meeting, actor=cast.street_organizer) == 0
    counts = attendance.attendance_counts(meeting)
    assert (counts.get("member").expected, counts.get("mass").expected) == (4, 1)
    row = meeting.attendees.get(name="党员00")
    _, created = attendance.sign_in(row, actor=cast.street_organizer)
    _, again = attendance.sign_in(row, actor=cast.street_organizer)
    assert (created, again) == (True, False)
    assert AuditEntry.objects.filter(action="meeting.sign_in").count() == 1
    assert attendance.attendance_counts(meeting).get("member").present == 1
    walk = attendance.add_attendee(
        meeting, actor=cast.street_organizer, name="李群众", category="mass", walk_in=True
    )
    assert walk.present and not walk.expected and walk.method == SignInMethod.WALK_IN
    with pytest.raises(DomainError) as err:
        attendance.add_attendee(meeting, actor=cast.street_organizer, name="x", category="??")
    assert err.value.field == "category"


@pytest.mark.django_db
def test_self_sign_in_needs_phone_digits_when_known(cast: Cast, meeting: Meeting) -> None:
    person = create_person(actor=None, organization=cast.branch, name="赵六", phone="13812345678")
    attendance.populate_expected(meeting, actor=None, people=[person])
    attendance.add_attendee(meeting, actor=None, name="钱七", category="mass")
    for bad in ("", "0000", "567"):
        with pytest.raises(DomainError):
            attendance.self_sign_in(meeting, name="赵六", phone_last4=bad)
    with pytest.raises(DomainError):
        attendance.self_sign_in(meeting, name="陌生人", phone_last4="5678")
    assert attendance.self_sign_in(meeting, name="赵六", phone_last4="5678").present
    assert attendance.self_sign_in(meeting, name="钱七").method == SignInMethod.SELF
    assert not Attendee.objects.filter(name="陌生人").exists()


@pytest.mark.django_db
def test_running_order(cast: Cast, meeting: Meeting) -> None:
    actor = cast.street_organizer
    first, second = list(meeting.agenda.all())
    with pytest.raises(StateError):
        services.start_report(first, actor=actor)  # meeting not open
    services.open_meeting(meeting, actor=actor)
    services.start_report(first, actor=actor)
    with pytest.raises(StateError):
        services.start_report(second, actor=actor)  # one at a time
    with pytest.raises(StateError):
        services.start_report(first, actor=actor)
    meeting.refresh_from_db()
    state = services.room_state(meeting)
    assert state["current"]["name"] == first.reporter.person.name  # type: ignore[union-attr]
    assert state["current"]["started_at"] and state["limit_seconds"] == 7 * 60
    assert state["next"]["organization"] == second.reporter.organization.name
    following = services.advance(meeting, actor=actor)
    assert following == second
    first.refresh_from_db()
    assert first.ended_at is not None
    with pytest.raises(StateError):
        services.end_report(second, actor=actor)  # not started
    services.start_report(second, actor=actor)
    services.end_report(second, actor=actor)
    meeting.refresh_from_db()
    assert services.advance(meeting, actor=actor) is None
    assert services.room_state(meeting)["done"] == 2


@pytest.mark.django_db
def test_questions_and_promises(cast: Cast, meeting: Meeting, campaign: Campaign) -> None:
    entry = meeting.agenda.first()
    assert entry is not None
    actor = cast.street_organizer
    with pytest.raises(DomainError) as err:
        critiques.add_question(entry, actor=actor, text="")
    assert err.value.field == "text"
    with pytest.raises(DomainError) as err:
        critiques.add_question(entry, actor=actor, text="问", promise="整改", promised_by=None)
    assert err.value.field == "promised_by"
    with pytest.raises(DomainError) as err:
        critiques.add_question(entry, actor=actor, text="问", promised_by=date(2020, 1, 1))
    assert err.value.field == "promised_by"
    critiques.add_question(entry, actor=actor, text="活动室何时开放？", answer="下月")
    q = critiques.add_question(
        entry,
        actor=actor,
        text="三会一课记录不全怎么办？",
        answer="补齐",
        asker_category="member",
        promise="补齐记录",
        promised_by=date(2027, 3, 31),
    )
    assert list(critiques.promises_for(campaign)) == [q]
    with pytest.raises(PermissionDenied):
        critiques.add_question(entry, actor=cast.reporter, text="x")


@pytest.mark.django_db
def test_critique_draft_then_final_locks(cast: Cast, meeting: Meeting) -> None:
    actor = cast.street_organizer
    entry = meeting.agenda.first()
    assert entry is not None
    critiques.save_critique(entry, actor=actor, text="草稿：党员发展工作滞后")
    with pytest.raises(StateError):
        critiques.finalize_critique(entry, actor=actor)  # report not given yet
    services.open_meeting(meeting, actor=actor)
    services.start_report(entry, actor=actor)
    services.end_report(entry, actor=actor)
    critique = critiques.finalize_critique(entry, actor=actor, text="定稿：党员发展工作滞后")
    assert critique.status == CritiqueStatus.FINAL and critique.finalized_by == actor
    with pytest.raises(StateError):
        critiques.save_critique(entry, actor=actor, text="改")
    with pytest.raises(StateError):
        critiques.finalize_critique(entry, actor=actor)
    assert AuditEntry.objects.filter(action="meeting.critique_final").count() == 1


@pytest.mark.django_db
def test_access(cast: Cast, meeting: Meeting) -> None:
    for user in (cast.organizer, cast.host, cast.superior, cast.street_organizer, cast.admin):
        assert get_meeting_for(user, meeting.pk) == meeting
    for user in (cast.outsider, cast.reporter):
        with pytest.raises(NotFound):
            get_meeting_for(user, meeting.pk)
    for user in (cast.host, cast.superior):
        with pytest.raises(NotFound):
            get_meeting_for(user, meeting.pk, write=True)
    assert get_meeting_for(cast.street_organizer, meeting.pk, write=True) == meeting
    with pytest.raises(NotFound):
        get_meeting_for(cast.organizer, 999999)
    # the host in person runs the meeting
    meeting.host = cast.reporter_person
    meeting.save()
    assert get_meeting_for(cast.reporter, meeting.pk, write=True) == meeting


@pytest.mark.django_db
def test_categories_follow_the_preset(cast: Cast) -> None:
    from shuping.rounds.testing import make_campaign, sample_rules

    rules = sample_rules(
        meetings=[
            {
                "key": "committee",
                "title": "党员大会述职评议会",
                "evaluators": [
                    {"key": "member", "title": "党员"},
                    {"key": "applicant", "title": "入党申请人"},
                    {"key": "mass", "title": "群众代表", "weight": "1/2"},
                ],
                "questions": False,
            }
        ]
    )
    campaign = make_campaign(cast.street, year=2027, rules=rules, reporters=[cast.branch])
    m = services.create_meeting(
        campaign, actor=None, kind="committee", title="会", starts_at=when()
    )
    keys = [k for k, _ in services.categories_for(m)]
    assert keys[:3] == ["member", "applicant", "mass"] and "leader" in keys
    assert services.evaluator_weights(m) == [
        ("党员", "1"),
        ("入党申请人", "1"),
        ("群众代表", "1/2"),
    ]
    # empty preset categories are listed, empty defaults are not
    assert [r.key for r in attendance.attendance_counts(m).rows] == ["member", "applicant", "mass"]
    attendance.add_attendee(m, actor=None, name="来宾", category="guest")
    assert [r.key for r in attendance.attendance_counts(m).rows][-1] == "guest"


@pytest.mark.django_db
def test_critique_prefill_providers(
    cast: Cast, meeting: Meeting, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuping.meetings import prefill

    entry = meeting.agenda.first()
    assert entry is not None
    monkeypatch.setattr(prefill, "_providers", {})
    assert critiques.critique_prefill(entry) == ""

    prefill.register_critique_provider(
        "test.findings",
        lambda e: ("督查发现的问题", f"{e.reporter.organization.name}：发展党员滞后"),
    )

    def broken(e: object) -> prefill.Block:
        raise RuntimeError("boom")

    prefill.register_critique_provider("test.broken", broken)
    prefill.register_critique_provider("test.empty", lambda e: None)
    assert critiques.critique_prefill(entry) == (
        f"【督查发现的问题】\n{cast.branch.name}：发展党员滞后\n\n【点评意见】\n"
    )
