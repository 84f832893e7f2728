"""Office presets edited in the structured form: generated codes, saving a version
from the form, and a preview of the plan document before anything is saved.

Saving goes through `save_preset_version`, the same audited, permission-
checked function the TOML import uses: the form only writes the TOML text for it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from shuping.accounts.access import org_scope_q
from shuping.audit.services import record
from shuping.lib.errors import DomainError
from shuping.organizations.models import Organization
from shuping.rounds import documents, services
from shuping.rounds.models import Campaign, Deadline, Preset, PresetVersion, Reporter
from shuping.rounds.preset_toml import dumps
from shuping.rounds.presets import (
    PresetDef,
    PresetFileError,
    parse_preset_text,
    set_toml_value,
    shipped_presets,
)
from shuping.rounds.proposal import phase_dates, propose
from shuping.rounds.rules import parse_rules

if TYPE_CHECKING:
    from shuping.lib.types import Actor, Viewer


def new_preset_key(committee: Organization) -> str:
    """A code nobody types: the committee's id and a running number."""
    taken = set(
        Preset.objects.filter(key__startswith=f"u{committee.pk}-").values_list("key", flat=True)
    )
    n = len(taken) + 1
    while f"u{committee.pk}-{n}" in taken or f"u{committee.pk}-{n}" in shipped_presets():
        n += 1
    return f"u{committee.pk}-{n}"


def copy_for_office(source: Any, *, actor: Actor, committee: Organization, title: str) -> Preset:
    """Copy a shipped or office preset for `committee` under a generated code."""
    return copy_preset(
        source, actor=actor, committee=committee, key=new_preset_key(committee), title=title
    )


def version_meta(version: PresetVersion) -> dict[str, Any]:
    """The descriptive keys of a saved version (title, seed, year …)."""
    meta, _ = parse_preset_text(version.text, source=version.preset.key)
    return meta


@transaction.atomic
def save_preset_form(
    preset: Preset,
    *,
    actor: Actor,
    base_number: int,
    meta: dict[str, Any],
    rules_data: dict[str, Any],
    note: str = "",
) -> PresetVersion:
    """A new version from the form. `base_number` is the version the form was opened
    from: when someone saved another in between, nothing is overwritten."""
    locked = Preset.objects.select_for_update(of=("self",)).get(pk=preset.pk)
    latest = locked.versions.order_by("-number").values_list("number", flat=True).first()
    if latest != base_number:
        raise DomainError(
            f"此模板已有更新的版本（第{latest}版），请重新打开编辑页后再修改。", field="base"
        )
    text = dumps({**meta, "key": locked.key}, rules_data)
    return save_preset_version(locked, actor=actor, text=text, note=note or "在表单中修改")


# --- preview of the plan document ------------------------------------------------


def preview_campaign(
    committee: Organization, *, title: str, rules_data: dict[str, Any], year: int
) -> tuple[Campaign, list[Reporter], list[Deadline]]:
    """An unsaved round as `create_campaign` would make it: nothing is written."""
    rules = parse_rules(rules_data)
    proposal = propose(
        committee,
        rules.scope,
        rules.modes,
        seed=year,
        places=rules.modes.onsite_places,
        last_year=services.last_year_modes(committee, year),
    )
    doc_title = rules.document.title or title
    campaign = Campaign(
        committee=committee,
        year=year,
        title=services._default_title(doc_title, year, committee.name)[:200],
        doc_number=services._format(rules.document.doc_number, year),
        rules=rules_data,
        sampling_log=proposal.sampling_log,
    )
    reporters = [
        Reporter(
            organization=p.organization,
            position=f"{p.organization.name}书记",
            mode=p.mode,
            is_vacant=p.is_vacant,
        )
        for p in proposal.reporters
    ]
    dates = phase_dates(rules.timeline, year)
    deadlines = [
        Deadline(
            key=phase.key,
            title=phase.title,
            starts_on=dates[phase.key][0],
            due_on=dates[phase.key][1],
            note=phase.note[:200],
        )
        for phase in rules.timeline
    ]
    return campaign, reporters, deadlines


def preview_document(
    committee: Organization,
    *,
    title: str,
    rules_data: dict[str, Any],
    year: int,
    issued_on: date | None = None,
) -> tuple[str, str, bytes]:
    campaign, reporters, deadlines = preview_campaign(
        committee, title=title, rules_data=rules_data, year=year
    )
    name, content_type, data = documents.plan_document(
        campaign, issued_on=issued_on or date.today(), reporters=reporters, deadlines=deadlines
    )
    return f"（预览）{name}", content_type, data


@dataclass(frozen=True)
class PreviewBlock:
    kind: str  # "p", "title", "heading", "subheading", "red", "table", "break"
    text: str = ""
    align: str = ""  # "", "center", "right"
    rows: tuple[tuple[str, ...], ...] = ()


_KINDS = {
    documents.TITLE_FONT: "title",
    documents.HEI: "heading",
    documents.KAI: "subheading",
}


def preview_blocks(data: bytes) -> list[PreviewBlock]:
    """The generated .docx read back as blocks for an HTML page: the preview shows
    exactly what the download holds."""
    doc = Document(io.BytesIO(data))
    body = doc.element.body
    tables = iter(doc.tables)
    paragraphs = iter(doc.paragraphs)
    out: list[PreviewBlock] = []
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "tbl":
            table = next(tables)
            rows = tuple(tuple(cell.text for cell in row.cells) for row in table.rows)
            out.append(PreviewBlock("table", rows=rows))
        elif tag == "p":
            paragraph = next(paragraphs)
            if 'w:br w:type="page"' in paragraph._p.xml:
                out.append(PreviewBlock("break"))
                continue
            text = paragraph.text
            if not text.strip():
                continue
            run = paragraph.runs[0] if paragraph.runs else None
            kind = _KINDS.get(run.font.name or "", "p") if run else "p"
            if (
                run is not None
                and run.font.color is not None
                and run.font.color.rgb == documents.RED
            ):
                kind = "red"
            align = ""
            if paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER:
                align = "center"
            elif paragraph.alignment == WD_ALIGN_PARAGRAPH.RIGHT:
                align = "right"
            out.append(PreviewBlock(kind, text=text.replace("\t", "　"), align=align))
    return out


# --- office presets: copy, save a version, list ---------------------------------------


def _office_text(text: str, *, key: str, title: str) -> str:
    """Replace the top-level key/title lines of a copied TOML text, keep everything else."""
    out: list[str] = []
    top = True
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            top = False
        if top and stripped.startswith("key ="):
            line = f'key = "{key}"'
        elif top and stripped.startswith("title ="):
            line = f'title = "{title}"'
        out.append(line)
    return "\n".join(out) + "\n"


@transaction.atomic
def copy_preset(
    source: str | PresetDef, *, actor: Actor, committee: Organization, key: str, title: str
) -> Preset:
    """An office preset starting as a copy of a shipped or office preset (version 1)."""
    services.require_manage(actor, committee)
    definition = services.resolve_preset(source)
    key = key.strip()
    if not key or not all(c.isalnum() or c in "-_" for c in key):
        raise DomainError("模板代号只能包含字母、数字、- 和 _。", field="key")
    if key in shipped_presets() or Preset.objects.filter(key=key).exists():
        raise DomainError(f"模板代号“{key}”已被使用。", field="key")
    if not title.strip():
        raise DomainError("请填写模板名称。", field="title")
    preset = Preset.objects.create(
        key=key,
        title=title.strip()[:200],
        committee=committee,
        based_on=f"{definition.key} v{definition.version}",
        seed_file=definition.seed,
        created_by=services._user(actor),
    )
    text = _office_text(definition.text, key=key, title=title.strip()) if definition.text else ""
    _save_version(preset, actor=actor, text=text, note=f"复制自“{definition.title}”")
    record(
        actor=actor,
        action="preset.copy",
        target=preset,
        organization=committee,
        changes={"based_on": preset.based_on},
    )
    return preset


def _save_version(preset: Preset, *, actor: Actor, text: str, note: str) -> PresetVersion:
    try:
        meta, data = parse_preset_text(text, source=preset.key)
    except PresetFileError as exc:
        raise DomainError(str(exc), field="text") from None
    if meta["key"] != preset.key:
        raise DomainError(f"{preset.key}: key: 代号不能修改（应为 {preset.key}）", field="text")
    number = (preset.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return PresetVersion.objects.create(
        preset=preset,
        number=number,
        text=text,
        rules=data,
        note=note[:200],
        created_by=services._user(actor),
    )


@transaction.atomic
def save_preset_version(
    preset: Preset,
    *,
    actor: Actor,
    text: str,
    note: str = "",
    changes: dict[str, int | str | None] | None = None,
) -> PresetVersion:
    """Each save is a new version; rounds keep the rules they were created with.
    `changes` ({"report.max_chars": 1200, ...}) are applied to the text first, so the
    structured fields of the edit page and the free text end up in one version."""
    for path, value in (changes or {}).items():
        text = set_toml_value(text, path, value)
    preset = (
        Preset.objects.select_for_update(of=("self",)).select_related("committee").get(pk=preset.pk)
    )
    services.require_manage(actor, preset.committee)
    version = _save_version(preset, actor=actor, text=text, note=note)
    meta_title = parse_preset_text(text, source=preset.key)[0]["title"]
    if meta_title != preset.title:
        preset.title = meta_title[:200]
        preset.save(update_fields=["title"])
    record(
        actor=actor,
        action="preset.save",
        target=preset,
        organization=preset.committee,
        changes={"version": version.number},
        note=note,
    )
    return version


def visible_office_presets(user: Viewer) -> Any:
    """Office presets of committees in the user's reach or above it (a street may
    start from its district's preset)."""
    from shuping.accounts.access import grants

    ancestor_ids: set[int] = set()
    for grant in grants(user):
        ancestor_ids.update(grant.organization.ancestor_ids())
    return Preset.objects.filter(
        org_scope_q(user, prefix="committee__") | Q(committee_id__in=ancestor_ids)
    ).select_related("committee")
