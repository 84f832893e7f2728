"""Who reports in a round, and how: adding and removing reporters, their mode and the
person who reports, the on-site places with modes assigned again, the two-year
rotation rule, and the warnings the round page shows the organizer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shuping.audit.services import record
from shuping.lib.errors import DomainError
from shuping.organizations.models import Organization, Person
from shuping.rounds.models import Campaign, FilingKind, Reporter, ReportMode
from shuping.rounds.proposal import assign_modes
from shuping.rounds.services import last_year_modes, lock_for_change
from shuping.rounds.sub_rounds import meeting_plan_days

if TYPE_CHECKING:
    from shuping.lib.types import Actor


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
    campaign = lock_for_change(campaign, actor)
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
    campaign = lock_for_change(reporter.campaign, actor)
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
    campaign = lock_for_change(reporter.campaign, actor)
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
    campaign = lock_for_change(reporter.campaign, actor)
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
    campaign = lock_for_change(campaign, actor)
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
    reporter: Reporter  # written this year and last year

    @property
    def message(self) -> str:
        return f"{self.reporter.organization.name}：上年书面述职，本年仍为书面，两年内没有现场述职"


def rotation_warnings(campaign: Campaign, *, limit: int | None = None) -> list[RotationWarning]:
    """Reporters who would go two years without reporting on-site (seed 003's rule), in
    list order, the first `limit` of them. Vacant posts are exempt: the seed lets them
    report in writing. One query, whatever the size of the round."""
    return [RotationWarning(r) for r in _rotation_due(campaign)[:limit]]


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
