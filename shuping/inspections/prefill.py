"""The inspections app's block for the host's critique draft: what inspections found wrong."""

from __future__ import annotations

from shuping.inspections.models import FindingKind, InspectionFinding
from shuping.meetings.models import MeetingReporter
from shuping.meetings.prefill import Block


def inspection_problems(entry: MeetingReporter) -> Block | None:
    """Problems found, and report claims that did not hold up, for this reporter (1 query)."""
    rows = InspectionFinding.objects.filter(
        reporter_id=entry.reporter_id,
        kind__in=(FindingKind.PROBLEM, FindingKind.NOT_HELD_UP),
    ).order_by("kind", "inspection__held_on", "order", "id")
    lines: list[str] = []
    for f in rows:
        prefix = "未得到印证：" if f.kind == FindingKind.NOT_HELD_UP else ""
        lines.append(f"{len(lines) + 1}. {prefix}{f.text.strip()}")
    return ("督查发现的问题", "\n".join(lines)) if lines else None
