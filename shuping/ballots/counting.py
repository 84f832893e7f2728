"""What a ballot shows: live turnout while it is open (counts only, cached so the
projector's and host page's polls cost next to nothing), and after close the tally
and digest fixed from the stored sheets.

The services that change a ballot's state, its tokens or its paper counts call
`forget_turnout` after their transaction; a cast does not, and shows once the cached
second runs out.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count

from shuping.ballots import tally as tally_mod
from shuping.ballots.models import (
    Ballot,
    BallotState,
    BallotToken,
    Mark,
    Nullifier,
    PaperEntry,
    Sheet,
)
from shuping.lib.errors import StateError

TURNOUT_CACHE_SECONDS = 1.0
# Each process also keeps the answer this long, so the projector and host pages' polls
# cost no round trip at a meeting's peak. A change made through this process is seen at
# once; through another server, within this plus the shared second above.
TURNOUT_LOCAL_SECONDS = 0.5


def _rule_specs(ballot: Ballot) -> list[tally_mod.RuleSpec]:
    return [
        tally_mod.RuleSpec(
            kind=r.kind, grades=r.grades, share=r.share, result=r.result, text=r.text
        )
        for r in ballot.meeting.campaign.parsed_rules.grading
        if r.kind == "share_exceeds" and set(r.grades) <= set(ballot.scale)
    ]


def recount(ballot: Ballot) -> dict[str, Any]:
    """The tally recomputed from the stored sheets (three queries)."""
    marks = [
        tally_mod.MarkRow(category=c, item=i, indicator=ind, grade=g, status=s)
        for c, i, ind, g, s in Mark.objects.filter(ballot=ballot).values_list(
            "sheet__category", "item", "indicator", "grade", "status"
        )
    ]
    sheets = [
        (r["category"], r["channel"], r["n"])
        for r in Sheet.objects.filter(ballot=ballot)
        .values("category", "channel")
        .annotate(n=Count("id"))
        .order_by("category", "channel")
    ]
    comments = (
        Sheet.objects.filter(ballot=ballot).exclude(comment="").values_list("comment", flat=True)
    )
    return tally_mod.count(
        marks=marks,
        sheets=sheets,
        items=ballot.items,
        scale=ballot.scale,
        indicators=ballot.indicators,
        categories=ballot.categories,
        rules=_rule_specs(ballot),
        comments=list(comments),
        unit="项次" if ballot.mode == "per_indicator" else "票",
    )


def compute_digest(ballot: Ballot) -> str:
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for sid, item, ind, grade, status in Mark.objects.filter(ballot=ballot).values_list(
        "sheet_id", "item", "indicator", "grade", "status"
    ):
        rows.setdefault(str(sid), []).append((item, ind, grade, status))
    sheets = [
        (str(sid), cat, channel, comment, rows.get(str(sid), []))
        for sid, cat, channel, comment in Sheet.objects.filter(ballot=ballot).values_list(
            "id", "category", "channel", "comment"
        )
    ]
    return tally_mod.digest(ballot.pk, sheets)


def verify_digest(ballot: Ballot) -> bool:
    """Whether the stored sheets still hash to the digest fixed at close."""
    return bool(ballot.digest) and compute_digest(ballot) == ballot.digest


def results(ballot: Ballot) -> dict[str, Any]:
    """The figures fixed at close. Hidden while the ballot is open."""
    if ballot.state != BallotState.CLOSED or ballot.closed_tally is None:
        raise StateError("测评结束后才能查看结果。")
    return ballot.closed_tally


def _turnout_key(ballot_id: int) -> str:
    return f"ballots:turnout:{ballot_id}"


def _count_turnout(ballot_id: int) -> dict[str, Any] | None:
    """State and counts in one query (each count an index range on ballot_id)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b.state, b.paper_handed_out,"
            f" (SELECT count(*) FROM {BallotToken._meta.db_table} WHERE ballot_id = b.id),"
            f" (SELECT count(*) FROM {Nullifier._meta.db_table} WHERE ballot_id = b.id),"
            f" (SELECT count(*) FROM {PaperEntry._meta.db_table}"
            "  WHERE ballot_id = b.id AND pass_no = 1)"
            f" FROM {Ballot._meta.db_table} b WHERE b.id = %s",
            [ballot_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    state, handed_out, issued, submitted, entered = row
    return {
        "state": state,
        "issued": issued,
        "submitted": submitted,
        "paper_handed_out": handed_out,
        "paper_entered": entered,
    }


# ballot id -> (monotonic deadline, turnout); bounded like _PROJECTOR_IDS below.
_LOCAL_TURNOUT: dict[int, tuple[float, dict[str, Any]]] = {}
_LOCAL_TURNOUT_MAX = 10000


def forget_turnout(ballot_id: int) -> None:
    _LOCAL_TURNOUT.pop(ballot_id, None)
    cache.delete(_turnout_key(ballot_id))


def _cached_turnout(ballot_id: int) -> dict[str, Any] | None:
    """Cached a second in the shared cache, so many viewers on any number of servers cost
    one query a second, and half a second in the process in front of it; every change
    of state or count by the organizer or a clerk deletes both (`forget_turnout`)."""
    now = time.monotonic()
    local = _LOCAL_TURNOUT.get(ballot_id)
    if local is not None and local[0] > now:
        return local[1]
    key = _turnout_key(ballot_id)
    data: dict[str, Any] | None = cache.get(key)
    if data is None:
        data = _count_turnout(ballot_id)
        if data is not None:
            cache.set(key, data, TURNOUT_CACHE_SECONDS)
    if data is not None:
        if len(_LOCAL_TURNOUT) >= _LOCAL_TURNOUT_MAX:
            _LOCAL_TURNOUT.clear()
        _LOCAL_TURNOUT[ballot_id] = (now + TURNOUT_LOCAL_SECONDS, data)
    return data


def turnout(ballot: Ballot) -> dict[str, Any]:
    """Live turnout: counts only."""
    data = _cached_turnout(ballot.pk) or {
        "state": ballot.state,
        "issued": 0,
        "submitted": 0,
        "paper_handed_out": ballot.paper_handed_out,
        "paper_entered": 0,
    }
    return {**data, "state": ballot.state}  # the caller's row is the freshest word on state


# Projector keys never change, so each process remembers which ballot a key names (the
# keys of ballots that exist only: guessing fills nothing). Bounded all the same.
_PROJECTOR_IDS: dict[str, int] = {}
_PROJECTOR_IDS_MAX = 10000


def turnout_by_projector_key(key: str) -> dict[str, Any] | None:
    """The projector's and host page's poll: no query at all while the shared cache is
    fresh (on PostgreSQL one, the cache's own), or None for an unknown key."""
    ballot_id = _PROJECTOR_IDS.get(key)
    if ballot_id is None:
        ballot_id = Ballot.objects.filter(projector_key=key).values_list("id", flat=True).first()
        if ballot_id is None:
            return None
        if len(_PROJECTOR_IDS) >= _PROJECTOR_IDS_MAX:
            _PROJECTOR_IDS.clear()
        _PROJECTOR_IDS[key] = ballot_id
    data = _cached_turnout(ballot_id)
    if data is None:  # the ballot was deleted
        _PROJECTOR_IDS.pop(key, None)
    return data
