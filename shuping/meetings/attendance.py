"""Who is expected at a meeting, who signed in, and whether the meeting has its quorum.

The ballots app reads `quorum_status(meeting)` before opening a ballot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shuping.audit.services import record
from shuping.lib.errors import DomainError, StateError
from shuping.meetings.models import (
    Attendee,
    Meeting,
    MeetingStatus,
    SignInMethod,
)
from shuping.organizations.models import Organization, Person, PersonCategory

if TYPE_CHECKING:
    from shuping.lib.types import Actor

from shuping.meetings.services import (
    DEFAULT_TITLES,
    MASS,
    MEMBER,
    _locked,
    _not_closed,
    _org,
    _require_run,
    _required_text,
    _user,
    categories_for,
    meeting_rule,
    primary_categories,
)

# A person's standing in the tree → the attendee category they are expected under.
PERSON_CATEGORY_MAP = {
    PersonCategory.MEMBER: "member",
    PersonCategory.MASS: "mass",
    PersonCategory.ACTIVIST: "activist",
    PersonCategory.APPLICANT: "activist",
    PersonCategory.GUEST: "guest",
}


# --- expected attendees --------------------------------------------------------


def _expected_people(meeting: Meeting) -> QuerySet[Person]:
    """People the tree says should come: for a members' meeting, everyone in the
    reporters' organizations; for a committee meeting, the committee's leaders."""
    if meeting.kind == "members":
        q = Q(pk__in=[])
        for org in Organization.objects.filter(
            pk__in=meeting.agenda.values("reporter__organization")
        ):
            q |= org.subtree_q(prefix="organization__")
        return Person.objects.filter(q)
    committee = meeting.campaign.committee
    ids = set(committee.committee_members.values_list("pk", flat=True))
    ids |= {pk for pk in (committee.secretary_id, committee.deputy_secretary_id) if pk}
    return Person.objects.filter(pk__in=ids)


def _default_category(meeting: Meeting, person: Person) -> str:
    if meeting.kind != "members":
        return "leader"
    keys = {key for key, _ in categories_for(meeting)}
    if person.category in keys:  # e.g. seed 002 lists 入党申请人 on their own
        return str(person.category)
    return PERSON_CATEGORY_MAP.get(person.category, MASS)  # type: ignore[call-overload]


def populate_expected(
    meeting: Meeting, *, actor: Actor, people: Iterable[Person] | None = None, category: str = ""
) -> int:
    """Add the tree's people as expected attendees (default: see _expected_people);
    people already on the list are skipped, so this can be run again. Returns how many
    rows were added."""
    valid = {key for key, _ in categories_for(meeting)} | set(DEFAULT_TITLES)
    if category and category not in valid:
        raise DomainError("类别不正确。", field="category")
    with transaction.atomic():
        locked = _locked(meeting)
        _require_run(actor, meeting)
        _not_closed(locked)
        pool = list(people) if people is not None else list(_expected_people(meeting))
        have = set(
            locked.attendees.filter(person__isnull=False).values_list("person_id", flat=True)
        )
        rows = [
            Attendee(
                meeting=locked,
                person=p,
                name=p.name,
                unit=p.position,
                category=category or _default_category(meeting, p),
                expected=True,
            )
            for p in pool
            if p.pk not in have
        ]
        Attendee.objects.bulk_create(rows)
        record(
            actor=actor,
            action="meeting.expected_add",
            target=locked,
            organization=_org(meeting),
            changes={"added": len(rows)},
        )
    return len(rows)


def add_attendee(
    meeting: Meeting,
    *,
    actor: Actor,
    name: str,
    category: str,
    unit: str = "",
    walk_in: bool = False,
) -> Attendee:
    """A named extra row on the expected list, or (`walk_in`) someone who came without
    being expected and is signed in at once."""
    name = _required_text(name, "name", "请填写姓名。")
    valid = {key for key, _ in categories_for(meeting)} | set(DEFAULT_TITLES)
    if category not in valid:
        raise DomainError("请选择类别。", field="category")
    with transaction.atomic():
        locked = _locked(meeting)
        _require_run(actor, meeting)
        _not_closed(locked)
        now = timezone.now() if walk_in else None
        attendee = Attendee.objects.create(
            meeting=locked,
            name=name,
            unit=unit.strip(),
            category=category,
            expected=not walk_in,
            signed_in_at=now,
            method=SignInMethod.WALK_IN if walk_in else "",
            signed_in_by=_user(actor) if walk_in else None,
        )
        record(
            actor=actor,
            action="meeting.walk_in" if walk_in else "meeting.expected_add",
            target=locked,
            organization=_org(meeting),
            changes={"name": name, "category": category},
        )
    return attendee


def remove_attendee(attendee: Attendee, *, actor: Actor) -> None:
    meeting = attendee.meeting
    with transaction.atomic():
        locked = _locked(meeting)
        _require_run(actor, meeting)
        _not_closed(locked)
        Attendee.objects.filter(pk=attendee.pk).delete()
        record(
            actor=actor,
            action="meeting.attendee_remove",
            target=locked,
            organization=_org(meeting),
            changes={"name": attendee.name},
        )


# --- sign-in ---------------------------------------------------------------------


def sign_in(
    attendee: Attendee, *, actor: Actor, method: str = SignInMethod.STAFF
) -> tuple[Attendee, bool]:
    """Mark an attendee present. Signing in twice changes nothing (returns created=False)."""
    meeting = attendee.meeting
    with transaction.atomic():
        locked = Attendee.objects.select_for_update().get(pk=attendee.pk)
        if method != SignInMethod.SELF:
            _require_run(actor, meeting)
        _not_closed(meeting)
        if locked.signed_in_at is not None:
            return locked, False
        locked.signed_in_at = timezone.now()
        locked.method = method
        locked.signed_in_by = _user(actor)
        locked.save(update_fields=["signed_in_at", "method", "signed_in_by"])
        record(
            actor=actor,
            action="meeting.sign_in",
            target=meeting,
            organization=_org(meeting),
            changes={"name": locked.name, "method": method},
        )
    return locked, True


def undo_sign_in(attendee: Attendee, *, actor: Actor) -> Attendee:
    meeting = attendee.meeting
    with transaction.atomic():
        locked = Attendee.objects.select_for_update().get(pk=attendee.pk)
        _require_run(actor, meeting)
        _not_closed(meeting)
        if locked.signed_in_at is None:
            return locked
        locked.signed_in_at = None
        locked.method = ""
        locked.signed_in_by = None
        locked.save(update_fields=["signed_in_at", "method", "signed_in_by"])
        record(
            actor=actor,
            action="meeting.sign_in_undo",
            target=meeting,
            organization=_org(meeting),
            changes={"name": locked.name},
        )
    return locked


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def self_sign_in(meeting: Meeting, *, name: str, phone_last4: str = "") -> Attendee:
    """Sign-in from the QR page, without login. Only matches the expected list, so a
    stranger cannot add people; where the tree knows the person's phone, the last four
    digits must match, so knowing a name is not enough. Errors say nothing about who
    is on the list."""
    name = _required_text(name, "name", "请填写姓名。")
    if meeting.status == MeetingStatus.CLOSED:
        raise StateError("会议已结束。")
    candidates = list(meeting.attendees.filter(name=name, expected=True).select_related("person"))
    last4 = _digits(phone_last4)[-4:]
    matched = []
    for row in candidates:
        phone = _digits(row.person.phone) if row.person is not None else ""
        if phone:
            if last4 and phone.endswith(last4) and len(last4) == 4:
                matched.append(row)
        elif len(candidates) == 1:
            matched.append(row)
    if len(matched) != 1:
        raise DomainError("未能核对身份，请检查姓名和手机号后四位，或到签到台签到。", field="name")
    attendee, _ = sign_in(matched[0], actor=None, method=SignInMethod.SELF)
    return attendee


# --- counts and quorum ---------------------------------------------------------------


@dataclass(frozen=True)
class CategoryCount:
    key: str
    title: str
    expected: int
    present: int  # everyone signed in under the category, walk-ins included
    walk_ins: int = 0  # signed in without being on the expected list

    @property
    def listed_present(self) -> int:
        """Signed in from the expected list: never more than `expected`."""
        return self.present - self.walk_ins


@dataclass(frozen=True)
class AttendanceCounts:
    rows: list[CategoryCount]
    expected: int
    present: int
    walk_ins: int = 0

    @property
    def listed_present(self) -> int:
        return self.present - self.walk_ins

    def get(self, key: str) -> CategoryCount:
        for row in self.rows:
            if row.key == key:
                return row
        return CategoryCount(key, DEFAULT_TITLES.get(key, key), 0, 0)


def attendance_counts(meeting: Meeting) -> AttendanceCounts:
    """Expected and present per category, in one query. The preset's categories are
    always listed; the others only when someone is in them."""
    data = {
        row["category"]: row
        for row in meeting.attendees.values("category").annotate(
            n_expected=Count("id", filter=Q(expected=True)),
            n_present=Count("id", filter=Q(signed_in_at__isnull=False)),
            n_walk_ins=Count("id", filter=Q(signed_in_at__isnull=False, expected=False)),
        )
    }
    primary = {key for key, _ in primary_categories(meeting)}
    known = categories_for(meeting)
    titles = dict(known)
    keys = [k for k, _ in known] + [k for k in data if k not in titles]
    rows = []
    for key in keys:
        d = data.get(key, {})
        if key not in primary and not d:
            continue
        title = titles.get(key) or DEFAULT_TITLES.get(key) or key
        rows.append(
            CategoryCount(
                key,
                title,
                d.get("n_expected", 0),
                d.get("n_present", 0),
                d.get("n_walk_ins", 0),
            )
        )
    return AttendanceCounts(
        rows=rows,
        expected=sum(r.expected for r in rows),
        present=sum(r.present for r in rows),
        walk_ins=sum(r.walk_ins for r in rows),
    )


@dataclass(frozen=True)
class QuorumStatus:
    """Whether a meeting may open its ballot; `lines` explain each rule in Chinese.

    `met` means "may proceed": the measured rules hold, or the host/organizer
    overrode them with a written reason (then `overridden` is True and the lines
    still show the measured values that failed)."""

    met: bool
    lines: list[str] = field(default_factory=list)
    overridden: bool = False
    override_reason: str = ""


@dataclass(frozen=True)
class QuorumLine:
    text: str
    ok: bool
    share: Fraction | None


def _pct(share: Fraction) -> str:
    # Display only; decisions compare Fractions.
    return f"{float(share) * 100:.1f}%"


def quorum_lines(meeting: Meeting, counts: AttendanceCounts | None = None) -> list[QuorumLine]:
    """One line per rule of the preset's quorum, each with its measured value.
    以上/不少于 include the number: exactly 80% passes."""
    rule = meeting_rule(meeting)
    quorum = rule.quorum if rule is not None else None
    if quorum is None:
        return []
    counts = counts or attendance_counts(meeting)
    lines = []
    if quorum.members_min_share is not None:
        need = quorum.members_min_share
        members = counts.get(MEMBER)
        share = Fraction(members.present, members.expected) if members.expected else None
        ok = share is not None and share >= need
        measured = (
            f"{members.present}/{members.expected} = {_pct(share)}"
            if share is not None
            else "应到党员为 0"
        )
        lines.append(
            QuorumLine(f"到会党员 {measured}，要求达到应到人数的 {_pct(need)} 以上", ok, share)
        )
    if quorum.mass_min_share is not None:
        need = quorum.mass_min_share
        mass = counts.get(MASS).present
        share = Fraction(mass, counts.present) if counts.present else None
        ok = share is not None and share >= need
        measured = f"{mass}/{counts.present} = {_pct(share)}" if share is not None else "无人到会"
        lines.append(
            QuorumLine(f"群众代表 {measured}，要求不少于参会人数的 {_pct(need)}", ok, share)
        )
    return lines


def quorum_status(meeting: Meeting) -> QuorumStatus:
    """The preset's quorum rule applied to the meeting's sign-ins.

    Contract used by the ballots app before opening a ballot: proceed when `met`.
    """
    lines = quorum_lines(meeting)
    if not lines:
        return QuorumStatus(met=True, lines=["本会议未设置到会人数要求。"])
    texts = [("✓ " if line.ok else "✗ ") + line.text for line in lines]
    measured_ok = all(line.ok for line in lines)
    overridden = bool(meeting.quorum_override_reason) and not measured_ok
    return QuorumStatus(
        met=measured_ok or overridden,
        lines=texts,
        overridden=overridden,
        override_reason=meeting.quorum_override_reason if overridden else "",
    )


def override_quorum(meeting: Meeting, *, actor: Actor, reason: str) -> Meeting:
    """The host or organizer lets the meeting proceed although the quorum is not met;
    the written reason is required and goes to the audit log with the measured lines."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写未达到会人数要求仍继续进行的理由。", field="reason")
    with transaction.atomic():
        locked = _locked(meeting)
        _require_run(actor, meeting)
        _not_closed(locked)
        lines = [line.text for line in quorum_lines(locked)]
        locked.quorum_override_reason = reason
        locked.quorum_overridden_by = _user(actor)
        locked.quorum_overridden_at = timezone.now()
        locked.save(
            update_fields=["quorum_override_reason", "quorum_overridden_by", "quorum_overridden_at"]
        )
        record(
            actor=actor,
            action="meeting.quorum_override",
            target=locked,
            organization=_org(meeting),
            changes={"measured": lines},
            note=reason,
        )
    return locked
