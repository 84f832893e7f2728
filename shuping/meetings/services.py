"""Meeting state changes: set-up, attendance and quorum, running order, questions
and critiques. Every change is one function here: lock, check, save, audit.

The ballots app reads `quorum_status(meeting)` before opening a ballot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shuping.accounts.access import can_manage
from shuping.audit.services import record
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.meetings import prefill, projector
from shuping.meetings.access import can_run_meeting
from shuping.meetings.models import (
    CRITIQUE_TRANSITIONS,
    MEETING_TRANSITIONS,
    Attendee,
    Critique,
    CritiqueStatus,
    Meeting,
    MeetingReporter,
    MeetingStatus,
    ProjectorMode,
    Question,
    SignInMethod,
)
from shuping.organizations.models import Organization, Person, PersonCategory
from shuping.rounds.archive import require_not_archived
from shuping.rounds.models import Campaign, Reporter, ReportMode
from shuping.rounds.rules import MeetingRule

if TYPE_CHECKING:
    from shuping.lib.types import Actor

# Used when the preset names no attendee categories (keys match EvaluatorCategory keys).
DEFAULT_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("leader", "领导干部"),
    ("member", "党员"),
    ("mass", "群众代表"),
    ("activist", "入党积极分子和申请人"),
    ("guest", "列席人员"),
)
DEFAULT_TITLES = dict(DEFAULT_CATEGORIES)
MEMBER = "member"
MASS = "mass"
# A person's standing in the tree → the attendee category they are expected under.
PERSON_CATEGORY_MAP = {
    PersonCategory.MEMBER: "member",
    PersonCategory.MASS: "mass",
    PersonCategory.ACTIVIST: "activist",
    PersonCategory.APPLICANT: "activist",
    PersonCategory.GUEST: "guest",
}


# --- reading the rules --------------------------------------------------------


def meeting_rule(meeting: Meeting) -> MeetingRule | None:
    try:
        return meeting.campaign.parsed_rules.meeting(meeting.kind)
    except KeyError:
        return None


# An evaluator category meaning "everyone present" says nothing about who is who.
GENERIC_KEYS = frozenset({"attendee", "all"})


def primary_categories(meeting: Meeting) -> list[tuple[str, str]]:
    """The categories the preset names: its evaluator categories (with the preset's
    titles) and the two the quorum counts. Always shown, even when empty."""
    rule = meeting_rule(meeting)
    cats: dict[str, str] = {}
    if rule is not None:
        for ev in rule.evaluators:
            if ev.key not in GENERIC_KEYS:
                cats.setdefault(ev.key, ev.title)
        if rule.quorum is not None:
            if rule.quorum.members_min_share is not None:
                cats.setdefault(MEMBER, DEFAULT_TITLES[MEMBER])
            if rule.quorum.mass_min_share is not None:
                cats.setdefault(MASS, DEFAULT_TITLES[MASS])
    return list(cats.items())


def categories_for(meeting: Meeting) -> list[tuple[str, str]]:
    """Every attendee category (key, title) of the meeting: the preset's own first,
    then the default list (leaders, members, mass representatives, activists and
    applicants, guests) for people who attend without being a preset category —
    seed 003 invites representatives who do not vote, for instance."""
    cats = dict(primary_categories(meeting))
    for key, title in DEFAULT_CATEGORIES:
        cats.setdefault(key, title)
    return list(cats.items())


def evaluator_weights(meeting: Meeting) -> list[tuple[str, str]]:
    """(title, weight) of the preset's evaluator categories, where it weights them."""
    rule = meeting_rule(meeting)
    if rule is None or all(ev.weight == 1 for ev in rule.evaluators):
        return []
    return [(ev.title, str(ev.weight)) for ev in rule.evaluators]


def category_title(meeting: Meeting, key: str) -> str:
    return dict(categories_for(meeting)).get(key) or DEFAULT_TITLES.get(key, key)


def minutes_per_report(meeting: Meeting) -> int | None:
    rule = meeting_rule(meeting)
    return rule.minutes_per_report if rule is not None else None


# --- helpers -----------------------------------------------------------------


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _require_run(actor: Actor, meeting: Meeting) -> None:
    if not can_run_meeting(actor, meeting):
        raise PermissionDenied("只有本会议的组织单位或主持人可以执行此操作。")


def _require_setup(actor: Actor, campaign: Campaign) -> None:
    if actor is not None and not can_manage(actor, campaign.committee):
        raise PermissionDenied("只有组织单位可以安排述职评议会。")
    require_not_archived(campaign)


def _locked(meeting: Meeting) -> Meeting:
    """Re-read and lock the meeting row; keep the already loaded relations.

    Every change goes through here, so it is also where waiting projector screens are
    told to redraw (the bump commits with the change, or not at all)."""
    projector.bump(meeting.pk)
    fresh = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require_not_archived(meeting.campaign)
    fresh.campaign = meeting.campaign
    fresh.host = meeting.host
    return fresh


def _not_closed(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise StateError("会议已结束，不能再修改。")


def _org(meeting: Meeting) -> Organization:
    return meeting.campaign.committee


def _required_text(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field_name)
    return value


# --- set-up ------------------------------------------------------------------


def _default_agenda(meeting: Meeting) -> list[MeetingReporter]:
    rule = meeting_rule(meeting)
    reporters = list(meeting.campaign.reporters.order_by("order", "id"))
    onsite = [r for r in reporters if r.mode == ReportMode.ONSITE]
    written = [r for r in reporters if r.mode == ReportMode.WRITTEN]
    entries = [
        MeetingReporter(meeting=meeting, reporter=r, order=i, speaks=True, evaluated=True)
        for i, r in enumerate(onsite, start=1)
    ]
    if rule is not None and rule.evaluates_written:
        start = len(entries) + 1
        entries += [
            MeetingReporter(meeting=meeting, reporter=r, order=i, speaks=False, evaluated=True)
            for i, r in enumerate(written, start=start)
        ]
    return entries


def create_meeting(
    campaign: Campaign,
    *,
    actor: Actor,
    kind: str,
    title: str,
    starts_at: datetime,
    place: str = "",
    host: Person | None = None,
) -> Meeting:
    """A meeting of the round with its default agenda: the on-site reporters in the
    round's order, then the written ones where the preset evaluates them here."""
    keys = [m.key for m in campaign.parsed_rules.meetings]
    if kind not in keys:
        raise DomainError("本方案没有这种述职评议会。", field="kind")
    title = _required_text(title, "title", "请填写会议名称。")
    _check_starts_at(starts_at)
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        _require_setup(actor, campaign)
        meeting = Meeting.objects.create(
            campaign=campaign, kind=kind, title=title, starts_at=starts_at, place=place, host=host
        )
        MeetingReporter.objects.bulk_create(_default_agenda(meeting))
        record(
            actor=actor,
            action="meeting.create",
            target=meeting,
            organization=campaign.committee,
            changes={"kind": kind, "starts_at": starts_at, "place": place, "host": host},
        )
    return meeting


def create_meetings_from_rules(
    campaign: Campaign,
    *,
    actor: Actor,
    starts_at: datetime,
    place: str = "",
    host: Person | None = None,
) -> list[Meeting]:
    """One meeting per meeting rule of the preset (seed 004's 双述双评: the members'
    meeting and the committee's, over the same reporters). Kinds that already have a
    meeting are skipped, so calling it twice adds nothing."""
    existing = set(campaign.meetings.values_list("kind", flat=True))
    made = []
    for rule in campaign.parsed_rules.meetings:
        if rule.key in existing:
            continue
        made.append(
            create_meeting(
                campaign,
                actor=actor,
                kind=rule.key,
                title=rule.title or campaign.title,
                starts_at=starts_at,
                place=place or getattr(rule, "place", ""),
                host=host,
            )
        )
    return made


def _check_starts_at(starts_at: datetime | None) -> None:
    """A meeting date the database and every page can hold. Year 1 in local time is
    year 0 in UTC, which PostgreSQL stores but Python cannot read back: one such
    meeting would break every meeting list."""
    if starts_at is None:
        raise DomainError("请填写会议时间。", field="starts_at")
    if not MIN_YEAR <= starts_at.year <= MAX_YEAR:
        raise DomainError(f"会议时间应在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间。", field="starts_at")


MIN_YEAR, MAX_YEAR = 2000, 2099


def update_meeting(
    meeting: Meeting,
    *,
    actor: Actor,
    title: str,
    starts_at: datetime,
    place: str = "",
    host: Person | None = None,
) -> Meeting:
    title = _required_text(title, "title", "请填写会议名称。")
    _check_starts_at(starts_at)
    with transaction.atomic():
        locked = _locked(meeting)
        _require_setup(actor, meeting.campaign)
        _not_closed(locked)
        before = {"title": locked.title, "starts_at": locked.starts_at, "place": locked.place}
        before["host"] = locked.host
        locked.title, locked.starts_at, locked.place, locked.host = title, starts_at, place, host
        locked.save(update_fields=["title", "starts_at", "place", "host"])
        after = {"title": title, "starts_at": starts_at, "place": place, "host": host}
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        record(
            actor=actor,
            action="meeting.update",
            target=locked,
            organization=_org(meeting),
            changes=changes,
        )
    return locked


def reorder_agenda(meeting: Meeting, *, actor: Actor, entry_ids: list[int]) -> None:
    """Set the speaking order; `entry_ids` must list every agenda entry once."""
    with transaction.atomic():
        locked = _locked(meeting)
        _require_run(actor, meeting)
        _not_closed(locked)
        current = list(locked.agenda.order_by("order", "id").values_list("id", flat=True))
        if sorted(entry_ids) != sorted(current) or len(set(entry_ids)) != len(entry_ids):
            raise DomainError("顺序应包含全部述职对象且每人一次。", field="order")
        entries = {e.pk: e for e in locked.agenda.all()}
        for position, pk in enumerate(entry_ids, start=1):
            entries[pk].order = position
        MeetingReporter.objects.bulk_update(entries.values(), ["order"])
        record(
            actor=actor,
            action="meeting.reorder",
            target=locked,
            organization=_org(meeting),
            changes={"order": [current, entry_ids]},
        )


def move_agenda_entry(entry: MeetingReporter, *, actor: Actor, up: bool) -> None:
    """Swap an entry with its neighbour (the page's ↑/↓ buttons)."""
    ids = list(entry.meeting.agenda.order_by("order", "id").values_list("id", flat=True))
    i = ids.index(entry.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        reorder_agenda(entry.meeting, actor=actor, entry_ids=ids)


def add_agenda_entry(
    meeting: Meeting, *, actor: Actor, reporter: Reporter, speaks: bool = True, reason: str
) -> MeetingReporter:
    reason = _required_text(reason, "reason", "请填写调整理由。")
    with transaction.atomic():
        locked = _locked(meeting)
        _require_run(actor, meeting)
        _not_closed(locked)
        if reporter.campaign_id != meeting.campaign_id:
            raise DomainError("该述职对象不属于本方案。", field="reporter")
        if locked.agenda.filter(reporter=reporter).exists():
            raise DomainError("该述职对象已在议程中。", field="reporter")
        last = locked.agenda.order_by("-order").values_list("order", flat=True).first() or 0
        entry = MeetingReporter.objects.create(
            meeting=locked, reporter=reporter, order=last + 1, speaks=speaks, evaluated=True
        )
        record(
            actor=actor,
            action="meeting.agenda_add",
            target=locked,
            organization=_org(meeting),
            changes={"reporter": str(reporter), "speaks": speaks},
            note=reason,
        )
    return entry


def remove_agenda_entry(entry: MeetingReporter, *, actor: Actor, reason: str) -> None:
    reason = _required_text(reason, "reason", "请填写调整理由。")
    meeting = entry.meeting
    with transaction.atomic():
        locked = _locked(meeting)
        _require_run(actor, meeting)
        _not_closed(locked)
        entry = MeetingReporter.objects.select_for_update().get(pk=entry.pk)
        if entry.started_at is not None:
            raise StateError("已开始述职的对象不能移出议程。")
        label = str(entry.reporter)
        entry.delete()
        record(
            actor=actor,
            action="meeting.agenda_remove",
            target=locked,
            organization=_org(meeting),
            changes={"reporter": label},
            note=reason,
        )


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


# --- status and running order -------------------------------------------------------


def can_transition(current: str, target: str) -> bool:
    return target in MEETING_TRANSITIONS.get(current, frozenset())


def _transition(meeting: Meeting, *, actor: Actor, target: str) -> Meeting:
    with transaction.atomic():
        locked = _locked(meeting)
        _require_run(actor, meeting)
        if not can_transition(locked.status, target):
            raise StateError(
                f"会议状态为“{locked.get_status_display()}”，不能变为“{MeetingStatus(target).label}”。"
            )
        before = locked.status
        locked.status = target
        now = timezone.now()
        fields = ["status"]
        if target == MeetingStatus.IN_PROGRESS:
            locked.opened_at = now
            locked.current_entry = locked.agenda.filter(speaks=True).order_by("order", "id").first()
            fields += ["opened_at", "current_entry"]
        elif target == MeetingStatus.CLOSED:
            locked.closed_at = now
            # A report still running when the meeting closes ends with it.
            locked.agenda.filter(started_at__isnull=False, ended_at__isnull=True).update(
                ended_at=now
            )
            fields += ["closed_at"]
        locked.save(update_fields=fields)
        record(
            actor=actor,
            action=f"meeting.{target}",
            target=locked,
            organization=_org(meeting),
            changes={"status": [before, target]},
        )
    meeting.status = locked.status
    return locked


def open_meeting(meeting: Meeting, *, actor: Actor) -> Meeting:
    return _transition(meeting, actor=actor, target=MeetingStatus.IN_PROGRESS)


def close_meeting(meeting: Meeting, *, actor: Actor) -> Meeting:
    return _transition(meeting, actor=actor, target=MeetingStatus.CLOSED)


def _running(meeting: Meeting) -> MeetingReporter | None:
    return meeting.agenda.filter(started_at__isnull=False, ended_at__isnull=True).first()


def _entry_for_update(entry: MeetingReporter) -> tuple[Meeting, MeetingReporter]:
    meeting = _locked(entry.meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise StateError("会议尚未开始或已结束。")
    locked = MeetingReporter.objects.select_for_update().get(pk=entry.pk)
    locked.reporter = entry.reporter
    return meeting, locked


def start_report(entry: MeetingReporter, *, actor: Actor) -> MeetingReporter:
    """Start the timer of one on-site report; it becomes the room's current entry."""
    with transaction.atomic():
        meeting, locked = _entry_for_update(entry)
        _require_run(actor, entry.meeting)
        if not locked.speaks:
            raise StateError("书面述职对象不在现场述职。")
        if locked.started_at is not None:
            raise StateError("该述职已开始。")
        running = _running(meeting)
        if running is not None:
            raise StateError(f"{running.reporter}的述职尚未结束。")
        locked.started_at = timezone.now()
        locked.save(update_fields=["started_at"])
        meeting.current_entry = locked
        meeting.save(update_fields=["current_entry"])
        record(
            actor=actor,
            action="meeting.report_start",
            target=meeting,
            organization=_org(entry.meeting),
            changes={"reporter": str(locked.reporter)},
        )
    return locked


def end_report(entry: MeetingReporter, *, actor: Actor) -> MeetingReporter:
    with transaction.atomic():
        meeting, locked = _entry_for_update(entry)
        _require_run(actor, entry.meeting)
        if locked.started_at is None or locked.ended_at is not None:
            raise StateError("该述职未在进行中。")
        locked.ended_at = timezone.now()
        locked.save(update_fields=["ended_at"])
        record(
            actor=actor,
            action="meeting.report_end",
            target=meeting,
            organization=_org(entry.meeting),
            changes={"reporter": str(locked.reporter), "seconds": report_seconds(locked)},
        )
    return locked


def next_entry(meeting: Meeting) -> MeetingReporter | None:
    """The first on-site entry after the current one that has not spoken yet."""
    qs = meeting.agenda.filter(speaks=True, started_at__isnull=True).order_by("order", "id")
    current = meeting.current_entry
    if current is not None:
        after = qs.filter(Q(order__gt=current.order) | Q(order=current.order, id__gt=current.pk))
        found = after.exclude(pk=current.pk).first()
        if found is not None:
            return found
    return qs.exclude(pk=meeting.current_entry_id or 0).first()


def advance(meeting: Meeting, *, actor: Actor) -> MeetingReporter | None:
    """Finish the running report (if any) and bring the next reporter up; the timer
    starts when the host presses start. Returns the new current entry (None at the end)."""
    with transaction.atomic():
        locked = _locked(meeting)
        _require_run(actor, meeting)
        if locked.status != MeetingStatus.IN_PROGRESS:
            raise StateError("会议尚未开始或已结束。")
        now = timezone.now()
        running = _running(locked)
        if running is not None:
            running.ended_at = now
            running.save(update_fields=["ended_at"])
        following = next_entry(locked)
        locked.current_entry = following
        locked.save(update_fields=["current_entry"])
        record(
            actor=actor,
            action="meeting.advance",
            target=locked,
            organization=_org(meeting),
            changes={"current": str(following.reporter) if following else ""},
        )
    meeting.current_entry = following
    return following


def report_seconds(entry: MeetingReporter) -> int | None:
    if entry.started_at is None:
        return None
    end = entry.ended_at or timezone.now()
    return int((end - entry.started_at).total_seconds())


# --- questions -------------------------------------------------------------------


def _check_entry_writable(entry: MeetingReporter, actor: Actor) -> None:
    _require_run(actor, entry.meeting)
    _not_closed(entry.meeting)


def add_question(
    entry: MeetingReporter,
    *,
    actor: Actor,
    text: str,
    answer: str = "",
    asker_category: str = "",
    asker_name: str = "",
    promise: str = "",
    promised_by: date | None = None,
) -> Question:
    text = _required_text(text, "text", "请填写问题。")
    if promised_by is not None and promised_by < entry.meeting.starts_at.date():
        raise DomainError("承诺完成时间不能早于会议日期。", field="promised_by")
    if promise.strip() and promised_by is None:
        raise DomainError("作出承诺时请填写承诺完成时间。", field="promised_by")
    with transaction.atomic():
        _locked(entry.meeting)
        _check_entry_writable(entry, actor)
        question = Question.objects.create(
            entry=entry,
            text=text,
            answer=answer.strip(),
            asker_category=asker_category,
            asker_name=asker_name.strip(),
            promise=promise.strip(),
            promised_by=promised_by,
            created_by=_user(actor),
        )
        record(
            actor=actor,
            action="meeting.question_add",
            target=question,
            organization=entry.reporter.organization,
            changes={"reporter": str(entry.reporter), "promised_by": promised_by},
        )
    return question


def update_question(
    question: Question,
    *,
    actor: Actor,
    answer: str,
    promise: str = "",
    promised_by: date | None = None,
) -> Question:
    entry = question.entry
    if promise.strip() and promised_by is None:
        raise DomainError("作出承诺时请填写承诺完成时间。", field="promised_by")
    if promised_by is not None and promised_by < entry.meeting.starts_at.date():
        raise DomainError("承诺完成时间不能早于会议日期。", field="promised_by")
    with transaction.atomic():
        _locked(entry.meeting)
        _check_entry_writable(entry, actor)
        locked = Question.objects.select_for_update().get(pk=question.pk)
        before = [locked.answer, locked.promise, locked.promised_by]
        locked.answer, locked.promise, locked.promised_by = (
            answer.strip(),
            promise.strip(),
            promised_by,
        )
        locked.save(update_fields=["answer", "promise", "promised_by"])
        record(
            actor=actor,
            action="meeting.question_update",
            target=locked,
            organization=entry.reporter.organization,
            changes={
                "answer/promise/promised_by": [before, [locked.answer, locked.promise, promised_by]]
            },
        )
    return locked


def asker_label(question: Question, titles: dict[str, str]) -> str:
    """ "党员、张三" — the asker's category and name, either may be blank."""
    category = titles.get(question.asker_category) or DEFAULT_TITLES.get(
        question.asker_category, question.asker_category
    )
    return "、".join(x for x in (category, question.asker_name) if x)


def promises_for(campaign: Campaign) -> QuerySet[Question]:
    """Every promise made at the round's meetings, for the rectification ledger:
    questions with a promised completion date, with their reporter and meeting."""
    return (
        Question.objects.filter(entry__meeting__campaign=campaign, promised_by__isnull=False)
        .select_related(
            "entry__reporter__organization", "entry__reporter__person", "entry__meeting"
        )
        .order_by("promised_by", "id")
    )


# --- critiques ("一述一评") -----------------------------------------------------------


def critique_prefill(entry: MeetingReporter) -> str:
    """Material for the host's draft, from every app registered in `meetings.prefill`."""
    return prefill.critique_prefill(entry)


def save_critique(entry: MeetingReporter, *, actor: Actor, text: str) -> Critique:
    """Write or revise the draft critique of one entry (before or during the meeting)."""
    with transaction.atomic():
        _locked(entry.meeting)
        _check_entry_writable(entry, actor)
        critique, _ = Critique.objects.select_for_update().get_or_create(entry=entry)
        if critique.status == CritiqueStatus.FINAL:
            raise StateError("点评已定稿，不能再修改。")
        before = critique.text
        critique.text = text.strip()
        critique.updated_at = timezone.now()
        critique.save(update_fields=["text", "updated_at"])
        record(
            actor=actor,
            action="meeting.critique_save",
            target=critique,
            organization=entry.reporter.organization,
            changes={"text": [before, critique.text]},
        )
    return critique


def finalize_critique(entry: MeetingReporter, *, actor: Actor, text: str | None = None) -> Critique:
    """Fix the critique after the report: draft → final; a final critique is locked."""
    with transaction.atomic():
        _locked(entry.meeting)
        _check_entry_writable(entry, actor)
        fresh = MeetingReporter.objects.get(pk=entry.pk)
        if fresh.speaks and fresh.ended_at is None:
            raise StateError("述职结束后才能定稿点评。")
        critique, _ = Critique.objects.select_for_update().get_or_create(entry=entry)
        if CritiqueStatus.FINAL not in CRITIQUE_TRANSITIONS[critique.status]:
            raise StateError("点评已定稿。")
        if text is not None:
            critique.text = text.strip()
        if not critique.text:
            raise DomainError("请填写点评意见。", field="text")
        critique.status = CritiqueStatus.FINAL
        critique.finalized_at = critique.updated_at = timezone.now()
        critique.finalized_by = _user(actor)
        critique.save(
            update_fields=["text", "status", "finalized_at", "updated_at", "finalized_by"]
        )
        record(
            actor=actor,
            action="meeting.critique_final",
            target=critique,
            organization=entry.reporter.organization,
            changes={"status": [CritiqueStatus.DRAFT, CritiqueStatus.FINAL], "text": critique.text},
        )
    return critique


# --- the room's state (host console and projector poll this) ------------------------


def _person_block(entry: MeetingReporter | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    reporter = entry.reporter
    return {
        "name": reporter.person.name if reporter.person is not None else "（书记空缺）",
        "position": reporter.position,
        "organization": reporter.organization.name,
    }


def room_state(meeting: Meeting) -> dict[str, Any]:
    """What the projector shows: names of the current and next reporter and the
    timer's server timestamps. No ids, keys or personal data beyond the names."""
    entries = list(
        meeting.agenda.filter(speaks=True)
        .select_related("reporter__person", "reporter__organization")
        .order_by("order", "id")
    )
    current = next((e for e in entries if e.pk == meeting.current_entry_id), None)
    upcoming = None
    if meeting.status != MeetingStatus.CLOSED:
        pool = [e for e in entries if e.started_at is None and e is not current]
        if current is not None:
            later = [e for e in pool if (e.order, e.pk) > (current.order, current.pk)]
            pool = later or pool
        upcoming = pool[0] if pool else None
    minutes = minutes_per_report(meeting)
    block = _person_block(current)
    if block is not None and current is not None:
        block |= {
            "started_at": current.started_at.isoformat() if current.started_at else None,
            "ended_at": current.ended_at.isoformat() if current.ended_at else None,
            "position_in_order": entries.index(current) + 1,
        }
    label = {
        MeetingStatus.PLANNED: "会议即将开始",
        MeetingStatus.IN_PROGRESS: "述职已全部结束" if current is None else "",
        MeetingStatus.CLOSED: "会议已结束",
    }[MeetingStatus(meeting.status)]
    return {
        "title": meeting.title,
        "status": meeting.status,
        "status_label": label or meeting.get_status_display(),
        "limit_seconds": minutes * 60 if minutes else None,
        "server_now": timezone.now().isoformat(),
        "current": block,
        "next": _person_block(upcoming),
        "total": len(entries),
        "done": sum(1 for e in entries if e.ended_at is not None),
    }


NOTICE_MAX_CHARS = 300


def set_projector(meeting: Meeting, *, actor: Actor, mode: str, notice: str = "") -> Meeting:
    """Choose what the meeting's projector shows (the host's console)."""
    if mode not in ProjectorMode.values:
        raise DomainError("请选择投影内容。", field="mode")
    notice = notice.strip()
    if mode == ProjectorMode.NOTICE and not notice:
        raise DomainError("请填写要投影的通知内容。", field="notice")
    if len(notice) > NOTICE_MAX_CHARS:
        raise DomainError(f"通知不超过{NOTICE_MAX_CHARS}字。", field="notice")
    with transaction.atomic():
        locked = _locked(meeting)
        _require_run(actor, locked)
        before = locked.projector_mode
        locked.projector_mode = mode
        if mode == ProjectorMode.NOTICE:
            locked.projector_notice = notice
        locked.save(update_fields=["projector_mode", "projector_notice"])
        record(
            actor=actor,
            action="meeting.projector",
            target=locked,
            organization=locked.campaign.committee,
            changes={"projector_mode": [before, mode]},
        )
    return locked
