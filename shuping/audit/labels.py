"""Chinese words for what the audit log stores as keys.

Services record actions (`ballot.issue_tokens`), field names and raw values
(`draft`); the log page shows them to an office. Each app registers its words in
its `AppConfig.ready()` (the audit app sits below them and cannot import them),
so the filter offers every action and no key reaches the page."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

ACTIONS: dict[str, str] = {}
FIELDS: dict[str, str] = {}
# "field" or "prefix.field" (prefix = the action's first part) → raw value → label
VALUES: dict[str, dict[str, str]] = {}
# The app prefix of an action → the group it is listed under in the filter.
GROUPS: dict[str, str] = {}
# Fields holding a list of items rather than [before, after].
LIST_FIELDS: set[str] = set()

FALLBACK_ACTION = "其他操作"
FALLBACK_FIELD = "其他信息"
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})")
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_HEX = re.compile(r"^[0-9a-f]{32,}$")


def register(
    *,
    group: tuple[str, str] | None = None,
    actions: Mapping[str, str] | None = None,
    fields: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
    lists: tuple[str, ...] = (),
) -> None:
    """Add labels; called from AppConfig.ready(), so registering twice changes nothing."""
    if group is not None:
        GROUPS[group[0]] = group[1]
    ACTIONS.update(actions or {})
    LIST_FIELDS.update(lists)
    FIELDS.update(fields or {})
    for key, mapping in (values or {}).items():
        VALUES.setdefault(key, {}).update(mapping)


def action_label(action: str) -> str:
    return ACTIONS.get(action) or FALLBACK_ACTION


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every registered action, grouped by app, for the log filter."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for action, label in ACTIONS.items():
        prefix = action.split(".", 1)[0]
        groups.setdefault(GROUPS.get(prefix, "其他"), []).append((action, label))
    return [(name, sorted(items, key=lambda i: i[0])) for name, items in sorted(groups.items())]


def field_label(field: str) -> str:
    return FIELDS.get(field) or FALLBACK_FIELD


def value_text(action: str, field: str, value: Any) -> str:
    """One stored value as a reader of the log wants it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value_text(action, field, v) for v in value) or "—"
    if isinstance(value, dict):
        # keys are field names, or names of organizations (campaign.modes)
        return "；".join(
            f"{FIELDS.get(k) or (k if _CHINESE.search(k) else FALLBACK_FIELD)} "
            + (
                " → ".join(value_text(action, field, x) for x in v)
                if isinstance(v, list) and len(v) == 2
                else value_text(action, k, v)
            )
            for k, v in value.items()
        )
    text = str(value)
    prefix = action.split(".", 1)[0]
    mapping = VALUES.get(f"{prefix}.{field}") or VALUES.get(field) or {}
    if text in mapping:
        return mapping[text]
    if m := _ISO_DATETIME.match(text):
        return f"{m.group(1)} {m.group(2)}"
    if _HEX.match(text):
        return text[:12] + "…"  # a digest: its start is enough to compare with a printout
    return text


def change_lines(action: str, changes: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    out = []
    for key, value in (changes or {}).items():
        label = field_label(key)
        if isinstance(value, list) and len(value) == 2 and key not in LIST_FIELDS:
            before, after = (value_text(action, key, v) for v in value)
            out.append((label, f"{before} → {after}"))
        else:
            out.append((label, value_text(action, key, value)))
    return out
