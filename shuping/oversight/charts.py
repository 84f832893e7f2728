"""Charts drawn on the server as inline SVG: plain bars a person reads at a glance.

Each function returns the geometry a template draws (no JS library, no CDN); bars
scale to the largest value, and every bar carries its number as text, so the chart
also prints and reads without colour."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 360  # viewBox units; the SVG scales to its container
LABEL = 120  # room for the label on the left
ROW = 26


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: float
    text_x: float
    tone: str = ""  # "", "bad", "ok"


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    label_width: int = LABEL
    width: int = WIDTH

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def bars(items: list[tuple[str, int]], *, tone: str = "") -> Chart:
    top = max((value for _, value in items), default=0) or 1
    room = WIDTH - LABEL - 40
    out = []
    for i, (label, value) in enumerate(items):
        width = room * value / top
        out.append(Bar(label, value, i * ROW + 4, width, LABEL + width + 4, tone if value else ""))
    return Chart(out, len(items) * ROW + 8)
