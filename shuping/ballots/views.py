"""Ballot pages. Two need no login: the phone page (the token is the capability) and the
projector page (the ballot's projector key). Everything else starts with an access helper."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shuping.ballots import casting, counting, exports, figures, services, sheets
from shuping.ballots import paper as ballot_paper
from shuping.ballots.access import can_run_meeting, get_ballot_for, get_meeting_for
from shuping.ballots.models import Ballot, BallotState, MarkStatus
from shuping.lib.errors import DomainError
from shuping.meetings.access import visible_meetings
from shuping.meetings.attendance import quorum_status

# --- the phone page (no login) ----------------------------------------------------


def _sheet_layout(ballot: Ballot, chosen: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Rows grouped by reporter for the templates, with what is ticked so far."""
    groups: dict[int, dict[str, Any]] = {}
    scale = set(ballot.scale)
    for row in ballot.rows():
        item = row["item"]
        group = groups.setdefault(int(item["id"]), {"item": item, "rows": []})
        picked = chosen.get(row["key"], [])
        group["rows"].append(
            {
                "key": row["key"],
                "indicator": row["indicator"],
                "picked": picked,
                # A grade not on the scale (a forged post) is invalid, not a crash.
                "valid": len(picked) == 1 and picked[0] in scale,
            }
        )
    layout = list(groups.values())
    for group in layout:  # the per-reporter marker on long per-indicator sheets
        group["done"] = sum(1 for row in group["rows"] if row["valid"])
        group["total"] = len(group["rows"])
    _number_sections(layout)
    return layout


# Above this many rows a sheet is laid out compactly, in groups (a branch's members).
LONG_SHEET = 20


def _number_sections(groups: list[dict[str, Any]]) -> None:
    number, last = 0, None
    for group in groups:
        if group["item"].get("group") != last:
            number, last = number + 1, group["item"].get("group")
        group["section"] = number


def _summary(ballot: Ballot, groups: list[dict[str, Any]], invalid: int) -> list[tuple[str, str]]:
    """How many rows got each grade, then the invalid ones: checked before submitting.
    Counts as text: small whole numbers need none of the template's number formatting."""
    counts = dict.fromkeys(ballot.scale, 0)
    for group in groups:
        for row in group["rows"]:
            if row["valid"]:
                counts[row["picked"][0]] += 1
    return [*((g, str(n)) for g, n in counts.items()), ("未选或多选（无效）", str(invalid))]


def _posted_choices(request: HttpRequest, ballot: Ballot) -> dict[str, list[str]]:
    return {
        row["key"]: request.POST.getlist(row["key"])
        for row in ballot.rows()
        if request.POST.getlist(row["key"])
    }


# Phone pages are rendered without the request: nothing of one visitor (a cookie, a CSRF
# token) can end up in a page that the sheet cache serves to the next one, and the phone
# path needs no session, user or messages.
def _phone_page(template: str, ctx: dict[str, Any]) -> str:
    return render_to_string(f"ballots/{template}.html", ctx)


def _phone_context(view: casting.TokenView) -> dict[str, Any]:
    ballot = view.ballot
    return {
        "ballot": ballot,
        "meeting_title": ballot.meeting.title,
        "category_title": ballot.category_title(view.category),
        "scale": ballot.scale,
        "long_sheet": len(ballot.items) > LONG_SHEET,
        # several indicators per reporter: a sticky row of reporters with progress
        "reporter_nav": ballot.mode == "per_indicator"
        and len(ballot.indicators) > 1
        and 1 < len(ballot.items) <= LONG_SHEET,
        "sections": list(dict.fromkeys(i["group"] for i in ballot.items if i.get("group"))),
    }


def _sheet_page(view: casting.TokenView, choices: dict[str, list[str]], **extra: Any) -> str:
    ctx = _phone_context(view)
    ctx.update(groups=_sheet_layout(view.ballot, choices), **extra)
    return _phone_page("phone_form", ctx)


_MESSAGE_PAGES: dict[str, str] = {}


def _message_response(exc: casting.TokenError, status: int = 200) -> HttpResponse:
    # One page per reason (four at most), the same for everyone.
    page = _MESSAGE_PAGES.get(exc.reason)
    if page is None:
        page = _phone_page("phone_message", {"message": exc.message, "reason": exc.reason})
        if exc.reason in casting.TOKEN_MESSAGES:
            _MESSAGE_PAGES[exc.reason] = page
    return HttpResponse(page, status=status)


def _confirm_rows(ballot: Ballot, groups: list[dict[str, Any]]) -> SafeString:
    """The confirm page's rows, each rendered once per process for each grade it can show
    (most of the confirm page's cost is these rows)."""
    scale = set(ballot.scale)
    parts = []
    for group in groups:
        for row in group["rows"]:
            picked = row["picked"]

            def render(group: dict[str, Any] = group, row: dict[str, Any] = row) -> str:
                return _phone_page("_confirm_row", {"group": group, "row": row})

            if len(picked) <= 1 and scale.issuperset(picked):
                name = ("confirm-row", row["key"], picked[0] if picked else "")
                parts.append(sheets.cache.page(ballot, name, render))
            else:  # several grades, or one not on the scale: rare, not kept
                parts.append(render())
    # Safe: each part is the output of an autoescaping template.
    return mark_safe("".join(parts))


# Stands for the confirm page's body in its kept frame: a NUL never comes out of a template.
_BODY = "\x00confirm-body\x00"


def _confirm_page(view: casting.TokenView, ctx: dict[str, Any]) -> str:
    """The confirm page: its frame (head, styles, title) is the same for everyone of a
    category, rendered once per process and kept; only the body is rendered per voter."""
    frame = sheets.cache.page(
        view.ballot,
        ("confirm-frame", view.category),
        lambda: _phone_page("phone_confirm", {**ctx, "body": mark_safe(_BODY)}),
    )
    head, _, tail = frame.partition(_BODY)
    return head + _phone_page("_confirm_body", ctx) + tail


NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def _no_store(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`never_cache` in effect, at a fraction of its cost on the busiest pages: it parses
    and rebuilds the header and formats the current date on every response."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.headers["Cache-Control"] = NO_STORE
        response.headers["Expires"] = "Thu, 01 Jan 1970 00:00:00 GMT"  # any past date
        return response

    return wrapped


# The token in the URL is the capability: the page works without cookies or a session
# (WeChat's browser may drop them), and a forged cross-site POST would need the secret
# token anyway, so CSRF protection adds nothing here. Only this view is exempt.
@csrf_exempt
@_no_store
def vote(request: HttpRequest, token: str) -> HttpResponse:
    try:
        view = casting.token_ballot(token)
    except casting.TokenError as exc:
        return _message_response(exc, status=404 if exc.reason == "unknown" else 200)
    ballot = view.ballot
    if request.method != "POST":  # the blank sheet: the same for every voter of a category
        return HttpResponse(
            sheets.cache.page(ballot, ("form", view.category), lambda: _sheet_page(view, {}))
        )
    choices = _posted_choices(request, ballot)
    comment = request.POST.get("comment", "")[:500]
    action = request.POST.get("action", "confirm")
    if action == "submit":  # the hot path: no layout, one transaction, a cached page
        try:
            casting.submit_sheet(token, choices=choices, comment=comment, view=view)
        except casting.TokenError as exc:
            return _message_response(exc)
        except DomainError as exc:
            # 200, not 400: Django logs 4xx responses with their path, and the path is
            # the voter's still valid token.
            return HttpResponse(_sheet_page(view, choices, comment=comment, error=exc.message))
        return HttpResponse(
            sheets.cache.page(
                ballot, "done", lambda: _phone_page("phone_done", _phone_context(view))
            )
        )
    if action == "edit":
        return HttpResponse(_sheet_page(view, choices, comment=comment))
    ctx = _phone_context(view)
    groups = _sheet_layout(ballot, choices)
    invalid = sum(1 for g in groups for r in g["rows"] if not r["valid"])
    ctx.update(
        groups=groups,
        comment=comment,
        invalid_rows=invalid,
        summary=_summary(ballot, groups, invalid),
        rows_html=_confirm_rows(ballot, groups),
    )
    return HttpResponse(_confirm_page(view, ctx))


# --- projector (keyed, no login) ----------------------------------------------------


@never_cache
def projector(request: HttpRequest, key: str) -> HttpResponse:
    ballot = get_object_or_404(Ballot.objects.select_related("meeting"), projector_key=key)
    ctx: dict[str, Any] = {"ballot": ballot, "turnout": counting.turnout(ballot)}
    if ballot.state == BallotState.CLOSED:
        ctx.update(figures.context(ballot))
    return render(request, "ballots/projector.html", ctx)


@_no_store
def projector_turnout(request: HttpRequest, key: str) -> JsonResponse:
    """Live turnout for the projector and the host page: counts only, cached."""
    data = counting.turnout_by_projector_key(key)
    if data is None:
        return JsonResponse({"detail": "not found"}, status=404)
    return JsonResponse(data)


# --- host and staff pages -----------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    meetings = (
        visible_meetings(request.user)
        .select_related("campaign")
        .prefetch_related("ballots")
        .order_by("-starts_at")[:200]
    )
    return render(request, "ballots/index.html", {"meetings": meetings, "title": "民主测评"})


@login_required
def meeting_ballots(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for(request.user, meeting_id)
    if request.method == "POST":
        meeting = get_meeting_for(request.user, meeting_id, write=True)
        try:
            ballot = services.create_ballot(
                meeting, actor=request.user, category=request.POST.get("category", "")
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("ballots:detail", pk=ballot.pk)
    rule = services._meeting_rule(meeting)
    return render(
        request,
        "ballots/meeting.html",
        {
            "meeting": meeting,
            "ballots": meeting.ballots.all(),
            "categories": rule.evaluators,
            "can_write": can_run_meeting(request.user, meeting),
            "title": f"{meeting.title} · 民主测评",
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_ballot_for(request.user, pk)
    ctx: dict[str, Any] = {
        "ballot": ballot,
        "meeting": ballot.meeting,
        "turnout": counting.turnout(ballot),
        "can_write": can_run_meeting(request.user, ballot.meeting),
        "title": ballot.title,
    }
    if ballot.state == BallotState.DRAFT:
        ctx["quorum"] = quorum_status(ballot.meeting)
    if ballot.state == BallotState.OPEN:
        ctx["paper"] = paper = ballot_paper.paper_status(ballot)
        ctx["paper_pending"] = len(paper.mismatched) + len(paper.single)
        ctx["paper_excess"] = max(0, len(paper.matched) - ballot.paper_handed_out)
        ctx["close_warnings"] = _close_warnings(ctx["turnout"], paper)
    if ballot.state == BallotState.CLOSED:
        ctx.update(figures.context(ballot))
        ctx["digest_ok"] = counting.verify_digest(ballot)
        ctx["recount_ok"] = counting.recount(ballot) == ballot.closed_tally
    return render(request, "ballots/detail.html", ctx)


def _close_warnings(turnout: dict[str, Any], paper: ballot_paper.PaperStatus) -> list[str]:
    """What closing would leave behind, said before the click that cannot be undone."""
    warnings = []
    unused = turnout["issued"] - turnout["submitted"]
    if unused > 0:
        warnings.append(f"还有 {unused} 个手机测评二维码未使用，结束后将作废。")
    unentered = turnout["paper_handed_out"] - paper.entered
    if unentered > 0:
        warnings.append(f"发出的纸质票还有 {unentered} 张未录入，结束后不能再录入。")
    pending = len(paper.mismatched) + len(paper.single)
    if pending:
        warnings.append(f"有 {pending} 张纸质票两次录入不一致或只录入一次，核对前不计入。")
    return warnings


def _act(request: HttpRequest, pk: int, fn: Any, ok: str) -> HttpResponse:
    ballot = get_ballot_for(request.user, pk, write=True)
    try:
        fn(ballot)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("ballots:detail", pk=ballot.pk)


@login_required
@require_POST
def open_view(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("override_reason", "")
    return _act(
        request,
        pk,
        lambda b: services.open_ballot(b, actor=request.user, override_reason=reason),
        "测评已开始。",
    )


@login_required
@require_POST
def close_view(request: HttpRequest, pk: int) -> HttpResponse:
    exclude = request.POST.get("exclude_unmatched") == "1"
    reason = request.POST.get("paper_excess_reason", "")
    return _act(
        request,
        pk,
        lambda b: services.close_ballot(
            b, actor=request.user, exclude_unmatched=exclude, paper_excess_reason=reason
        ),
        "测评已结束，结果已固定。",
    )


@login_required
@require_POST
def paper_count_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        count = int(request.POST.get("paper_handed_out", ""))
    except ValueError:
        count = -1
    return _act(
        request,
        pk,
        lambda b: ballot_paper.set_paper_handed_out(b, actor=request.user, count=count),
        "已记录发出的纸质票张数。",
    )


@login_required
@require_POST
def issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue tokens and hand back the slips at once: the raw tokens are never stored."""
    ballot = get_ballot_for(request.user, pk, write=True)
    category = request.POST.get("category", "")
    try:
        count = int(request.POST.get("count", ""))
    except ValueError:
        count = 0
    try:
        tokens = casting.issue_tokens(ballot, actor=request.user, category=category, count=count)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("ballots:detail", pk=ballot.pk)
    base = request.build_absolute_uri("/b/").rstrip("/")
    return _download(exports.slips_docx(ballot, tokens, category=category, base_url=base))


def _download(export: tuple[str, str, bytes]) -> HttpResponse:
    filename, content_type, content = export
    response = HttpResponse(content, content_type=content_type)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def paper_form_view(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_ballot_for(request.user, pk)
    return _download(exports.paper_form_docx(ballot))


@login_required
def export_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    ballot = get_ballot_for(request.user, pk)
    if ballot.state != BallotState.CLOSED:
        messages.error(request, "测评结束后才能导出结果。")
        return redirect("ballots:detail", pk=ballot.pk)
    export = exports.results_xlsx(ballot) if fmt == "xlsx" else exports.results_docx(ballot)
    return _download(export)


@login_required
def paper_entry(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_ballot_for(request.user, pk, write=True)
    chosen: dict[str, list[str]] = {}
    error = ""
    number = request.GET.get("number", "")
    category = ballot.categories[0]["key"] if ballot.categories else ""
    if request.method == "POST":
        number = request.POST.get("number", "").strip()
        category = request.POST.get("category", "")
        for row in ballot.rows():
            value = request.POST.get(row["key"])
            if value == "none":
                chosen[row["key"]] = []
            elif value == "multiple":
                chosen[row["key"]] = ballot.scale[:2]  # any two grades: stored as 多选
            elif value:
                chosen[row["key"]] = [value]
        try:
            entry = ballot_paper.record_paper_entry(
                ballot,
                actor=request.user,
                number=int(number) if number.isdigit() else 0,
                category=category,
                choices=chosen,
                comment=request.POST.get("comment", ""),
                correct=request.POST.get("correct") == "1",
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"第 {entry.number} 号票第 {entry.pass_no} 次录入已保存。")
            return redirect("ballots:paper", pk=ballot.pk)
    status = ballot_paper.paper_status(ballot)
    groups = _sheet_layout(ballot, chosen)
    for group in groups:
        for row in group["rows"]:
            if row["key"] not in chosen:
                row["value"] = ""
            else:
                picked = chosen[row["key"]]
                row["value"] = (
                    picked[0] if len(picked) == 1 else "none" if not picked else "multiple"
                )
    return render(
        request,
        "ballots/paper.html",
        {
            "ballot": ballot,
            "meeting": ballot.meeting,
            "groups": groups,
            "error": error,
            "number": number,
            "category": category,
            "status": status,
            "turnout": counting.turnout(ballot),
            "mark_status": MarkStatus,
            "title": f"纸质票录入 · {ballot.title}",
        },
    )
