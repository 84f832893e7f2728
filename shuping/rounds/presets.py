"""Presets: the shipped ones (one TOML file per seed plan) and office-made ones (database).

A preset file holds a few descriptive keys (key, title, seed, year, description)
and the rule set itself (see rules.py). Both are validated on load; an error names
the file, the place inside it and what is wrong, in Chinese.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from shuping.rounds.rules import PresetError, Rules, parse_rules

PRESET_DIR = Path(__file__).parent / "presets"
META_KEYS = ("key", "title", "seed", "year", "year_text", "description")


class PresetFileError(ValueError):
    """A preset text that does not load: `source` is the file (or preset key), `path` the place."""

    def __init__(self, source: str, path: str, message: str, line: int | None = None) -> None:
        where = f"第{line}行" if line else path
        super().__init__(f"{source}: {where}: {message}")
        self.source = source
        self.path = path
        self.message = message
        self.line = line


@dataclass(frozen=True)
class PresetDef:
    key: str
    title: str
    rules_data: dict[str, Any]
    seed: str = ""
    year: int | None = None
    year_text: str = ""
    description: str = ""
    source: str = "shipped"  # or "office"
    version: int = 1
    text: str = field(default="", repr=False)
    file: str = ""
    office_id: int | None = None

    @property
    def rules(self) -> Rules:
        return parse_rules(self.rules_data)

    @property
    def year_label(self) -> str:
        # "202_" (a seed that hides its year) says nothing to a reader
        if self.year:
            return str(self.year)
        return self.year_text if self.year_text.isdigit() else ""


_LINE_RE = re.compile(r"line (\d+)")


def parse_preset_text(text: str, *, source: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(meta, rules dict) from TOML (or JSON when the text starts with "{"); raises
    PresetFileError with the line for syntax errors and the path for rule errors."""
    stripped = text.lstrip()
    try:
        data = json.loads(text) if stripped.startswith("{") else tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _LINE_RE.search(str(exc))
        line = int(match.group(1)) if match else text.count("\n") + 1
        raise PresetFileError(source, "(语法)", f"TOML 格式错误：{exc}", line) from None
    except json.JSONDecodeError as exc:
        raise PresetFileError(source, "(语法)", f"JSON 格式错误：{exc.msg}", exc.lineno) from None
    if not isinstance(data, dict):
        raise PresetFileError(source, "(根)", "应为表（键值对）")
    meta = {k: data.pop(k) for k in META_KEYS if k in data}
    for name in ("key", "title"):
        if not isinstance(meta.get(name), str) or not meta[name].strip():
            raise PresetFileError(source, name, "缺少必填设置项")
    if "year" in meta and (isinstance(meta["year"], bool) or not isinstance(meta["year"], int)):
        raise PresetFileError(source, "year", f"应为整数，实际为 {meta['year']!r}")
    for name in ("seed", "year_text", "description"):
        if name in meta and not isinstance(meta[name], str):
            raise PresetFileError(source, name, "应为文字")
    try:
        parse_rules(data)
    except PresetError as exc:
        raise PresetFileError(source, exc.path, exc.message) from None
    return meta, data


def _from_text(text: str, *, source: str, file: str = "") -> PresetDef:
    meta, data = parse_preset_text(text, source=source)
    return PresetDef(
        key=meta["key"],
        title=meta["title"],
        rules_data=data,
        seed=meta.get("seed", ""),
        year=meta.get("year"),
        year_text=meta.get("year_text", ""),
        description=meta.get("description", ""),
        text=text,
        file=file,
    )


@cache
def shipped_presets() -> dict[str, PresetDef]:
    """Every preset file under rounds/presets, validated, by key (file order)."""
    found: dict[str, PresetDef] = {}
    for path in sorted(PRESET_DIR.glob("*.toml")):
        preset = _from_text(path.read_text(encoding="utf-8"), source=path.name, file=path.name)
        if preset.key != path.stem:
            raise PresetFileError(path.name, "key", f"key 应与文件名一致（{path.stem}）")
        if preset.seed and not path.name.startswith(preset.seed[:4]):
            raise PresetFileError(path.name, "seed", "文件名前缀应与依据文件编号一致")
        found[preset.key] = preset
    return found


def office_preset_def(version: Any) -> PresetDef:
    """A PresetDef for one PresetVersion row (rounds.models)."""
    preset = version.preset
    return PresetDef(
        key=preset.key,
        title=preset.title,
        rules_data=version.rules,
        seed=preset.seed_file,
        source="office",
        version=version.number,
        text=version.text,
        office_id=preset.pk,
    )


def get_preset(key: str, version: int | None = None) -> PresetDef:
    """A shipped preset, or an office preset (latest version unless `version`)."""
    from shuping.rounds.models import PresetVersion

    shipped = shipped_presets()
    if key in shipped:
        return shipped[key]
    rows = PresetVersion.objects.select_related("preset").filter(preset__key=key)
    row = rows.filter(number=version).first() if version else rows.order_by("-number").first()
    if row is None:
        raise KeyError(key)
    return office_preset_def(row)


_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.]+)\s*\]\]?\s*(#.*)?$")


def _toml_value(value: int | str) -> str:
    return str(value) if isinstance(value, int) else json.dumps(value, ensure_ascii=False)


def set_toml_value(text: str, path: str, value: int | str | None) -> str:
    """Set (or with None remove) one plain value in a preset's TOML text, keeping every
    other line and comment as the office wrote it. `path`: "title", "report.max_chars",
    "modes.onsite_places" or "meetings[0].minutes_per_report" (first [[meetings]])."""
    table, _, key = path.rpartition(".")
    index = 0
    if table.endswith("]"):
        table, _, rest = table.partition("[")
        index = int(rest.rstrip("]"))
    lines = text.splitlines()
    headers = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _HEADER.match(line))]
    if not table:
        start = 0
    else:
        found = [i for i, name in headers if name == table]
        if index >= len(found):  # the table is not there yet: add it at the end
            if value is None:
                return text
            return text.rstrip("\n") + f"\n\n[{table}]\n{key} = {_toml_value(value)}\n"
        start = found[index] + 1
    end = next((i for i, _ in headers if i >= start), len(lines))
    key_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i in range(start, end):
        if key_re.match(lines[i]):
            if value is None:
                del lines[i]
            else:
                lines[i] = f"{key} = {_toml_value(value)}"
            return "\n".join(lines) + "\n"
    if value is not None:
        lines.insert(start, f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def line_of(text: str, path: str) -> int | None:
    """The 1-based line of a rule path (e.g. "grading[0].count", "meetings[1].quorum.source")
    in a preset's TOML text, for pointing the editor at a validation error."""
    lines = text.splitlines()
    current: dict[str, int] = {}  # array-table name -> index of its latest entry
    regions: list[tuple[str, int]] = [("", 0)]  # (canonical table path, header line index)
    for i, line in enumerate(lines):
        match = _HEADER.match(line)
        if not match:
            continue
        name = match.group(1)
        if line.lstrip().startswith("[["):
            current[name] = current.get(name, -1) + 1
        parts, prefix, canonical = name.split("."), "", []
        for part in parts:
            prefix = f"{prefix}.{part}" if prefix else part
            canonical.append(f"{part}[{current[prefix]}]" if prefix in current else part)
        regions.append((".".join(canonical), i))
    best, start = max(
        ((p, i) for p, i in regions if not p or path == p or path.startswith(p + ".")),
        key=lambda r: len(r[0]),
    )
    key = path[len(best) + 1 if best else 0 :].split(".")[0].split("[")[0]
    following = [i for _, i in regions if i > start] + [len(lines)]
    end = following[0] if best or start else (regions[1][1] if len(regions) > 1 else len(lines))
    key_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i in range(start + (1 if best else 0), end):
        if key_re.match(lines[i]):
            return i + 1
    return start + 1 if best else None
