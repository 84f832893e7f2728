"""Every state change of a duty report, innovation case or upload: one function each.

Order inside each: lock the row, check permission and state, save(update_fields=…),
write the audit entry.
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from shuping.audit.services import record
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.lib.types import Actor
from shuping.reports import access, checks, uploads
from shuping.reports.docx_import import ImportResult, read_docx
from shuping.reports.models import (
    ALLOWED,
    APPROVED_STATES,
    Attachment,
    AttachmentKind,
    DutyReport,
    InnovationCase,
    ReportState,
    ReportVersion,
    ReviewComment,
    VersionKind,
    target_state,
)
from shuping.rounds.archive import require_not_archived
from shuping.rounds.models import CampaignStatus, Deadline, Reporter
from shuping.rounds.rules import ReportRules

MAX_SECTION_CHARS = 20000
AUTOSAVE_FOLD = timedelta(minutes=5)


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def rules_for(report: DutyReport) -> ReportRules:
    return report.reporter.campaign.parsed_rules.report


def _lock(report: DutyReport) -> DutyReport:
    locked = DutyReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
    # keep the related objects the caller already loaded
    locked.reporter = report.reporter
    return locked


def _require_author(actor: Actor, report: DutyReport) -> None:
    if actor is not None and not access.is_author(actor, report.reporter):
        raise PermissionDenied("只有述职人本人可以撰写和提交述职报告。")
    _require_active(report.reporter)


def _require_active(reporter: Reporter) -> None:
    # writing happens while the round runs; a closed round's reports are history
    require_not_archived(reporter.campaign)
    if reporter.campaign.status != CampaignStatus.ACTIVE:
        raise StateError("本轮述职评议考核不在进行中，不能撰写或提交述职报告。")


def _require_reviewer(actor: Actor, report: DutyReport) -> None:
    if actor is not None and not access.can_review(actor, report.reporter):
        raise PermissionDenied("只有组织部门可以审核述职报告。")


def _move(report: DutyReport, action: str) -> str:
    after = target_state(action, report.state)
    if after is None or (report.state, after) not in ALLOWED:
        label = ReportState(report.state).label
        raise StateError(f"报告当前状态为“{label}”，不能执行此操作。")
    return after


def _commit_move(
    locked: DutyReport,
    after: str,
    *,
    actor: Actor,
    action: str,
    also: Iterable[str] = (),
    note: str = "",
) -> None:
    """Save the new state (plus the fields in `also`, already set by the caller) and
    write the audit row: the common end of every review transition."""
    before = locked.state
    locked.state = after
    locked.save(update_fields=["state", *also])
    record(
        actor=actor,
        action=action,
        target=locked,
        organization=locked.reporter.organization,
        changes={"state": [before, after]},
        note=note,
    )


def _refresh_checks(report: DutyReport) -> list[checks.Check]:
    results = checks.run_checks(rules_for(report), report.sections)
    report.total_chars = sum(checks.section_counts(rules_for(report), report.sections).values())
    report.check_verdict = checks.worst(results)
    report.check_summary = [
        {"key": c.key, "verdict": c.verdict, "message": c.message}
        for c in results
        if c.verdict != "ok"
    ]
    return results


# --- last year's rectification ------------------------------------------------------


@dataclass(frozen=True)
class RectificationItem:
    """One problem to report on. `source` says where it came from (自查/点评/…)."""

    problem: str
    measure: str = ""
    status: str = ""
    source: str = ""


PreviousItemsProvider = Callable[[Reporter], list[RectificationItem]]
# Where last year's problems come from, best first. Reports sits below the ledger
# (rectification), which registers here in its AppConfig.ready(); the report's own
# problems section is the fallback when no ledger item exists.
_previous_providers: list[tuple[int, str, PreviousItemsProvider]] = []


def register_previous_items_provider(
    key: str, provider: PreviousItemsProvider, *, priority: int = 100
) -> None:
    """Register (or replace, so reloading an app is harmless) a source of last year's
    items; lower `priority` is asked first and the first non-empty answer wins."""
    _previous_providers[:] = [p for p in _previous_providers if p[1] != key]
    _previous_providers.append((priority, key, provider))
    _previous_providers.sort(key=lambda p: (p[0], p[1]))


def previous_rectification_items(reporter: Reporter) -> list[RectificationItem]:
    """Last year's problems for the reporter, from the first registered provider that
    has any (the rectification ledger, then last year's report)."""
    for _, _, provider in list(_previous_providers):
        items = provider(reporter)
        if items:
            return items
    return []


def previous_report_items(reporter: Reporter) -> list[RectificationItem]:
    """The fallback: the problems section of the organization's report in the
    committee's previous round (one item per non-empty paragraph, headings left out)
    and that report's review comments."""
    campaign = reporter.campaign
    previous = (
        DutyReport.objects.filter(
            reporter__organization_id=reporter.organization_id,
            reporter__campaign__committee_id=campaign.committee_id,
            reporter__campaign__year__lt=campaign.year,
        )
        .select_related("reporter__campaign")
        .order_by("-reporter__campaign__year", "id")
        .first()
    )
    if previous is None:
        return []
    rules = previous.reporter.campaign.parsed_rules.report
    items: list[RectificationItem] = []
    for section in rules.sections:
        if section.role != "problems":
            continue
        for para in previous.sections.get(section.key, "").splitlines():
            para = para.strip()
            if len(para) >= 8 and not para.startswith(("（", "(")):
                items.append(RectificationItem(problem=para, source="上年度述职自查"))
    for comment in previous.comments.all():
        items.append(RectificationItem(problem=comment.text.strip(), source="上年度审核意见"))
    return items


register_previous_items_provider("reports.previous_report", previous_report_items, priority=1000)


def rectification_prefill(items: list[RectificationItem]) -> str:
    if not items:
        return ""
    lines = ["对照上年度述职评议查摆的问题，逐项整改落实情况如下："]
    for i, item in enumerate(items, start=1):
        line = f"{i}．{item.problem.rstrip('。')}。整改措施：{item.measure or '（请填写）'}；"
        line += f"完成情况：{item.status or '（请填写）'}。"
        lines.append(line)
    return "\n".join(lines)


# --- opening and writing --------------------------------------------------------------


def default_title(reporter: Reporter) -> tuple[str, str]:
    # the title names the unit (issue: documents to standard); export breaks it after the unit
    title = f"{reporter.organization.name}{reporter.campaign.year}年度抓党建工作述职报告"
    who = reporter.person.name if reporter.person_id else ""  # type: ignore[union-attr]
    position = reporter.position or f"{reporter.organization.name}书记"
    return title, f"{position} {who}".strip()


def open_report(reporter: Reporter, *, actor: Actor, audience: str = "committee") -> DutyReport:
    """The reporter's report for `audience`, created (and pre-filled) on first open."""
    rules = reporter.campaign.parsed_rules
    audiences = rules.report.audiences
    if audience not in audiences:
        raise DomainError("本轮述职没有这个述职会议类型。", field="audience")
    existing = DutyReport.objects.filter(reporter=reporter, audience=audience).first()
    if existing is not None:
        existing.reporter = reporter
        return existing
    if actor is not None and not (
        access.is_author(actor, reporter) or access.can_review(actor, reporter)
    ):
        raise PermissionDenied("只有述职人本人可以撰写述职报告。")
    _require_active(reporter)
    with transaction.atomic():
        title, subtitle = default_title(reporter)
        if len(audiences) > 1:
            meeting_title = next((m.title for m in rules.meetings if m.key == audience), audience)
            title = f"{title}（{meeting_title}）"
        sections = {s.key: "" for s in rules.report.sections}
        prefill = [
            s for s in rules.report.sections if s.prefill_rectification or s.role == "rectification"
        ]
        if prefill:
            text = rectification_prefill(previous_rectification_items(reporter))
            for s in prefill:
                sections[s.key] = text
        report, created = DutyReport.objects.get_or_create(
            reporter=reporter,
            audience=audience,
            defaults={"title": title, "subtitle": subtitle, "sections": sections},
        )
        report.reporter = reporter
        if created:
            _refresh_checks(report)
            report.save(update_fields=["total_chars", "check_verdict", "check_summary"])
            ReportVersion.objects.create(
                report=report,
                number=1,
                kind=VersionKind.PREFILL,
                sections=sections,
                total_chars=report.total_chars,
                author=_user(actor),
            )
            record(
                actor=actor,
                action="report.open",
                target=report,
                organization=reporter.organization,
            )
    return report


def _clean_sections(report: DutyReport, sections: dict[str, Any]) -> dict[str, str]:
    rules = rules_for(report)
    known = {s.key for s in rules.sections}
    unknown = sorted(set(sections) - known)
    if unknown:
        raise DomainError(f"报告没有这些部分：{'、'.join(unknown)}", field=unknown[0])
    merged = dict(report.sections)
    for key, value in sections.items():
        if not isinstance(value, str):
            raise DomainError("内容应为文字。", field=key)
        text = value.replace("\r\n", "\n").replace("\r", "\n")
        if len(text) > MAX_SECTION_CHARS:
            raise DomainError(f"这一部分超过 {MAX_SECTION_CHARS} 字，请精简。", field=key)
        merged[key] = text
    return {s.key: merged.get(s.key, "") for s in rules.sections}


def save_sections(
    report: DutyReport,
    *,
    actor: Actor,
    sections: dict[str, Any],
    kind: str = VersionKind.SAVE,
    title: str | None = None,
    subtitle: str | None = None,
    base_revision: int | None = None,
) -> DutyReport:
    """Write the section texts. `base_revision` (from the page) refuses to overwrite a
    newer save made in another window."""
    with transaction.atomic():
        locked = _lock(report)
        _require_author(actor, locked)
        if not locked.editable:
            raise StateError("报告已提交，等待审核期间不能修改。")
        if base_revision is not None and base_revision != locked.revision:
            raise StateError("报告已在其他窗口保存过，请刷新页面后再修改。")
        clean = _clean_sections(locked, sections)
        changed = clean != locked.sections
        fields = ["sections", "revision", "updated_at", "total_chars", "check_verdict"]
        fields.append("check_summary")
        if title is not None and title.strip() and title.strip() != locked.title:
            locked.title = title.strip()[:200]
            fields.append("title")
            changed = True
        if subtitle is not None and subtitle.strip() != locked.subtitle:
            locked.subtitle = subtitle.strip()[:200]
            fields.append("subtitle")
            changed = True
        if not changed and kind == VersionKind.AUTOSAVE:
            return locked
        locked.sections = clean
        locked.revision += 1
        locked.updated_at = timezone.now()
        _refresh_checks(locked)
        locked.save(update_fields=fields)
        _snapshot(locked, actor=actor, kind=kind)
        if kind != VersionKind.AUTOSAVE:
            record(
                actor=actor,
                action=f"report.{kind}",
                target=locked,
                organization=locked.reporter.organization,
                changes={"total_chars": locked.total_chars},
            )
    return locked


def _snapshot(report: DutyReport, *, actor: Actor, kind: str) -> ReportVersion:
    author = _user(actor)
    now = timezone.now()
    last = report.versions.order_by("-number").first()
    if (
        kind == VersionKind.AUTOSAVE
        and last is not None
        and last.kind == VersionKind.AUTOSAVE
        and last.author_id == getattr(author, "pk", None)
        and now - last.updated_at < AUTOSAVE_FOLD
    ):
        last.sections = report.sections
        last.total_chars = report.total_chars
        last.updated_at = now
        last.save(update_fields=["sections", "total_chars", "updated_at"])
        return last
    return ReportVersion.objects.create(
        report=report,
        number=(last.number + 1) if last else 1,
        kind=kind,
        sections=report.sections,
        total_chars=report.total_chars,
        author=author,
        created_at=now,
        updated_at=now,
    )


def import_docx(report: DutyReport, *, actor: Actor, data: bytes) -> ImportResult:
    """Replace the sections with those read from a .docx; returns what could not be placed."""
    uploads.check_docx(data)
    result = read_docx(data, rules_for(report).sections)
    save_sections(
        report,
        actor=actor,
        sections=result.sections,
        kind=VersionKind.IMPORT,
        title=result.title or None,
        subtitle=result.subtitle or None,
    )
    return result


# --- review ---------------------------------------------------------------------------------


def submit_report(report: DutyReport, *, actor: Actor) -> DutyReport:
    with transaction.atomic():
        locked = _lock(report)
        _require_author(actor, locked)
        after = _move(locked, "submit")
        results = _refresh_checks(locked)
        blockers = checks.blocking(results)
        if blockers:
            raise DomainError(
                "报告未通过必查项，不能提交：" + "；".join(c.message for c in blockers),
                field=blockers[0].section or None,
                code="checks",
            )
        now = timezone.now()
        locked.review_round += 1
        locked.submitted_at = locked.submitted_at or now
        locked.last_submitted_at = now
        _commit_move(
            locked,
            after,
            actor=actor,
            action="report.submit",
            also=(
                "review_round",
                "submitted_at",
                "last_submitted_at",
                "total_chars",
                "check_verdict",
                "check_summary",
            ),
        )
        _snapshot(locked, actor=actor, kind=VersionKind.SUBMIT)
    return locked


def return_report(
    report: DutyReport, *, actor: Actor, comments: dict[str, str], note: str = ""
) -> DutyReport:
    """Send back for changes with comments per section (key "" = the whole report)."""
    with transaction.atomic():
        locked = _lock(report)
        _require_reviewer(actor, locked)
        after = _move(locked, "return")
        known = {s.key for s in rules_for(locked).sections} | {""}
        bad = sorted(set(comments) - known)
        if bad:
            raise DomainError("意见对应的部分不存在。", field=bad[0])
        texts = {k: v.strip() for k, v in comments.items() if v and v.strip()}
        if note.strip():
            texts[""] = (texts.get("", "") + "\n" + note.strip()).strip()
        if not texts:
            raise DomainError("退回修改时请至少写一条意见。", field="comments")
        author = _user(actor)
        ReviewComment.objects.bulk_create(
            [
                ReviewComment(
                    report=locked,
                    review_round=locked.review_round,
                    section_key=key,
                    text=text,
                    author=author,
                )
                for key, text in texts.items()
            ]
        )
        _commit_move(
            locked,
            after,
            actor=actor,
            action="report.return",
            note="；".join(texts.values())[:500],
        )
    return locked


def approve_report(report: DutyReport, *, actor: Actor, comment: str = "") -> DutyReport:
    with transaction.atomic():
        locked = _lock(report)
        _require_reviewer(actor, locked)
        after = _move(locked, "approve")
        locked.approved_at = timezone.now()
        locked.approved_by = _user(actor)
        _commit_move(
            locked,
            after,
            actor=actor,
            action="report.approve",
            also=("approved_at", "approved_by"),
        )
        if comment.strip():
            ReviewComment.objects.create(
                report=locked,
                review_round=locked.review_round,
                text=comment.strip(),
                author=locked.approved_by,
            )
    return locked


def mark_read_by_superior(report: DutyReport, *, actor: Actor) -> DutyReport:
    """Seed 003: approved reports go to the leader of the committee for reading (审阅)."""
    with transaction.atomic():
        locked = _lock(report)
        if not rules_for(locked).superior_reads:
            raise DomainError("本轮方案没有要求上级领导审阅述职报告。")
        if actor is not None and not (
            access.is_superior(actor, locked.reporter) or access.can_review(actor, locked.reporter)
        ):
            raise PermissionDenied("只有上级党委或组织部门可以登记审阅。")
        if locked.state not in APPROVED_STATES:
            raise StateError("报告审核通过后才能登记上级领导审阅。")
        if locked.read_by_superior_at is not None:
            raise StateError("已登记为上级领导已阅。")
        locked.read_by_superior_at = timezone.now()
        locked.read_by_superior = _user(actor)
        locked.save(update_fields=["read_by_superior_at", "read_by_superior"])
        record(
            actor=actor,
            action="report.read_by_superior",
            target=locked,
            organization=locked.reporter.organization,
        )
    return locked


def write_summary(report: DutyReport, *, actor: Actor, summary: str) -> DutyReport:
    with transaction.atomic():
        locked = _lock(report)
        _require_reviewer(actor, locked)
        if not rules_for(locked).summary_published:
            raise DomainError("本轮方案没有要求摘要公布。")
        after = _move(locked, "summarize")
        text = summary.strip()
        if not text:
            raise DomainError("请填写摘要。", field="summary")
        if len(text) > 2000:
            raise DomainError("摘要不超过2000字。", field="summary")
        locked.summary = text
        _commit_move(locked, after, actor=actor, action="report.summarize", also=("summary",))
    return locked


def publish_summary(report: DutyReport, *, actor: Actor) -> DutyReport:
    with transaction.atomic():
        locked = _lock(report)
        _require_reviewer(actor, locked)
        after = _move(locked, "publish")
        rules = rules_for(locked)
        locked.summary_published_at = timezone.now()
        locked.publication_range = rules.publication_range or "本轮述职范围内"
        _commit_move(
            locked,
            after,
            actor=actor,
            action="report.publish_summary",
            also=("summary_published_at", "publication_range"),
            note=locked.publication_range,
        )
    return locked


# --- what changed since the last submission ---------------------------------------------


@dataclass(frozen=True)
class SectionDiff:
    key: str
    title: str
    changed: bool
    html: str  # escaped text with <ins>/<del>


def _diff_html(old: str, new: str) -> str:
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(html.escape(new[b1:b2]))
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(old[a1:a2])}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(new[b1:b2])}</ins>")
    return "".join(out).replace("\n", "<br>")


def submitted_versions(report: DutyReport) -> list[ReportVersion]:
    return list(report.versions.filter(kind=VersionKind.SUBMIT).order_by("-number")[:2])


def resubmission_diff(report: DutyReport) -> list[SectionDiff] | None:
    """Per section, the current text against the previous submission: after a return
    (while editing) the last submitted version; once resubmitted, the one before it."""
    subs = submitted_versions(report)
    if report.state == ReportState.RESUBMITTED or (
        report.state in APPROVED_STATES and report.review_round > 1
    ):
        if len(subs) < 2:
            return None
        old, new = subs[1].sections, subs[0].sections
    elif report.state == ReportState.RETURNED and subs:
        old, new = subs[0].sections, report.sections
    else:
        return None
    return [
        SectionDiff(
            s.key,
            s.title,
            old.get(s.key, "") != new.get(s.key, ""),
            _diff_html(old.get(s.key, ""), new.get(s.key, "")),
        )
        for s in rules_for(report).sections
    ]


def is_late(report_state: str, submitted_at: Any, due: date | None, today: date) -> bool:
    """Late = past the report_due deadline and either not yet submitted, or submitted after it."""
    if due is None:
        return False
    if submitted_at is not None:
        return bool(timezone.localdate(submitted_at) > due)
    return today > due


def report_due(campaign_id: int) -> date | None:
    d = Deadline.objects.filter(campaign_id=campaign_id, key="report_due").first()
    return d.due_on if d else None


# --- innovation cases and uploads ---------------------------------------------------------


CASE_FIELDS = ("title", "subtitle", "background", "measures", "results")


def _require_case_writer(actor: Actor, reporter: Reporter) -> None:
    if actor is not None and not (
        access.is_author(actor, reporter) or access.can_review(actor, reporter)
    ):
        raise PermissionDenied("只有述职单位或组织部门可以编辑创新案例。")


def save_case(
    reporter: Reporter,
    *,
    actor: Actor,
    data: dict[str, str],
    case: InnovationCase | None = None,
) -> InnovationCase:
    rules = reporter.campaign.parsed_rules.report
    high = rules.innovation_cases[1]
    if high == 0:
        raise DomainError("本轮方案不要求报送创新案例。")
    title = (data.get("title") or "").strip()
    if not title:
        raise DomainError("请填写案例标题。", field="title")
    with transaction.atomic():
        _require_case_writer(actor, reporter)
        Reporter.objects.select_for_update().get(pk=reporter.pk)
        if case is None:
            count = InnovationCase.objects.filter(reporter=reporter).count()
            if count >= high:
                raise DomainError(f"每个单位最多报送{high}篇创新案例。")
            case = InnovationCase(
                reporter=reporter,
                order=count + 1,
                created_by=_user(actor),
            )
        before = {f: getattr(case, f) for f in CASE_FIELDS}
        for f in CASE_FIELDS:
            value = (data.get(f) or "").strip() if f in data else getattr(case, f)
            if len(value) > 5000:
                raise DomainError("内容过长。", field=f)
            setattr(case, f, value)
        case.title = title[:200]
        case.updated_at = timezone.now()
        case.save()
        record(
            actor=actor,
            action="report.case_save",
            target=case,
            organization=reporter.organization,
            changes={
                f: [before[f], getattr(case, f)] for f in ("title",) if before[f] != case.title
            },
        )
    return case


MAX_PICTURES = 3


def add_attachment(
    reporter: Reporter,
    *,
    actor: Actor,
    kind: str,
    data: bytes,
    filename: str = "",
    case: InnovationCase | None = None,
    caption: str = "",
) -> Attachment:
    if kind == AttachmentKind.PICTURE:
        if case is None:
            raise DomainError("配图要属于一个创新案例。", field="case")
        sniffed = uploads.check_picture(data)
    elif kind == AttachmentKind.SLIDES:
        sniffed = uploads.check_slides(data)
    else:
        raise DomainError("不支持的附件类型。", field="kind")
    with transaction.atomic():
        _require_case_writer(actor, reporter)
        Reporter.objects.select_for_update().get(pk=reporter.pk)
        if case is not None:
            if case.reporter_id != reporter.pk:
                raise DomainError("案例不属于该述职对象。", field="case")
            if case.pictures.count() >= MAX_PICTURES:
                raise DomainError(f"每篇案例最多{MAX_PICTURES}幅配图。", field="file")
        att = Attachment(
            kind=kind,
            reporter=reporter,
            case=case,
            original_name=uploads.clean_name(filename),
            content_type=sniffed.content_type,
            extension=sniffed.extension,
            size=len(data),
            caption=caption.strip()[:200],
            order=(case.pictures.count() + 1) if case is not None else 1,
            uploaded_by=_user(actor),
        )
        att.file.save("upload" + sniffed.extension, ContentFile(data), save=False)
        att.save()
        record(
            actor=actor,
            action=f"report.upload_{kind}",
            target=att,
            organization=reporter.organization,
            label=att.original_name,
        )
    return att


def delete_attachment(att: Attachment, *, actor: Actor) -> None:
    with transaction.atomic():
        _require_case_writer(actor, att.reporter)
        name = att.file.name
        record(
            actor=actor,
            action="report.delete_attachment",
            target=att,
            organization=att.reporter.organization,
            label=att.original_name,
        )
        att.delete()
        transaction.on_commit(lambda: att.file.storage.delete(name))
