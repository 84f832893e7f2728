"""What a phone needs of an open ballot, kept once per server process.

An open ballot's sheet (items, scale, indicators, the meeting title) is frozen when it
opens, and so are the pages every voter of it gets alike (the blank sheet of each
evaluator category, the thank-you page) and the confirm page's rows. Each process loads
and renders them once instead of on every phone request.

Nothing here decides anything: whether a token exists, is spent, or its ballot is still
open is read from the database on every request (`casting.token_ballot`), so any
number of server processes, on any number of machines, agree. An entry is keyed by the
ballot and checked against the moment it opened, so a stale entry can never serve
another opening.

The cache is bounded by an estimate of its memory (`BALLOT_SHEET_CACHE_MB`, default 64),
least recently used out first: a member review day with hundreds of ballots open at
once keeps them all, and a process's memory stays bounded whatever the day brings.
Pages are rendered without the request, so nothing of one visitor (a cookie, a CSRF
token) can ever be baked into a page served to the next.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from shuping.ballots.models import Ballot

# Rough bytes an entry costs beyond its pages: the model instance and its JSON fields.
ENTRY_BYTES = 4096
ITEM_BYTES = 1024


@dataclass
class Entry:
    ballot: Ballot
    opened: str
    size: int
    pages: dict[Hashable, str] = field(default_factory=dict)


def budget_bytes() -> int:
    return int(getattr(settings, "BALLOT_SHEET_CACHE_MB", 64)) * 1024 * 1024


def _ballot_size(ballot: Ballot) -> int:
    return ENTRY_BYTES + ITEM_BYTES * (len(ballot.items or []) + len(ballot.indicators or []))


def _page_size(page: str) -> int:
    # CPython keeps Chinese text at two bytes a character; plus the key and dict slot.
    return 2 * len(page) + 120


class SheetCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[int, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.size = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def ballot(self, ballot_id: int, opened_at: Any, load: Callable[[], Ballot]) -> Ballot:
        """The frozen sheet of a ballot as it opened at `opened_at` (as the database gave
        it); `load` reads it on a miss."""
        opened = str(opened_at)
        with self._lock:
            entry = self._entries.get(ballot_id)
            if entry is not None and entry.opened == opened:
                self._entries.move_to_end(ballot_id)
                return entry.ballot
        ballot = load()  # outside the lock: a database read must not hold up other ballots
        with self._lock:
            entry = self._entries.get(ballot_id)
            if entry is None or entry.opened != opened:
                if entry is not None:
                    self.size -= entry.size
                entry = Entry(ballot=ballot, opened=opened, size=_ballot_size(ballot))
                self._entries[ballot_id] = entry
                self.size += entry.size
                self._evict(keep=ballot_id)
            return entry.ballot

    def page(self, ballot: Ballot, name: Hashable, render: Callable[[], str]) -> str:
        """A page (or fragment) of this ballot that is the same for every voter. Kept only
        with the very sheet `ballot()` handed out, so a page never outlives its opening."""
        with self._lock:
            entry = self._entries.get(ballot.pk)
            if entry is not None and entry.ballot is ballot:
                page = entry.pages.get(name)
                if page is not None:
                    return page
        page = render()
        with self._lock:
            entry = self._entries.get(ballot.pk)
            # A sheet bigger than the whole budget is served, just not kept.
            if (
                entry is not None
                and entry.ballot is ballot
                and name not in entry.pages
                and entry.size + _page_size(page) <= budget_bytes()
            ):
                entry.pages[name] = page
                entry.size += _page_size(page)
                self.size += _page_size(page)
                self._evict(keep=ballot.pk)
        return page

    def _evict(self, *, keep: int) -> None:
        budget = budget_bytes()
        while self.size > budget and len(self._entries) > 1:
            oldest = next(iter(self._entries))
            if oldest == keep:
                self._entries.move_to_end(keep)
                continue
            self.size -= self._entries.pop(oldest).size


# One per process.
cache = SheetCache()
