"""Meeting pages. Thin: the first line is an access helper, state changes go
through services, domain errors become field errors or messages.

Two pages work without login, keyed by an unguessable key: the projector
(`projector_key`) and the sign-in page behind the QR code (`signin_key`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from csp.decorators import csp_replace
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from shuping.accounts.access import SUBTREE_ROLES, org_scope_q
from shuping.lib.errors import DomainError, NotFound
from shuping.meetings import attendance as roll  # the view below is named attendance
from shuping.meetings import critiques, exports, services
from shuping.meetings import projector as projector_screen
from shuping.meetings.access import (
    can_run_meeting,
    get_campaign_for_meetings,
    get_meeting_for,
    visible_meetings,
)
from shuping.meetings.forms import (
    AddEntryForm,
    AnswerForm,
    AttendeeForm,
    CritiqueForm,
    MeetingForm,
    OverrideForm,
    QuestionForm,
    SelfSignInForm,
)
from shuping.meetings.models import (
    Attendee,
    Critique,
    Meeting,
    MeetingReporter,
    MeetingStatus,
    ProjectorMode,
)
from shuping.organizations.models import Person
from shuping.rounds.models import Campaign

# --- helpers ------------------------------------------------------------------


def _apply(form: forms.Form, action: Callable[[], Any]) -> bool:
    """Run a service; put a DomainError on the field it names (or on the form)."""
    try:
        action()
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    return True


def _act(request: HttpRequest, action: Callable[[], Any], done: str) -> bool:
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    if done:
        messages.success(request, done)
    return True


def _entry(meeting: Meeting, pk: Any) -> MeetingReporter:
    try:
        return meeting.agenda.select_related("reporter__person", "reporter__organization").get(
            pk=pk
        )
    except (MeetingReporter.DoesNotExist, ValueError):
        raise NotFound() from None


def _agenda(meeting: Meeting) -> list[MeetingReporter]:
    entries = list(
        meeting.agenda.select_related(
            "reporter__person", "reporter__organization", "critique"
        ).order_by("order", "id")
    )
    for entry in entries:
        entry.meeting = meeting  # avoid one query per entry when templates reach back
    return entries


def _host_choices(campaign: Campaign) -> QuerySet[Person]:
    """Who can host: the committee's leaders and the reporters' organizations' leaders
    (a branch's members' meeting is usually hosted by its deputy secretary)."""
    committee = campaign.committee
    org_ids = [committee.pk, *campaign.reporters.values_list("organization_id", flat=True)]
    return (
        Person.objects.filter(
            Q(secretary_of__in=org_ids)
            | Q(deputy_secretary_of__in=org_ids)
            | Q(committee_of=committee)
        )
        .distinct()
        .order_by("name")
    )


def _kinds(campaign: Campaign) -> list[tuple[str, str]]:
    return [(m.key, m.title) for m in campaign.parsed_rules.meetings]


def _ctx(meeting: Meeting, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    rule = services.meeting_rule(meeting)
    return {
        "has_quorum": rule is not None and rule.quorum is not None,
        "meeting": meeting,
        "campaign": meeting.campaign,
        "can_run": can_run_meeting(request.user, meeting),
        "title": meeting.title,
        **extra,
    }


# --- lists and set-up -------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    meetings_qs = visible_meetings(request.user).order_by("starts_at", "id")
    campaigns = (
        Campaign.objects.filter(
            org_scope_q(request.user, roles=SUBTREE_ROLES, prefix="committee__")
            | Q(meetings__in=meetings_qs)
        )
        .distinct()
        .select_related("committee")
        .prefetch_related(Prefetch("meetings", queryset=meetings_qs, to_attr="visible"))
        .order_by("-year", "committee__path")
    )
    return render(request, "meetings/index.html", {"title": "述职评议会", "campaigns": campaigns})


@login_required
def campaign_meetings(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = get_campaign_for_meetings(request.user, campaign_pk)
    can_setup = True
    try:
        get_campaign_for_meetings(request.user, campaign_pk, write=True)
    except NotFound:
        can_setup = False
    form = MeetingForm(request.POST or None, kinds=_kinds(campaign), hosts=_host_choices(campaign))
    if request.method == "POST":
        if not can_setup:
            raise NotFound()
        if "from_rules" in request.POST:
            start = form.fields["starts_at"]
            try:
                starts_at = start.clean(request.POST.get("starts_at"))
            except forms.ValidationError:
                messages.error(request, "请填写会议时间。")
                return redirect("meetings:campaign", campaign_pk=campaign.pk)
            made = services.create_meetings_from_rules(
                campaign, actor=request.user, starts_at=starts_at
            )
            messages.success(request, f"已按方案创建 {len(made)} 个会议。")
            return redirect("meetings:campaign", campaign_pk=campaign.pk)
        if form.is_valid():
            data = form.cleaned_data
            made_meeting: list[Meeting] = []
            if _apply(
                form,
                lambda: made_meeting.append(
                    services.create_meeting(
                        campaign,
                        actor=request.user,
                        kind=data["kind"],
                        title=data["title"],
                        starts_at=data["starts_at"],
                        place=data["place"],
                        host=data["host"],
                    )
                ),
            ):
                return redirect("meetings:setup", pk=made_meeting[0].pk)
    meetings_list = visible_meetings(request.user).filter(campaign=campaign).select_related("host")
    return render(
        request,
        "meetings/campaign.html",
        {
            "title": f"{campaign.title} · 述职评议会",
            "campaign": campaign,
            "meetings": meetings_list,
            "form": form,
            "can_setup": can_setup,
        },
    )


@login_required
def setup(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for(request.user, pk)
    campaign = meeting.campaign
    categories = services.categories_for(meeting)
    info_form = MeetingForm(
        request.POST if request.POST.get("action") == "info" else None,
        kinds=_kinds(campaign),
        hosts=_host_choices(campaign),
        with_kind=False,
        initial={
            "title": meeting.title,
            "starts_at": meeting.starts_at,
            "place": meeting.place,
            "host": meeting.host_id,
        },
    )
    in_agenda = set(meeting.agenda.values_list("reporter_id", flat=True))
    add_form = AddEntryForm(
        request.POST if request.POST.get("action") == "add_entry" else None,
        reporters=[
            (r.pk, str(r))
            for r in campaign.reporters.select_related("organization", "person")
            if r.pk not in in_agenda
        ],
    )
    attendee_form = AttendeeForm(
        request.POST if request.POST.get("action") == "attendee" else None,
        categories=categories,
    )
    if request.method == "POST":
        get_meeting_for(request.user, pk, write=True)
        action = request.POST.get("action")
        done = False
        if action == "info" and info_form.is_valid():
            d = info_form.cleaned_data
            done = _apply(
                info_form,
                lambda: services.update_meeting(
                    meeting,
                    actor=request.user,
                    title=d["title"],
                    starts_at=d["starts_at"],
                    place=d["place"],
                    host=d["host"],
                ),
            )
        elif action == "add_entry" and add_form.is_valid():
            d = add_form.cleaned_data
            reporter = campaign.reporters.filter(pk=d["reporter"]).first()
            if reporter is None:
                raise NotFound()
            done = _apply(
                add_form,
                lambda: services.add_agenda_entry(
                    meeting, actor=request.user, reporter=reporter, speaks=d["speaks"],
                    reason=d["reason"],
                ),
            )  # fmt: skip
        elif action in ("up", "down"):
            entry = _entry(meeting, request.POST.get("entry"))
            done = _act(
                request,
                lambda: services.move_agenda_entry(entry, actor=request.user, up=action == "up"),
                "",
            )
        elif action == "remove_entry":
            entry = _entry(meeting, request.POST.get("entry"))
            done = _act(
                request,
                lambda: services.remove_agenda_entry(
                    entry, actor=request.user, reason=request.POST.get("reason", "")
                ),
                "已移出议程。",
            )
        elif action == "populate":
            added: list[int] = []
            done = _act(
                request,
                lambda: added.append(roll.populate_expected(meeting, actor=request.user)),
                "",
            )
            if done:
                messages.success(request, f"已从组织名册添加 {added[0]} 名应到人员。")
        elif action == "attendee" and attendee_form.is_valid():
            d = attendee_form.cleaned_data
            done = _apply(
                attendee_form,
                lambda: roll.add_attendee(
                    meeting, actor=request.user, name=d["name"], category=d["category"],
                    unit=d["unit"],
                ),
            )  # fmt: skip
        if done:
            return redirect("meetings:setup", pk=meeting.pk)
    counts = roll.attendance_counts(meeting)
    return render(
        request,
        "meetings/setup.html",
        _ctx(
            meeting,
            request,
            agenda=_agenda(meeting),
            info_form=info_form,
            add_form=add_form,
            attendee_form=attendee_form,
            counts=counts,
            rule=services.meeting_rule(meeting),
            weights=services.evaluator_weights(meeting),
            categories=services.categories_for(meeting),
        ),
    )


# --- attendance -----------------------------------------------------------------


def _attendance_json(meeting: Meeting) -> dict[str, Any]:
    counts = roll.attendance_counts(meeting)
    status = roll.quorum_status(meeting)
    return {
        "categories": [
            {
                "key": r.key,
                "title": r.title,
                "expected": r.expected,
                "present": r.present,
                "listed_present": r.listed_present,
                "walk_ins": r.walk_ins,
            }
            for r in counts.rows
        ],
        "expected": counts.expected,
        "present": counts.present,
        "walk_ins": counts.walk_ins,
        "quorum": {
            "rule": bool(roll.quorum_lines(meeting, counts)),
            "met": status.met,
            "lines": status.lines,
            "overridden": status.overridden,
            "override_reason": status.override_reason,
        },
    }


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for(request.user, pk)
    categories = services.categories_for(meeting)
    walk_form = AttendeeForm(
        request.POST if request.POST.get("action") == "walk_in" else None, categories=categories
    )
    override_form = OverrideForm(request.POST if request.POST.get("action") == "override" else None)
    if request.method == "POST":
        get_meeting_for(request.user, pk, write=True)
        action = request.POST.get("action")
        done = False
        if action in ("sign_in", "undo"):
            try:
                row = meeting.attendees.get(pk=request.POST.get("attendee", ""))
            except (Attendee.DoesNotExist, ValueError):
                raise NotFound() from None
            if action == "sign_in":
                done = _act(request, lambda: roll.sign_in(row, actor=request.user), "")
            else:
                done = _act(request, lambda: roll.undo_sign_in(row, actor=request.user), "")
            if request.headers.get("x-requested-with") == "fetch":
                row.refresh_from_db()
                return JsonResponse(
                    {**_attendance_json(meeting), "ok": done, "signed_in": row.present}
                )
        elif action == "walk_in" and walk_form.is_valid():
            d = walk_form.cleaned_data
            done = _apply(
                walk_form,
                lambda: roll.add_attendee(
                    meeting, actor=request.user, name=d["name"], category=d["category"],
                    unit=d["unit"], walk_in=True,
                ),
            )  # fmt: skip
        elif action == "override" and override_form.is_valid():
            done = _apply(
                override_form,
                lambda: roll.override_quorum(
                    meeting, actor=request.user, reason=override_form.cleaned_data["reason"]
                ),
            )
        if done:
            return redirect("meetings:attendance", pk=meeting.pk)
    titles = dict(categories)
    # Grouped by organization, as people arrive with their branch; inside a group,
    # who has not signed in yet comes first: that is whom the door staff look for.
    # The filter also works server-side (a GET form), so a phone without scripts, or a
    # list of 700, narrows in the database; the script filters the shown list live.
    query = (request.GET.get("q") or "").strip()[:40]
    shown = request.GET.get("state", "")
    attendees = meeting.attendees.all()
    if query:
        attendees = attendees.filter(Q(name__icontains=query) | Q(unit__icontains=query))
    if shown in ("present", "missing"):
        attendees = attendees.filter(signed_in_at__isnull=shown == "missing")
    rows = sorted(attendees, key=lambda a: (a.unit or "~", a.present, a.category, a.name, a.pk))
    for row in rows:
        row.category_title = titles.get(row.category) or services.DEFAULT_TITLES.get(  # type: ignore[attr-defined]
            row.category, row.category
        )
    counts = roll.attendance_counts(meeting)
    return render(
        request,
        "meetings/attendance.html",
        _ctx(
            meeting,
            request,
            rows=rows,
            counts=counts,
            quorum=roll.quorum_status(meeting),
            walk_form=walk_form,
            override_form=override_form,
            query=query,
            shown=shown,
            filtered=bool(query or shown in ("present", "missing")),
        ),
    )


@login_required
@never_cache
def attendance_json(request: HttpRequest, pk: int) -> JsonResponse:
    meeting = get_meeting_for(request.user, pk)
    return JsonResponse(_attendance_json(meeting))


@login_required
def signin_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable page with the sign-in QR code (to put at the door)."""
    meeting = get_meeting_for(request.user, pk, write=True)
    url = request.build_absolute_uri(reverse("meetings:signin", args=[meeting.signin_key]))
    return render(
        request,
        "meetings/signin_qr.html",
        _ctx(meeting, request, url=url, svg=exports.qr_svg(url)),
    )


# --- running the meeting -------------------------------------------------------------


HOST_ACTIONS = {"open", "close", "start", "end", "next"}


@login_required
def host(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for(request.user, pk)
    if request.method == "POST":
        get_meeting_for(request.user, pk, write=True)
        action = request.POST.get("action", "")
        if action not in HOST_ACTIONS:
            messages.error(request, "未知操作。")
            return redirect("meetings:host", pk=meeting.pk)
        user = request.user
        if action == "open":
            _act(request, lambda: services.open_meeting(meeting, actor=user), "会议已开始。")
        elif action == "close":
            _act(request, lambda: services.close_meeting(meeting, actor=user), "会议已结束。")
        elif action == "next":
            _act(request, lambda: services.advance(meeting, actor=user), "")
        else:
            entry = _entry(meeting, request.POST.get("entry"))
            fn = services.start_report if action == "start" else services.end_report
            _act(request, lambda: fn(entry, actor=user), "")
        return redirect("meetings:host", pk=meeting.pk)
    agenda = _agenda(meeting)
    current = next((e for e in agenda if e.pk == meeting.current_entry_id), None)
    categories = services.categories_for(meeting)
    questions = _questions(current, dict(categories)) if current is not None else []
    rule = services.meeting_rule(meeting)
    return render(
        request,
        "meetings/host.html",
        _ctx(
            meeting,
            request,
            agenda=agenda,
            current=current,
            questions=questions,
            question_form=QuestionForm(categories=categories),
            critique_form=CritiqueForm(initial={"text": _critique_text(current)}),
            quorum=roll.quorum_status(meeting),
            counts=roll.attendance_counts(meeting),
            limit=services.minutes_per_report(meeting),
            show_questions=rule is None or rule.questions or bool(questions),
            show_critique=rule is None or rule.critique or _has_critique(current),
            limit_seconds=(services.minutes_per_report(meeting) or 0) * 60,
            projector_modes=ProjectorMode.choices,
            ballot_panel=_ballot_panel(meeting),
        ),
    )


def _ballot_panel(meeting: Meeting) -> dict[str, Any] | None:
    """The meeting's ballot on the host page: turnout while open, results after close."""
    return projector_screen.panel(meeting, ProjectorMode.RESULTS) or projector_screen.panel(
        meeting, ProjectorMode.TURNOUT
    )


@login_required
@require_POST
def projector_console(request: HttpRequest, pk: int) -> HttpResponse:
    """The host's console chooses what the projector shows."""
    meeting = get_meeting_for(request.user, pk, write=True)
    mode = request.POST.get("mode", "")
    notice = request.POST.get("notice", "")
    _act(
        request,
        lambda: services.set_projector(meeting, actor=request.user, mode=mode, notice=notice),
        "投影内容已切换。",
    )
    return redirect(f"{reverse('meetings:host', args=[meeting.pk])}#projector")


def _questions(entry: MeetingReporter, titles: dict[str, str]) -> list[Any]:
    questions = list(entry.questions.all())
    for q in questions:
        q.asker_label = critiques.asker_label(q, titles)  # type: ignore[attr-defined]
    return questions


def _has_critique(entry: MeetingReporter | None) -> bool:
    if entry is None:
        return False
    try:
        return bool(entry.critique.text)
    except Critique.DoesNotExist:
        return False


def _critique_text(entry: MeetingReporter | None) -> str:
    if entry is None:
        return ""
    try:
        return entry.critique.text
    except Critique.DoesNotExist:
        return critiques.critique_prefill(entry)


@login_required
@never_cache
def state_json(request: HttpRequest, pk: int) -> JsonResponse:
    meeting = get_meeting_for(request.user, pk)
    return JsonResponse(services.room_state(meeting))


@login_required
def entry_detail(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Questions and the critique of one agenda entry."""
    meeting = get_meeting_for(request.user, pk)
    entry = _entry(meeting, entry_pk)
    entry.meeting = meeting
    categories = services.categories_for(meeting)
    action = request.POST.get("action")
    question_form = QuestionForm(
        request.POST if action == "question" else None, categories=categories
    )
    critique_form = CritiqueForm(
        request.POST if action in ("critique", "finalize") else None,
        initial={"text": _critique_text(entry)},
    )
    if request.method == "POST":
        get_meeting_for(request.user, pk, write=True)
        user = request.user
        done = False
        if action == "question" and question_form.is_valid():
            d = question_form.cleaned_data
            done = _apply(
                question_form,
                lambda: critiques.add_question(
                    entry, actor=user, text=d["text"], answer=d["answer"],
                    asker_category=d["asker_category"], asker_name=d["asker_name"],
                    promise=d["promise"], promised_by=d["promised_by"],
                ),
            )  # fmt: skip
        elif action == "answer":
            question = entry.questions.filter(pk=request.POST.get("question") or 0).first()
            if question is None:
                raise NotFound()
            question.entry = entry
            form = AnswerForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                done = _act(
                    request,
                    lambda: critiques.update_question(
                        question, actor=user, answer=d["answer"], promise=d["promise"],
                        promised_by=d["promised_by"],
                    ),
                    "",
                )  # fmt: skip
            else:
                messages.error(request, "请检查填写的内容。")
        elif action in ("critique", "finalize") and critique_form.is_valid():
            text = critique_form.cleaned_data["text"]
            if action == "critique":
                done = _apply(
                    critique_form, lambda: critiques.save_critique(entry, actor=user, text=text)
                )
            else:
                done = _apply(
                    critique_form,
                    lambda: critiques.finalize_critique(entry, actor=user, text=text),
                )
        if done:
            messages.success(request, "已保存。")
            nxt = request.POST.get("next", "")
            if nxt == "host":
                return redirect("meetings:host", pk=meeting.pk)
            return redirect("meetings:entry", pk=meeting.pk, entry_pk=entry.pk)
    try:
        critique: Critique | None = entry.critique
    except Critique.DoesNotExist:
        critique = None
    return render(
        request,
        "meetings/entry.html",
        _ctx(
            meeting,
            request,
            entry=entry,
            questions=_questions(entry, dict(categories)),
            question_form=question_form,
            critique_form=critique_form,
            critique=critique,
            category_titles=dict(categories),
        ),
    )


@login_required
def record_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for(request.user, pk)
    filename, content_type, data = exports.meeting_record_docx(meeting)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = exports.content_disposition(filename)
    return response


# --- pages without login ------------------------------------------------------------


def _by_key(field_name: str, key: str) -> Meeting:
    if not key or len(key) > 40:
        raise Http404()
    try:
        return Meeting.objects.select_related("campaign").get(**{field_name: key})
    except Meeting.DoesNotExist:
        raise Http404() from None


@never_cache
@xframe_options_sameorigin  # the host's console previews it in a frame
@csp_replace({"frame-ancestors": "'self'"})  # type: ignore[arg-type]  # typed for (request) views
def projector(request: HttpRequest, key: str) -> HttpResponse:
    meeting = _by_key("projector_key", key)
    return render(
        request,
        "meetings/projector.html",
        {
            "meeting": meeting,
            "state": _screen(meeting),
            "state_url": reverse("meetings:projector_state", args=[key]),
            "preview": request.GET.get("preview") == "1",
        },
    )


def _screen(meeting: Meeting) -> dict[str, Any]:
    return projector_screen.screen_state(meeting, services.room_state(meeting))


@never_cache
def projector_state(request: HttpRequest, key: str) -> JsonResponse:
    """The screen's state; with `?v=N` it waits (long polling) until version N is stale."""
    meeting = _by_key("projector_key", key)
    since = request.GET.get("v", "")
    if since.isdigit() and int(since) == meeting.projector_version:
        projector_screen.wait_for_change(meeting, int(since))
        meeting = _by_key("projector_key", key)
    return JsonResponse(_screen(meeting))


# Failed self sign-ins allowed per window: per client address (a whole room may share
# one Wi-Fi address, so this is generous) and per name typed (guessing someone's last
# four phone digits takes thousands of tries; five per window makes it hopeless).
# Successful sign-ins do not count. The cache is per server process.
SIGNIN_FAILS_PER_ADDRESS = 60
SIGNIN_FAILS_PER_NAME = 5
SIGNIN_WINDOW = 600


def _fail_keys(request: HttpRequest, meeting: Meeting, name: str) -> list[tuple[str, int]]:
    address = str(request.META.get("REMOTE_ADDR", ""))
    digest = hashlib.sha256(name.strip().encode()).hexdigest()[:16]
    return [
        (f"meetings:signin:{meeting.pk}:ip:{address}", SIGNIN_FAILS_PER_ADDRESS),
        (f"meetings:signin:{meeting.pk}:name:{digest}", SIGNIN_FAILS_PER_NAME),
    ]


def _rate_limited(request: HttpRequest, meeting: Meeting, name: str) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _fail_keys(request, meeting, name))


def _count_failure(request: HttpRequest, meeting: Meeting, name: str) -> None:
    for key, _ in _fail_keys(request, meeting, name):
        if not cache.add(key, 1, SIGNIN_WINDOW):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, SIGNIN_WINDOW)


@never_cache
def signin(request: HttpRequest, key: str) -> HttpResponse:
    meeting = _by_key("signin_key", key)
    form = SelfSignInForm(request.POST or None)
    signed: Attendee | None = None
    limited = False
    if request.method == "POST":
        typed = request.POST.get("name", "")
        if _rate_limited(request, meeting, typed):
            limited = True
            form.add_error(None, "尝试次数过多，请稍后再试或到签到台签到。")
        elif form.is_valid():
            d = form.cleaned_data
            result: list[Attendee] = []
            if _apply(
                form,
                lambda: result.append(
                    roll.self_sign_in(meeting, name=d["name"], phone_last4=d["phone_last4"])
                ),
            ):
                signed = result[0]
            else:
                _count_failure(request, meeting, typed)
    closed = meeting.status == MeetingStatus.CLOSED
    return render(
        request,
        "meetings/signin.html",
        {"meeting": meeting, "form": form, "signed": signed, "closed": closed},
        status=429 if limited else 200,
    )
