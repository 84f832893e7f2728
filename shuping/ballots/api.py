"""JSON API for ballots, over the same services as the pages.

Logged-in endpoints start with an access helper; the two token endpoints need no
login (the token is the capability) and reveal only the sheet to fill in.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from shuping.ballots import casting, counting, paper, services
from shuping.ballots.access import get_ballot_for, get_meeting_for

router = Router(tags=["ballots"])


class BallotOut(Schema):
    id: int
    meeting_id: int
    title: str
    category: str
    state: str
    mode: str
    scale: list[str]
    items: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    paper_handed_out: int
    override_reason: str
    paper_excess_reason: str
    digest: str
    projector_key: str


class CreateIn(Schema):
    category: str = ""
    title: str = ""


class OpenIn(Schema):
    override_reason: str = ""


class CloseIn(Schema):
    exclude_unmatched: bool = False
    paper_excess_reason: str = ""


class TokensIn(Schema):
    category: str
    count: int


class TokensOut(Schema):
    tokens: list[str]
    urls: list[str]
    note: str


class PaperCountIn(Schema):
    paper_handed_out: int


class PaperIn(Schema):
    number: int
    category: str = ""
    choices: dict[str, list[str]]
    comment: str = ""
    correct: bool = False


class SubmitIn(Schema):
    choices: dict[str, list[str]]
    comment: str = ""


@router.get("/meetings/{meeting_id}", response=list[BallotOut])
def list_ballots(request: HttpRequest, meeting_id: int) -> Any:
    meeting = get_meeting_for(request.user, meeting_id)
    return list(meeting.ballots.all())


@router.post("/meetings/{meeting_id}", response={201: BallotOut})
def create_ballot(request: HttpRequest, meeting_id: int, data: CreateIn) -> Any:
    meeting = get_meeting_for(request.user, meeting_id, write=True)
    return Status(
        201,
        services.create_ballot(
            meeting, actor=request.user, category=data.category, title=data.title
        ),
    )


@router.get("/{ballot_id}", response=BallotOut)
def get_ballot(request: HttpRequest, ballot_id: int) -> Any:
    return get_ballot_for(request.user, ballot_id)


@router.post("/{ballot_id}/open", response=BallotOut)
def open_ballot(request: HttpRequest, ballot_id: int, data: OpenIn) -> Any:
    ballot = get_ballot_for(request.user, ballot_id, write=True)
    return services.open_ballot(ballot, actor=request.user, override_reason=data.override_reason)


@router.post("/{ballot_id}/close", response=BallotOut)
def close_ballot(request: HttpRequest, ballot_id: int, data: CloseIn) -> Any:
    ballot = get_ballot_for(request.user, ballot_id, write=True)
    return services.close_ballot(
        ballot,
        actor=request.user,
        exclude_unmatched=data.exclude_unmatched,
        paper_excess_reason=data.paper_excess_reason,
    )


@router.post("/{ballot_id}/tokens", response={201: TokensOut})
def issue_tokens(request: HttpRequest, ballot_id: int, data: TokensIn) -> Any:
    ballot = get_ballot_for(request.user, ballot_id, write=True)
    tokens = casting.issue_tokens(
        ballot, actor=request.user, category=data.category, count=data.count
    )
    base = request.build_absolute_uri("/b/")
    return Status(
        201,
        {
            "tokens": tokens,
            "urls": [f"{base}{t}" for t in tokens],
            "note": "二维码只返回这一次，系统不保存原始二维码。",
        },
    )


@router.post("/{ballot_id}/paper-count", response=BallotOut)
def paper_count(request: HttpRequest, ballot_id: int, data: PaperCountIn) -> Any:
    ballot = get_ballot_for(request.user, ballot_id, write=True)
    return paper.set_paper_handed_out(ballot, actor=request.user, count=data.paper_handed_out)


@router.get("/{ballot_id}/turnout")
def turnout(request: HttpRequest, ballot_id: int) -> dict[str, Any]:
    return counting.turnout(get_ballot_for(request.user, ballot_id))


@router.get("/{ballot_id}/results")
def results(request: HttpRequest, ballot_id: int) -> dict[str, Any]:
    ballot = get_ballot_for(request.user, ballot_id)
    data = counting.results(ballot)
    return {"digest": ballot.digest, "digest_ok": counting.verify_digest(ballot), **data}


@router.get("/{ballot_id}/paper")
def paper_status(request: HttpRequest, ballot_id: int) -> dict[str, Any]:
    ballot = get_ballot_for(request.user, ballot_id, write=True)
    status = paper.paper_status(ballot)
    return {
        "matched": status.matched,
        "mismatched": status.mismatched,
        "single": status.single,
        "entered": status.entered,
        "handed_out": ballot.paper_handed_out,
    }


@router.post("/{ballot_id}/paper", response={201: dict})
def paper_entry(request: HttpRequest, ballot_id: int, data: PaperIn) -> Any:
    ballot = get_ballot_for(request.user, ballot_id, write=True)
    entry = paper.record_paper_entry(
        ballot,
        actor=request.user,
        number=data.number,
        category=data.category,
        choices=data.choices,
        comment=data.comment,
        correct=data.correct,
    )
    return Status(201, {"number": entry.number, "pass": entry.pass_no})


@router.get("/sheet/{token}", auth=None)
def sheet(request: HttpRequest, token: str) -> dict[str, Any]:
    """What a phone app needs to show the sheet of a token (no login)."""
    view = casting.token_ballot(token)
    ballot = view.ballot
    return {
        "meeting": ballot.meeting.title,
        "category": ballot.category_title(view.category),
        "scale": ballot.scale,
        "rows": [
            {
                "key": r["key"],
                "name": r["item"]["name"],
                "position": r["item"]["position"],
                "indicator": r["indicator"]["title"] if r["indicator"] else "",
            }
            for r in ballot.rows()
        ],
        "comment": ballot.allow_comment,
    }


@router.post("/submit/{token}", auth=None)
def submit(request: HttpRequest, token: str, data: SubmitIn) -> dict[str, str]:
    """Cast a sheet by token (no login, no CSRF: the token is the capability)."""
    casting.submit_sheet(token, choices=data.choices, comment=data.comment)
    return {"detail": "提交成功，感谢您的参与！"}
