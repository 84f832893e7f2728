"""What next year's round of a committee starts from (one round, whole year).

Last year's round of the same committee is the source; each stage that knows something
to carry over registers a provider here in its AppConfig.ready() (a lower app never
imports a higher one): rounds itself gives the on-site rotation, higher stages give
last year's grades, open rectification items and recurring problems. The round page
shows the result when a round is created, so the office sees what it inherits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shuping.rounds.models import Campaign, Reporter, ReportMode


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


def carryover(campaign: Campaign) -> list[Carried]:
    previous = previous_round(campaign)
    if previous is None:
        return []
    out = []
    for provider in _providers.values():
        found = provider(previous)
        if found and found[1]:
            out.append(Carried(found[0], tuple(found[1])))
    return out


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
