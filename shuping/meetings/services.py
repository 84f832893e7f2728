"""Meeting state changes: set-up, agenda, running order and the room's state.
Every change is one function: lock, check, save, audit.

Attendance and quorum live in `meetings.attendance`, questions and critiques in
`meetings.critiques`; both share the locking and permission helpers defined here.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shuping.accounts.access import can_manage
from shuping.audit.services import record
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.meetings import projector
from shuping.meetings.access import can_run_meeting
from shuping.meetings.models import (
    MEETING_TRANSITIONS,
    Meeting,
    MeetingReporter,
    MeetingStatus,
    ProjectorMode,
)
from shuping.organizations.models import Organization, Person
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
