"""State changes to a round's filing. One function per change: lock, check, save, audit.

The checklist comes from the preset (`rules.filing`, `rules.filing_items`); an item is
ready when Shuping can generate it (filing/kinds.py) or the office uploaded it; a
missing item blocks submission unless the office gives a reason for it. Submitting
queues the package (filing/package.py) on the task queue; the superior acknowledges
(备案, which archives the round) or returns it with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from shuping.audit.services import record
from shuping.filing.access import can_answer
from shuping.filing.kinds import get_kind
from shuping.filing.models import (
    TRANSITIONS,
    EntryState,
    Filing,
    FilingEntry,
    FilingState,
    Package,
    PackageStatus,
    SummaryReport,
)
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.reports.uploads import clean_name, sniff
from shuping.rounds import services as round_services
from shuping.rounds.access import can_write_campaign
from shuping.rounds.archive import require_not_archived
from shuping.rounds.models import Campaign
from shuping.rounds.proposal import phase_dates
from shuping.rounds.rules import Phase, filing_checklist

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from shuping.lib.types import Actor

UPLOAD_MAX = 20 * 1024 * 1024
EDITABLE = (FilingState.DRAFT, FilingState.RETURNED)
UPLOAD_TYPES = (".docx", ".pdf", ".png", ".jpg", ".pptx", ".ppt")


def _user(actor: Actor) -> User | None:
    from django.contrib.auth.models import User

    return actor if isinstance(actor, User) else None


def _require_office(actor: Actor, campaign: Campaign) -> None:
    if actor is not None and not can_write_campaign(actor, campaign):
        raise PermissionDenied("只有本轮的组织部门可以整理和报送备案材料。")


def _require_superior(actor: Actor, campaign: Campaign) -> None:
    if actor is not None and not can_answer(actor, campaign):
        raise PermissionDenied("只有接收备案的上级党组织可以确认备案或退回。")


def _move(filing: Filing, to: str) -> str:
    before = filing.state
    if to not in TRANSITIONS[before]:
        raise StateError(
            f"备案当前为“{filing.get_state_display()}”，不能改为“{FilingState(to).label}”。"
        )
    filing.state = to
    return before


# --- the checklist ----------------------------------------------------------------


def due_date(campaign: Campaign) -> date | None:
    """The filing deadline: the round's own "filing" deadline when it has one (the office
    may have moved it), else the preset's `filing_due` in the round's year."""
    deadline = campaign.deadlines.filter(key="filing").values_list("due_on", flat=True).first()
    if deadline:
        return deadline
    due = campaign.parsed_rules.filing_due
    if not due:
        return None
    return phase_dates((Phase(key="filing", title="备案", due=due),), campaign.year)["filing"][1]


def filed_with(campaign: Campaign) -> str:
    rules = campaign.parsed_rules
    if rules.filing_to:
        return rules.filing_to
    if campaign.parent_id is not None:
        return campaign.parent.committee.name  # type: ignore[union-attr]
    parent = campaign.committee.parent
    return parent.name if parent is not None else "上级党委"


def ensure_filing(campaign: Campaign) -> Filing:
    """The round's filing with one entry per checklist item (idempotent: items the preset
    names later are appended; nothing the office uploaded is touched)."""
    filing = Filing.objects.filter(campaign=campaign).first()
    if filing is None:
        with transaction.atomic():
            filing, _ = Filing.objects.get_or_create(
                campaign=campaign,
                defaults={"due_on": due_date(campaign), "filed_with": filed_with(campaign)[:120]},
            )
    items = filing_checklist(campaign.parsed_rules)
    have = set(filing.entries.values_list("title", flat=True))
    missing = [item for item in items if item.title not in have]
    if missing:
        start = len(have)
        FilingEntry.objects.bulk_create(
            FilingEntry(
                filing=filing,
                position=start + i,
                title=item.title[:200],
                kind=item.kind[:40],
                required=item.required,
                note=item.note[:300],
            )
            for i, item in enumerate(missing, start=1)
        )
    filing.campaign = campaign
    return filing


@dataclass(frozen=True)
class Row:
    entry: FilingEntry
    state: str
    generated: bool  # Shuping makes this item
    source: str  # what goes into the package, in words

    @property
    def state_label(self) -> str:
        return EntryState(self.state).label

    @property
    def blocks(self) -> bool:
        return self.entry.required and self.state == EntryState.MISSING


def checklist(filing: Filing) -> list[Row]:
    """Each entry with its state; one cheap query per generated kind."""
    campaign = filing.campaign
    rows = []
    for entry in filing.entries.all():
        kind = get_kind(entry.kind)
        if entry.file:
            rows.append(Row(entry, EntryState.READY, False, f"已上传：{entry.original_name}"))
        elif kind is not None and kind.available(campaign):
            rows.append(Row(entry, EntryState.READY, True, kind.label))
        else:
            source = (
                f"{kind.label}，尚无可生成的材料" if kind else "需上传（Word、PDF、图片或演示文稿）"
            )
            state = EntryState.EXCUSED if entry.missing_reason else EntryState.MISSING
            rows.append(Row(entry, state, kind is not None, source))
    return rows


def blocking(filing: Filing) -> list[Row]:
    return [row for row in checklist(filing) if row.blocks]


def _lock(filing: Filing) -> Filing:
    locked = (
        Filing.objects.select_for_update(of=("self",))
        .select_related("campaign__committee__parent", "campaign__parent__committee")
        .get(pk=filing.pk)
    )
    return locked


def _lock_entry(entry: FilingEntry) -> tuple[Filing, FilingEntry]:
    filing = _lock(entry.filing)
    return filing, FilingEntry.objects.select_for_update().get(pk=entry.pk)


def _require_editable(filing: Filing) -> None:
    if filing.state not in EDITABLE:
        raise StateError(f"备案材料{filing.get_state_display()}，不能再修改。")


# --- the office -----------------------------------------------------------------------


@transaction.atomic
def upload_entry(entry: FilingEntry, *, actor: Actor, data: bytes, name: str) -> FilingEntry:
    """Attach the office's file to an item (a speech, a scanned signed form ...)."""
    filing, entry = _lock_entry(entry)
    _require_office(actor, filing.campaign)
    _require_editable(filing)
    if not data:
        raise DomainError("文件是空的。", field="file")
    if len(data) > UPLOAD_MAX:
        raise DomainError(f"文件不能超过 {UPLOAD_MAX // 1024 // 1024} MB。", field="file")
    kind = sniff(data)
    if kind is None or kind.extension not in UPLOAD_TYPES:
        raise DomainError(
            "只能上传 Word（.docx）、PDF、JPG/PNG 图片或演示文稿（.pptx/.ppt）。", field="file"
        )
    before = entry.original_name
    if entry.file:
        entry.file.delete(save=False)
    entry.extension = kind.extension
    entry.content_type = kind.content_type
    entry.size = len(data)
    entry.original_name = clean_name(name)
    entry.uploaded_at = timezone.now()
    entry.uploaded_by = _user(actor)
    entry.missing_reason = ""
    entry.file.save(f"upload{kind.extension}", ContentFile(data), save=False)
    entry.save(
        update_fields=[
            "file",
            "extension",
            "content_type",
            "size",
            "original_name",
            "uploaded_at",
            "uploaded_by",
            "missing_reason",
        ]
    )
    record(
        actor=actor,
        action="filing.upload",
        target=entry,
        organization=filing.campaign.committee,
        changes={"file": [before or None, entry.original_name], "type": kind.label},
    )
    return entry


@transaction.atomic
def remove_upload(entry: FilingEntry, *, actor: Actor) -> FilingEntry:
    filing, entry = _lock_entry(entry)
    _require_office(actor, filing.campaign)
    _require_editable(filing)
    if not entry.file:
        raise StateError("该材料没有上传文件。")
    before = entry.original_name
    entry.file.delete(save=False)
    entry.original_name = entry.content_type = entry.extension = ""
    entry.size = 0
    entry.save(update_fields=["file", "original_name", "content_type", "extension", "size"])
    record(
        actor=actor,
        action="filing.remove_upload",
        target=entry,
        organization=filing.campaign.committee,
        changes={"file": [before, None]},
    )
    return entry


@transaction.atomic
def excuse_entry(entry: FilingEntry, *, actor: Actor, reason: str) -> FilingEntry:
    """Give (or, with an empty reason, withdraw) the reason an item is missing."""
    filing, entry = _lock_entry(entry)
    _require_office(actor, filing.campaign)
    _require_editable(filing)
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise DomainError("缺项理由不能超过 500 字。", field="reason")
    before = entry.missing_reason
    entry.missing_reason = reason
    entry.save(update_fields=["missing_reason"])
    record(
        actor=actor,
        action="filing.excuse",
        target=entry,
        organization=filing.campaign.committee,
        changes={"missing_reason": [before, reason]},
    )
    return entry


def _queue_package(filing: Filing, *, actor: Actor) -> Package:
    from shuping.filing.tasks import build_package_task

    package = Package.objects.create(filing=filing, requested_by=_user(actor))
    result = build_package_task.enqueue(package.pk)
    Package.objects.filter(pk=package.pk, task_id="").update(task_id=str(result.id)[:64])
    package.refresh_from_db()
    return package


@transaction.atomic
def request_package(filing: Filing, *, actor: Actor) -> Package:
    """Build the package now (a preview before submitting, or a fresh copy). Once
    submitted, the package the superior received stays the round's package."""
    filing = _lock(filing)
    _require_office(actor, filing.campaign)
    _require_editable(filing)
    running = filing.packages.filter(status__in=(PackageStatus.QUEUED, PackageStatus.RUNNING))
    if running.exists():
        raise StateError("材料包正在生成，请稍候。")
    package = _queue_package(filing, actor=actor)
    record(
        actor=actor,
        action="filing.package",
        target=filing,
        organization=filing.campaign.committee,
        changes={"package": package.pk},
    )
    return package


@transaction.atomic
def submit_filing(filing: Filing, *, actor: Actor, today: date | None = None) -> Filing:
    """Send the whole checklist to the superior as one package. Late filings are flagged."""
    filing = _lock(filing)
    campaign = filing.campaign
    _require_office(actor, campaign)
    require_not_archived(campaign)
    if filing.state not in EDITABLE:
        _move(filing, FilingState.SUBMITTED)  # raises the state message
    missing = blocking(filing)
    if missing:
        names = "、".join(f"“{row.entry.title}”" for row in missing)
        raise DomainError(f"以下材料尚缺，请上传或填写缺项理由：{names}。", field="entries")
    today = today or timezone.localdate()
    before = _move(filing, FilingState.SUBMITTED)
    filing.submitted_at = timezone.now()
    filing.submitted_by = _user(actor)
    filing.is_late = filing.due_on is not None and today > filing.due_on
    filing.save(update_fields=["state", "submitted_at", "submitted_by", "is_late"])
    package = _queue_package(filing, actor=actor)
    excused = {e.title: e.missing_reason for e in filing.entries.all() if e.missing_reason}
    record(
        actor=actor,
        action="filing.submit",
        target=filing,
        organization=campaign.committee,
        changes={
            "state": [before, filing.state],
            "late": filing.is_late,
            "package": package.pk,
            "excused": excused,
        },
    )
    return filing


@transaction.atomic
def acknowledge_filing(filing: Filing, *, actor: Actor) -> Filing:
    """The superior accepts the filing (备案); the round becomes read-only (归档)."""
    filing = _lock(filing)
    _require_superior(actor, filing.campaign)
    before = _move(filing, FilingState.ACKNOWLEDGED)
    filing.answered_at = timezone.now()
    filing.answered_by = _user(actor)
    filing.return_reason = ""
    filing.save(update_fields=["state", "answered_at", "answered_by", "return_reason"])
    record(
        actor=actor,
        action="filing.acknowledge",
        target=filing,
        organization=filing.campaign.committee,
        changes={"state": [before, filing.state], "late": filing.is_late},
    )
    filing.campaign = round_services.archive_campaign(
        filing.campaign, actor=actor, note="上级确认备案，归档"
    )
    return filing


@transaction.atomic
def return_filing(filing: Filing, *, actor: Actor, reason: str) -> Filing:
    filing = _lock(filing)
    _require_superior(actor, filing.campaign)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写退回理由。", field="reason")
    before = _move(filing, FilingState.RETURNED)
    filing.answered_at = timezone.now()
    filing.answered_by = _user(actor)
    filing.return_reason = reason[:2000]
    filing.save(update_fields=["state", "answered_at", "answered_by", "return_reason"])
    record(
        actor=actor,
        action="filing.return",
        target=filing,
        organization=filing.campaign.committee,
        changes={"state": [before, filing.state]},
        note=reason,
    )
    return filing


@transaction.atomic
def reopen_filing(filing: Filing, *, actor: Actor, reason: str) -> Filing:
    """Lift the archive of a filed round, with a recorded reason (the superior only)."""
    filing = _lock(filing)
    _require_superior(actor, filing.campaign)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写重新打开的理由。", field="reason")
    before = _move(filing, FilingState.DRAFT)
    filing.save(update_fields=["state"])
    record(
        actor=actor,
        action="filing.reopen",
        target=filing,
        organization=filing.campaign.committee,
        changes={"state": [before, filing.state]},
        note=reason,
    )
    filing.campaign = round_services.reopen_campaign(filing.campaign, actor=actor, reason=reason)
    return filing


# --- the summary report ------------------------------------------------------------------


@transaction.atomic
def draft_summary_report(
    campaign: Campaign, *, actor: Actor, redraft: bool = False
) -> SummaryReport:
    """Draft the summary report from the round's data; with `redraft`, overwrite the
    office's edits with a fresh draft (recorded)."""
    from shuping.filing.summary import draft_parts

    _require_office(actor, campaign)
    require_not_archived(campaign)
    report = SummaryReport.objects.select_for_update().filter(campaign=campaign).first()
    if report is not None and not redraft:
        return report
    parts = draft_parts(campaign)
    if report is None:
        report = SummaryReport(campaign=campaign)
    for key, text in parts.items():
        setattr(report, key, text)
    report.drafted_at = report.updated_at = timezone.now()
    report.updated_by = _user(actor)
    report.save()
    record(
        actor=actor,
        action="summary.draft",
        target=report,
        organization=campaign.committee,
        changes={"redraft": redraft},
    )
    return report


@transaction.atomic
def update_summary_report(
    report: SummaryReport, *, actor: Actor, title: str, parts: dict[str, str]
) -> SummaryReport:
    from shuping.filing.models import SUMMARY_PARTS

    report = (
        SummaryReport.objects.select_for_update(of=("self",))
        .select_related("campaign__committee")
        .get(pk=report.pk)
    )
    _require_office(actor, report.campaign)
    require_not_archived(report.campaign)
    title = (title or "").strip()
    if not title:
        raise DomainError("请填写标题。", field="title")
    if len(title) > 200:
        raise DomainError("标题不能超过 200 字。", field="title")
    changed = []
    for key, label in SUMMARY_PARTS:
        text = (parts.get(key) or "").strip()
        if len(text) > 20000:
            raise DomainError(f"“{label}”不能超过 20000 字。", field=key)
        if text != getattr(report, key):
            changed.append(label)
            setattr(report, key, text)
    if title != report.title:
        changed.append("标题")
        report.title = title
    report.updated_at = timezone.now()
    report.updated_by = _user(actor)
    report.save()
    record(
        actor=actor,
        action="summary.update",
        target=report,
        organization=report.campaign.committee,
        changes={"parts": changed},
    )
    return report
