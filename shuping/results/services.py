"""Every state change of the results stage: one function each.

Order inside each: lock the row, check permission and state, save(update_fields=…),
write the audit entry. The assessment stage calls `apply_approved` / `apply_reopened`
through its hooks, inside its own transaction (see apps.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shuping.accounts.access import WRITE_ROLES, reaches
from shuping.accounts.models import Role, RoleGrant
from shuping.audit.services import record
from shuping.lib import workdays
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.lib.models import CalendarCorrection
from shuping.lib.types import Actor
from shuping.organizations.models import Organization
from shuping.reports.models import DutyReport, ReportState
from shuping.reports.services import publish_summary
from shuping.results import source
from shuping.results.consequences import PastGrade, Subject, evaluate
from shuping.results.models import (
    NOTICE_TRANSITIONS,
    TALK_KINDS,
    TASK_TRANSITIONS,
    Announcement,
    ConsequenceTask,
    Feedback,
    NoticeState,
    Objection,
    ObjectionState,
    PublicationState,
    PublicNotice,
    ResultRecord,
    TaskState,
)
from shuping.rounds.documents import cn_date
from shuping.rounds.models import Campaign, Reporter
from shuping.rounds.rules import Rules

MAX_TEXT = 5000
DEFAULT_NOTICE_DAYS = 5


def quoted(title: str) -> str:
    """A document title inside a sentence, in 书名号 (《…》)."""
    return title if title.startswith("《") else f"《{title}》"


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _require_manage(actor: Actor, campaign: Campaign) -> None:
    if actor is None:
        return  # the system (demo loader, commands, the assessment hook)
    if not reaches(actor, campaign.committee, roles=WRITE_ROLES):
        raise PermissionDenied()


def _lock_campaign(campaign: Campaign, *, actor: Actor) -> Campaign:
    locked = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("committee")
        .get(pk=campaign.pk)
    )
    _require_manage(actor, locked)
    return locked


def _text(
    value: str, field: str, label: str, *, required: bool = True, limit: int = MAX_TEXT
) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(f"请填写{label}。", field=field)
    if len(text) > limit:
        raise DomainError(f"{label}不超过{limit}字。", field=field)
    return text


def _move(table: dict[str, set[tuple[str, str]]], action: str, current: str, message: str) -> str:
    for before, after in table[action]:
        if before == current:
            return after
    raise StateError(message)


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
        _require_manage(actor, campaign)
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
        _require_manage(actor, locked.campaign)
        after = _move(TASK_TRANSITIONS, "complete", locked.state, "该事项已落实或已撤销。")
        if done_on is None:
            raise DomainError("请填写落实日期。", field="done_on")
        if done_on > today:
            raise DomainError("落实日期不能晚于今天。", field="done_on")
        locked.gist = _text(gist, "gist", "落实情况（主要内容）")
        if locked.kind in TALK_KINDS:
            locked.talked_by = _text(talked_by, "talked_by", "谈话人", limit=100)
            locked.talked_to = _text(talked_to, "talked_to", "谈话对象", limit=100)
        content_type = _scan_type(scan) if scan else ""
        locked.state = after
        locked.done_on = done_on
        locked.completed_by = _user(actor)
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
        _require_manage(actor, locked.campaign)
        after = _move(TASK_TRANSITIONS, "cancel", locked.state, "只有待落实的事项可以撤销。")
        locked.cancel_reason = _text(reason, "reason", "撤销原因", limit=300)
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
        _require_manage(actor, locked.campaign)
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
        locked = _lock_campaign(campaign, actor=actor)
        if not reporters:
            raise DomainError("请选择反馈对象。", field="reporters")
        if handed_over_on is None:
            raise DomainError("请填写反馈日期。", field="handed_over_on")
        if handed_over_on > today:
            raise DomainError("反馈日期不能晚于今天。", field="handed_over_on")
        way = _text(way, "way", "反馈方式", limit=60)
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
                    "handed_over_by": _text(
                        handed_over_by, "handed_over_by", "反馈人", required=False, limit=100
                    ),
                    "note": _text(note, "note", "说明", required=False, limit=300),
                    "recorded_by": _user(actor),
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


# --- 通报 ---------------------------------------------------------------------------


def approved_records(campaign: Campaign) -> QuerySet[ResultRecord]:
    return (
        ResultRecord.objects.filter(campaign=campaign, approved=True)
        .select_related("reporter__organization", "reporter__person")
        .order_by("reporter__order", "reporter_id")
    )


def _grade_counts(campaign: Campaign) -> list[tuple[str, int]]:
    rules = campaign.parsed_rules
    grades = list(approved_records(campaign).values_list("grade", flat=True))
    return [(g, grades.count(g)) for g in rules.assessment_scale if grades.count(g)]


def _draft_announcement_body(campaign: Campaign) -> str:
    rules = campaign.parsed_rules
    counts = "，".join(f"“{g}”等次{n}名" for g, n in _grade_counts(campaign))
    total = sum(n for _, n in _grade_counts(campaign))
    by = rules.results.feedback_by or campaign.committee.name
    lines = [
        f"按照{quoted(campaign.title)}的安排，{campaign.committee.name}组织开展了{campaign.year}年度"
        f"党组织书记抓基层党建工作述职评议考核。经述职评议、民主测评和综合研判，"
        f"{by}对{total}名党组织书记作出了综合评价，现将结果通报如下。",
        f"综合评价结果：{counts}。具体名单见附表。" if counts else "综合评价结果见附表。",
    ]
    if rules.results.basis:
        lines.append(rules.results.basis + "。")
    lines.append(
        "各党组织书记要对照综合评价意见和点评指出的问题，认真制定整改方案，明确整改措施和时限，"
        "逐项抓好整改落实，整改落实情况作为下一年度述职的重点内容。"
    )
    return "\n".join(lines)


def _require_publication(campaign: Campaign, *, enabled: bool, what: str) -> None:
    if not enabled:
        raise StateError(f"本方案未规定{what}。")
    if not approved_records(campaign).exists():
        raise StateError(f"综合评价等次尚未批准，不能{what}。")


def prepare_announcement(campaign: Campaign, *, actor: Actor) -> Announcement:
    """The 通报 draft, generated from the approved results (once; then it is edited)."""
    with transaction.atomic():
        locked = _lock_campaign(campaign, actor=actor)
        existing = Announcement.objects.filter(campaign=locked).first()
        if existing is not None:
            return existing
        rules = locked.parsed_rules
        _require_publication(locked, enabled=rules.results.announce, what="通报结果")
        ann = Announcement.objects.create(
            campaign=locked,
            title=f"关于{locked.year}年度党组织书记抓基层党建工作述职评议考核结果的通报",
            recipients=rules.document.recipients,
            range_text=rules.results.announce_range,
            body=_draft_announcement_body(locked),
        )
        record(
            actor=actor,
            action="results.announcement_draft",
            target=ann,
            organization=locked.committee,
        )
    return ann


def edit_announcement(
    ann: Announcement,
    *,
    actor: Actor,
    title: str,
    body: str,
    doc_number: str = "",
    recipients: str = "",
    range_text: str = "",
) -> Announcement:
    with transaction.atomic():
        locked = Announcement.objects.select_for_update().get(pk=ann.pk)
        campaign = Campaign.objects.select_related("committee").get(pk=locked.campaign_id)
        _require_manage(actor, campaign)
        if locked.state != PublicationState.DRAFT:
            raise StateError("通报已印发，不能再修改。")
        fields = {
            "title": _text(title, "title", "标题", limit=200),
            "body": _text(body, "body", "正文", limit=20000),
            "doc_number": _text(doc_number, "doc_number", "文号", required=False, limit=60),
            "recipients": _text(recipients, "recipients", "主送", required=False, limit=200),
            "range_text": _text(range_text, "range_text", "通报范围", required=False, limit=200),
        }
        changes = {k: [getattr(locked, k), v] for k, v in fields.items() if getattr(locked, k) != v}
        for k, v in fields.items():
            setattr(locked, k, v)
        locked.updated_at = timezone.now()
        locked.save(update_fields=[*fields, "updated_at"])
        record(
            actor=actor,
            action="results.announcement_edit",
            target=locked,
            organization=campaign.committee,
            changes={k: v if k != "body" else ["…", "…"] for k, v in changes.items()},
        )
    locked.campaign = campaign
    return locked


def _publish_summaries(campaign: Campaign, *, actor: Actor) -> int:
    """Seed 003: report summaries (摘要) go out with the results where the preset says so."""
    rules = campaign.parsed_rules
    if not (rules.results.summaries_with_results and rules.report.summary_published):
        return 0
    count = 0
    for report in DutyReport.objects.filter(
        reporter__campaign=campaign, state=ReportState.SUMMARIZED
    ).select_related("reporter__campaign__committee", "reporter__organization", "reporter__person"):
        publish_summary(report, actor=actor)
        count += 1
    return count


def issue_announcement(
    ann: Announcement, *, actor: Actor, issued_on: date | None = None
) -> Announcement:
    """Issue the 通报: it can no longer be edited; summaries are published with it."""
    with transaction.atomic():
        locked = Announcement.objects.select_for_update().get(pk=ann.pk)
        campaign = Campaign.objects.select_related("committee").get(pk=locked.campaign_id)
        _require_manage(actor, campaign)
        if locked.state != PublicationState.DRAFT:
            raise StateError("通报已印发。")
        locked.state = PublicationState.ISSUED
        locked.issued_on = issued_on or timezone.localdate()
        locked.issued_by = _user(actor)
        locked.save(update_fields=["state", "issued_on", "issued_by"])
        published = _publish_summaries(campaign, actor=actor)
        source.mark_published(campaign, actor=actor)
        record(
            actor=actor,
            action="results.announcement_issue",
            target=locked,
            organization=campaign.committee,
            changes={
                "state": [PublicationState.DRAFT, PublicationState.ISSUED],
                "summaries": published,
            },
        )
    locked.campaign = campaign
    return locked


# --- 公示 ---------------------------------------------------------------------------


def notice_end(start: date, *, days: int, workdays_only: bool) -> date:
    """The last day of a notice starting on `start` (counted as day one)."""
    if workdays_only:
        first = start if workdays.is_workday(start, _corrections_near(start)) else None
        if first is None:
            first = workdays.add_workdays(start, 1)
        return workdays.add_workdays(first, days - 1) if days > 1 else first
    return start + timedelta(days=days - 1)


def _corrections_near(day: date) -> dict[date, bool]:
    rows = CalendarCorrection.objects.filter(day=day)
    return {r.day: r.is_workday for r in rows}


def prepare_notice(campaign: Campaign, *, actor: Actor) -> PublicNotice:
    with transaction.atomic():
        locked = _lock_campaign(campaign, actor=actor)
        existing = PublicNotice.objects.filter(campaign=locked).first()
        if existing is not None:
            return existing
        rules = locked.parsed_rules
        _require_publication(locked, enabled=rules.results.notice, what="公示")
        days = rules.results.notice_days or DEFAULT_NOTICE_DAYS
        unit = "个工作日" if rules.results.notice_workdays else "天"
        notice = PublicNotice.objects.create(
            campaign=locked,
            title=f"{locked.committee.name}{locked.year}年度党组织书记述职评议综合评定结果公示",
            body=(
                f"根据{quoted(locked.title)}，经述职评议、民主测评和综合评定，现将{locked.year}年度"
                f"党组织书记综合评定结果予以公示，公示期{days}{unit}。公示期间，党员群众如有异议，"
                "可通过来信、来电、来访等方式向党工委反映。反映情况要实事求是，以真实姓名反映的优先核查。"
            ),
            where="、".join(rules.results.notice_where) or rules.results.announce_range,
            contact=f"{locked.committee.name}组织办公室",
            days=days,
            workdays=rules.results.notice_workdays,
        )
        record(
            actor=actor, action="results.notice_draft", target=notice, organization=locked.committee
        )
    return notice


def edit_notice(
    notice: PublicNotice,
    *,
    actor: Actor,
    title: str,
    body: str,
    where: str,
    contact: str,
    days: int | None,
) -> PublicNotice:
    with transaction.atomic():
        locked = PublicNotice.objects.select_for_update().get(pk=notice.pk)
        campaign = Campaign.objects.select_related("committee").get(pk=locked.campaign_id)
        _require_manage(actor, campaign)
        if locked.state != NoticeState.DRAFT:
            raise StateError("公示已开始，不能再修改。")
        if days is None or not 1 <= days <= 60:
            raise DomainError("公示天数应在1到60之间。", field="days")
        locked.title = _text(title, "title", "标题", limit=200)
        locked.body = _text(body, "body", "公示说明")
        locked.where = _text(where, "where", "公示地点", limit=300)
        locked.contact = _text(contact, "contact", "意见受理", required=False, limit=200)
        locked.days = days
        locked.save(update_fields=["title", "body", "where", "contact", "days"])
        record(
            actor=actor,
            action="results.notice_edit",
            target=locked,
            organization=campaign.committee,
        )
    locked.campaign = campaign
    return locked


def start_notice(
    notice: PublicNotice, *, actor: Actor, starts_on: date | None, today: date | None = None
) -> PublicNotice:
    """Post the 公示: the end is counted (in working days where the preset says so); the
    public page shows it from now on; summaries are published with it where required."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = PublicNotice.objects.select_for_update().get(pk=notice.pk)
        campaign = Campaign.objects.select_related("committee").get(pk=locked.campaign_id)
        _require_manage(actor, campaign)
        after = _move(NOTICE_TRANSITIONS, "start", locked.state, "公示已开始。")
        if starts_on is None:
            raise DomainError("请填写公示开始日期。", field="starts_on")
        if starts_on < today - timedelta(days=30):
            raise DomainError("开始日期不能早于30天前。", field="starts_on")
        pending = ResultRecord.objects.filter(campaign=campaign, approved=False).exists()
        if pending or not approved_records(campaign).exists():
            raise StateError("有等次尚未批准或正在复核，不能开始公示。")
        locked.starts_on = starts_on
        locked.ends_on = notice_end(starts_on, days=locked.days, workdays_only=locked.workdays)
        locked.state = after
        locked.started_by = _user(actor)
        locked.save(update_fields=["starts_on", "ends_on", "state", "started_by"])
        published = _publish_summaries(campaign, actor=actor)
        source.mark_published(campaign, actor=actor)
        record(
            actor=actor,
            action="results.notice_start",
            target=locked,
            organization=campaign.committee,
            changes={
                "state": [NoticeState.DRAFT, after],
                "period": [starts_on, locked.ends_on],
                "summaries": published,
            },
        )
    locked.campaign = campaign
    return locked


def record_objection(
    notice: PublicNotice,
    *,
    actor: Actor,
    received_on: date | None,
    received_by: str,
    content: str,
    raised_by: str = "",
    reporter: Reporter | None = None,
) -> Objection:
    """An objection received during the period (who received it, from whom, what)."""
    with transaction.atomic():
        locked = PublicNotice.objects.select_for_update().get(pk=notice.pk)
        campaign = Campaign.objects.select_related("committee").get(pk=locked.campaign_id)
        _require_manage(actor, campaign)
        if locked.state not in (NoticeState.OPEN, NoticeState.ENDED):
            raise StateError("只有公示期间收到的异议可以登记。")
        if received_on is None:
            raise DomainError("请填写收到日期。", field="received_on")
        assert locked.starts_on and locked.ends_on
        if not locked.starts_on <= received_on <= locked.ends_on:
            raise DomainError(
                f"收到日期应在公示期内（{cn_date(locked.starts_on)}至{cn_date(locked.ends_on)}）。",
                field="received_on",
            )
        if reporter is not None and reporter.campaign_id != campaign.pk:
            raise DomainError("涉及对象不在本轮公示名单中。", field="reporter")
        objection = Objection.objects.create(
            notice=locked,
            reporter=reporter,
            received_on=received_on,
            received_by=_text(received_by, "received_by", "受理人", limit=100),
            raised_by=_text(raised_by, "raised_by", "反映人", required=False, limit=100),
            content=_text(content, "content", "异议内容"),
            recorded_by=_user(actor),
        )
        record(
            actor=actor,
            action="results.objection",
            target=objection,
            organization=campaign.committee,
        )
    return objection


def decide_objection(
    objection: Objection,
    *,
    actor: Actor,
    upheld: bool,
    handling: str,
    answer: str,
    reason: str = "",
    today: date | None = None,
) -> Objection:
    """Handle an objection. An upheld objection about a secretary reopens that grade through
    the assessment's reopening path (its hook cancels the open tasks)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = Objection.objects.select_for_update(of=("self",)).get(pk=objection.pk)
        notice = PublicNotice.objects.select_for_update().get(pk=locked.notice_id)
        campaign = Campaign.objects.select_related("committee").get(pk=notice.campaign_id)
        _require_manage(actor, campaign)
        if locked.state != ObjectionState.OPEN:
            raise StateError("该异议已处理。")
        if notice.state == NoticeState.FINAL:
            raise StateError("结果已确定。")
        locked.handling = _text(handling, "handling", "核查处理情况")
        locked.answer = _text(answer, "answer", "答复意见")
        if upheld and locked.reporter_id is None:
            raise DomainError("异议成立时请指明涉及的述职对象。", field="reporter")
        locked.state = ObjectionState.UPHELD if upheld else ObjectionState.REJECTED
        locked.decided_on = today
        locked.decided_by = _user(actor)
        locked.save(update_fields=["handling", "answer", "state", "decided_on", "decided_by"])
        record(
            actor=actor,
            action="results.objection_decide",
            target=locked,
            organization=campaign.committee,
            changes={"state": [ObjectionState.OPEN, locked.state]},
        )
        if upheld:
            assert locked.reporter_id is not None
            reporter = Reporter.objects.select_related("organization").get(pk=locked.reporter_id)
            source.reopen(
                reporter, actor=actor, reason=f"公示异议成立：{reason or locked.handling}"[:300]
            )
    return locked


def finalize_notice(
    notice: PublicNotice, *, actor: Actor, today: date | None = None
) -> PublicNotice:
    """After the period with no open objection (and no grade under review) the results
    are final: Shuping records it. Idempotent; with an objection still open the notice
    waits (公示期满) and the office is told why."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = PublicNotice.objects.select_for_update().get(pk=notice.pk)
        campaign = Campaign.objects.select_related("committee").get(pk=locked.campaign_id)
        _require_manage(actor, campaign)
        if locked.state == NoticeState.FINAL:
            return locked
        if locked.state == NoticeState.DRAFT:
            raise StateError("公示尚未开始。")
        assert locked.ends_on is not None
        if today <= locked.ends_on:
            raise StateError(f"公示期至{cn_date(locked.ends_on)}，期满后才能确定结果。")
        open_count = locked.objections.filter(state=ObjectionState.OPEN).count()
        reviewing = ResultRecord.objects.filter(campaign=campaign, approved=False).count()
        if open_count or reviewing:
            if locked.state == NoticeState.OPEN:
                locked.state = NoticeState.ENDED
                locked.save(update_fields=["state"])
                record(
                    actor=actor,
                    action="results.notice_ended",
                    target=locked,
                    organization=campaign.committee,
                )
            why = (
                f"还有{open_count}件异议未处理"
                if open_count
                else f"还有{reviewing}名对象的等次正在复核"
            )
            raise_after = StateError(f"公示期已满，但{why}，结果暂不能确定。")
        else:
            before = locked.state
            locked.state = _move(NOTICE_TRANSITIONS, "finalize", before, "公示状态不对。")
            locked.final_at = timezone.now()
            upheld = locked.objections.filter(state=ObjectionState.UPHELD).count()
            rejected = locked.objections.filter(state=ObjectionState.REJECTED).count()
            assert locked.starts_on is not None
            period = f"公示期（{cn_date(locked.starts_on)}至{cn_date(locked.ends_on)}）已满，"
            received = upheld + rejected
            locked.final_note = period + (
                f"收到异议{received}件均已处理（成立{upheld}件），结果确定。"
                if received
                else "未收到异议，结果确定。"
            )
            locked.save(update_fields=["state", "final_at", "final_note"])
            record(
                actor=actor,
                action="results.final",
                target=locked,
                organization=campaign.committee,
                changes={"state": [before, locked.state]},
                note=locked.final_note,
            )
            raise_after = None
    if raise_after is not None:
        raise raise_after
    locked.campaign = campaign
    return locked


# --- calendar corrections --------------------------------------------------------


def can_correct_calendar(actor: Actor) -> bool:
    """Calendar corrections apply to everyone: an organizer of a top committee or an admin."""
    if actor is None:
        return True
    if not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    return RoleGrant.objects.filter(
        user_id=actor.pk, role__in=[Role.ORGANIZER, Role.ADMIN], organization__parent__isnull=True
    ).exists()


def set_calendar_day(
    day: date | None, *, actor: Actor, is_workday: bool | None, note: str = ""
) -> CalendarCorrection | None:
    """Correct (or, with is_workday=None, remove the correction of) a day the packaged
    calendar does not know; every 公示 started afterwards counts with it."""
    if not can_correct_calendar(actor):
        raise PermissionDenied()
    if day is None:
        raise DomainError("请填写日期。", field="day")
    if not 2000 <= day.year <= 2100:
        raise DomainError("日期应在2000年至2100年之间。", field="day")
    note = _text(note, "note", "说明", required=False, limit=200)
    with transaction.atomic():
        existing = CalendarCorrection.objects.select_for_update().filter(day=day).first()
        if is_workday is None:
            if existing is not None:
                existing.delete()
                record(actor=actor, action="calendar.remove", target=existing, note=str(day))
            return None
        before = existing.is_workday if existing else None
        row, _ = CalendarCorrection.objects.update_or_create(
            day=day, defaults={"is_workday": is_workday, "note": note}
        )
        record(
            actor=actor,
            action="calendar.correct",
            target=row,
            changes={"is_workday": [before, is_workday]},
            note=note,
        )
    return row
