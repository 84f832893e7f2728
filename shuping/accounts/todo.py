"""The home page's to-do list: what each person must do next, grouped by round.

The home page lives in accounts, below the apps that know what is to be done; each
of them registers a provider in its `AppConfig.ready()`:

    register_todo_provider("reports.review", fn)   # fn(user) -> list[Todo]

A provider answers with a few bounded queries (counts and aggregates, never the
subtree loaded into Python) and returns items that link to where the work is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# How urgent an item is; also its badge colour on the page.
URGENT, ATTENTION, NORMAL, DONE = "bad", "warn", "info", "ok"
_RANK = {URGENT: 0, ATTENTION: 1, NORMAL: 2, DONE: 3}


@dataclass(frozen=True)
class Todo:
    text: str  # what to do, as an imperative: "审核述职报告"
    url: str  # where it is done
    detail: str = ""  # the figures behind it: "3 份待审核"
    tone: str = NORMAL
    group: str = ""  # the round (or meeting) it belongs to; "" = general
    badge: str = ""  # a short word on the badge ("逾期", "进行中")
    action: str = ""  # the button text, when the item is a call to act now


Provider = Callable[[Any], list[Todo]]
PROVIDERS: dict[str, Provider] = {}


def register_todo_provider(key: str, fn: Provider) -> None:
    """Idempotent: registering the same key again replaces the provider."""
    PROVIDERS[key] = fn


def todos_for(user: Any) -> list[tuple[str, list[Todo]]]:
    """All providers' items for `user`, grouped (general first), urgent first in each."""
    groups: dict[str, list[Todo]] = {}
    for fn in PROVIDERS.values():
        for item in fn(user):
            groups.setdefault(item.group, []).append(item)
    ordered = sorted(groups.items(), key=lambda g: (g[0] != "", min(_RANK[i.tone] for i in g[1])))
    return [(name, sorted(items, key=lambda i: _RANK[i.tone])) for name, items in ordered]
