"""Demo data for this app (see shuping/demo.py)."""

from __future__ import annotations

from collections.abc import Callable


def load(out: Callable[[str], None]) -> list[tuple[str, str]]:
    return []
