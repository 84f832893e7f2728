"""Every state change of the overall assessment: one function each.

Order inside each: lock the board (or the row), check permission and state, save
(update_fields), write the audit entry, run the hooks of the stages above (inside
the same transaction, so their tasks commit or roll back with the decision).

The board's moves are in `models.BOARD_TRANSITIONS`. Overrides, approvals and
reopenings are appended to the reporter's trace (`trace["events"]`), so the page
and the 汇总表 always show the proposal and every change made to it.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from shuping.assessment import engine, hooks
from shuping.assessment.access import can_manage
from shuping.assessment.models import (
    BOARD_TRANSITIONS,
    Assessment,
    AssessmentBoard,
    AssessmentFlag,
    BoardState,
)
from shuping.audit.services import record
from shuping.ballots.counting import results as ballot_results
from shuping.ballots.models import Ballot, BallotState
from shuping.inspections.models import FindingKind, InspectionFinding
from shuping.lib.errors import DomainError, PermissionDenied, StateError
from shuping.lib.types import Actor
from shuping.meetings.models import Critique, MeetingReporter, Question
from shuping.reports.models import DutyReport
from shuping.rounds.models import Campaign

OPINION_FIELDS = ("achievements", "problems", "overall", "rectification_required")
MAX_OPINION_CHARS = 5000
MAX_REASON_CHARS = 1000


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _actor_name(actor: Actor) -> str:
    user = _user(actor)
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


def can_move(current: str, target: str) -> bool:
    return target in BOARD_TRANSITIONS.get(current, frozenset())


def _check_move(board: AssessmentBoard, target: str) -> None:
    if not can_move(board.state, target):
        raise StateError(
            f"综合评价当前为“{board.get_state_display()}”，不能变为“{BoardState(target).label}”。"
        )


def _require_manager(actor: Actor, campaign: Campaign) -> None:
    if not can_manage(actor, campaign):
        raise PermissionDenied("只有组织单位的组织员可以进行综合评价。")


def _reason(value: str, field: str = "reason") -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError("请填写理由。", field=field)
    if len(text) > MAX_REASON_CHARS:
        raise DomainError(f"理由不能超过 {MAX_REASON_CHARS} 字。", field=field)
    return text


def _event(item: Assessment, actor: Actor, kind: str, text: str) -> None:
    trace = dict(item.trace or {})
    events = list(trace.get("events", []))
    events.append(
        {
            "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "who": _actor_name(actor),
            "kind": kind,
            "text": text,
        }
    )
    trace["events"] = events
    item.trace = trace


# --- the board -------------------------------------------------------------------


def ensure_board(campaign: Campaign) -> AssessmentBoard:
    """The round's board with one row per reporter (idempotent; two queries when complete)."""
    board, _ = AssessmentBoard.objects.get_or_create(campaign=campaign)
    missing = campaign.reporters.filter(assessment__isnull=True).values_list("pk", flat=True)
    new = [Assessment(board=board, reporter_id=pk) for pk in missing]
    if new:
        Assessment.objects.bulk_create(new, ignore_conflicts=True)
    board.campaign = campaign
    return board


def _lock_board(campaign: Campaign) -> AssessmentBoard:
    ensure_board(campaign)
    board = AssessmentBoard.objects.select_for_update().get(campaign=campaign)
    board.campaign = campaign
    return board


def _lock_item(item: Assessment) -> tuple[AssessmentBoard, Assessment]:
    campaign = item.board.campaign
    board = AssessmentBoard.objects.select_for_update().get(pk=item.board_id)
    board.campaign = campaign
    locked = Assessment.objects.select_for_update().get(pk=item.pk)
    locked.board = board
    locked.reporter = item.reporter
    return board, locked


def _require_editable(board: AssessmentBoard, item: Assessment, what: str) -> None:
    if board.state == BoardState.APPROVED or (board.state == BoardState.REOPENED and item.locked):
        raise StateError(f"等次已审定，{what}前须先重新打开该同志的评价并说明理由。")


# --- inputs ------------------------------------------------------------------------


def _combine(
    tallies: list[tuple[dict[str, Any], Fraction]], scale: list[str]
) -> tuple[int, dict[str, int], dict[str, Fraction], bool]:
    """Several closed ballots (e.g. one per evaluator category) of one meeting kind.

    Each ballot's shares (weighted where it weights categories) count with its valid
    votes times its category weight: Σ_b w_b·valid_b·share_b(g) / Σ_b w_b·valid_b.
    One ballot gives back its own shares exactly.
    """
    valid = 0
    counts: dict[str, int] = dict.fromkeys(scale, 0)
    num: dict[str, Fraction] = dict.fromkeys(scale, Fraction(0))
    den = Fraction(0)
    weighted = False
    for entry, weight in tallies:
        v = int(entry.get("valid", 0))
        valid += v
        for g, n in (entry.get("counts") or {}).items():
            counts[g] = counts.get(g, 0) + int(n)
        shares = entry.get("weighted_shares") or entry.get("shares") or {}
        weighted = weighted or bool(entry.get("weighted_shares")) or weight != 1
        for g, s in shares.items():
            num[g] = num.get(g, Fraction(0)) + weight * v * Fraction(s)
        den += weight * v
    shares_out = {g: (n / den if den else Fraction(0)) for g, n in num.items()}
    return valid, counts, shares_out, weighted


def meeting_tallies(campaign: Campaign) -> dict[int, list[engine.MeetingTally]]:
    """{reporter id: tallies per meeting kind}, read from the ballots' closed tallies.

    Three queries whatever the size: closed ballots, the agenda entries they name.
    """
    rules = campaign.parsed_rules
    # Only the 述职评议会 kinds of the rules: a members' meeting of 民主评议党员 also has a
    # closed ballot in the round, but its rows are members, not agenda entries.
    ballots = list(
        Ballot.objects.filter(
            meeting__campaign=campaign,
            meeting__kind__in=[m.key for m in rules.meetings],
            state=BallotState.CLOSED,
        )
        .select_related("meeting")
        .order_by("meeting_id", "id")
    )
    entry_reporter = dict(
        MeetingReporter.objects.filter(meeting__campaign=campaign).values_list("pk", "reporter_id")
    )
    grouped: dict[tuple[int, str], list[tuple[dict[str, Any], Fraction]]] = defaultdict(list)
    for ballot in ballots:
        tally = ballot_results(ballot)
        weights = {str(c["key"]): Fraction(str(c.get("weight", "1"))) for c in ballot.categories}
        weight = weights.get(ballot.category, Fraction(1)) if ballot.category else Fraction(1)
        for entry in tally.get("reporters", []):
            reporter_id = entry_reporter.get(int(entry["id"]))
            if reporter_id is not None:
                grouped[(reporter_id, ballot.meeting.kind)].append((entry, weight))
    order = {m.key: i for i, m in enumerate(rules.meetings)}
    titles = {m.key: m.title for m in rules.meetings}
    out: dict[int, list[engine.MeetingTally]] = defaultdict(list)
    for (reporter_id, kind), parts in sorted(
        grouped.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 99))
    ):
        valid, counts, shares, weighted = _combine(parts, list(rules.ballot_scale))
        out[reporter_id].append(
            engine.MeetingTally(
                key=kind,
                title=titles.get(kind, kind),
                valid=valid,
                counts=counts,
                shares=shares,
                weighted=weighted,
            )
        )
    return out


def finding_counts(campaign: Campaign) -> dict[int, dict[str, int]]:
    """{reporter id: {finding kind label: count}} in one query."""
    labels = dict(FindingKind.choices)
    out: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        InspectionFinding.objects.filter(reporter__campaign=campaign)
        .values("reporter_id", "kind")
        .annotate(n=Count("id"))
        .order_by("reporter_id", "kind")
    )
    for row in rows:
        out[row["reporter_id"]][labels.get(row["kind"], row["kind"])] = row["n"]
    return out


def gather_inputs(board: AssessmentBoard) -> list[engine.ReporterInput]:
    campaign = board.campaign
    items = list(
        board.items.select_related("reporter__person", "reporter__organization").order_by(
            "reporter__order", "reporter_id"
        )
    )
    flags: dict[int, dict[str, str]] = defaultdict(dict)
    for f in AssessmentFlag.objects.filter(assessment__board=board).order_by("id"):
        flags[f.assessment_id][f.key] = f.basis
    tallies = meeting_tallies(campaign)
    findings = finding_counts(campaign)
    return [
        engine.ReporterInput(
            reporter_id=a.reporter_id,
            name=display_name(a),
            order=a.reporter.order,
            meetings=tuple(tallies.get(a.reporter_id, [])),
            daily_score=Fraction(a.daily_score) if a.daily_score is not None else None,
            annual_result=a.annual_result,
            flags=flags.get(a.pk, {}),
            findings=findings.get(a.reporter_id, {}),
        )
        for a in items
    ]


def display_name(item: Assessment) -> str:
    rep = item.reporter
    return rep.person.name if rep.person_id else f"{rep.organization.name}（书记空缺）"  # type: ignore[union-attr]


def parse_daily_score(value: Any, field: str = "daily_score") -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation:
        raise DomainError("日常管理考核得分应为 0 到 100 之间的数字。", field=field) from None
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise DomainError("日常管理考核得分应为 0 到 100 之间的数字。", field=field)
    return score.quantize(Decimal("0.01"))


def set_inputs(
    item: Assessment, *, actor: Actor, daily_score: Any = None, annual_result: str = ""
) -> Assessment:
    """The office's own figures for one reporter: daily management score and annual result."""
    score = parse_daily_score(daily_score)
    annual = (annual_result or "").strip()
    if len(annual) > 20:
        raise DomainError("年度党建考核结果不能超过 20 字。", field="annual_result")
    with transaction.atomic():
        board, locked = _lock_item(item)
        _require_manager(actor, board.campaign)
        _require_editable(board, locked, "修改考核情况")
        before = {
            "daily_score": str(locked.daily_score or ""),
            "annual_result": locked.annual_result,
        }
        locked.daily_score = score
        locked.annual_result = annual
        locked.updated_at = timezone.now()
        locked.save(update_fields=["daily_score", "annual_result", "updated_at"])
        after = {"daily_score": str(score or ""), "annual_result": annual}
        record(
            actor=actor,
            action="assessment.inputs",
            target=locked,
            organization=board.campaign.committee,
            changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
        )
    return locked


def set_flag(item: Assessment, *, actor: Actor, key: str, basis: str) -> AssessmentFlag:
    """Record a flag (重大失误, 被问责追责, or the preset's own) with its written basis."""
    choices = dict(engine.flag_choices(item.board.campaign.parsed_rules))
    if key not in choices:
        raise DomainError("请选择评定情形。", field="key")
    text = _reason(basis, "basis")
    with transaction.atomic():
        board, locked = _lock_item(item)
        _require_manager(actor, board.campaign)
        _require_editable(board, locked, "记录评定情形")
        flag, _ = AssessmentFlag.objects.update_or_create(
            assessment=locked,
            key=key,
            defaults={"title": choices[key], "basis": text, "created_by": _user(actor)},
        )
        record(
            actor=actor,
            action="assessment.flag",
            target=locked,
            organization=board.campaign.committee,
            changes={"flag": choices[key], "basis": text},
        )
    return flag


def clear_flag(item: Assessment, *, actor: Actor, key: str) -> None:
    with transaction.atomic():
        board, locked = _lock_item(item)
        _require_manager(actor, board.campaign)
        _require_editable(board, locked, "撤销评定情形")
        deleted, _ = AssessmentFlag.objects.filter(assessment=locked, key=key).delete()
        if not deleted:
            raise DomainError("没有这项评定情形。", field="key")
        record(
            actor=actor,
            action="assessment.flag_cleared",
            target=locked,
            organization=board.campaign.committee,
            changes={"flag": key},
        )


# --- proposal, override, approval, reopening -------------------------------------


def propose_grades(campaign: Campaign, *, actor: Actor) -> AssessmentBoard:
    """Run the preset's rules over every reporter and store proposed grades with traces.

    A fresh proposal keeps the organizer's overrides (grade and reason) and their events.
    """
    with transaction.atomic():
        board = _lock_board(campaign)
        _require_manager(actor, campaign)
        _check_move(board, BoardState.PROPOSED)
        outcome = engine.propose(campaign.parsed_rules, gather_inputs(board))
        by_reporter = {p.reporter_id: p for p in outcome.proposals}
        items = list(board.items.select_for_update())
        now = timezone.now()
        for item in items:
            p = by_reporter[item.reporter_id]
            events = (item.trace or {}).get("events", [])
            item.trace = {**p.trace(), "events": events}
            item.proposed_grade = p.grade
            item.score = Decimal(engine.fmt_score(p.score)) if p.score is not None else None
            item.rank = p.rank
            if not item.override_reason:
                item.grade = p.grade
            item.updated_at = now
        Assessment.objects.bulk_update(
            items, ["trace", "proposed_grade", "score", "rank", "grade", "updated_at"]
        )
        board.state = BoardState.PROPOSED
        board.warnings = outcome.warnings
        board.proposed_at = now
        board.save(update_fields=["state", "warnings", "proposed_at"])
        record(
            actor=actor,
            action="assessment.propose",
            target=board,
            organization=campaign.committee,
            changes={"reporters": len(items), "warnings": outcome.warnings},
        )
    return board


def override_grade(item: Assessment, *, actor: Actor, grade: str, reason: str) -> Assessment:
    """The organizer changes a proposed grade; the reason is required and kept in the trace."""
    scale = item.board.campaign.parsed_rules.assessment_scale
    if grade not in scale:
        raise DomainError("请选择综合评价等次。", field="grade")
    text = _reason(reason)
    with transaction.atomic():
        board, locked = _lock_item(item)
        _require_manager(actor, board.campaign)
        if board.state == BoardState.DRAFT:
            raise StateError("请先生成建议等次，再调整。")
        _require_editable(board, locked, "调整等次")
        before = locked.grade
        locked.grade = grade
        locked.override_reason = text
        locked.updated_at = timezone.now()
        _event(locked, actor, "override", f"等次由“{before or '无'}”调整为“{grade}”，理由：{text}")
        locked.save(update_fields=["grade", "override_reason", "trace", "updated_at"])
        record(
            actor=actor,
            action="assessment.override",
            target=locked,
            organization=board.campaign.committee,
            changes={"grade": [before, grade]},
            note=text,
        )
    return locked


def save_opinion(item: Assessment, *, actor: Actor, **texts: str) -> Assessment:
    """成绩 / 问题 / 总体评价 / 整改要求; only the fields given change."""
    unknown = set(texts) - set(OPINION_FIELDS)
    if unknown:
        raise DomainError("不认识的评价意见栏目。")
    clean = {k: (v or "").strip() for k, v in texts.items()}
    for name, value in clean.items():
        if len(value) > MAX_OPINION_CHARS:
            raise DomainError(f"每栏不能超过 {MAX_OPINION_CHARS} 字。", field=name)
    with transaction.atomic():
        board, locked = _lock_item(item)
        _require_manager(actor, board.campaign)
        _require_editable(board, locked, "修改评价意见")
        changed = {k: v for k, v in clean.items() if getattr(locked, k) != v}
        for name, value in changed.items():
            setattr(locked, name, value)
        if changed:
            locked.updated_at = timezone.now()
            locked.save(update_fields=[*changed, "updated_at"])
            record(
                actor=actor,
                action="assessment.opinion",
                target=locked,
                organization=board.campaign.committee,
                changes={"fields": sorted(changed)},
            )
    return locked


def approval_problems(board: AssessmentBoard) -> list[str]:
    """What blocks approval: reporters without a grade, and every quota_max over the whole list."""
    rules = board.campaign.parsed_rules
    rows = list(board.items.values_list("grade", flat=True))
    problems = []
    missing = sum(1 for g in rows if not g)
    if missing:
        problems.append(f"还有 {missing} 名述职人没有等次")
    problems.extend(engine.quota_max_violations(rules, rows))
    return problems


def approve_grades(campaign: Campaign, *, actor: Actor, minute_ref: str = "") -> AssessmentBoard:
    """The committee approves the whole list (区委研究 / 党工委研究); grades lock."""
    ref = (minute_ref or "").strip()
    if len(ref) > 200:
        raise DomainError("会议记录不能超过 200 字。", field="minute_ref")
    with transaction.atomic():
        board = _lock_board(campaign)
        _require_manager(actor, campaign)
        _check_move(board, BoardState.APPROVED)
        problems = approval_problems(board)
        if problems:
            raise DomainError("不能审定：" + "；".join(problems) + "。")
        items = list(board.items.select_for_update())
        now = timezone.now()
        note = f"研究审定（{ref}）" if ref else "研究审定"
        changed = []
        for item in items:
            if item.locked and item.approved_grade == item.grade:
                continue
            previous = item.approved_grade
            item.approved_grade = item.grade
            item.locked = True
            text = f"{note}，等次为“{item.grade}”"
            if previous and previous != item.grade:
                text += f"（原审定等次“{previous}”）"
            _event(item, actor, "approve", text)
            changed.append(item)
        Assessment.objects.bulk_update(changed, ["approved_grade", "locked", "trace"])
        board.state = BoardState.APPROVED
        board.approved_by = _user(actor)
        board.approved_by_name = _actor_name(actor)
        board.approved_at = now
        board.minute_ref = ref
        board.save(
            update_fields=["state", "approved_by", "approved_by_name", "approved_at", "minute_ref"]
        )
        record(
            actor=actor,
            action="assessment.approve",
            target=board,
            organization=campaign.committee,
            changes={"approved": len(changed), "minute_ref": ref},
        )
        hooks.run_on_approved(board, actor=actor)
    return board


def reopen_grade(item: Assessment, *, actor: Actor, reason: str) -> Assessment:
    """An approved grade is reconsidered: recorded with its reason, shown in the trace."""
    text = _reason(reason)
    with transaction.atomic():
        board, locked = _lock_item(item)
        _require_manager(actor, board.campaign)
        if board.state == BoardState.REOPENED:
            if not locked.locked:
                raise StateError("该同志的评价已重新打开。")
        else:
            _check_move(board, BoardState.REOPENED)
        locked.locked = False
        _event(locked, actor, "reopen", f"重新打开审定等次“{locked.approved_grade}”，理由：{text}")
        locked.updated_at = timezone.now()
        locked.save(update_fields=["locked", "trace", "updated_at"])
        board.state = BoardState.REOPENED
        board.save(update_fields=["state"])
        record(
            actor=actor,
            action="assessment.reopen",
            target=locked,
            organization=board.campaign.committee,
            note=text,
        )
        hooks.run_on_reopened(locked, actor=actor, reason=text)
    return locked


def mark_published(board: AssessmentBoard, *, actor: Actor) -> AssessmentBoard:
    """Called by the publication stage: from now on each reporter sees their own result."""
    with transaction.atomic():
        locked = _lock_board(board.campaign)
        _require_manager(actor, locked.campaign)
        if locked.state != BoardState.APPROVED:
            raise StateError("综合评价审定后才能公布。")
        if locked.published:
            return locked
        locked.published = True
        locked.published_at = timezone.now()
        locked.save(update_fields=["published", "published_at"])
        record(
            actor=actor,
            action="assessment.publish",
            target=locked,
            organization=locked.campaign.committee,
        )
    return locked


def draft_opinion(item: Assessment) -> dict[str, str]:
    """A first draft of 综合评价意见 from the report, the critique, questions and inspections.

    Read only (five small queries); the organizer edits it and saves with `save_opinion`.
    """
    rules = item.board.campaign.parsed_rules
    roles = {s.key: s.role for s in rules.report.sections}
    achievements: list[str] = []
    problems: list[str] = []
    for report in DutyReport.objects.filter(reporter_id=item.reporter_id).order_by("audience"):
        for key, text in (report.sections or {}).items():
            body = str(text).strip()
            if not body:
                continue
            target = {"achievements": achievements, "problems": problems}.get(roles.get(key, ""))
            if target is not None:
                target.append(_clip(body))
    findings = list(
        InspectionFinding.objects.filter(reporter_id=item.reporter_id).order_by(
            "inspection__held_on", "order", "id"
        )
    )
    for f in findings:
        if f.kind == FindingKind.ACHIEVEMENT:
            achievements.append(f"督查核实：{f.text.strip()}")
        elif f.kind == FindingKind.PROBLEM:
            problems.append(f"督查发现：{f.text.strip()}")
        else:
            problems.append(f"述职报告所述经督查未得到印证：{f.text.strip()}")
    for critique in Critique.objects.filter(entry__reporter_id=item.reporter_id).exclude(text=""):
        problems.append(f"点评意见：{_clip(critique.text)}")
    promises = [
        q.promise.strip()
        for q in Question.objects.filter(entry__reporter_id=item.reporter_id).exclude(promise="")
    ]
    grade = item.grade or item.proposed_grade
    overall = f"综合评价等次为“{grade}”。" if grade else ""
    rectification = "；".join(promises)
    if problems:
        rectification = (rectification + "；" if rectification else "") + (
            "针对上述问题列出问题清单、责任清单、整改清单，明确整改措施、责任和时限，逐项抓好整改落实"
        )
    return {
        "achievements": "\n".join(achievements),
        "problems": "\n".join(problems),
        "overall": overall,
        "rectification_required": rectification,
    }


def _clip(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")
