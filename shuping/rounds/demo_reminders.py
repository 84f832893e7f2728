"""The last demo step: run the daily reminders once (as `shuping remind` would), so the
demo opens with due and overdue reminders in place. Idempotent like the command."""

from __future__ import annotations

from collections.abc import Callable

from shuping.rounds.deadlines import remind


def load(out: Callable[[str], None]) -> list[tuple[str, str]]:
    created = remind()
    if created:
        out(f"提醒：新生成 {created} 条到期和逾期提醒。")
    return []
