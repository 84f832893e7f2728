"""Write a preset (meta + rule dict) back as TOML, so a form-edited preset keeps the
same text form as a hand-written one and can be exported and imported again.

Only what a rule dict holds is supported: strings, integers, booleans, lists of
those, lists of tables and nested tables. Fractions are already strings there.
"""

from __future__ import annotations

import json
import re
from typing import Any

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    return name if _BARE.match(name) else json.dumps(name, ensure_ascii=False)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(k)} = {_scalar(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _table(data: dict[str, Any], path: str, out: list[str]) -> None:
    nested = []
    for name, value in data.items():
        if value is None:
            continue
        if isinstance(value, dict) or _is_table_list(value):
            nested.append((name, value))
        else:
            out.append(f"{_key(name)} = {_scalar(value)}")
    for name, value in nested:
        sub = f"{path}.{_key(name)}" if path else _key(name)
        if isinstance(value, dict):
            out.append("")
            out.append(f"[{sub}]")
            _table(value, sub, out)
        else:
            for row in value:
                out.append("")
                out.append(f"[[{sub}]]")
                _table(row, sub, out)


def dumps(meta: dict[str, Any], rules: dict[str, Any]) -> str:
    """The preset as TOML text: descriptive keys first, then the rules."""
    out: list[str] = []
    _table({**meta, **rules}, "", out)
    return "\n".join(out).strip("\n") + "\n"
