"""Making results public: the 通报 (announcement) and the 公示 (public notice) with its
objections, counted in working days (with the office's calendar corrections).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shuping.accounts.models import Role, RoleGrant
from shuping.audit.services import record
from shuping.lib import workdays
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.lib.models import CalendarCorrection
from shuping.lib.types import Actor
from shuping.reports.models import DutyReport, ReportState
from shuping.reports.services import publish_summary
from shuping.results import source
from shuping.results.common import (
    actor_user,
    check_text,
    lock_campaign,
    move_state,
    quoted,
    require_manage,
)
from shuping.results.models import (
    NOTICE_TRANSITIONS,
    Announcement,
    NoticeState,
    Objection,
    ObjectionState,
    PublicationState,
    PublicNotice,
    ResultRecord,
)
from shuping.rounds.documents import cn_date
from shuping.rounds.models import Campaign, Reporter

DEFAULT_NOTICE_DAYS = 5


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
        locked = lock_campaign(campaign, actor=actor)
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
        require_manage(actor, campaign)
        if locked.state != PublicationState.DRAFT:
            raise StateError("通报已印发，不能再修改。")
        fields = {
            "title": check_text(title, "title", "标题", limit=200),
            "body": check_text(body, "body", "正文", limit=20000),
            "doc_number": check_text(doc_number, "doc_number", "文号", required=False, limit=60),
            "recipients": check_text(recipients, "recipients", "主送", required=False, limit=200),
            "range_text": check_text(
                range_text, "range_text", "通报范围", required=False, limit=200
            ),
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
        require_manage(actor, campaign)
        if locked.state != PublicationState.DRAFT:
            raise StateError("通报已印发。")
        locked.state = PublicationState.ISSUED
        locked.issued_on = issued_on or timezone.localdate()
        locked.issued_by = actor_user(actor)
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
        locked = lock_campaign(campaign, actor=actor)
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
        require_manage(actor, campaign)
        if locked.state != NoticeState.DRAFT:
            raise StateError("公示已开始，不能再修改。")
        if days is None or not 1 <= days <= 60:
            raise DomainError("公示天数应在1到60之间。", field="days")
        locked.title = check_text(title, "title", "标题", limit=200)
        locked.body = check_text(body, "body", "公示说明")
        locked.where = check_text(where, "where", "公示地点", limit=300)
        locked.contact = check_text(contact, "contact", "意见受理", required=False, limit=200)
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
        require_manage(actor, campaign)
        after = move_state(NOTICE_TRANSITIONS, "start", locked.state, "公示已开始。")
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
        locked.started_by = actor_user(actor)
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
        require_manage(actor, campaign)
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
            received_by=check_text(received_by, "received_by", "受理人", limit=100),
            raised_by=check_text(raised_by, "raised_by", "反映人", required=False, limit=100),
            content=check_text(content, "content", "异议内容"),
            recorded_by=actor_user(actor),
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
        require_manage(actor, campaign)
        if locked.state != ObjectionState.OPEN:
            raise StateError("该异议已处理。")
        if notice.state == NoticeState.FINAL:
            raise StateError("结果已确定。")
        locked.handling = check_text(handling, "handling", "核查处理情况")
        locked.answer = check_text(answer, "answer", "答复意见")
        if upheld and locked.reporter_id is None:
            raise DomainError("异议成立时请指明涉及的述职对象。", field="reporter")
        locked.state = ObjectionState.UPHELD if upheld else ObjectionState.REJECTED
        locked.decided_on = today
        locked.decided_by = actor_user(actor)
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
        require_manage(actor, campaign)
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
                locked.state = move_state(
                    NOTICE_TRANSITIONS, "wait", locked.state, "公示状态不对。"
                )
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
            locked.state = move_state(NOTICE_TRANSITIONS, "finalize", before, "公示状态不对。")
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
    note = check_text(note, "note", "说明", required=False, limit=200)
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
