"""Every state change of the results stage: one function each (the 通报 and 公示 are in
`results.publication`).

Order inside each: lock the row, check permission and state, save(update_fields=…),
write the audit entry. The assessment stage calls `apply_approved` / `apply_reopened`
through its hooks, inside its own transaction (see apps.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shuping.accounts.models import Role, RoleGrant
from shuping.audit.services import record
from shuping.lib.errors import DomainError, StateError
from shuping.lib.types import Actor
from shuping.organizations.models import Organization
from shuping.results import source
from shuping.results.common import (
    actor_user,
    check_text,
    lock_campaign,
    move_state,
    require_manage,
)
from shuping.results.consequences import PastGrade, Subject, evaluate
from shuping.results.models import (
    TALK_KINDS,
    TASK_TRANSITIONS,
    ConsequenceTask,
    Feedback,
    NoticeState,
    PublicNotice,
    ResultRecord,
    TaskState,
)
from shuping.results.publication import finalize_notice
from shuping.rounds.models import Campaign, Reporter
from shuping.rounds.rules import Rules

# --- results and consequence tasks ---------------------------------------------


@dataclass(frozen=True)
class ResultInput:
    """One approved grade, as the assessment stage hands it over."""

    reporter: Reporter
    grade: str


def history_for(person_ids: Iterable[int], *, year: int, back: int) -> dict[int, list[PastGrade]]:
    """Approved grades of these people in the `back` years before `year`, any round."""
    return source.past_grades(sorted(set(person_ids)), years=list(range(year - back, year)))


def _lookback(rules: Rules) -> int:
    return max([c.repeated_years - 1 for c in rules.consequences if c.kind == "repeated"] or [0])


def _owner(spec_owner: str, reporter: Reporter, campaign: Campaign) -> Organization:
    return reporter.organization if spec_owner == "reporter" else campaign.committee


def _apply_outcome(
    rec: ResultRecord, rules: Rules, campaign: Campaign, history: list[PastGrade], today: date
) -> int:
    """Store what follows from `rec`'s grade and create its missing tasks; returns new tasks."""
    outcome = evaluate(
        rules,
        Subject(
            grade=rec.grade,
            year=campaign.year,
            round_title=campaign.title,
            flags=frozenset(rec.flags),
            history=tuple(history),
        ),
    )
    rec.annual_excellent = outcome.annual_excellent
    rec.annual_excellent_reason = outcome.annual_excellent_reason[:300]
    rec.unit_awards_revoked = outcome.unit_awards_revoked
    rec.unit_awards_reason = outcome.unit_awards_reason[:300]
    rec.reasons = list(outcome.reasons)
    rec.save(
        update_fields=[
            "annual_excellent",
            "annual_excellent_reason",
            "unit_awards_revoked",
            "unit_awards_reason",
            "reasons",
        ]
    )
    live = set(
        ConsequenceTask.objects.filter(reporter=rec.reporter)
        .exclude(state=TaskState.CANCELLED)
        .values_list("kind", flat=True)
    )
    created = 0
    for planned in outcome.tasks:
        if planned.kind in live:
            continue  # approving again, or a flag set twice, never doubles a task
        ConsequenceTask.objects.create(
            campaign=campaign,
            reporter=rec.reporter,
            kind=planned.kind,
            title=planned.title or planned.kind,
            reason=planned.reason[:500],
            owner=_owner(planned.owner, rec.reporter, campaign),
            due_on=today + timedelta(days=planned.due_days) if planned.due_days else None,
        )
        created += 1
    return created


def apply_approved(
    campaign: Campaign, results: Sequence[ResultInput], *, actor: Actor, today: date | None = None
) -> int:
    """The grades of `campaign` were approved: record them and create what follows.

    Called inside the approval's transaction; idempotent (a task kind exists once per
    secretary unless cancelled). Returns the number of new tasks."""
    today = today or timezone.localdate()
    rules = campaign.parsed_rules
    back = _lookback(rules)
    person_ids = [r.reporter.person_id for r in results if r.reporter.person_id]
    history = history_for(person_ids, year=campaign.year, back=back) if back else {}
    existing = {r.reporter_id: r for r in ResultRecord.objects.filter(campaign=campaign)}
    created = 0
    for item in results:
        rec = existing.get(item.reporter.pk)
        if rec is None:
            rec = ResultRecord(reporter=item.reporter, campaign=campaign, year=campaign.year)
        rec.reporter = item.reporter
        rec.person_id = item.reporter.person_id
        rec.grade = item.grade
        rec.approved = True
        rec.approved_at = timezone.now()
        rec.save()
        created += _apply_outcome(
            rec, rules, campaign, history.get(item.reporter.person_id or 0, []), today
        )
    record(
        actor=actor,
        action="results.apply",
        target=campaign,
        organization=campaign.committee,
        changes={"results": len(results), "tasks": created},
    )
    return created


def apply_reopened(reporter: Reporter, *, actor: Actor, reason: str) -> int:
    """A grade was reopened: nothing follows from it until approved again. Returns the
    number of open tasks cancelled (tasks already carried out stay on record)."""
    rec = ResultRecord.objects.select_for_update().filter(reporter=reporter).first()
    if rec is not None and rec.approved:
        rec.approved = False
        rec.save(update_fields=["approved"])
    cancelled = 0
    for task in ConsequenceTask.objects.select_for_update().filter(
        reporter=reporter, state=TaskState.OPEN
    ):
        task.state = TaskState.CANCELLED
        task.cancel_reason = f"等次复核：{reason}"[:300]
        task.save(update_fields=["state", "cancel_reason"])
        cancelled += 1
    record(
        actor=actor,
        action="results.reopened",
        target=reporter,
        organization=reporter.organization,
        changes={"cancelled_tasks": cancelled},
        note=reason[:300],
    )
    return cancelled


def set_flags(rec: ResultRecord, *, actor: Actor, flags: Iterable[str]) -> ResultRecord:
    """The office marks a result (情况严重 …); the tasks that follow are created at once."""
    with transaction.atomic():
        locked = ResultRecord.objects.select_for_update().get(pk=rec.pk)
        campaign = Campaign.objects.select_related("committee").get(pk=locked.campaign_id)
        require_manage(actor, campaign)
        rules = campaign.parsed_rules
        known = {f.key for f in rules.results.flags}
        chosen = sorted(set(flags))
        unknown = [f for f in chosen if f not in known]
        if unknown:
            raise DomainError("所选标记不在本方案中。", field="flags")
        if not locked.approved:
            raise StateError("等次尚未批准（或正在复核），暂不能标记。")
        before = list(locked.flags)
        locked.flags = chosen
        locked.save(update_fields=["flags"])
        reporter = Reporter.objects.select_related("organization", "person").get(
            pk=locked.reporter_id
        )
        locked.reporter = reporter
        history = (
            history_for([reporter.person_id], year=campaign.year, back=_lookback(rules)).get(
                reporter.person_id, []
            )
            if reporter.person_id and _lookback(rules)
            else []
        )
        _apply_outcome(locked, rules, campaign, history, timezone.localdate())
        record(
            actor=actor,
            action="results.flags",
            target=reporter,
            organization=reporter.organization,
            changes={"flags": [before, chosen]},
        )
    return locked


def _lock_task(task: ConsequenceTask) -> ConsequenceTask:
    locked = ConsequenceTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
    locked.campaign = task.campaign
    locked.reporter = task.reporter
    return locked


SCAN_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
SCAN_MAX = 10 * 1024 * 1024


def _scan_type(data: bytes) -> str:
    if len(data) > SCAN_MAX:
        raise DomainError("扫描件不能超过 10 MB。", field="scan")
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    raise DomainError("扫描件应为 JPG、PNG 图片或 PDF 文件。", field="scan")


def complete_task(
    task: ConsequenceTask,
    *,
    actor: Actor,
    done_on: date | None,
    gist: str,
    talked_by: str = "",
    talked_to: str = "",
    scan: bytes | None = None,
    today: date | None = None,
) -> ConsequenceTask:
    """Record how a task was carried out (for a talk: date, who talked to whom, the gist)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock_task(task)
        require_manage(actor, locked.campaign)
        after = move_state(TASK_TRANSITIONS, "complete", locked.state, "该事项已落实或已撤销。")
        if done_on is None:
            raise DomainError("请填写落实日期。", field="done_on")
        if done_on > today:
            raise DomainError("落实日期不能晚于今天。", field="done_on")
        locked.gist = check_text(gist, "gist", "落实情况（主要内容）")
        if locked.kind in TALK_KINDS:
            locked.talked_by = check_text(talked_by, "talked_by", "谈话人", limit=100)
            locked.talked_to = check_text(talked_to, "talked_to", "谈话对象", limit=100)
        content_type = _scan_type(scan) if scan else ""
        locked.state = after
        locked.done_on = done_on
        locked.completed_by = actor_user(actor)
        locked.completed_at = timezone.now()
        fields = [
            "state",
            "done_on",
            "gist",
            "talked_by",
            "talked_to",
            "completed_by",
            "completed_at",
        ]
        if scan:
            locked.scan_content_type = content_type
            locked.scan_extension = SCAN_TYPES[content_type]
            locked.scan.save("scan", ContentFile(scan), save=False)
            fields += ["scan", "scan_content_type", "scan_extension"]
        locked.save(update_fields=fields)
        record(
            actor=actor,
            action="results.task_done",
            target=locked,
            organization=locked.campaign.committee,
            changes={"state": [TaskState.OPEN, after], "done_on": done_on},
        )
    return locked


def cancel_task(task: ConsequenceTask, *, actor: Actor, reason: str) -> ConsequenceTask:
    with transaction.atomic():
        locked = _lock_task(task)
        require_manage(actor, locked.campaign)
        after = move_state(TASK_TRANSITIONS, "cancel", locked.state, "只有待落实的事项可以撤销。")
        locked.cancel_reason = check_text(reason, "reason", "撤销原因", limit=300)
        before, locked.state = locked.state, after
        locked.save(update_fields=["state", "cancel_reason"])
        record(
            actor=actor,
            action="results.task_cancel",
            target=locked,
            organization=locked.campaign.committee,
            changes={"state": [before, after]},
            note=locked.cancel_reason,
        )
    return locked


def set_task_due(task: ConsequenceTask, *, actor: Actor, due_on: date | None) -> ConsequenceTask:
    """The office sets the deadline where the preset is silent or the case needs it."""
    with transaction.atomic():
        locked = _lock_task(task)
        require_manage(actor, locked.campaign)
        if locked.state != TaskState.OPEN:
            raise StateError("只有待落实的事项可以修改期限。")
        before, locked.due_on = locked.due_on, due_on
        locked.overdue_reminded_on = None
        locked.save(update_fields=["due_on", "overdue_reminded_on"])
        record(
            actor=actor,
            action="results.task_due",
            target=locked,
            organization=locked.campaign.committee,
            changes={"due_on": [before, due_on]},
        )
    return locked


def open_tasks(qs: QuerySet[ConsequenceTask]) -> QuerySet[ConsequenceTask]:
    return qs.filter(state=TaskState.OPEN).select_related(
        "campaign__committee", "reporter__organization", "reporter__person", "owner"
    )


def _office_emails(org: Organization) -> list[str]:
    """Organizers whose grant covers `org` (its committee and those above)."""
    ancestors = [p for p in _ancestor_paths(org.path)]
    grants = RoleGrant.objects.filter(
        role=Role.ORGANIZER, organization__path__in=ancestors
    ).select_related("user")
    return sorted({g.user.email for g in grants if g.user.email and g.user.is_active})


def _ancestor_paths(path: str) -> list[str]:
    """Every prefix of a materialized path that is itself a node's path."""
    return list(
        Organization.objects.filter(
            path__in=[path[:i] for i in range(1, len(path) + 1)]
        ).values_list("path", flat=True)
    )


def remind_overdue_tasks(*, today: date | None = None, days: int = 3) -> int:
    """`shuping remind`: mark each overdue task once (audit, e-mail to the office when
    EMAIL_HOST is set) and make due 公示 final. Returns how many were new."""
    today = today or timezone.localdate()
    created = 0
    overdue = ConsequenceTask.objects.filter(
        state=TaskState.OPEN, due_on__lt=today, overdue_reminded_on__isnull=True
    ).select_related("campaign", "reporter__organization", "owner")
    for task in overdue:
        with transaction.atomic():
            updated = ConsequenceTask.objects.filter(
                pk=task.pk, overdue_reminded_on__isnull=True
            ).update(overdue_reminded_on=today)
            if not updated:
                continue
            text = (
                f"已逾期：{task.campaign.title} {task.reporter.organization.name}"
                f"“{task.title}”应于{task.due_on:%Y-%m-%d}完成"
            )
            record(actor=None, action="results.task_overdue", target=task, note=text[:300])
            created += 1
            emails = _office_emails(task.owner)
            if settings.EMAIL_HOST and emails:
                send_mail("述评提醒", text, None, emails, fail_silently=True)
    for notice in PublicNotice.objects.filter(
        state__in=[NoticeState.OPEN, NoticeState.ENDED], ends_on__lt=today
    ).select_related("campaign__committee"):
        try:
            before = notice.state
            after = finalize_notice(notice, actor=None, today=today)
        except StateError:
            continue
        if after.state != before:
            created += 1
    return created


# --- feedback (反馈) ---------------------------------------------------------------


def record_feedback(
    campaign: Campaign,
    *,
    actor: Actor,
    reporters: Sequence[Reporter],
    handed_over_on: date | None,
    way: str,
    handed_over_by: str = "",
    note: str = "",
    today: date | None = None,
) -> int:
    """The feedback was handed over to these secretaries (集中约谈、会上宣布 …)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = lock_campaign(campaign, actor=actor)
        if not reporters:
            raise DomainError("请选择反馈对象。", field="reporters")
        if handed_over_on is None:
            raise DomainError("请填写反馈日期。", field="handed_over_on")
        if handed_over_on > today:
            raise DomainError("反馈日期不能晚于今天。", field="handed_over_on")
        way = check_text(way, "way", "反馈方式", limit=60)
        approved = set(
            ResultRecord.objects.filter(campaign=locked, approved=True).values_list(
                "reporter_id", flat=True
            )
        )
        for reporter in reporters:
            if reporter.campaign_id != locked.pk:
                raise DomainError("反馈对象不属于本轮述职。", field="reporters")
            if reporter.pk not in approved:
                raise StateError(f"{reporter.organization.name}的等次尚未批准，不能反馈。")
        for reporter in reporters:
            Feedback.objects.update_or_create(
                reporter=reporter,
                defaults={
                    "campaign": locked,
                    "handed_over_on": handed_over_on,
                    "way": way,
                    "handed_over_by": check_text(
                        handed_over_by, "handed_over_by", "反馈人", required=False, limit=100
                    ),
                    "note": check_text(note, "note", "说明", required=False, limit=300),
                    "recorded_by": actor_user(actor),
                    "recorded_at": timezone.now(),
                },
            )
        source.mark_published(locked, actor=actor)
        record(
            actor=actor,
            action="results.feedback",
            target=locked,
            organization=locked.committee,
            changes={"reporters": len(reporters), "way": way, "on": handed_over_on},
        )
    return len(reporters)
