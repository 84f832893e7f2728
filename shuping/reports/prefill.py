"""The reports app's block for the host's critique draft: the problems it admits."""

from __future__ import annotations

from shuping.meetings.models import MeetingReporter
from shuping.meetings.prefill import Block
from shuping.reports.models import DutyReport


def report_problems(entry: MeetingReporter) -> Block | None:
    """The "problems" sections of the reporter's report for this meeting's audience."""
    rules = entry.meeting.campaign.parsed_rules
    keys = [s.key for s in rules.report.sections if s.role == "problems"]
    reports = list(DutyReport.objects.filter(reporter_id=entry.reporter_id))
    report = next((r for r in reports if r.audience == entry.meeting.kind), None)
    report = report or (reports[0] if reports else None)
    if report is None or not keys:
        return None
    sections = report.sections or {}
    text = "\n".join(str(sections.get(k, "")).strip() for k in keys if sections.get(k))
    return ("述职报告查摆的问题", text) if text else None
