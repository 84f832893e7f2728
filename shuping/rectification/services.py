"""Every state change of the rectification ledger: one function each.

Order inside each: lock the row, check permission and state, save(update_fields=…),
write the audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from shuping.accounts.models import Role, RoleGrant
from shuping.audit.services import record
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.lib.types import Actor
from shuping.rectification import access, recurrence, sources
from shuping.rectification.models import (
    ITEM_ALLOWED,
    PLAN_ALLOWED,
    CauseKind,
    Evidence,
    Item,
    ItemReminder,
    ItemSource,
    ItemStatus,
    Plan,
    PlanState,
    ProgressUpdate,
    ReminderKind,
    SourceKind,
    item_target,
    overdue_q,
    plan_target,
)
from shuping.reports import uploads
from shuping.reports.services import RectificationItem
from shuping.rounds.models import Campaign, CampaignStatus, Reporter

MAX_TEXT = 2000
MAX_FILES = 5
EVIDENCE_MAX = 10 * 1024 * 1024
EVIDENCE_TYPES = (".png", ".jpg", ".pdf", ".docx")
TEXT_FIELDS = {"problem": MAX_TEXT, "cause": MAX_TEXT, "measures": MAX_TEXT, "leader": 60}
TEXT_FIELDS["unit"] = 120
EDIT_FIELDS = ("problem", "cause_kind", "cause", "measures", "leader", "unit", "deadline")


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _lock(item: Item) -> Item:
    locked = Item.objects.select_for_update(of=("self",)).get(pk=item.pk)
    locked.organization = item.organization
    locked.reporter = item.reporter
    return locked


def parse_deadline(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError("整改时限请填写日期，如 2026-06-30。", field="deadline") from None


def clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The editable fields of an item, checked; unknown keys are refused."""
    unknown = sorted(set(data) - set(EDIT_FIELDS))
    if unknown:
        raise DomainError("整改事项没有这些内容。", field=unknown[0])
    clean: dict[str, Any] = {}
    if "problem" in data and not str(data["problem"] or "").strip():
        raise DomainError("请填写问题。", field="problem")
    for key, value in data.items():
        if key == "deadline":
            clean[key] = parse_deadline(value)
        elif key == "cause_kind":
            value = (value or "").strip()
            if value and value not in CauseKind.values:
                raise DomainError("原因类别只能是主观原因或客观原因。", field=key)
            clean[key] = value
        else:
            if value is not None and not isinstance(value, str):
                raise DomainError("内容应为文字。", field=key)
            text = (value or "").replace("\r\n", "\n").strip()
            if len(text) > TEXT_FIELDS[key]:
                raise DomainError(f"不超过{TEXT_FIELDS[key]}字。", field=key)
            clean[key] = text
    return clean


def _plan_of(reporter: Reporter | None) -> Plan | None:
    if reporter is None:
        return None
    return Plan.objects.filter(reporter=reporter).first()


def _require_writer(actor: Actor, item: Item) -> None:
    """The item's owner edits it while the plan is not under review; the office always."""
    if actor is None:
        return
    if access.can_review(actor, item.organization):
        return
    if not access.is_owner(actor, item):
        raise PermissionDenied("只有整改责任人本人或组织部门可以修改整改事项。")
    plan = _plan_of(item.reporter)
    if plan is not None and plan.state == PlanState.SUBMITTED:
        raise StateError("整改方案已提交审核，审核期间不能修改整改事项。")


def _require_owner(actor: Actor, item: Item) -> None:
    if actor is not None and not (
        access.is_owner(actor, item) or access.can_review(actor, item.organization)
    ):
        raise PermissionDenied("只有整改责任人本人可以报告整改进展。")


def _require_reviewer(actor: Actor, item: Item) -> None:
    if actor is not None and not access.can_review(actor, item.organization):
        raise PermissionDenied("只有组织部门可以销号或退回整改事项。")


def _move(item: Item, action: str) -> str:
    after = item_target(action, item.status)
    if after is None or (item.status, after) not in ITEM_ALLOWED:
        raise StateError(f"整改事项当前状态为“{item.get_status_display()}”，不能执行此操作。")
    return after


# --- recurrence ------------------------------------------------------------------------


def _detect_recurrence(item: Item) -> None:
    """Link the most similar earlier-year item of the same organization or secretary.

    Compares stored vectors of that history only (a dot product each); an item carried
    over from last year is the same problem continuing, not a recurrence of it."""
    history = Q(organization_id=item.organization_id)
    if item.person_id is not None:
        history |= Q(person_id=item.person_id)
    candidates = Item.objects.filter(history, year__lt=item.year).exclude(pk=item.pk)
    chain = {item.carried_from_id} if item.carried_from_id else set()
    best: tuple[float, int] | None = None
    for pk, vector in candidates.values_list("pk", "vector"):
        if pk in chain:
            continue
        score = recurrence.similarity(item.vector, vector or {})
        if score >= recurrence.THRESHOLD and (best is None or score > best[0]):
            best = (score, pk)
    item.recurs_of_id = best[1] if best else None  # type: ignore[attr-defined]
    item.similarity = round(best[0], 3) if best else None


def _set_problem(item: Item, problem: str) -> None:
    item.problem = problem
    item.vector = recurrence.vectorize(problem)
    _detect_recurrence(item)


# --- items ---------------------------------------------------------------------------------


def _next_number(organization_id: int, year: int) -> int:
    top = Item.objects.filter(organization_id=organization_id, year=year).aggregate(m=Max("number"))
    return int(top["m"] or 0) + 1


def create_item(
    reporter: Reporter,
    *,
    actor: Actor,
    problem: str,
    source_kind: str = SourceKind.OTHER,
    source_ref: str = "",
    excerpt: str = "",
    url: str = "",
    **fields: Any,
) -> Item:
    """A new item in the reporter's ledger for the round."""
    if source_kind not in SourceKind.values:
        raise DomainError("未知的来源。", field="source_kind")
    clean = clean_fields({"problem": problem, **fields})
    with transaction.atomic():
        locked = Reporter.objects.select_for_update().get(pk=reporter.pk)
        if actor is not None:
            from shuping.reports import access as report_access

            if not (
                report_access.is_author(actor, reporter)
                or access.can_review(actor, reporter.organization)
            ):
                raise PermissionDenied("只有述职人本人或组织部门可以添加整改事项。")
            plan = _plan_of(locked)
            if (
                plan is not None
                and plan.state == PlanState.SUBMITTED
                and not access.can_review(actor, reporter.organization)
            ):
                raise StateError("整改方案已提交审核，审核期间不能添加整改事项。")
        item = Item(
            organization=reporter.organization,
            year=reporter.campaign.year,
            reporter=reporter,
            person_id=reporter.person_id,
            number=_next_number(reporter.organization_id, reporter.campaign.year),
            created_by=_user(actor),
            **{k: v for k, v in clean.items() if k != "problem"},
        )
        _set_problem(item, clean["problem"])
        item.save()
        ItemSource.objects.create(
            item=item, kind=source_kind, ref=source_ref[:80], excerpt=excerpt, url=url[:200]
        )
        record(
            actor=actor,
            action="rectification.create",
            target=item,
            organization=item.organization,
            changes={"source": source_kind},
        )
    return item


def update_item(item: Item, *, actor: Actor, **fields: Any) -> Item:
    clean = clean_fields(fields)
    with transaction.atomic():
        locked = _lock(item)
        _require_writer(actor, locked)
        if locked.status == ItemStatus.CLOSED:
            raise StateError("已销号的整改事项不能再修改。")
        before = {k: getattr(locked, k) for k in clean}
        for key, value in clean.items():
            if key == "problem":
                if value != locked.problem:
                    _set_problem(locked, value)
            else:
                setattr(locked, key, value)
        changes = {
            k: [before[k], getattr(locked, k)] for k in clean if before[k] != getattr(locked, k)
        }
        if not changes:
            return locked
        locked.updated_at = timezone.now()
        update = [*changes, "updated_at"]
        if "problem" in changes:
            update += ["vector", "recurs_of", "similarity"]
        locked.save(update_fields=update)
        record(
            actor=actor,
            action="rectification.update",
            target=locked,
            organization=locked.organization,
            changes=changes,
        )
    return locked


def delete_item(item: Item, *, actor: Actor) -> None:
    """Drop a drafted item the reporter does not keep: only before any progress."""
    with transaction.atomic():
        locked = _lock(item)
        _require_writer(actor, locked)
        if locked.status != ItemStatus.NOT_STARTED or locked.updates.exists():
            raise StateError("已开始整改的事项不能删除。")
        record(
            actor=actor,
            action="rectification.delete",
            target=locked,
            organization=locked.organization,
            label=locked.problem[:200],
        )
        locked.delete()


def check_evidence(data: bytes) -> uploads.Sniffed:
    if not data:
        raise DomainError("文件是空的。", field="files")
    if len(data) > EVIDENCE_MAX:
        raise DomainError("佐证材料每个文件不能超过 10 MB。", field="files")
    kind = uploads.sniff(data)
    if kind is None or kind.extension not in EVIDENCE_TYPES:
        raise DomainError("佐证材料只能是 JPG、PNG 图片，PDF 或 Word(.docx) 文件。", field="files")
    return kind


def add_progress(
    item: Item,
    *,
    actor: Actor,
    text: str,
    files: Sequence[tuple[str, bytes]] = (),
    complete: bool = False,
) -> ProgressUpdate:
    """A progress report with evidence; `complete` also reports the item done (待核)."""
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写整改进展情况。", field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(f"进展情况不超过{MAX_TEXT}字。", field="text")
    if len(files) > MAX_FILES:
        raise DomainError(f"每次最多上传{MAX_FILES}个佐证材料。", field="files")
    sniffed = [check_evidence(data) for _, data in files]
    with transaction.atomic():
        locked = _lock(item)
        _require_owner(actor, locked)
        before = locked.status
        after = _move(locked, "complete" if complete else "progress")
        update = ProgressUpdate.objects.create(item=locked, text=text, author=_user(actor))
        for (name, data), kind in zip(files, sniffed, strict=True):
            ev = Evidence(
                update=update,
                original_name=uploads.clean_name(name),
                content_type=kind.content_type,
                extension=kind.extension,
                size=len(data),
            )
            ev.file.save("evidence" + kind.extension, ContentFile(data), save=False)
            ev.save()
        locked.status = after
        locked.progress = text
        locked.updated_at = timezone.now()
        fields = ["status", "progress", "updated_at"]
        if complete:
            locked.completed_at = timezone.now()
            fields.append("completed_at")
        locked.save(update_fields=fields)
        record(
            actor=actor,
            action="rectification.complete" if complete else "rectification.progress",
            target=locked,
            organization=locked.organization,
            changes={"status": [before, after], "files": len(files)},
        )
    return update


def sign_off(item: Item, *, actor: Actor, note: str = "") -> Item:
    """销号: the office checks the evidence and closes the item."""
    with transaction.atomic():
        locked = _lock(item)
        _require_reviewer(actor, locked)
        before = locked.status
        locked.status = _move(locked, "sign_off")
        locked.closed_at = timezone.now()
        locked.closed_by = _user(actor)
        locked.sign_off_note = note.strip()[:MAX_TEXT]
        locked.save(update_fields=["status", "closed_at", "closed_by", "sign_off_note"])
        record(
            actor=actor,
            action="rectification.sign_off",
            target=locked,
            organization=locked.organization,
            changes={"status": [before, locked.status]},
            note=locked.sign_off_note,
        )
    return locked


def send_back(item: Item, *, actor: Actor, reason: str) -> Item:
    """Not good enough: back to 整改中 with the reason the reporter reads."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("退回时请写明理由。", field="reason")
    with transaction.atomic():
        locked = _lock(item)
        _require_reviewer(actor, locked)
        before = locked.status
        locked.status = _move(locked, "send_back")
        locked.returned_reason = reason[:MAX_TEXT]
        locked.completed_at = None
        locked.save(update_fields=["status", "returned_reason", "completed_at"])
        record(
            actor=actor,
            action="rectification.send_back",
            target=locked,
            organization=locked.organization,
            changes={"status": [before, locked.status]},
            note=reason[:500],
        )
    return locked


# --- drafting from the sources ---------------------------------------------------------------


def _known_refs(reporter: Reporter) -> set[str]:
    return set(
        ItemSource.objects.filter(item__reporter=reporter)
        .exclude(ref="")
        .values_list("ref", flat=True)
    )


def _create_drafts(
    reporter: Reporter, drafts: Iterable[sources.Draft], *, actor: Actor
) -> list[Item]:
    known = _known_refs(reporter)
    made: list[Item] = []
    for draft in drafts:
        if draft.ref in known:
            continue
        known.add(draft.ref)
        made.append(
            create_item(
                reporter,
                actor=actor,
                problem=draft.problem,
                source_kind=draft.kind,
                source_ref=draft.ref,
                excerpt=draft.excerpt,
                url=draft.url,
                deadline=draft.deadline,
                measures=draft.measures[:MAX_TEXT],
            )
        )
    return made


def draft_from_sources(reporter: Reporter, *, actor: Actor) -> list[Item]:
    """Items from every source of the round not drafted before (idempotent)."""
    drafts = [d for source in sources.SOURCES for d in source(reporter)]
    return _create_drafts(reporter, drafts, actor=actor)


def add_feedback(reporter: Reporter, *, actor: Actor, text: str) -> list[Item]:
    """考核反馈 typed in by the office (or the reporter): one item per point."""
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写反馈意见。", field="text")
    if len(text) > 10 * MAX_TEXT:
        raise DomainError("反馈意见过长，请分次录入。", field="text")
    return _create_drafts(reporter, sources.from_feedback(text), actor=actor)


# --- the plan (整改方案) ----------------------------------------------------------------------


def _lock_plan(plan: Plan) -> Plan:
    locked = Plan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
    locked.reporter = plan.reporter
    return locked


def _plan_move(plan: Plan, action: str) -> str:
    after = plan_target(action, plan.state)
    if after is None or (plan.state, after) not in PLAN_ALLOWED:
        raise StateError(f"整改方案当前状态为“{plan.get_state_display()}”，不能执行此操作。")
    return after


def plan_gaps(reporter: Reporter) -> list[str]:
    """What keeps the plan from being submitted: each item needs measures, a
    responsible leader and a deadline (seed 002: 明确整改措施、责任和时限)."""
    gaps = []
    items = Item.objects.filter(reporter=reporter).order_by("number", "id")
    if not items.exists():
        return ["整改方案中还没有整改事项。"]
    for item in items.only("number", "measures", "leader", "deadline"):
        missing = [
            label
            for label, value in (
                ("整改措施", item.measures),
                ("责任领导", item.leader),
                ("整改时限", item.deadline),
            )
            if not value
        ]
        if missing:
            gaps.append(f"第{item.number}项未填写{'、'.join(missing)}。")
    return gaps


def submit_plan(plan: Plan, *, actor: Actor) -> Plan:
    from shuping.reports import access as report_access

    with transaction.atomic():
        locked = _lock_plan(plan)
        if actor is not None and not report_access.is_author(actor, locked.reporter):
            raise PermissionDenied("只有述职人本人可以提交整改方案。")
        after = _plan_move(locked, "submit")
        gaps = plan_gaps(locked.reporter)
        if gaps:
            raise DomainError("整改方案还不完整：" + "".join(gaps), field="items")
        before = locked.state
        locked.state = after
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["state", "submitted_at"])
        record(
            actor=actor,
            action="rectification.plan_submit",
            target=locked,
            organization=locked.reporter.organization,
            changes={"state": [before, after]},
        )
    return locked


def return_plan(plan: Plan, *, actor: Actor, reason: str) -> Plan:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("退回修改时请写明意见。", field="reason")
    with transaction.atomic():
        locked = _lock_plan(plan)
        if actor is not None and not access.can_review(actor, locked.reporter.organization):
            raise PermissionDenied("只有组织部门可以审核整改方案。")
        before = locked.state
        locked.state = _plan_move(locked, "return")
        locked.return_reason = reason[:MAX_TEXT]
        locked.save(update_fields=["state", "return_reason"])
        record(
            actor=actor,
            action="rectification.plan_return",
            target=locked,
            organization=locked.reporter.organization,
            changes={"state": [before, locked.state]},
            note=reason[:500],
        )
    return locked


def approve_plan(plan: Plan, *, actor: Actor) -> Plan:
    with transaction.atomic():
        locked = _lock_plan(plan)
        if actor is not None and not access.can_review(actor, locked.reporter.organization):
            raise PermissionDenied("只有组织部门可以审核整改方案。")
        before = locked.state
        locked.state = _plan_move(locked, "approve")
        locked.approved_at = timezone.now()
        locked.approved_by = _user(actor)
        locked.save(update_fields=["state", "approved_at", "approved_by"])
        record(
            actor=actor,
            action="rectification.plan_approve",
            target=locked,
            organization=locked.reporter.organization,
            changes={"state": [before, locked.state]},
        )
    return locked


# --- next year ---------------------------------------------------------------------------------


def _history_q(reporter: Reporter) -> Q:
    q = Q(organization_id=reporter.organization_id)
    if reporter.person_id is not None:
        q |= Q(person_id=reporter.person_id)
    return q & Q(year__lt=reporter.campaign.year)


def previous_items(reporter: Reporter) -> list[Item]:
    """The items of the latest earlier year of the reporter's organization (or secretary)."""
    history = Item.objects.filter(_history_q(reporter))
    latest = history.aggregate(y=Max("year"))["y"]
    if latest is None:
        return []
    return list(
        history.filter(year=latest)
        .prefetch_related("sources")
        .order_by("organization_id", "number", "id")
    )


def previous_rectification_items(reporter: Reporter) -> list[RectificationItem]:
    """The reports app's provider: last year's items with their status, for the report."""
    today = timezone.localdate()
    out = []
    for item in previous_items(reporter):
        status = item.status_label(today)
        if item.status == ItemStatus.CLOSED and item.closed_at:
            status += f"（{timezone.localdate(item.closed_at):%Y年%m月%d日}）"
        elif item.progress:
            status += f"：{item.progress}"
        out.append(
            RectificationItem(
                problem=item.problem,
                measure=item.measures,
                status=status,
                source=item.source_labels or "整改台账",
            )
        )
    return out


def carry_over(campaign: Campaign, *, actor: Actor) -> int:
    """Open items of earlier years become items of this round's reporters (once each)."""
    if actor is not None and not access.can_review(actor, campaign.committee):
        raise PermissionDenied("只有组织部门可以结转往年未销号的整改事项。")
    made = 0
    reporters = list(campaign.reporters.select_related("organization", "person", "campaign"))
    by_org = {r.organization_id: r for r in reporters}
    open_items = (
        Item.objects.filter(
            organization_id__in=list(by_org),
            year__lt=campaign.year,
            carried_into__isnull=True,
        )
        .exclude(status=ItemStatus.CLOSED)
        .prefetch_related("sources")
        .order_by("year", "number", "id")
    )
    for old in open_items:
        reporter = by_org[old.organization_id]
        with transaction.atomic():
            item = Item(
                organization=reporter.organization,
                year=campaign.year,
                reporter=reporter,
                person_id=reporter.person_id,
                number=_next_number(reporter.organization_id, campaign.year),
                problem=old.problem,
                vector=old.vector or recurrence.vectorize(old.problem),
                cause_kind=old.cause_kind,
                cause=old.cause,
                measures=old.measures,
                leader=old.leader,
                unit=old.unit,
                deadline=old.deadline,
                status=ItemStatus.IN_PROGRESS if old.progress else ItemStatus.NOT_STARTED,
                progress=old.progress,
                carried_from=old,
                created_by=_user(actor),
            )
            item.save()
            ItemSource.objects.create(
                item=item,
                kind=SourceKind.CARRIED,
                ref=f"carried:{old.pk}",
                excerpt=f"{old.year}年度：{old.source_labels}",
            )
            record(
                actor=actor,
                action="rectification.carry_over",
                target=item,
                organization=item.organization,
                changes={"from": old.pk},
            )
        made += 1
    return made


# --- reminders ----------------------------------------------------------------------------------


def _recipients(item: Item) -> list[User]:
    q = Q(person__rectification_items=item)
    if item.reporter_id is not None:
        q |= Q(person__reporter_entries__rectification_items=item)
    q |= Q(
        pk__in=RoleGrant.objects.filter(
            role=Role.REPORTER, organization_id=item.organization_id
        ).values("user_id")
    )
    return list(User.objects.filter(q, is_active=True).distinct().order_by("pk"))


def remind_overdue(*, today: date | None = None) -> int:
    """One message per overdue item and recipient (the secretary), however often it runs."""
    today = today or timezone.localdate()
    created = 0
    items = Item.objects.filter(overdue_q(today)).select_related("organization")
    for item in items.iterator():
        text = (
            f"整改逾期：{item.organization.name}“{item.problem[:40]}”"
            f"应于{item.deadline:%Y-%m-%d}前完成"
        )
        for user in _recipients(item):
            try:
                with transaction.atomic():
                    ItemReminder.objects.create(
                        item=item, recipient=user, kind=ReminderKind.OVERDUE, message=text[:300]
                    )
            except IntegrityError:
                continue
            created += 1
            if settings.EMAIL_HOST and user.email:
                send_mail("述评提醒", text, None, [user.email], fail_silently=True)
    return created


def carry_over_on_start(sender: Any, instance: Campaign, **kwargs: Any) -> None:
    """When a round starts (saved as active), last year's open items join its ledger.
    After the commit, so the round's reporters exist; idempotent like carry_over."""
    fields = kwargs.get("update_fields")
    if instance.status != CampaignStatus.ACTIVE or (fields is not None and "status" not in fields):
        return
    pk = instance.pk
    transaction.on_commit(
        lambda: carry_over(Campaign.objects.select_related("committee").get(pk=pk), actor=None)
    )
