"""The one projector screen of a meeting, driven from the host's console.

The console chooses a mode (`Meeting.projector_mode`); the screen long-polls
`projector_state` and redraws within a fraction of a second of any change. Every
service that changes what the room sees bumps `Meeting.projector_version` in its own
transaction, so a waiting screen wakes up as soon as the change is committed.

Ballot turnout and results belong to the ballots app, which sits above meetings: it
registers a panel provider here in `BallotsConfig.ready()`. A provider returns the
figures for one mode of one meeting, or None when there is nothing to show.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db.models import F
from django.utils import timezone

from shuping.meetings.models import Meeting, MeetingReporter, ProjectorMode

Panel = Callable[[Meeting], dict[str, Any] | None]

_panels: dict[str, Panel] = {}

# A screen waits at most this long for a change before it asks again; ballot modes
# change with every cast (no version bump per ballot), so they ask more often.
LONG_POLL_SECONDS = 8.0
BALLOT_POLL_SECONDS = 2.0
CHECK_EVERY = 0.2
QUESTIONS_SHOWN = 3


def register_projector_panel(mode: str, provider: Panel) -> None:
    _panels[mode] = provider


def panel(meeting: Meeting, mode: str) -> dict[str, Any] | None:
    provider = _panels.get(mode)
    return provider(meeting) if provider is not None else None


def bump(meeting_id: int) -> None:
    """Wake the waiting screens: what the room sees has changed (call inside the change)."""
    Meeting.objects.filter(pk=meeting_id).update(projector_version=F("projector_version") + 1)


def version(meeting_id: int) -> int | None:
    return Meeting.objects.filter(pk=meeting_id).values_list("projector_version", flat=True).first()


def wait_for_change(meeting: Meeting, since: int) -> None:
    """Return when the meeting's version differs from `since`, or after the poll window.

    Each check is one indexed single-column read; the thread sleeps in between.
    """
    ballot_mode = meeting.projector_mode in (ProjectorMode.TURNOUT, ProjectorMode.RESULTS)
    deadline = time.monotonic() + (BALLOT_POLL_SECONDS if ballot_mode else LONG_POLL_SECONDS)
    while time.monotonic() < deadline:
        if version(meeting.pk) != since:
            return
        time.sleep(CHECK_EVERY)


def _questions(entry: MeetingReporter | None) -> list[dict[str, str]]:
    if entry is None:
        return []
    rows = list(entry.questions.order_by("-created_at", "-id")[:QUESTIONS_SHOWN])
    return [{"text": q.text, "answer": q.answer} for q in reversed(rows)]


def screen_state(meeting: Meeting, room: dict[str, Any]) -> dict[str, Any]:
    """The room state plus what the console chose to show. Names only, no ids or keys."""
    mode = meeting.projector_mode
    state = dict(room)
    state["mode"] = mode
    state["version"] = meeting.projector_version
    day = timezone.localtime(meeting.starts_at) if meeting.starts_at else None
    state["date"] = f"{day.year}年{day.month}月{day.day}日" if day else ""
    state["place"] = meeting.place
    if mode == ProjectorMode.NOTICE:
        state["notice"] = meeting.projector_notice
    if mode == ProjectorMode.QUESTIONS:
        current = (
            MeetingReporter.objects.filter(pk=meeting.current_entry_id).first()
            if meeting.current_entry_id
            else None
        )
        state["questions"] = _questions(current)
    if mode in (ProjectorMode.TURNOUT, ProjectorMode.RESULTS):
        state["panel"] = panel(meeting, mode)
    return state
