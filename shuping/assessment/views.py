"""Pages of the overall assessment. Thin: access helper first, then one service call."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from shuping.assessment import access, engine, exports, inputs_xlsx, services
from shuping.assessment.models import Assessment, AssessmentBoard, BoardState
from shuping.inspections.models import InspectionFinding
from shuping.lib import import_errors
from shuping.lib.errors import DomainError
from shuping.lib.http import apply_to_form, download
from shuping.organizations.roster_read import RosterInvalid

# --- forms ------------------------------------------------------------------------


class InputsForm(forms.Form):
    daily_score = forms.CharField(
        label="日常管理考核得分", required=False, help_text="0 到 100，可留空", max_length=10
    )
    annual_result = forms.CharField(label="年度党建考核结果", required=False, max_length=20)


class FlagForm(forms.Form):
    key = forms.ChoiceField(label="评定情形")
    basis = forms.CharField(
        label="依据", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
        help_text="写明事实和文件，如“2025年6月区纪委问责通报”",
    )  # fmt: skip

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = choices  # type: ignore[attr-defined]


class OverrideForm(forms.Form):
    grade = forms.ChoiceField(label="评定等次")
    reason = forms.CharField(
        label="调整理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def __init__(self, *args: Any, scale: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g, g) for g in scale]  # type: ignore[attr-defined]


class OpinionForm(forms.Form):
    achievements = forms.CharField(
        label="成绩", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    problems = forms.CharField(
        label="问题", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    overall = forms.CharField(
        label="总体评价", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rectification_required = forms.CharField(
        label="整改要求", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="重新审议的理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class ApproveForm(forms.Form):
    minute_ref = forms.CharField(
        label="研究会议记录", required=False, max_length=200,
        help_text="如“区委常委会2026年第3次会议”，可留空",
    )  # fmt: skip


class ImportForm(forms.Form):
    file = forms.FileField(label="考核情况表（Excel）")


# --- pages ------------------------------------------------------------------------

INDEX_ROUNDS = 200  # the most recent rounds in reach; older ones are reached from 考核方案


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Rounds whose board I reach, and my own published results."""
    campaigns = list(access.visible_campaigns(request.user).order_by("-year", "id")[:INDEX_ROUNDS])
    boards = {b.campaign_id: b for b in AssessmentBoard.objects.filter(campaign__in=campaigns)}
    mine = access.own_assessments(request.user).select_related(
        "board__campaign", "reporter__organization"
    )
    rows = [(c, boards.get(c.pk)) for c in campaigns]
    return render(
        request, "assessment/index.html", {"title": "综合评价", "rows": rows, "mine": mine}
    )


def _board_rows(board: AssessmentBoard) -> list[dict[str, Any]]:
    """One row per reporter: inputs summary, score, grades, flags (three queries)."""
    items = list(
        board.items.select_related("reporter__person", "reporter__organization")
        .prefetch_related("flags")
        .order_by("reporter__order", "reporter_id")
    )
    tallies = services.meeting_tallies(board.campaign)
    rows = []
    for item in items:
        votes = [
            f"{t.title}：" + "、".join(f"{g}{n}" for g, n in t.counts.items() if n)
            for t in tallies.get(item.reporter_id, [])
            if t.valid
        ]
        rows.append(
            {
                "item": item,
                "name": services.display_name(item),
                "votes": votes,
                "flags": [f.title for f in item.flags.all()],
                "changed": bool(item.grade and item.grade != item.proposed_grade),
            }
        )
    return rows


@login_required
def board(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access.get_campaign_for(request.user, campaign_pk)
    the_board = services.ensure_board(campaign)
    writable = access.can_manage(request.user, campaign)
    rules = campaign.parsed_rules
    rows = _board_rows(the_board)
    counts = Counter(r["item"].grade for r in rows if r["item"].grade)
    quota_rules = [r for r in rules.grading if r.kind == "quota_max"]
    return render(
        request,
        "assessment/board.html",
        {
            "title": "综合评价",
            "campaign": campaign,
            "board": the_board,
            "rows": rows,
            "writable": writable,
            "distribution": [(g, counts.get(g, 0)) for g in rules.assessment_scale],
            "method": engine.method_for(rules),
            "rules": rules,
            "quota_rules": quota_rules,
            "tie_break": engine.TIE_BREAK,
            "can_propose": writable and services.can_move(the_board.state, BoardState.PROPOSED),
            "can_approve": writable and services.can_move(the_board.state, BoardState.APPROVED),
            "problems": services.approval_problems(the_board) if writable else [],
            "import_form": ImportForm(),
        },
    )


@login_required
@require_POST
def propose(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access.get_campaign_for(request.user, campaign_pk, write=True)
    try:
        services.propose_grades(campaign, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已按方案规则生成建议等次，每名述职人的评定过程可点开查看。")
    return redirect("assessment:board", campaign_pk=campaign.pk)


@login_required
def approve(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """The confirmation page: what approval does, what blocks it, then the decision."""
    campaign = access.get_campaign_for(request.user, campaign_pk, write=True)
    the_board = services.ensure_board(campaign)
    form = ApproveForm(request.POST or None, initial={"minute_ref": the_board.minute_ref})
    if request.method == "POST" and form.is_valid():
        ok = apply_to_form(
            form,
            lambda: services.approve_grades(
                campaign, actor=request.user, minute_ref=form.cleaned_data["minute_ref"]
            ),
        )
        if ok:
            messages.success(request, "综合评价等次已审定并锁定。")
            return redirect("assessment:board", campaign_pk=campaign.pk)
    rules = campaign.parsed_rules
    grades = list(the_board.items.values_list("grade", flat=True))
    counts = Counter(g for g in grades if g)
    return render(
        request,
        "assessment/approve.html",
        {
            "title": "审定综合评价等次",
            "campaign": campaign,
            "board": the_board,
            "form": form,
            "distribution": [(g, counts.get(g, 0)) for g in rules.assessment_scale],
            "total": len(grades),
            "problems": services.approval_problems(the_board),
            "allowed": services.can_move(the_board.state, BoardState.APPROVED),
            "overridden": [
                (services.display_name(a), a)
                for a in the_board.items.exclude(override_reason="").select_related(
                    "reporter__person", "reporter__organization"
                )
            ],
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_assessment_for(request.user, pk)
    campaign = item.board.campaign
    own_view = access.is_own(request.user, item)
    writable = not own_view and access.can_manage(request.user, campaign)
    rules = campaign.parsed_rules
    inputs_form = InputsForm(
        initial={"daily_score": item.daily_score or "", "annual_result": item.annual_result}
    )
    flag_form = FlagForm(choices=engine.flag_choices(rules))
    override_form = OverrideForm(scale=rules.assessment_scale, initial={"grade": item.grade})
    opinion_initial = {f: getattr(item, f) for f in services.OPINION_FIELDS}
    drafted = False
    if writable and request.GET.get("draft") == "1":
        draft = services.draft_opinion(item)
        opinion_initial = {f: opinion_initial[f] or draft[f] for f in services.OPINION_FIELDS}
        drafted = True
    opinion_form = OpinionForm(initial=opinion_initial)
    reopen_form = ReasonForm()
    if request.method == "POST":
        if not writable:
            return redirect("assessment:detail", pk=item.pk)
        action = request.POST.get("action", "")
        handled = _post_detail(request, item, action, rules)
        if handled is None:
            return redirect("assessment:detail", pk=item.pk)
        name, form = handled
        if name == "inputs":
            inputs_form = form  # type: ignore[assignment]
        elif name == "flag":
            flag_form = form  # type: ignore[assignment]
        elif name == "override":
            override_form = form  # type: ignore[assignment]
        elif name == "opinion":
            opinion_form = form  # type: ignore[assignment]
        elif name == "reopen":
            reopen_form = form  # type: ignore[assignment]
    the_board = item.board
    editable = writable and not (
        the_board.state == BoardState.APPROVED
        or (the_board.state == BoardState.REOPENED and item.locked)
    )
    return render(
        request,
        "assessment/detail.html",
        {
            "title": f"{services.display_name(item)} · 综合评价",
            "item": item,
            "name": services.display_name(item),
            "campaign": campaign,
            "board": the_board,
            "trace": item.trace or {},
            "flags": list(item.flags.all()),
            "findings": []
            if own_view
            else list(
                InspectionFinding.objects.filter(reporter_id=item.reporter_id)
                .select_related("inspection")
                .order_by("inspection__held_on", "order", "id")
            ),
            "own_view": own_view,
            "writable": writable,
            "editable": editable,
            "can_override": editable and the_board.state != BoardState.DRAFT,
            "can_reopen": writable and item.locked,
            "drafted": drafted,
            "inputs_form": inputs_form,
            "flag_form": flag_form,
            "override_form": override_form,
            "opinion_form": opinion_form,
            "reopen_form": reopen_form,
        },
    )


def _post_detail(
    request: HttpRequest, item: Assessment, action: str, rules: Any
) -> tuple[str, forms.Form] | None:
    """Run one action from the detail page; (form name, bound form) when it failed."""
    user = request.user
    form: forms.Form
    done = ""
    if action == "inputs":
        form = InputsForm(request.POST)
        if form.is_valid() and apply_to_form(
            form,
            lambda: services.set_inputs(
                item,
                actor=user,
                daily_score=form.cleaned_data["daily_score"],
                annual_result=form.cleaned_data["annual_result"],
            ),
        ):
            done = "已保存考核情况。重新生成建议等次后计入。"
    elif action == "flag":
        form = FlagForm(request.POST, choices=engine.flag_choices(rules))
        if form.is_valid() and apply_to_form(
            form,
            lambda: services.set_flag(
                item, actor=user, key=form.cleaned_data["key"], basis=form.cleaned_data["basis"]
            ),
        ):
            done = "已记录评定情形。重新生成建议等次后计入。"
    elif action == "clear_flag":
        try:
            services.clear_flag(item, actor=user, key=request.POST.get("key", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已撤销评定情形。")
        return None
    elif action == "override":
        form = OverrideForm(request.POST, scale=rules.assessment_scale)
        if form.is_valid() and apply_to_form(
            form,
            lambda: services.override_grade(
                item,
                actor=user,
                grade=form.cleaned_data["grade"],
                reason=form.cleaned_data["reason"],
            ),
        ):
            done = "已调整等次，理由记入评定过程。"
    elif action == "opinion":
        form = OpinionForm(request.POST)
        if form.is_valid() and apply_to_form(
            form, lambda: services.save_opinion(item, actor=user, **form.cleaned_data)
        ):
            done = "已保存综合评价意见。"
    elif action == "reopen":
        form = ReasonForm(request.POST)
        if form.is_valid() and apply_to_form(
            form,
            lambda: services.reopen_grade(item, actor=user, reason=form.cleaned_data["reason"]),
        ):
            done = "已重新打开该同志的评价；调整后须重新审定。"
    else:
        return None
    if done:
        messages.success(request, done)
        return None
    return action, form


@login_required
def import_inputs(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access.get_campaign_for(request.user, campaign_pk, write=True)
    if request.method != "POST":
        return download(inputs_xlsx.template(campaign))
    form = ImportForm(request.POST, request.FILES)
    errors: list[str] = []
    listed = 0  # errors in the downloadable list; none for a refusal of the whole file
    import_errors.forget(request, INPUTS_ERRORS)
    if form.is_valid():
        data = form.cleaned_data["file"].read(inputs_xlsx.MAX_BYTES + 1)
        try:
            result = inputs_xlsx.import_inputs(campaign, actor=request.user, data=data)
        except RosterInvalid as exc:
            errors = [str(e) for e in exc.errors]
            listed = import_errors.keep(request, INPUTS_ERRORS, exc.errors, scope=campaign.pk)
        except DomainError as exc:
            errors = [exc.message]
        else:
            messages.success(
                request, f"已导入：更新 {result.updated} 人，未变化 {result.unchanged} 人。"
            )
            return redirect("assessment:board", campaign_pk=campaign.pk)
    else:
        errors = ["请选择要导入的 Excel 文件。"]
    return render(
        request,
        "assessment/import_errors.html",
        {"title": "导入考核情况", "campaign": campaign, "errors": errors, "listed": listed},
        status=400,
    )


INPUTS_ERRORS = "assessment_inputs"


@login_required
@require_GET
def import_errors_xlsx(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """The errors of this user's last refused inputs file for this round."""
    campaign = access.get_campaign_for(request.user, campaign_pk, write=True)
    return import_errors.download_kept(
        request, INPUTS_ERRORS, filename="考核情况导入错误清单.xlsx", scope=campaign.pk
    )


@login_required
def export_docx(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access.get_campaign_for(request.user, campaign_pk)
    return download(exports.summary_docx(services.ensure_board(campaign)))


@login_required
def export_xlsx(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access.get_campaign_for(request.user, campaign_pk)
    return download(exports.summary_xlsx(services.ensure_board(campaign)))
