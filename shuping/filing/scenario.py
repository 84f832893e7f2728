"""Driving a round through its stages with the same services the pages call: reports
written and approved, a meeting held with a secret ballot. Used by the demo and by the
per-seed end-to-end tests, so both walk the process exactly as users do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from shuping.ballots import casting
from shuping.ballots import services as ballots
from shuping.ballots.models import Ballot
from shuping.lib.types import Actor
from shuping.meetings import services as meetings
from shuping.meetings.models import Meeting
from shuping.reports import services as reports
from shuping.reports.demo import demo_sections
from shuping.rounds.models import Campaign

# (reporter item of the ballot, evaluator category, voter number) → the grade ticked
Vote = Callable[[dict[str, Any], str, int], str]


def write_reports(campaign: Campaign, *, approve: bool = True) -> int:
    """Every reporter writes a report per audience from the sample texts and submits it;
    the office approves it. Returns how many reports were submitted."""
    rules = campaign.parsed_rules.report
    done = 0
    for reporter in campaign.reporters.select_related("organization", "person", "campaign"):
        for audience in rules.audiences:
            report = reports.open_report(reporter, actor=None, audience=audience)
            if report.state != "draft":
                continue
            report = reports.save_sections(
                report, actor=None, sections=demo_sections(rules, reporter)
            )
            report = reports.submit_report(report, actor=None)
            if approve:
                reports.approve_report(report, actor=None)
            done += 1
    return done


def best_grade(item: dict[str, Any], category: str, n: int, *, scale: list[str]) -> str:
    return scale[0]


def hold_meeting(
    campaign: Campaign,
    *,
    actor: Actor,
    kind: str,
    starts_at: datetime,
    vote: Vote,
    voters: int = 10,
    title: str = "",
) -> tuple[Meeting, Ballot]:
    """Create the meeting, open it, run an electronic ballot where `voters` evaluators of
    each category cast `vote`, close the ballot (tally and digest fixed) and the meeting."""
    rule = campaign.parsed_rules.meeting(kind)
    meeting = meetings.create_meeting(
        campaign, actor=actor, kind=kind, title=title or rule.title, starts_at=starts_at
    )
    meeting = meetings.open_meeting(meeting, actor=actor)
    ballot = ballots.create_ballot(meeting, actor=actor)
    ballot = ballots.open_ballot(ballot, actor=actor, override_reason="到会情况以签到簿为准")
    for category in ballot.categories:
        tokens = casting.issue_tokens(ballot, actor=actor, category=category["key"], count=voters)
        for n, token in enumerate(tokens):
            choices = {row["key"]: [vote(row["item"], category["key"], n)] for row in ballot.rows()}
            casting.submit_sheet(token, choices=choices)
    ballot = ballots.close_ballot(ballot, actor=actor)
    meeting = meetings.close_meeting(meeting, actor=actor)
    return meeting, ballot


def members_vote(
    review: Any, *, actor: Actor, grade: Callable[[int, int], str], voters: int
) -> None:
    """The branch's members' meeting (民主评议党员) opens, `voters` members each cast a
    secret sheet — `grade(voter, row)` for every member on it — and the ballot closes."""
    from shuping.member_review.services import meeting_ballot

    review.refresh_from_db(fields=["meeting"])
    ballot = meeting_ballot(review)
    assert ballot is not None, "the review has not reached its members' meeting"
    meetings.open_meeting(ballot.meeting, actor=actor)
    ballots.open_ballot(ballot, actor=actor)
    tokens = casting.issue_tokens(ballot, actor=actor, category="member", count=voters)
    ballot.refresh_from_db()
    for n, token in enumerate(tokens):
        choices = {row["key"]: [grade(n, i)] for i, row in enumerate(ballot.rows())}
        casting.submit_sheet(token, choices=choices)
    ballots.close_ballot(ballot, actor=actor)
