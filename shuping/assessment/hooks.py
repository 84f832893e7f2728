"""Where the stages above assessment join its transactions.

The results app (consequences, feedback, publication) must create its tasks in
the same transaction as the committee's approval, and undo or revise them when a
grade is reopened. It registers here in its `AppConfig.ready()`; assessment
calls every hook inside `approve_grades` / `reopen_grade`, so a failing hook rolls
the approval back with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from shuping.assessment.models import Assessment, AssessmentBoard
    from shuping.lib.types import Actor


class OnApproved(Protocol):
    def __call__(self, board: AssessmentBoard, *, actor: Actor) -> None: ...


class OnReopened(Protocol):
    def __call__(self, assessment: Assessment, *, actor: Actor, reason: str) -> None: ...


_on_approved: dict[str, OnApproved] = {}
_on_reopened: dict[str, OnReopened] = {}


def register_on_approved(key: str, fn: OnApproved | Callable[..., None]) -> None:
    """Register (or replace, so reloading an app is harmless) a hook run at approval."""
    _on_approved[key] = fn  # type: ignore[assignment]


def register_on_reopened(key: str, fn: OnReopened | Callable[..., None]) -> None:
    _on_reopened[key] = fn  # type: ignore[assignment]


def unregister(key: str) -> None:
    """For tests: drop a hook from both tables."""
    _on_approved.pop(key, None)
    _on_reopened.pop(key, None)


def run_on_approved(board: AssessmentBoard, *, actor: Actor) -> None:
    for fn in list(_on_approved.values()):
        fn(board, actor=actor)


def run_on_reopened(assessment: Assessment, *, actor: Actor, reason: str) -> None:
    for fn in list(_on_reopened.values()):
        fn(assessment, actor=actor, reason=reason)
