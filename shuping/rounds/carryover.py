"""What next year's round of a committee starts from (one round, whole year).

Last year's round of the same committee is the source; each stage that knows something
to carry over registers a provider here in its AppConfig.ready() (a lower app never
imports a higher one): rounds itself gives the on-site rotation, higher stages give
last year's grades, open rectification items and recurring problems. The round page
shows the result when a round is created, so the office sees what it inherits.

What a round hands on is fixed (`freeze`) when it closes or is archived: a
`CarryoverSnapshot` keeps the providers' lines as they were, so a rectification item
signed off in March or a grade corrected after a reopening does not rewrite what
next year's round started from. Until then the page shows the live figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from shuping.audit.services import record
from shuping.rounds.models import Campaign, CarryoverSnapshot, Reporter, ReportMode

if TYPE_CHECKING:
    from shuping.lib.types import Actor


@dataclass(frozen=True)
class Carried:
    heading: str
    lines: tuple[str, ...]


# previous round → (heading, lines) or None when there is nothing to carry
Provider = Callable[[Campaign], tuple[str, list[str]] | None]
_providers: dict[str, Provider] = {}


def register_carryover_provider(key: str, provider: Provider) -> None:
    _providers[key] = provider


def previous_round(campaign: Campaign) -> Campaign | None:
    return (
        Campaign.objects.filter(committee_id=campaign.committee_id, year=campaign.year - 1)
        .select_related("committee")
        .first()
    )


def compute(previous: Campaign) -> list[Carried]:
    """What `previous` hands on, as the providers see it now."""
    out = []
    for provider in _providers.values():
        found = provider(previous)
        if found and found[1]:
            out.append(Carried(found[0], tuple(found[1])))
    return out


def frozen(previous: Campaign) -> CarryoverSnapshot | None:
    return CarryoverSnapshot.objects.filter(campaign=previous).first()


def carried_over(campaign: Campaign) -> tuple[list[Carried], str]:
    """What next year's `campaign` starts from, and where the lines come from: last
    year's snapshot once that round is closed or archived, else the live figures."""
    previous = previous_round(campaign)
    if previous is None:
        return [], ""
    snapshot = frozen(previous)
    if snapshot is None:
        note = f"{previous.year}年度方案尚未结束，以下为当前情况，结束或归档时固定。"
        return compute(previous), note
    when = timezone.localtime(snapshot.taken_at)
    note = (
        f"{previous.year}年度方案{FREEZE_ON.get(snapshot.taken_on, '')}时固定（{when:%Y-%m-%d}）。"
    )
    return [Carried(s["heading"], tuple(s["lines"])) for s in snapshot.sections], note


def carryover(campaign: Campaign) -> list[Carried]:
    return carried_over(campaign)[0]


FREEZE_ON = {"close": "方案结束", "archive": "备案归档"}


@transaction.atomic
def freeze(campaign: Campaign, *, actor: Actor, on: str, replace: bool = True) -> CarryoverSnapshot:
    """Fix what `campaign` hands to next year's round. Called by the services that close
    (`replace=False`: the first close counts) and archive a round (the archive, the
    round's final state, replaces it — after a recorded reopening too)."""
    existing = CarryoverSnapshot.objects.select_for_update().filter(campaign=campaign).first()
    if existing is not None and not replace:
        return existing
    sections = [{"heading": c.heading, "lines": list(c.lines)} for c in compute(campaign)]
    snapshot, _ = CarryoverSnapshot.objects.update_or_create(
        campaign=campaign,
        defaults={"sections": sections, "taken_at": timezone.now(), "taken_on": on},
    )
    record(
        actor=actor,
        action="campaign.carryover_freeze",
        target=campaign,
        organization=campaign.committee,
        changes={"on": on, "sections": len(sections)},
        note=f"{FREEZE_ON.get(on, '')}时固定下一年度结转内容",
    )
    return snapshot


def rotation(previous: Campaign) -> tuple[str, list[str]] | None:
    written = list(
        Reporter.objects.filter(campaign=previous, mode=ReportMode.WRITTEN, is_vacant=False)
        .order_by("order")
        .values_list("organization__name", flat=True)[:50]
    )
    if not written:
        return None
    return (
        f"{previous.year}年度书面述职、本年度应安排现场述职的书记（两年内至少现场述职一次）",
        written,
    )


register_carryover_provider("rounds.rotation", rotation)
