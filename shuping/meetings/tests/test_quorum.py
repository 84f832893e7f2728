from __future__ import annotations

from fractions import Fraction

import pytest

from shuping.audit.models import AuditEntry
from shuping.conftest import Cast
from shuping.lib.errors import DomainError, PermissionDenied
from shuping.meetings import attendance, services
from shuping.meetings.models import Attendee, Meeting


def _rows(meeting: Meeting, cast: Cast, category: str, n: int) -> list[Attendee]:
    return [
        attendance.add_attendee(
            meeting, actor=cast.street_organizer, name=f"{category}{i}", category=category
        )
        for i in range(n)
    ]


def _sign(cast: Cast, rows: list[Attendee], n: int) -> None:
    for row in rows[:n]:
        attendance.sign_in(row, actor=cast.street_organizer)


def _setup(cast: Cast, meeting: Meeting, *, expected: int, present: int, mass: int) -> None:
    members = _rows(meeting, cast, "member", expected)
    _sign(cast, members, present)
    masses = _rows(meeting, cast, "mass", mass)
    _sign(cast, masses, mass)


@pytest.mark.django_db
def test_exactly_80_percent_members_and_20_percent_mass_pass(cast: Cast, meeting: Meeting) -> None:
    _setup(cast, meeting, expected=5, present=4, mass=1)  # 4/5 members, 1/5 of all present
    lines = attendance.quorum_lines(meeting)
    assert [line.share for line in lines] == [Fraction(4, 5), Fraction(1, 5)]
    status = attendance.quorum_status(meeting)
    assert status.met and not status.overridden
    assert "4/5 = 80.0%" in status.lines[0]
    assert "1/5 = 20.0%" in status.lines[1]


@pytest.mark.django_db
def test_just_below_80_percent_fails(cast: Cast, meeting: Meeting) -> None:
    _setup(cast, meeting, expected=24, present=19, mass=10)  # 19/24 = 79.17%
    status = attendance.quorum_status(meeting)
    assert not status.met
    assert status.lines[0].startswith("✗") and "79.2%" in status.lines[0]
    assert status.lines[1].startswith("✓")


@pytest.mark.django_db
def test_mass_just_below_20_percent_fails(cast: Cast, meeting: Meeting) -> None:
    _setup(cast, meeting, expected=5, present=5, mass=1)  # 1/6 = 16.7%
    status = attendance.quorum_status(meeting)
    assert not status.met
    assert status.lines[1].startswith("✗")


@pytest.mark.django_db
def test_nobody_expected_does_not_meet(cast: Cast, meeting: Meeting) -> None:
    assert not attendance.quorum_status(meeting).met


@pytest.mark.django_db
def test_override_needs_reason_and_is_audited(cast: Cast, meeting: Meeting) -> None:
    _setup(cast, meeting, expected=10, present=5, mass=2)
    with pytest.raises(DomainError) as err:
        attendance.override_quorum(meeting, actor=cast.street_organizer, reason="  ")
    assert err.value.field == "reason"
    meeting.refresh_from_db()
    assert not attendance.quorum_status(meeting).met

    attendance.override_quorum(meeting, actor=cast.street_organizer, reason="暴雨，党工委同意继续")
    meeting.refresh_from_db()
    status = attendance.quorum_status(meeting)
    assert status.met and status.overridden
    assert status.override_reason == "暴雨，党工委同意继续"
    assert status.lines[0].startswith("✗")  # the measured value is still shown
    entry = AuditEntry.objects.get(action="meeting.quorum_override")
    assert entry.note == "暴雨，党工委同意继续"
    assert "5/10" in entry.changes["measured"][0]


@pytest.mark.django_db
def test_override_by_outsider_or_reporter_is_refused(cast: Cast, meeting: Meeting) -> None:
    for user in (cast.outsider, cast.superior):
        with pytest.raises(PermissionDenied):
            attendance.override_quorum(meeting, actor=user, reason="理由")


@pytest.mark.django_db
def test_no_quorum_rule_is_met(cast: Cast, campaign: object) -> None:
    from shuping.meetings.tests.conftest import when

    committee = services.create_meeting(
        campaign,  # type: ignore[arg-type]
        actor=cast.street_organizer,
        kind="committee",
        title="向党工委述职",
        starts_at=when(),
    )
    assert attendance.quorum_status(committee).met
