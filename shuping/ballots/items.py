"""Who a ballot's rows are about, for meetings whose items are not agenda entries.

A ballot snapshots its rows at open. For a 述职评议会 they are the meeting's
evaluated agenda entries; a higher app whose meeting evaluates something else
(member_review: every member of a branch, 民主评议党员) registers a provider for
its meeting kind in its `AppConfig.ready()`. Ballots never imports those apps.

A provider returns the rows in sheet order as plain dicts:
`{"id": int, "name": str, "position": str, "org": str, "group": str}` — `id` is
what `Mark.item` stores; `group` (optional) heads a section of a long phone sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shuping.meetings.models import Meeting

ItemProvider = Callable[["Meeting"], list[dict[str, Any]]]

_providers: dict[str, ItemProvider] = {}


def register_item_provider(kind: str, provider: ItemProvider) -> None:
    """Register (or replace, so reloading an app is harmless) the rows of a meeting kind."""
    _providers[kind] = provider


def provider_for(kind: str) -> ItemProvider | None:
    return _providers.get(kind)
