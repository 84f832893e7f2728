"""More daily reminders for `shuping remind`, contributed by the apps above rounds.

Rounds sits below the stages whose items fall due (e.g. rectification's overdue items),
so it cannot import them. Each such app registers a function here in its
`AppConfig.ready()`; `shuping remind` runs them after the round deadlines. A source
takes the day and returns how many new reminders it created, and must be idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

ReminderSource = Callable[[date], int]

_sources: dict[str, ReminderSource] = {}


def register_reminder_source(key: str, source: ReminderSource) -> None:
    """Register (or replace, so reloading an app is harmless) one source of reminders."""
    _sources[key] = source


def run_sources(today: date) -> int:
    return sum(source(today) for source in list(_sources.values()))
