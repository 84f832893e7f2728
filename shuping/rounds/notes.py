"""Notes on a plan that only the apps above rounds can work out (方案说明).

Some rules of a preset cannot all be met at once — seed 003 asks for about 3,000
characters and at most 6 pages in a layout where 3,000 characters fill 8. Such a
contradiction is said once, on the plan, instead of warning every reporter. The app
that knows (reports knows the page layout) registers a provider in `ready()`.
"""

from __future__ import annotations

from collections.abc import Callable

from shuping.rounds.rules import Rules

NoteProvider = Callable[[Rules], list[str]]

_providers: dict[str, NoteProvider] = {}


def register_plan_note_provider(key: str, provider: NoteProvider) -> None:
    _providers[key] = provider


def plan_notes(rules: Rules) -> list[str]:
    return [note for provider in _providers.values() for note in provider(rules)]
