"""Material for the host's critique draft, contributed by the apps above meetings.

Meetings sits below reports, inspections and rectification, so it cannot import
them. Each of those apps registers a provider here in its `AppConfig.ready()`;
`critique_prefill` asks every provider in registration order and joins their
blocks. A provider returns `(heading, text)` or None when it has nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shuping.meetings.models import MeetingReporter

Block = tuple[str, str]  # (heading shown in 【】, text)
Provider = Callable[["MeetingReporter"], Block | None]

PREFILL_CHARS = 600  # per block: enough to remind the host, short enough to edit

_providers: dict[str, Provider] = {}
logger = logging.getLogger(__name__)


def register_critique_provider(key: str, provider: Provider) -> None:
    """Register (or replace, so reloading an app is harmless) one source of material."""
    _providers[key] = provider


def clip(text: str, limit: int = PREFILL_CHARS) -> str:
    text = text.strip()
    return text[:limit] + ("…" if len(text) > limit else "")


def critique_prefill(entry: MeetingReporter) -> str:
    """The host's draft: every provider's block, then an empty 点评意见 heading.

    A failing provider is logged and skipped: it must not block the host's page.
    """
    blocks: list[str] = []
    for key, provider in list(_providers.items()):
        try:
            block = provider(entry)
        except Exception:
            logger.exception("critique provider %s failed", key)
            continue
        if block and block[1].strip():
            blocks.append(f"【{block[0]}】\n{clip(block[1])}")
    if not blocks:
        return ""
    return "\n\n".join([*blocks, "【点评意见】\n"])
