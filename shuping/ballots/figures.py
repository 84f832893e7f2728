"""The figures an office reads off a closed ballot, one row per reporter.

The closed tally counts marks; an office also reads ballots. Per reporter:

    收回 (collected) = sheets that carry a mark for the reporter
    有效 (valid)     = those sheets on which every mark for the reporter is valid
                       (per reporter: the one grade; per indicator: every indicator)
    top share        = (count(g1) + count(g2)) / valid marks, g1 g2 the two best grades
                       (好+较好; 满意率 when the scale is 满意/基本满意/…), weighted by
                       evaluator category where the categories carry weights
    score            = Σ_g share(g) × points(g), only where the preset's grading method
                       gives points (the same score the assessment board starts from)
    rank             = by score where there is one, else by top share; equal values share
                       a rank (1, 1, 3)

Shares are exact fractions (from the stored "p/q" strings) and formatted once, by
`tally.fmt_percent`, so every page and export shows the same text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q

from shuping.ballots.models import Ballot, Mark, MarkStatus
from shuping.ballots.tally import fmt_percent

SATISFACTION = ("满意", "基本满意")


@dataclass
class Cell:
    grade: str
    count: int
    share: Fraction
    tone: int

    @property
    def text(self) -> str:
        return fmt_percent(self.share)

    @property
    def wide(self) -> bool:
        """Room for the percentage inside a projector bar."""
        return self.share >= Fraction(8, 100)

    @property
    def width(self) -> str:
        # a CSS width, never localized
        return f"{float(self.share * 100):.2f}"


@dataclass
class ReporterFigures:
    rep: dict[str, Any]
    cells: list[Cell]
    collected: int
    valid_ballots: int
    top_share: Fraction | None
    score: Fraction | None
    rank: int = 0
    indicators: list[dict[str, Any]] = field(default_factory=list)

    @property
    def top_text(self) -> str:
        return fmt_percent(self.top_share) if self.top_share is not None else ""

    @property
    def score_text(self) -> str:
        return fmt_score(self.score) if self.score is not None else ""

    @property
    def flag(self) -> bool:
        return any(r["exceeds"] for r in self.rep.get("rules", []))


def fmt_score(value: Fraction) -> str:
    return f"{float(value):.2f}"


def top_label(scale: list[str]) -> str:
    """What offices call the share of the two best grades; empty on short scales."""
    if len(scale) < 3:
        return ""
    if tuple(scale[:2]) == SATISFACTION:
        return "满意率"
    return f"{scale[0]}+{scale[1]}率"


def ballot_counts(ballot: Ballot) -> dict[int, tuple[int, int]]:
    """(collected, valid) ballots per reporter, one grouped query."""
    rows = (
        Mark.objects.filter(ballot=ballot)
        .values("item")
        .annotate(
            collected=Count("sheet", distinct=True),
            spoiled=Count("sheet", filter=~Q(status=MarkStatus.VALID), distinct=True),
        )
        .order_by()
    )
    return {int(r["item"]): (r["collected"], r["collected"] - r["spoiled"]) for r in rows}


def _points(ballot: Ballot) -> dict[str, int]:
    method = ballot.meeting.campaign.parsed_rules.grading_method
    points = dict(method.points) if method is not None else {}
    return points if points and set(ballot.scale) <= set(points) else {}


def _shares(rep: dict[str, Any]) -> dict[str, Fraction]:
    raw = rep.get("weighted_shares") or rep.get("shares") or {}
    return {g: Fraction(s) for g, s in raw.items()}


def _rank(rows: list[ReporterFigures]) -> None:
    def key(row: ReporterFigures) -> Fraction:
        value = row.score if row.score is not None else row.top_share
        return value if value is not None else Fraction(-1)

    ordered = sorted((key(r) for r in rows), reverse=True)
    for row in rows:
        row.rank = ordered.index(key(row)) + 1


def reporter_rows(ballot: Ballot) -> list[ReporterFigures]:
    tally = ballot.closed_tally or {}
    scale = list(tally.get("scale", ballot.scale))
    counts = ballot_counts(ballot)
    points = _points(ballot)
    has_top = bool(top_label(scale))
    rows = []
    for rep in tally.get("reporters", []):
        shares = _shares(rep)
        valid = rep["valid"]
        cells = [
            Cell(grade=g, count=rep["counts"][g], share=shares.get(g, Fraction(0)), tone=i)
            for i, g in enumerate(scale)
        ]
        collected, valid_ballots = counts.get(int(rep["id"]), (0, 0))
        rows.append(
            ReporterFigures(
                rep=rep,
                cells=cells,
                collected=collected,
                valid_ballots=valid_ballots,
                top_share=sum((c.share for c in cells[:2]), Fraction(0)) if has_top else None,
                score=(
                    sum((shares.get(g, Fraction(0)) * p for g, p in points.items()), Fraction(0))
                    if points and valid
                    else None
                ),
                indicators=[
                    {
                        "title": ind["title"],
                        "cells": [
                            (ind["counts"][g], fmt_percent(Fraction(ind["shares"][g])))
                            for g in scale
                        ],
                        "valid": ind["valid"],
                        "invalid": ind["invalid"],
                    }
                    for ind in rep.get("indicators", [])
                ],
            )
        )
    if has_top or points:
        _rank(rows)
    return rows


def context(ballot: Ballot) -> dict[str, Any]:
    """What the results table and the exports need, built once."""
    tally = ballot.closed_tally or {}
    scale = list(tally.get("scale", ballot.scale))
    rows = reporter_rows(ballot)
    per_indicator = ballot.mode == "per_indicator"
    points = _points(ballot)
    fig = {
        "points": [(g, points[g]) for g in scale if g in points],
        "tally": tally,
        "rows": rows,
        "top_label": top_label(scale),
        "has_score": any(r.score is not None for r in rows),
        "ranked": any(r.rank for r in rows),
        "unit": "项次" if per_indicator else "票",
        "per_indicator": per_indicator,
    }
    fig["notes"] = notes(fig)
    return fig


def notes(fig: dict[str, Any]) -> list[str]:
    """How the office figures were made, in the words printed under the tables."""
    scale, unit = fig["tally"].get("scale", []), fig["unit"]
    lines = []
    if fig["top_label"]:
        weighted = "（按测评人类别加权）" if fig["tally"].get("weighted") else ""
        lines.append(
            f"{fig['top_label']} = （“{scale[0]}”+“{scale[1]}”{unit}数）÷ 有效{unit}数{weighted}"
        )
    if fig["has_score"]:
        terms = "、".join(f"“{g}”{p}分" for g, p in fig["points"])
        lines.append(f"测评得分 = Σ（各等次占比 × 方案规定的分值）：{terms}")
    if fig["ranked"]:
        basis = "测评得分" if fig["has_score"] else fig["top_label"]
        lines.append(f"排名按{basis}从高到低，数值相同名次相同")
    return lines
