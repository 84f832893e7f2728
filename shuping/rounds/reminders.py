"""Reminders from the stages above rounds, run by `shuping remind` after the deadlines.

rounds cannot import the stages above it; each registers a source in its
`AppConfig.ready()`: `fn(*, today, days) -> int` creates its own reminders
idempotently and returns how many were new.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

ReminderSource = Callable[..., int]

_sources: dict[str, ReminderSource] = {}


def register_reminder_source(key: str, fn: ReminderSource) -> None:
    """Register (or replace, so reloading an app is harmless) one source of reminders."""
    _sources[key] = fn


def run_reminder_sources(*, today: date, days: int) -> int:
    return sum(fn(today=today, days=days) for fn in list(_sources.values()))
