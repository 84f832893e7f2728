"""Who reports and how: the preset's scope and mode rules applied to the tree.

Kept apart from services.py because it only reads: the proposal is computed,
shown and tested on its own, then `services.create_campaign` saves it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from shuping.organizations.models import Organization
from shuping.rounds.rules import ModeRules, Phase, ScopeRules, resolve_relative_date

ONSITE = "onsite"
WRITTEN = "written"


@dataclass
class Proposed:
    organization: Organization
    mode: str
    is_vacant: bool = False
    sampled: bool = False
    note: str = ""


@dataclass
class Proposal:
    reporters: list[Proposed]
    sampling_log: list[dict[str, Any]] = field(default_factory=list)


def tree_key(org: Organization) -> tuple[int, ...]:
    """Natural tree order: "/1/10/" after "/1/2/"."""
    return tuple(int(p) for p in org.path.strip("/").split("/") if p)


def _label(org: Organization) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name}


def _matches(org: Organization, kinds: tuple[str, ...], sectors: tuple[str, ...]) -> bool:
    return (not kinds or org.kind in kinds) and (not sectors or org.sector in sectors)


def scope_candidates(committee: Organization, scope: ScopeRules) -> list[Organization]:
    """Organizations in scope before sampling, in tree order."""
    if scope.source == "subtree":
        qs = Organization.objects.filter(path__startswith=committee.path).exclude(pk=committee.pk)
    else:
        qs = Organization.objects.filter(parent=committee)
    orgs = [
        org
        for org in qs.filter(is_active=True).select_related("secretary")
        if _matches(org, scope.kinds, scope.sectors)
        and org.kind not in scope.exclude_kinds
        and not (scope.exclude_retiree and org.is_retiree_branch)
    ]
    return sorted(orgs, key=tree_key)


def apply_sampling(
    orgs: list[Organization], scope: ScopeRules, seed: int
) -> tuple[list[Organization], set[int], list[dict[str, Any]]]:
    """Draw each sampling rule's sample with a generator seeded from (seed, rule index),
    so the same seed on the same tree gives the same sample, on any machine."""
    kept = list(orgs)
    sampled: set[int] = set()
    log: list[dict[str, Any]] = []
    for index, rule in enumerate(scope.sampling):
        pool = sorted(
            (o for o in kept if _matches(o, rule.kinds, rule.sectors) and o.pk not in sampled),
            key=lambda o: o.pk,
        )
        rng = random.Random(f"{seed}:{index}")
        chosen = rng.sample(pool, min(rule.count, len(pool)))
        chosen_ids = {o.pk for o in chosen}
        kept = [o for o in kept if o not in pool or o.pk in chosen_ids]
        sampled |= chosen_ids
        log.append(
            {
                "rule": index,
                "text": rule.text,
                "count": rule.count,
                "seed": seed,
                "pool": [_label(o) for o in pool],
                "chosen": [_label(o) for o in sorted(chosen, key=tree_key)],
            }
        )
    return kept, sampled, log


def _preferred(org: Organization, modes: ModeRules) -> bool:
    return org.sector in modes.onsite_sectors or any(n in org.name for n in modes.onsite_names)


def assign_modes(
    orgs: list[Organization],
    modes: ModeRules,
    *,
    places: int | None,
    last_year: dict[int, str],
) -> dict[int, str]:
    """Mode per organization id. Vacant posts report in writing. With a number of
    on-site places, those written last year come first (two-year rotation), then
    the ones the preset names, then the rest in tree order."""
    result: dict[int, str] = {}
    eligible = [o for o in orgs if o.secretary_id is not None]
    for org in orgs:
        if org.secretary_id is None:
            result[org.pk] = WRITTEN
    if places is None:
        for org in eligible:
            result[org.pk] = modes.default
        return result

    def rank(org: Organization) -> tuple[int, tuple[int, ...]]:
        if modes.rotation_years >= 2 and last_year.get(org.pk) == WRITTEN:
            return (0, tree_key(org))
        if _preferred(org, modes):
            return (1, tree_key(org))
        return (2, tree_key(org))

    for i, org in enumerate(sorted(eligible, key=rank)):
        result[org.pk] = ONSITE if i < places else WRITTEN
    return result


def propose(
    committee: Organization,
    scope: ScopeRules,
    modes: ModeRules,
    *,
    seed: int,
    places: int | None,
    last_year: dict[int, str],
) -> Proposal:
    candidates = scope_candidates(committee, scope)
    kept, sampled, log = apply_sampling(candidates, scope, seed)
    mode_of = assign_modes(kept, modes, places=places, last_year=last_year)
    reporters = []
    for org in kept:
        vacant = org.secretary_id is None
        note = ""
        if vacant:
            note = (
                "书记空缺，由负责人书面述职"
                if scope.vacancy == "written"
                else "书记空缺：方案未规定，请确定述职人和方式"
            )
        elif modes.rotation_years >= 2 and last_year.get(org.pk) == WRITTEN:
            note = "上年书面述职，本年优先安排现场述职"
        reporters.append(
            Proposed(org, mode_of[org.pk], is_vacant=vacant, sampled=org.pk in sampled, note=note)
        )
    return Proposal(reporters, log)


# --- dates -------------------------------------------------------------------


def relative_to_date(value: str, year: int) -> date:
    """ "+1-02-29" for 2026 → 2027-02-28: one definition, in `rules.resolve_relative_date`."""
    return resolve_relative_date(value, year)


def phase_dates(phases: tuple[Phase, ...], year: int) -> dict[str, tuple[date | None, date | None]]:
    """(starts_on, due_on) per phase key, the round year filled in."""
    out: dict[str, tuple[date | None, date | None]] = {}
    for phase in phases:
        start = relative_to_date(phase.start, year) if phase.start else None
        due = relative_to_date(phase.due, year) if phase.due else None
        out[phase.key] = (start, due)
    for phase in phases:
        if phase.after and phase.within_days is not None:
            base = out.get(phase.after, (None, None))[1]
            if base is not None:
                out[phase.key] = (out[phase.key][0] or base, base + timedelta(phase.within_days))
    return out
