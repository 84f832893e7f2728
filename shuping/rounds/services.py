"""State changes to a round itself: creating it from a preset (rules snapshot, proposed
reporters, dated deadlines), its status, and the archive. One function per change:
lock, check, save, audit.

The rest of a round lives beside this module, one object each, sharing the lock and
the checks defined here: `rounds.reporters` (the reporter list, modes and rotation, the
round page's warnings), `rounds.deadlines` (the timeline and reminders) and
`rounds.sub_rounds` (child committees' rounds and their filings); presets edited in
the office's form are in `rounds.preset_services`.
"""

from __future__ import annotations

import copy
import secrets
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from shuping.accounts.access import can_manage
from shuping.audit.services import record
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.organizations.models import Organization
from shuping.rounds import carryover
from shuping.rounds.archive import require_not_archived
from shuping.rounds.models import Campaign, CampaignStatus, Deadline, Reporter
from shuping.rounds.presets import PresetDef, get_preset
from shuping.rounds.proposal import phase_dates, propose
from shuping.rounds.rules import Rules, parse_rules

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from shuping.lib.types import Actor


# Allowed moves of a round; anything else is a StateError (tested as a matrix).
TRANSITIONS: dict[str, set[str]] = {
    CampaignStatus.DRAFT: {CampaignStatus.ACTIVE},
    CampaignStatus.ACTIVE: {CampaignStatus.CLOSED, CampaignStatus.DRAFT},
    CampaignStatus.CLOSED: set(),
}


def _user(actor: Actor) -> User | None:
    from django.contrib.auth.models import User

    return actor if isinstance(actor, User) else None


def require_manage(actor: Actor, org: Organization) -> None:
    if actor is not None and not can_manage(actor, org):
        raise PermissionDenied()


def require_open(campaign: Campaign) -> None:
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
    require_manage(actor, committee)
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


def lock_campaign(campaign: Campaign) -> Campaign:
    return (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("committee")
        .get(pk=campaign.pk)
    )


def lock_for_change(campaign: Campaign, actor: Actor) -> Campaign:
    """The round, locked, once the actor may manage it and it is still open: what every
    change to its reporters, deadlines and sub-rounds checks first."""
    campaign = lock_campaign(campaign)
    require_manage(actor, campaign.committee)
    require_open(campaign)
    return campaign


@transaction.atomic
def change_status(campaign: Campaign, *, actor: Actor, to: str) -> Campaign:
    campaign = lock_campaign(campaign)
    require_manage(actor, campaign.committee)
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


@transaction.atomic
def archive_campaign(campaign: Campaign, *, actor: Actor, note: str = "") -> Campaign:
    """Make a round read-only (归档). Called by filing inside the acknowledgement."""
    campaign = lock_campaign(campaign)
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
    campaign = lock_campaign(campaign)
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
