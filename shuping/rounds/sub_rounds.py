"""Sub-rounds (比照): child committees' own rounds following the parent's rules, and
the plans they file with the parent committee (备案) and its acknowledgement.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from shuping.audit.services import record
from shuping.lib.errors import DomainError, StateError
from shuping.organizations.models import Organization
from shuping.rounds.archive import require_not_archived
from shuping.rounds.models import Campaign, FilingKind, FilingState, PlanFiling
from shuping.rounds.presets import PresetDef
from shuping.rounds.services import (
    _user,
    create_campaign,
    lock_campaign,
    lock_for_change,
    require_manage,
    resolve_preset,
    sub_round_rules,
)

if TYPE_CHECKING:
    from shuping.lib.types import Actor


FILING_TRANSITIONS: dict[str, set[str]] = {
    FilingState.SUBMITTED: {FilingState.ACKNOWLEDGED},
    FilingState.ACKNOWLEDGED: set(),
}


@transaction.atomic
def create_sub_campaigns(
    parent: Campaign,
    *,
    actor: Actor,
    committees: list[Organization],
    preset: str | PresetDef | None = None,
) -> list[Campaign]:
    """Child committees' own rounds following the parent's rules (比照), or a preset."""
    parent = lock_for_change(parent, actor)
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
    campaign = lock_campaign(campaign)
    require_manage(actor, campaign.committee)
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
    require_manage(actor, parent.committee)
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
