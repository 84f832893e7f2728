"""The tally: pure functions over stored rows, no database access.

`count(...)` turns the marks of a ballot into per-reporter (and per-indicator)
counts and shares, the weighted shares where evaluator categories carry weights,
and the preset's rule outcomes with their reasons. The result is plain JSON
(fractions as "p/q" strings) so the figures fixed at close can be stored and a
later recount compared to them for equality.

Weighted share of a grade g for one reporter, with categories c of weight w_c:

    Σ_c w_c × count_c(g)  /  Σ_c w_c × valid_c

With one category (or all weights 1) it equals the plain share count(g) / valid.

Seed wording: "超过10%" excludes 10% itself, so the check is `share > threshold`,
compared as exact fractions.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class MarkRow:
    category: str
    item: int
    indicator: str
    grade: str
    status: str  # valid / none / multiple


@dataclass(frozen=True)
class RuleSpec:
    kind: str
    grades: tuple[str, ...]
    share: Fraction | None
    result: str
    text: str


def frac(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def percent(value: Fraction) -> float:
    """A display percentage, two decimals (exact figures stay in the "p/q" strings)."""
    return round(float(value * 100), 2)


def fmt_percent(value: Fraction) -> str:
    # One format on every page and export: always one decimal (decisions compare Fractions).
    return f"{float(value * 100):.1f}%"


def _share(part: Fraction | int, whole: Fraction | int) -> Fraction:
    return Fraction(part) / Fraction(whole) if whole else Fraction(0)


def _counts(rows: Iterable[MarkRow], scale: Sequence[str]) -> dict[str, Any]:
    counts = dict.fromkeys(scale, 0)
    none = multiple = 0
    for row in rows:
        if row.status == "valid":
            counts[row.grade] = counts.get(row.grade, 0) + 1
        elif row.status == "multiple":
            multiple += 1
        else:
            none += 1
    valid = sum(counts.values())
    return {
        "counts": counts,
        "valid": valid,
        "invalid": none + multiple,
        "none": none,
        "multiple": multiple,
        "shares": {g: frac(_share(n, valid)) for g, n in counts.items()},
        "percent": {g: percent(_share(n, valid)) for g, n in counts.items()},
    }


def _weighted(
    rows: Sequence[MarkRow], scale: Sequence[str], weights: dict[str, Fraction]
) -> dict[str, Fraction]:
    num: dict[str, Fraction] = dict.fromkeys(scale, Fraction(0))
    den = Fraction(0)
    for row in rows:
        if row.status != "valid":
            continue
        w = weights.get(row.category, Fraction(1))
        num[row.grade] = num.get(row.grade, Fraction(0)) + w
        den += w
    return {g: _share(n, den) for g, n in num.items()}


def _rule_outcome(
    rule: RuleSpec,
    counts: dict[str, int],
    valid: int,
    weighted: dict[str, Fraction] | None,
    unit: str = "票",
) -> dict[str, Any]:
    threshold = rule.share or Fraction(0)
    picked = sum(counts.get(g, 0) for g in rule.grades)
    if weighted:
        share = sum((weighted[g] for g in rule.grades), Fraction(0))
    else:
        share = _share(picked, valid)
    exceeds = valid > 0 and share > threshold
    names = "".join(f"“{g}”" for g in rule.grades)
    basis = "加权占比" if weighted else f"占有效{unit} {valid} {unit}的"
    verdict = "超过" if exceeds else "未超过"
    reason = f"{names}共 {picked} {unit}，{basis} {fmt_percent(share)}，"
    reason += f"{verdict} {fmt_percent(threshold)}"
    if valid == 0:
        reason = f"没有有效{unit}，不适用此规则"
    elif exceeds and rule.result:
        reason += f"，按规则为“{rule.result}”"
    return {
        "kind": rule.kind,
        "text": rule.text,
        "grades": list(rule.grades),
        "picked": picked,
        "share": frac(share),
        "percent": percent(share),
        "threshold": frac(threshold),
        "threshold_percent": percent(threshold),
        "exceeds": exceeds,
        "result": rule.result if exceeds else "",
        "reason": reason,
    }


def count(
    *,
    marks: Iterable[MarkRow],
    sheets: Iterable[tuple[str, str, int]],  # (category, channel, number of sheets)
    items: Sequence[dict[str, Any]],
    scale: Sequence[str],
    indicators: Sequence[dict[str, Any]] = (),
    categories: Sequence[dict[str, Any]] = (),
    rules: Sequence[RuleSpec] = (),
    comments: Iterable[str] = (),
    unit: str = "票",
) -> dict[str, Any]:
    """The full tally of one ballot as plain JSON-ready data.

    `unit` names what is counted in the rule reasons: 票 (one mark per sheet and
    reporter) or 项次 (per-indicator ballots, one mark per indicator)."""
    weights = {str(c["key"]): Fraction(str(c.get("weight", "1"))) for c in categories}
    weighted_on = any(w != 1 for w in weights.values())
    by_item: dict[int, list[MarkRow]] = defaultdict(list)
    for mark in marks:
        by_item[mark.item].append(mark)

    sheet_total = 0
    by_channel: dict[str, int] = defaultdict(int)
    by_category: dict[str, int] = defaultdict(int)
    for category, channel, n in sheets:
        sheet_total += n
        by_channel[channel] += n
        by_category[category] += n

    reporters = []
    for item in items:
        rows = by_item.get(int(item["id"]), [])
        entry: dict[str, Any] = {
            "id": int(item["id"]),
            "name": item.get("name", ""),
            "position": item.get("position", ""),
            **_counts(rows, scale),
        }
        weighted = _weighted(rows, scale, weights) if weighted_on else None
        entry["weighted_shares"] = (
            {g: frac(s) for g, s in weighted.items()} if weighted is not None else None
        )
        entry["weighted_percent"] = (
            {g: percent(s) for g, s in weighted.items()} if weighted is not None else None
        )
        if indicators:
            entry["indicators"] = [
                {
                    "key": ind["key"],
                    "title": ind["title"],
                    **_counts([r for r in rows if r.indicator == ind["key"]], scale),
                }
                for ind in indicators
            ]
        entry["rules"] = [
            _rule_outcome(rule, entry["counts"], entry["valid"], weighted, unit)
            for rule in rules
            if rule.kind == "share_exceeds"
        ]
        reporters.append(entry)

    return {
        "scale": list(scale),
        "sheets": sheet_total,
        "by_channel": dict(sorted(by_channel.items())),
        "by_category": dict(sorted(by_category.items())),
        "weighted": weighted_on,
        "reporters": reporters,
        "comments": sorted(c for c in comments if c.strip()),
    }


SheetDump = tuple[str, str, str, str, list[tuple[Any, ...]]]


def digest(ballot_id: int, sheets: Iterable[SheetDump]) -> str:
    """SHA-256 over a canonical serialization of every stored sheet and its rows.

    `sheets` yields (sheet id, category, channel, comment, [(item, indicator,
    grade, status), ...]); sheets are sorted by id and rows by content, so the
    digest depends only on what is stored, never on query order.
    """
    h = hashlib.sha256()
    h.update(f"shuping-ballot:{ballot_id}\n".encode())
    for sheet_id, category, channel, comment, rows in sorted(sheets, key=lambda s: s[0]):
        line = [sheet_id, category, channel, comment, sorted([list(r) for r in rows])]
        h.update(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode())
        h.update(b"\n")
    return h.hexdigest()
