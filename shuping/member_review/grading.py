"""From the members' vote and the committee's proposal to a suggested grade: pure functions,
each returning its verdict with the reason, so a decision can always show its trace.

* `suggest`: the grade with the most valid votes; a tie is settled by the committee's
  proposal when it is among the tied grades, else by the lower grade (the cautious
  reading). No valid vote: the proposal.
* `apply_excellent_cap`: where the office caps 优秀 at a share of the branch's members
  (以内/不超过: the share itself is allowed), 优秀 beyond the cap, ranked by their share
  of 优秀 votes, become the next grade — with a line saying why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Suggestion:
    grade: str
    trace: str


def _counts_text(scale: Sequence[str], counts: Mapping[str, int]) -> str:
    return "、".join(f"{g} {counts.get(g, 0)} 票" for g in scale)


def suggest(scale: Sequence[str], counts: Mapping[str, int], proposal: str) -> Suggestion:
    valid = sum(counts.get(g, 0) for g in scale)
    if valid == 0:
        grade = proposal or (scale[1] if len(scale) > 1 else scale[0])
        return Suggestion(grade, f"无有效表决票，按支委会建议“{grade}”")
    top = max(counts.get(g, 0) for g in scale)
    tied = [g for g in scale if counts.get(g, 0) == top]
    text = f"表决：{_counts_text(scale, counts)}"
    if len(tied) == 1:
        grade = tied[0]
        text += f"；得票最多为“{grade}”"
    elif proposal in tied:
        grade = proposal
        text += f"；{'、'.join(tied)}得票相同，按支委会建议“{grade}”"
    else:
        grade = tied[-1]
        text += f"；{'、'.join(tied)}得票相同，取较低等次“{grade}”"
    if proposal and proposal != grade:
        text += f"（支委会建议“{proposal}”）"
    return Suggestion(grade, text)


@dataclass(frozen=True)
class CapRow:
    key: int
    grade: str
    excellent_votes: int
    valid_votes: int


def apply_excellent_cap(
    rows: Sequence[CapRow], *, scale: Sequence[str], max_share: Fraction | None, text: str = ""
) -> dict[int, Suggestion]:
    """Rows whose grade the cap changes → the new grade and why. Empty when within the cap."""
    if max_share is None or not rows or len(scale) < 2:
        return {}
    top, next_grade = scale[0], scale[1]
    allowed = math.floor(max_share * len(rows))
    candidates = [r for r in rows if r.grade == top]
    if len(candidates) <= allowed:
        return {}

    def share(r: CapRow) -> Fraction:
        return Fraction(r.excellent_votes, r.valid_votes) if r.valid_votes else Fraction(0)

    ranked = sorted(candidates, key=lambda r: (-share(r), -r.excellent_votes, r.key))
    rule = text or f"“{top}”不超过党员总数的{_pct(max_share)}"
    out = {}
    for place, row in enumerate(ranked[allowed:], start=allowed + 1):
        out[row.key] = Suggestion(
            next_grade,
            f"{rule}：本支部 {len(rows)} 名党员最多 {allowed} 名“{top}”；"
            f"按“{top}”得票率排第 {place} 位（{_pct(share(row))}），调为“{next_grade}”",
        )
    return out


def _pct(value: Fraction) -> str:
    text = f"{float(value * 100):.2f}".rstrip("0").rstrip(".")
    return f"{text}%"
