from __future__ import annotations

import pytest

from shuping.meetings import attendance, demo, services
from shuping.meetings.models import Attendee, Critique, Meeting, MeetingStatus, Question
from shuping.meetings.tests.conftest import MEETINGS_004
from shuping.organizations.models import Organization, OrgKind, PersonCategory, Sector
from shuping.organizations.services import create_organization, create_person, set_secretary
from shuping.rounds.testing import make_campaign, sample_rules


def _org(parent: Organization | None, code: str, name: str, kind: str) -> Organization:
    return create_organization(
        actor=None, parent=parent, code=code, name=name, kind=kind, sector=Sector.STREET
    )


@pytest.mark.django_db
def test_demo_builds_meetings_and_is_idempotent() -> None:
    assert demo.load(lambda _: None) == []  # nothing to do without rounds
    qw = _org(None, "QW", "西山区委", OrgKind.DISTRICT)
    qw01 = _org(qw, "QW-01", "金顶街道党工委", OrgKind.WORKING)
    branches = [_org(qw01, f"QW-01-B{i}", f"第{i}党支部", OrgKind.BRANCH) for i in (1, 2, 3)]
    for n, branch in enumerate(branches):
        sec = create_person(actor=None, organization=branch, name=f"书记{n}")
        set_secretary(branch, actor=None, person=sec)
        for i in range(6):
            create_person(actor=None, organization=branch, name=f"党员{n}{i}")
        create_person(
            actor=None, organization=branch, name=f"群众{n}", category=PersonCategory.MASS
        )
    branches = [Organization.objects.get(pk=b.pk) for b in branches]
    make_campaign(qw01, year=2026, rules=sample_rules(meetings=MEETINGS_004), reporters=branches)
    make_campaign(qw, year=2025, reporters=[qw01])

    demo.load(lambda _: None)
    members = Meeting.objects.get(campaign__year=2026, kind="members")
    committee = Meeting.objects.get(campaign__year=2026, kind="committee")
    closed = Meeting.objects.get(campaign__year=2025)
    assert members.status == MeetingStatus.IN_PROGRESS
    assert committee.status == MeetingStatus.PLANNED
    assert closed.status == MeetingStatus.CLOSED
    status = attendance.quorum_status(members)
    assert status.met and not status.overridden, status.lines
    state = services.room_state(members)
    assert state["current"]["name"] == "书记1" and state["current"]["ended_at"] is None
    assert Question.objects.filter(entry__meeting=members).count() == 2
    assert Critique.objects.filter(entry__meeting=closed, status="final").count() == 1
    assert Question.objects.filter(entry__meeting=closed).exists()
    # the record's times are in order: sign-ins before the meeting opened
    assert closed.opened_at is not None
    assert not Attendee.objects.filter(meeting=closed, signed_in_at__gt=closed.opened_at).exists()

    counts = (Meeting.objects.count(), Attendee.objects.count(), Question.objects.count())
    demo.load(lambda _: None)
    assert (Meeting.objects.count(), Attendee.objects.count(), Question.objects.count()) == counts
