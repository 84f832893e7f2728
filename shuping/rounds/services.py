"""State changes to rounds. One function per change: lock, check, save, audit."""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shuping.accounts.access import can_manage
from shuping.accounts.models import Role, RoleGrant
from shuping.audit.services import record
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.organizations.models import Organization, Person
from shuping.rounds import carryover
from shuping.rounds.access import campaign_scope_q
from shuping.rounds.archive import require_not_archived
from shuping.rounds.models import (
    Campaign,
    CampaignStatus,
    Deadline,
    FilingKind,
    FilingState,
    PlanFiling,
    Reminder,
    ReminderKind,
    Reporter,
    ReportMode,
)
from shuping.rounds.presets import (
    PresetDef,
    get_preset,
)
from shuping.rounds.proposal import assign_modes, phase_dates, propose
from shuping.rounds.rules import Rules, parse_rules

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from shuping.lib.types import Actor, Viewer

# Allowed moves of a round; anything else is a StateError (tested as a matrix).
TRANSITIONS: dict[str, set[str]] = {
    CampaignStatus.DRAFT: {CampaignStatus.ACTIVE},
    CampaignStatus.ACTIVE: {CampaignStatus.CLOSED, CampaignStatus.DRAFT},
    CampaignStatus.CLOSED: set(),
}
FILING_TRANSITIONS: dict[str, set[str]] = {
    FilingState.SUBMITTED: {FilingState.ACKNOWLEDGED},
    FilingState.ACKNOWLEDGED: set(),
}


def _user(actor: Actor) -> User | None:
    from django.contrib.auth.models import User

    return actor if isinstance(actor, User) else None


def _require_manage(actor: Actor, org: Organization) -> None:
    if actor is not None and not can_manage(actor, org):
        raise PermissionDenied()


def _require_open(campaign: Campaign) -> None:
    require_not_archived(campaign)
    if campaign.status == CampaignStatus.CLOSED:
        raise StateError("方案已结束，不能再修改。")


def _format(text: str, year: int, committee: str = "") -> str:
    return (
        text.replace("{committee}", committee)
        .replace("{year}", str(year))
        .replace("{next_year}", str(year + 1))
        .replace("{prev_year}", str(year - 1))
    )


# --- creating a round ----------------------------------------------------------


def _default_title(doc_title: str, year: int, committee: str) -> str:
    if "{committee}" in doc_title:
        return _format(doc_title, year, committee)
    return f"{committee}{year}年度{_format(doc_title, year, committee)}"


def default_report_year(today: date) -> int:
    """The year a new round reports on: rounds run from late autumn to spring, so
    from July on it is this year's work (December 2026 → 2026), before that last
    year's (March 2027 → 2026)."""
    return today.year if today.month >= 7 else today.year - 1


def last_year_modes(committee: Organization, year: int) -> dict[int, str]:
    """Mode per organization in the same committee's round of the year before."""
    return dict(
        Reporter.objects.filter(campaign__committee=committee, campaign__year=year - 1).values_list(
            "organization_id", "mode"
        )
    )


def resolve_preset(preset: str | PresetDef) -> PresetDef:
    if isinstance(preset, PresetDef):
        return preset
    try:
        return get_preset(preset)
    except KeyError:
        raise DomainError(f"没有代号为“{preset}”的方案模板。", field="preset") from None


def sub_round_rules(parent_rules: dict[str, Any]) -> dict[str, Any]:
    """The rules a child committee follows (比照): the parent's, with the scope, modes
    and timeline of `sub_round` in place of the parent's own."""
    data = copy.deepcopy(parent_rules)
    sub = data.pop("sub_round", None)
    if sub:
        for name in ("scope", "modes", "timeline"):
            if name in sub:
                data[name] = sub[name]
    return data


def _create_deadlines(campaign: Campaign, rules: Rules) -> None:
    dates = phase_dates(rules.timeline, campaign.year)
    Deadline.objects.bulk_create(
        Deadline(
            campaign=campaign,
            key=phase.key,
            title=phase.title,
            starts_on=dates[phase.key][0],
            due_on=dates[phase.key][1],
            note=phase.note[:200],
            tier=phase.tier,
            position=i,
        )
        for i, phase in enumerate(rules.timeline)
    )


def create_campaign(
    committee: Organization,
    *,
    actor: Actor,
    preset: str | PresetDef,
    year: int,
    title: str = "",
    doc_number: str = "",
    onsite_places: int | None = None,
    sampling_seed: int | None = None,
    parent: Campaign | None = None,
    rules_data: dict[str, Any] | None = None,
    requires_sub_rounds: bool = False,
) -> Campaign:
    """Create a round for `committee` from a preset: rules snapshot, proposed reporters
    (scope, exclusions, reproducible sampling, vacancies, modes) and dated deadlines."""
    _require_manage(actor, committee)
    definition = resolve_preset(preset)
    if not 2000 <= year <= 2100:
        raise DomainError("年度应在 2000 到 2100 之间。", field="year")
    if not committee.children.filter(is_active=True).exists():
        raise DomainError("该组织没有下级组织，不能组织述职评议。", field="committee")
    if Campaign.objects.filter(committee=committee, year=year).exists():
        raise DomainError(f"{committee.name}{year}年度的方案已存在。", field="year")
    data = rules_data if rules_data is not None else definition.rules_data
    rules = parse_rules(data)
    if onsite_places is not None and onsite_places < 0:
        raise DomainError("现场述职名额不能为负数。", field="onsite_places")
    places = onsite_places if onsite_places is not None else rules.modes.onsite_places
    seed = sampling_seed if sampling_seed is not None else secrets.randbelow(2**31)
    doc_title = rules.document.title or definition.title
    # The proposal only reads: computed before the transaction, which stays short.
    proposal = propose(
        committee,
        rules.scope,
        rules.modes,
        seed=seed,
        places=places,
        last_year=last_year_modes(committee, year),
    )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            committee=committee,
            year=year,
            title=(title.strip() or _default_title(doc_title, year, committee.name))[:200],
            doc_number=doc_number or _format(rules.document.doc_number, year),
            preset_key=definition.key,
            preset_version=definition.version,
            preset_title=definition.title[:200],
            seed_file=definition.seed,
            rules=data,
            parent=parent,
            created_by=_user(actor),
            sampling_seed=seed,
            onsite_places=places,
            requires_sub_rounds=requires_sub_rounds,
        )
        Reporter.objects.bulk_create(
            Reporter(
                campaign=campaign,
                organization=p.organization,
                person=p.organization.secretary,
                position=f"{p.organization.name}书记",
                mode=p.mode,
                is_vacant=p.is_vacant,
                sampled=p.sampled,
                note=p.note,
                order=i,
            )
            for i, p in enumerate(proposal.reporters, start=1)
        )
        campaign.sampling_log = proposal.sampling_log
        campaign.save(update_fields=["sampling_log"])
        _create_deadlines(campaign, rules)
        record(
            actor=actor,
            action="campaign.create",
            target=campaign,
            organization=committee,
            changes={
                "preset": f"{definition.title}（第{definition.version}版）",
                "year": year,
                "reporters": len(proposal.reporters),
                "onsite_places": places,
                "parent": str(parent) if parent else None,
            },
        )
        for entry in proposal.sampling_log:
            record(
                actor=actor,
                action="campaign.sample",
                target=campaign,
                organization=committee,
                changes={
                    "seed": seed,
                    "rule": entry["text"],
                    "count": entry["count"],
                    "pool": [o["name"] for o in entry["pool"]],
                    "chosen": [o["name"] for o in entry["chosen"]],
                },
                note=f"随机抽样（种子 {seed}）",
            )
        return campaign


# --- status ----------------------------------------------------------------------


def _lock(campaign: Campaign) -> Campaign:
    return (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("committee")
        .get(pk=campaign.pk)
    )


@transaction.atomic
def change_status(campaign: Campaign, *, actor: Actor, to: str) -> Campaign:
    campaign = _lock(campaign)
    _require_manage(actor, campaign.committee)
    require_not_archived(campaign)
    if to not in TRANSITIONS.get(campaign.status, set()):
        raise StateError(
            f"方案当前为“{campaign.get_status_display()}”，不能改为“{CampaignStatus(to).label}”。"
            if to in CampaignStatus.values
            else "未知的状态。"
        )
    before = campaign.status
    campaign.status = to
    campaign.save(update_fields=["status"])
    record(
        actor=actor,
        action="campaign.status",
        target=campaign,
        organization=campaign.committee,
        changes={"status": [before, to]},
    )
    if to == CampaignStatus.CLOSED:
        carryover.freeze(campaign, actor=actor, on="close", replace=False)
    return campaign


# --- reporters -------------------------------------------------------------------


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写调整理由。", field="reason")
    return reason


@transaction.atomic
def add_reporter(
    campaign: Campaign,
    *,
    actor: Actor,
    organization: Organization,
    mode: str = ReportMode.ONSITE,
    reason: str,
) -> Reporter:
    campaign = _lock(campaign)
    _require_manage(actor, campaign.committee)
    _require_open(campaign)
    reason = _require_reason(reason)
    if mode not in ReportMode.values:
        raise DomainError("述职方式应为现场或书面。", field="mode")
    if organization.pk == campaign.committee_id or not organization.is_within(campaign.committee):
        raise DomainError("只能添加本单位所辖的党组织。", field="organization")
    if campaign.reporters.filter(organization=organization).exists():
        raise DomainError(f"{organization.name}已在述职名单中。", field="organization")
    vacant = organization.secretary_id is None
    last = campaign.reporters.order_by("-order").values_list("order", flat=True).first() or 0
    reporter = Reporter.objects.create(
        campaign=campaign,
        organization=organization,
        person=organization.secretary,
        position=f"{organization.name}书记",
        mode=ReportMode.WRITTEN if vacant else mode,
        is_vacant=vacant,
        added_manually=True,
        note=("书记空缺，由负责人书面述职" if vacant else "")[:200],
        order=last + 1,
    )
    record(
        actor=actor,
        action="reporter.add",
        target=reporter,
        organization=campaign.committee,
        changes={"organization": organization.name, "mode": reporter.mode},
        note=reason,
    )
    return reporter


@transaction.atomic
def remove_reporter(reporter: Reporter, *, actor: Actor, reason: str) -> None:
    campaign = _lock(reporter.campaign)
    _require_manage(actor, campaign.committee)
    _require_open(campaign)
    reason = _require_reason(reason)
    reporter = Reporter.objects.select_for_update().get(pk=reporter.pk)
    record(
        actor=actor,
        action="reporter.remove",
        target=reporter,
        organization=campaign.committee,
        changes={"organization": str(reporter.organization), "mode": reporter.mode},
        note=reason,
    )
    reporter.delete()


@transaction.atomic
def set_reporter_mode(reporter: Reporter, *, actor: Actor, mode: str, reason: str) -> Reporter:
    campaign = _lock(reporter.campaign)
    _require_manage(actor, campaign.committee)
    _require_open(campaign)
    reason = _require_reason(reason)
    if mode not in ReportMode.values:
        raise DomainError("述职方式应为现场或书面。", field="mode")
    reporter = Reporter.objects.select_for_update().get(pk=reporter.pk)
    if reporter.is_vacant and mode == ReportMode.ONSITE:
        raise DomainError("书记空缺的党组织采取书面述职。", field="mode")
    before = reporter.mode
    if before == mode:
        return reporter
    reporter.mode = mode
    reporter.save(update_fields=["mode"])
    record(
        actor=actor,
        action="reporter.mode",
        target=reporter,
        organization=campaign.committee,
        changes={"mode": [before, mode]},
        note=reason,
    )
    return reporter


@transaction.atomic
def set_reporter_person(
    reporter: Reporter, *, actor: Actor, person: Person | None, reason: str
) -> Reporter:
    """Name who reports for an organization, e.g. the person in charge of a vacant post
    (who then reports in writing). The person must belong to that organization."""
    campaign = _lock(reporter.campaign)
    _require_manage(actor, campaign.committee)
    _require_open(campaign)
    reason = _require_reason(reason)
    reporter = (
        Reporter.objects.select_for_update(of=("self",))
        .select_related("organization", "person")
        .get(pk=reporter.pk)
    )
    if person is not None and person.organization_id != reporter.organization_id:
        raise DomainError("述职人应为该党组织的成员。", field="person")
    before = str(reporter.person) if reporter.person else None
    reporter.person = person
    reporter.position = (
        f"{reporter.organization.name}书记"
        if person is not None and person.pk == reporter.organization.secretary_id
        else f"{reporter.organization.name}负责人"
    )[:120]
    reporter.save(update_fields=["person", "position"])
    record(
        actor=actor,
        action="reporter.person",
        target=reporter,
        organization=campaign.committee,
        changes={"person": [before, str(person) if person else None]},
        note=reason,
    )
    return reporter


@transaction.atomic
def reassign_modes(
    campaign: Campaign, *, actor: Actor, places: int | None, reason: str
) -> Campaign:
    """Set the number of on-site places and assign modes again by the preset's rule
    (last year's written first, then those the preset names, then tree order)."""
    campaign = _lock(campaign)
    _require_manage(actor, campaign.committee)
    _require_open(campaign)
    reason = _require_reason(reason)
    if places is not None and places < 0:
        raise DomainError("现场述职名额不能为负数。", field="places")
    reporters = list(
        campaign.reporters.select_related("organization").select_for_update(of=("self",))
    )
    orgs = [r.organization for r in reporters]
    for reporter, org in zip(reporters, orgs, strict=True):
        # a vacant post named in the round counts as vacant whatever the tree says now
        if reporter.is_vacant:
            org.secretary_id = None
    modes = assign_modes(
        orgs,
        campaign.parsed_rules.modes,
        places=places,
        last_year=last_year_modes(campaign.committee, campaign.year),
    )
    changed = {}
    for reporter in reporters:
        mode = modes[reporter.organization_id]
        if reporter.mode != mode:
            changed[reporter.organization.name] = [reporter.mode, mode]
            reporter.mode = mode
    Reporter.objects.bulk_update(reporters, ["mode"])
    before = campaign.onsite_places
    campaign.onsite_places = places
    campaign.save(update_fields=["onsite_places"])
    record(
        actor=actor,
        action="campaign.modes",
        target=campaign,
        organization=campaign.committee,
        changes={"onsite_places": [before, places], "modes": changed},
        note=reason,
    )
    return campaign


@dataclass(frozen=True)
class RotationWarning:
    reporter: Reporter
    last_year_mode: str

    @property
    def message(self) -> str:
        return f"{self.reporter.organization.name}：上年书面述职，本年仍为书面，两年内没有现场述职"


def rotation_warnings(campaign: Campaign, *, limit: int | None = None) -> list[RotationWarning]:
    """Reporters who would go two years without reporting on-site (seed 003's rule), in
    list order, the first `limit` of them. Vacant posts are exempt: the seed lets them
    report in writing. One query, whatever the size of the round."""
    return [RotationWarning(r, ReportMode.WRITTEN) for r in _rotation_due(campaign)[:limit]]


def _rotation_due(campaign: Campaign) -> QuerySet[Reporter]:
    if campaign.parsed_rules.modes.rotation_years < 2:
        return Reporter.objects.none()
    written_last_year = Reporter.objects.filter(
        campaign__committee_id=campaign.committee_id,
        campaign__year=campaign.year - 1,
        organization_id=OuterRef("organization_id"),
        mode=ReportMode.WRITTEN,
    )
    return (
        campaign.reporters.filter(mode=ReportMode.WRITTEN, is_vacant=False)
        .filter(Exists(written_last_year))
        .select_related("organization", "person")
        .order_by("order", "pk")
    )


def reporter_list(campaign: Campaign, *, q: str = "", mode: str = "") -> QuerySet[Reporter]:
    """The round's reporters in list order, narrowed by organization or person name and
    by mode: what the round page and the API page through."""
    qs = campaign.reporters.select_related("organization", "person").order_by("order", "pk")
    if q := q.strip():
        qs = qs.filter(Q(organization__name__icontains=q) | Q(person__name__icontains=q))
    if mode in ReportMode.values:
        qs = qs.filter(mode=mode)
    return qs


VACANT_NAMES = 20  # vacant posts named in the warning; the rest are counted


def campaign_warnings(campaign: Campaign, *, today: date | None = None) -> list[str]:
    """Everything the round page should flag for the organizer."""
    rules = campaign.parsed_rules
    today = today or timezone.localdate()
    rotation = rotation_warnings(campaign, limit=VACANT_NAMES + 1)
    warnings = [w.message for w in rotation[:VACANT_NAMES]]
    if len(rotation) > VACANT_NAMES:
        warnings.append(
            f"以上仅列出前 {VACANT_NAMES} 个；共 {_rotation_due(campaign).count()} 个"
            "组织两年内没有现场述职，可在名单中按“书面述职”筛选查看。"
        )
    # Counts and the first few names only: a province-wide round has thousands of reporters.
    reporters = campaign.reporters.all()
    vacant = list(
        reporters.filter(is_vacant=True)
        .order_by("order")
        .values_list("organization__name", flat=True)[: VACANT_NAMES + 1]
    )
    if vacant:
        names = "、".join(vacant[:VACANT_NAMES])
        if len(vacant) > VACANT_NAMES:
            names += f"等 {reporters.filter(is_vacant=True).count()} 个"
        warnings.append("书记空缺：" + names + "（书面述职，请确定负责人）")
    counts = reporters.aggregate(
        total=Count("pk"), onsite=Count("pk", filter=Q(mode=ReportMode.ONSITE))
    )
    expected = rules.scope.expected_count
    if expected is not None and expected != counts["total"]:
        warnings.append(f"方案写明述职对象 {expected} 名，当前名单 {counts['total']} 名。")
    places = campaign.onsite_places
    onsite = counts["onsite"]
    if places is not None and onsite != places:
        warnings.append(f"现场述职名额 {places} 个，当前安排 {onsite} 人现场述职。")
    warnings += _filing_warnings(campaign, today)
    return warnings


def _filing_warnings(campaign: Campaign, today: date) -> list[str]:
    """A sub-round's plan not yet filed, and a meeting plan due N days before the meeting."""
    if campaign.parent_id is None:
        return []
    out = []
    kinds = set(campaign.plan_filings.values_list("kind", flat=True))
    if FilingKind.PLAN not in kinds:
        out.append(f"工作方案尚未报{campaign.parent.committee.name}备案。")  # type: ignore[union-attr]
    days = meeting_plan_days(campaign)
    meeting = (
        campaign.deadlines.filter(key__in=("meeting", "members_meeting"))
        .exclude(due_on__isnull=True)
        .order_by("starts_on", "due_on")
        .first()
    )
    if days and meeting is not None and FilingKind.MEETING_PLAN not in kinds:
        held = meeting.starts_on or meeting.due_on
        assert held is not None
        latest = held - timedelta(days=days)
        if today >= latest - timedelta(days=7):
            out.append(f"述职评议会议方案应于会前{days}天（{latest:%Y-%m-%d}前）报送，尚未报送。")
    return out


# --- timeline --------------------------------------------------------------------


@transaction.atomic
def update_deadline(
    deadline: Deadline,
    *,
    actor: Actor,
    starts_on: date | None,
    due_on: date | None,
    title: str | None = None,
) -> Deadline:
    campaign = _lock(deadline.campaign)
    _require_manage(actor, campaign.committee)
    _require_open(campaign)
    if starts_on and due_on and starts_on > due_on:
        raise DomainError("开始日期不能晚于截止日期。", field="starts_on")
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    before = {"starts_on": deadline.starts_on, "due_on": deadline.due_on, "title": deadline.title}
    deadline.starts_on, deadline.due_on = starts_on, due_on
    if title is not None:
        if not title.strip():
            raise DomainError("请填写事项名称。", field="title")
        deadline.title = title.strip()[:120]
    deadline.save(update_fields=["starts_on", "due_on", "title"])
    after = {"starts_on": starts_on, "due_on": due_on, "title": deadline.title}
    record(
        actor=actor,
        action="deadline.update",
        target=deadline,
        organization=campaign.committee,
        changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
    )
    return deadline


@transaction.atomic
def complete_deadline(deadline: Deadline, *, actor: Actor, done: bool = True) -> Deadline:
    campaign = _lock(deadline.campaign)
    _require_manage(actor, campaign.committee)
    require_not_archived(campaign)
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    before = deadline.completed_on
    deadline.completed_on = timezone.localdate() if done else None
    deadline.save(update_fields=["completed_on"])
    record(
        actor=actor,
        action="deadline.complete",
        target=deadline,
        organization=campaign.committee,
        changes={"completed_on": [before, deadline.completed_on]},
    )
    return deadline


@dataclass(frozen=True)
class DueItem:
    deadline: Deadline
    overdue: bool
    days_left: int | None


def upcoming_for(user: Viewer, *, today: date | None = None, limit: int = 8) -> list[DueItem]:
    """What is due next in the rounds `user` can see (open deadlines of open rounds):
    overdue first, then by date. For the home page panel (accounts/home.html)."""
    today = today or timezone.localdate()
    rows = (
        Deadline.objects.filter(
            completed_on__isnull=True,
            due_on__isnull=False,
            campaign__in=Campaign.objects.filter(campaign_scope_q(user)).exclude(
                status=CampaignStatus.CLOSED
            ),
        )
        .select_related("campaign", "campaign__committee")
        .order_by("due_on", "position")[:limit]
    )
    items = [
        DueItem(d, d.due_on < today, (d.due_on - today).days)  # type: ignore[operator]
        for d in rows
    ]
    return sorted(items, key=lambda i: (not i.overdue, i.deadline.due_on))


def next_due(campaign: Campaign, *, today: date | None = None) -> Deadline | None:
    today = today or timezone.localdate()
    return (
        campaign.deadlines.filter(completed_on__isnull=True, due_on__isnull=False)
        .order_by("due_on", "position")
        .first()
    )


def _recipients(deadline: Deadline) -> list[User]:
    from django.contrib.auth.models import User

    campaign = deadline.campaign
    organizers = RoleGrant.objects.filter(
        role=Role.ORGANIZER, organization=campaign.committee
    ).values("user_id")
    q = Q(pk__in=organizers)
    if deadline.key in ("report_due",):
        q |= Q(person__reporter_entries__campaign=campaign)
    return list(User.objects.filter(q, is_active=True).distinct().order_by("pk"))


def remind(*, today: date | None = None, days: int = 3) -> int:
    """Create the reminders due today; returns how many were new. Idempotent: one
    message per (deadline, recipient, kind), whatever the number of runs."""
    today = today or timezone.localdate()
    created = 0
    deadlines = Deadline.objects.filter(
        completed_on__isnull=True,
        due_on__isnull=False,
        due_on__lte=today + timedelta(days=days),
        campaign__status=CampaignStatus.ACTIVE,
    ).select_related("campaign", "campaign__committee")
    for deadline in deadlines:
        assert deadline.due_on is not None
        overdue = deadline.due_on < today
        kind = ReminderKind.OVERDUE if overdue else ReminderKind.DUE_SOON
        text = (
            f"已逾期：{deadline.campaign.title}“{deadline.title}”应于{deadline.due_on:%Y-%m-%d}完成"
            if overdue
            else f"即将到期：{deadline.campaign.title}“{deadline.title}”"
            f"截止{deadline.due_on:%Y-%m-%d}"
        )
        for user in _recipients(deadline):
            try:
                with transaction.atomic():
                    reminder = Reminder.objects.create(
                        deadline=deadline, recipient=user, kind=kind, message=text[:300]
                    )
            except IntegrityError:
                continue
            created += 1
            if settings.EMAIL_HOST and user.email:
                send_mail("述评提醒", text, None, [user.email], fail_silently=True)
                reminder.emailed_at = timezone.now()
                reminder.save(update_fields=["emailed_at"])
    return created


@transaction.atomic
def mark_reminders_read(user: User) -> int:
    return Reminder.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- sub-rounds and filings -----------------------------------------------------


@transaction.atomic
def create_sub_campaigns(
    parent: Campaign,
    *,
    actor: Actor,
    committees: list[Organization],
    preset: str | PresetDef | None = None,
) -> list[Campaign]:
    """Child committees' own rounds following the parent's rules (比照), or a preset."""
    parent = _lock(parent)
    _require_manage(actor, parent.committee)
    _require_open(parent)
    if not committees:
        raise DomainError("请选择下级单位。", field="committees")
    created = []
    for child in committees:
        if child.parent_id != parent.committee_id:
            raise DomainError(
                f"{child.name}不是{parent.committee.name}的直属单位。", field="committees"
            )
        if preset is not None:
            definition = resolve_preset(preset)
            data = sub_round_rules(definition.rules_data)
        else:
            definition = PresetDef(
                key=parent.preset_key,
                title=f"比照{parent.committee.name}{parent.preset_title}",
                rules_data=parent.rules,
                seed=parent.seed_file,
                version=parent.preset_version,
            )
            data = sub_round_rules(parent.rules)
        sub_title = parent.parsed_rules.sub_round.title if parent.parsed_rules.sub_round else ""
        created.append(
            create_campaign(
                child,
                actor=actor,
                preset=definition,
                year=parent.year,
                title=f"{child.name}{parent.year}年度{sub_title or '党组织书记述职评议考核'}"
                if preset is None
                else "",
                parent=parent,
                rules_data=data,
            )
        )
    if not parent.requires_sub_rounds:
        parent.requires_sub_rounds = True
        parent.save(update_fields=["requires_sub_rounds"])
    return created


def meeting_plan_days(campaign: Campaign) -> int | None:
    """Days before its meeting a sub-round files the meeting plan (seed 003: 10)."""
    if campaign.parent_id is None:
        return None
    sub = campaign.parent.parsed_rules.sub_round  # type: ignore[union-attr]
    return sub.meeting_plan_days_before if sub else None


@transaction.atomic
def file_plan(
    campaign: Campaign,
    *,
    actor: Actor,
    kind: str = FilingKind.PLAN,
    meeting_on: date | None = None,
    note: str = "",
    today: date | None = None,
) -> PlanFiling:
    """A sub-round files its plan (or meeting plan) with the parent's committee (备案)."""
    campaign = _lock(campaign)
    _require_manage(actor, campaign.committee)
    require_not_archived(campaign)
    if campaign.parent_id is None:
        raise StateError("本方案没有上级方案，无需备案。")
    if kind not in FilingKind.values:
        raise DomainError("未知的备案类别。", field="kind")
    today = today or timezone.localdate()
    late = False
    if kind == FilingKind.MEETING_PLAN:
        if meeting_on is None:
            raise DomainError("请填写会议日期。", field="meeting_on")
        days = meeting_plan_days(campaign)
        late = days is not None and (meeting_on - today).days < days
    elif campaign.plan_filings.filter(kind=FilingKind.PLAN).exists():
        raise StateError("工作方案已报送备案。")
    filing = PlanFiling.objects.create(
        campaign=campaign,
        kind=kind,
        meeting_on=meeting_on,
        note=note.strip()[:300],
        is_late=late,
        submitted_by=_user(actor),
    )
    record(
        actor=actor,
        action="filing.submit",
        target=filing,
        organization=campaign.committee,
        changes={"kind": kind, "meeting_on": meeting_on, "late": late},
        note=note,
    )
    return filing


@transaction.atomic
def acknowledge_filing(filing: PlanFiling, *, actor: Actor) -> PlanFiling:
    filing = (
        PlanFiling.objects.select_for_update(of=("self",))
        .select_related("campaign__parent__committee")
        .get(pk=filing.pk)
    )
    parent = filing.campaign.parent
    assert parent is not None
    _require_manage(actor, parent.committee)
    if FilingState.ACKNOWLEDGED not in FILING_TRANSITIONS[filing.state]:
        raise StateError("该备案已确认。")
    filing.state = FilingState.ACKNOWLEDGED
    filing.acknowledged_at = timezone.now()
    filing.acknowledged_by = _user(actor)
    filing.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
    record(
        actor=actor,
        action="filing.acknowledge",
        target=filing,
        organization=parent.committee,
        changes={"state": [FilingState.SUBMITTED, FilingState.ACKNOWLEDGED]},
    )
    return filing


# --- archive (switched on by filing) ------------------------------------------------


@transaction.atomic
def archive_campaign(campaign: Campaign, *, actor: Actor, note: str = "") -> Campaign:
    """Make a round read-only (归档). Called by filing inside the acknowledgement."""
    campaign = _lock(campaign)
    if campaign.archived_at is not None:
        return campaign
    campaign.archived_at = timezone.now()
    campaign.save(update_fields=["archived_at"])
    record(
        actor=actor,
        action="campaign.archive",
        target=campaign,
        organization=campaign.committee,
        changes={"archived_at": [None, campaign.archived_at]},
        note=note,
    )
    carryover.freeze(campaign, actor=actor, on="archive")
    return campaign


@transaction.atomic
def reopen_campaign(campaign: Campaign, *, actor: Actor, reason: str) -> Campaign:
    """Lift the archive with a recorded reason; the caller checks who may do it."""
    campaign = _lock(campaign)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写重新打开的理由。", field="reason")
    if campaign.archived_at is None:
        raise StateError("本轮没有归档，无需重新打开。")
    before = campaign.archived_at
    campaign.archived_at = None
    campaign.save(update_fields=["archived_at"])
    record(
        actor=actor,
        action="campaign.reopen",
        target=campaign,
        organization=campaign.committee,
        changes={"archived_at": [before, None]},
        note=reason,
    )
    return campaign
