"""Meeting state changes. See the module docstrings of models for the shapes."""

from __future__ import annotations

from dataclasses import dataclass, field

from shuping.meetings.models import Meeting


@dataclass(frozen=True)
class QuorumStatus:
    """Whether a meeting may open its ballot; `lines` explain each rule in Chinese."""

    met: bool
    lines: list[str] = field(default_factory=list)
    overridden: bool = False
    override_reason: str = ""


def quorum_status(meeting: Meeting) -> QuorumStatus:
    """The preset's quorum rule applied to the meeting's sign-ins.

    Contract used by the ballots app before opening a ballot. (Placeholder until
    attendance exists: no rule, so met.)
    """
    return QuorumStatus(met=True, lines=["本会议未设置到会人数要求。"])
