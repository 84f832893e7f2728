"""Member review pages. Two need no login: the member's personal page (the link's token is
the capability) and the branch's published results (the review's public key). Every other
view starts with an access helper; every change is a service call."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shuping.ballots.models import BallotState
from shuping.lib.errors import DomainError, NotFound
from shuping.meetings.exports import content_disposition, qr_svg
from shuping.member_review import exports, follow_ups, links, overview, services
from shuping.member_review.access import (
    can_run_review,
    can_start_reviews,
    get_evaluation_for,
    get_review_for,
    visible_reviews,
)
from shuping.member_review.models import (
    AccessLink,
    Confirmation,
    FollowUp,
    FollowUpKind,
    LinkPurpose,
    MemberEvaluation,
    MemberReview,
    Objection,
    Stage,
)
from shuping.organizations.models import Person
from shuping.rounds.access import get_campaign_for, visible_campaigns
from shuping.rounds.models import Campaign

# --- the member's personal page (no login) -------------------------------------------


def _self_texts(request: HttpRequest, review: MemberReview) -> dict[str, str]:
    return {str(i): request.POST.get(f"area{i}", "") for i in range(1, len(review.areas) + 1)}


def _areas(review: MemberReview, texts: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"n": i, "title": title, "text": texts.get(str(i), "")}
        for i, title in enumerate(review.areas, start=1)
    ]


# The token in the URL is the capability: the page works without cookies or a session
# (WeChat's browser may drop them), and a forged cross-site POST would need the secret
# token anyway, so CSRF protection adds nothing here (as the ballot's phone page).
@csrf_exempt
@never_cache
def personal(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = links.open_link(token)
    except links.LinkError as exc:
        status = 404 if exc.reason == "unknown" else 200
        return render(
            request, "member_review/personal_message.html", {"message": exc.message}, status=status
        )
    evaluation = link.evaluation
    review = evaluation.review
    ctx: dict[str, Any] = {
        "evaluation": evaluation,
        "review": review,
        "link": link,
        "errors": {},
        "phone_last4": "",
    }
    if link.phone_check:
        if request.method != "POST":
            return render(request, "member_review/personal_phone.html", ctx)
        ctx["phone_last4"] = request.POST.get("phone_last4", "")
        try:
            links.check_phone(link, ctx["phone_last4"])
        except links.LinkError as exc:
            return render(request, "member_review/personal_message.html", {"message": exc.message})
        except DomainError as exc:
            ctx["errors"] = {exc.field: exc.message}
            return render(request, "member_review/personal_phone.html", ctx)
    if request.method != "POST" or request.POST.get("step") == "phone":
        return _personal_form(request, ctx, link)
    try:
        if link.purpose == LinkPurpose.SELF_EVAL:
            ctx["texts"] = _self_texts(request, review)
            ctx["grade"] = request.POST.get("grade", "")
            services.submit_self_evaluation(
                evaluation, actor=None, texts=ctx["texts"], grade=ctx["grade"], link=link
            )
            done = "您的个人自评已提交，党支部将在支委会审议时参考。感谢您的参与。"
        else:
            ctx["statement"] = request.POST.get("statement", "")
            agree = request.POST.get("agree") == "1"
            services.confirm(
                evaluation, actor=None, agree=agree, statement=ctx["statement"], link=link
            )
            done = "您已确认本人评议等次。" if agree else "您的不同意见已提交，党支部将作出答复。"
    except links.LinkError as exc:
        return render(request, "member_review/personal_message.html", {"message": exc.message})
    except DomainError as exc:
        ctx["errors"] = {exc.field or "form": exc.message}
        return _personal_form(request, ctx, link)
    return render(
        request,
        "member_review/personal_message.html",
        {"message": done, "done": True, "public_url": _public_url(review)},
    )


def _personal_form(request: HttpRequest, ctx: dict[str, Any], link: AccessLink) -> HttpResponse:
    review = ctx["review"]
    if link.purpose == LinkPurpose.SELF_EVAL:
        ctx["areas"] = _areas(review, ctx.get("texts") or ctx["evaluation"].self_texts)
        ctx["grade"] = ctx.get("grade") or ctx["evaluation"].self_grade
        return render(request, "member_review/personal_self.html", ctx)
    return render(request, "member_review/personal_confirm.html", ctx)


def _public_url(review: MemberReview) -> str:
    if not review.published or not review.public_key:
        return ""
    return reverse("member_review:public", args=[review.public_key])


# --- published results (no login) ----------------------------------------------------


@never_cache
def public(request: HttpRequest, key: str) -> HttpResponse:
    """The intranet page and the printable notice (张榜公示): published results only."""
    review = (
        MemberReview.objects.select_related("branch", "branch__parent", "campaign")
        .filter(public_key=key)
        .first()
    )
    if review is None or not review.published:
        raise Http404("没有找到公示。")
    rows = review.evaluations.order_by("order", "id").values_list("name", "final_grade")
    ctx = {
        "review": review,
        "rows": list(rows),
        "counts": overview.grade_counts(review),
        "notice": request.GET.get("print") == "1",
    }
    return render(request, "member_review/public.html", ctx)


# --- lists ------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    reviews = (
        visible_reviews(request.user)
        .select_related("branch", "campaign")
        .order_by("-campaign__year", "branch__path")[:200]
    )
    campaigns = (
        visible_campaigns(request.user)
        .filter(member_reviews__isnull=False)
        .distinct()
        .order_by("-year", "committee__path")
    )
    startable = [
        c
        for c in visible_campaigns(request.user).filter(status="active").order_by("-year")[:50]
        if _has_member_review(c) and can_start_reviews(request.user, c.committee)
    ]
    return render(
        request,
        "member_review/index.html",
        {"reviews": reviews, "campaigns": campaigns, "startable": startable},
    )


def _has_member_review(campaign: Campaign) -> bool:
    rules = campaign.parsed_rules.member_review
    return bool(rules and rules.enabled)


@login_required
def round_overview(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk)
    if not _has_member_review(campaign):
        raise NotFound()
    if request.method == "POST":
        campaign = get_campaign_for(request.user, pk, write=True)
        try:
            n = services.start_member_reviews(campaign, actor=request.user)
            messages.success(request, f"已为 {n} 个党支部启动民主评议党员。")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("member_review:round", pk=campaign.pk)
    today = timezone.localdate()
    data = overview.round_rows(campaign, user=request.user, today=today)
    stage = request.GET.get("stage", "")
    rows = data.rows
    if stage == "overdue":
        rows = [r for r in rows if r["overdue"]]
    elif stage in Stage.values:
        rows = [r for r in rows if r["stage"] == stage]
    return render(
        request,
        "member_review/round.html",
        {
            "campaign": campaign,
            "data": data,
            "rows": rows,
            "stage": stage,
            "stages": Stage.choices,
            "can_start": can_start_reviews(request.user, campaign.committee),
        },
    )


@login_required
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk)
    if not _has_member_review(campaign):
        raise NotFound()
    filename, content_type, body = exports.round_xlsx(
        campaign, user=request.user, today=timezone.localdate()
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response


# --- the branch's page --------------------------------------------------------------------


def _review_ctx(request: HttpRequest, review: MemberReview, **extra: Any) -> dict[str, Any]:
    evaluations = (
        review.evaluations.select_related("person")
        .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.order_by("id")))
        .order_by("order", "id")
    )
    stages = []
    reached = list(Stage.values).index(review.stage)
    for i, (value, label) in enumerate(Stage.choices):
        stages.append(
            {"value": value, "label": label, "done": i < reached, "current": i == reached}
        )
    ballot = services.meeting_ballot(review)
    return {
        "review": review,
        "evaluations": evaluations,
        "stages": stages,
        "progress": services.progress(review),
        "can_run": can_run_review(request.user, review),
        "ballot": ballot,
        "ballot_closed": ballot is not None and ballot.state == BallotState.CLOSED,
        "objections": review.objections.select_related("evaluation"),
        "public_url": _public_url(review),
        "publish_late": services.publish_late(review),
        "today": timezone.localdate(),
        "Stage": Stage,
        **extra,
    }


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_review_for(request.user, pk)
    return render(request, "member_review/review.html", _review_ctx(request, review))


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise DomainError("日期格式不正确。", field="date") from None


def _parse_datetime(value: str) -> datetime | None:
    if not value:
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise DomainError("会议时间格式不正确。", field="meeting_at") from None
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


@login_required
@require_POST
def advance_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_review_for(request.user, pk, write=True)
    try:
        to = request.POST.get("to", "")
        if to == Stage.REPORTED:
            services.report_to_committee(
                review, actor=request.user, note=request.POST.get("note", "")
            )
            messages.success(request, "已向上级党组织上报工作情况和存档资料。")
        else:
            services.advance(
                review,
                actor=request.user,
                to=to,
                meeting_at=_parse_datetime(request.POST.get("meeting_at", "")),
                publicity_starts=_parse_date(request.POST.get("publicity_starts", "")),
            )
            messages.success(request, f"已进入“{Stage(to).label}”阶段。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("member_review:review", pk=review.pk)


@login_required
@require_POST
def proposals_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_review_for(request.user, pk, write=True)
    ids = [int(x) for x in request.POST.getlist("eval") if x.isdigit()]
    proposals = {
        pk_: (request.POST.get(f"g{pk_}", ""), request.POST.get(f"n{pk_}", "")) for pk_ in ids
    }
    try:
        n = services.propose_grades(review, actor=request.user, proposals=proposals)
        messages.success(request, f"已保存支委会审议意见（{n} 人有改动）。")
    except DomainError as exc:
        messages.error(request, exc.message)
        ctx = _review_ctx(request, review, posted=proposals)
        return render(request, "member_review/review.html", ctx, status=400)
    return redirect("member_review:review", pk=review.pk)


@login_required
@require_POST
def links_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Print personal slips: the raw tokens exist only on this page (and the paper)."""
    review = get_review_for(request.user, pk, write=True)
    purpose = request.POST.get("purpose", "")
    ids = [int(x) for x in request.POST.getlist("eval") if x.isdigit()]
    evaluations = list(review.evaluations.filter(pk__in=ids)) if ids else None
    try:
        issued = links.issue_links(
            review,
            actor=request.user,
            purpose=purpose,
            evaluations=evaluations,
            phone_check=request.POST.get("phone_check") == "1",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("member_review:review", pk=review.pk)
    slips = []
    for evaluation, token in issued:
        url = request.build_absolute_uri(reverse("member_review:personal", args=[token]))
        slips.append({"evaluation": evaluation, "url": url, "svg": qr_svg(url)})
    response = render(
        request,
        "member_review/slips.html",
        {"review": review, "slips": slips, "purpose": LinkPurpose(purpose).label},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_evaluation_for(request.user, pk)
    review = evaluation.review
    errors: dict[str, str] = {}
    posted: dict[str, Any] = {}
    if request.method == "POST":
        evaluation = get_evaluation_for(request.user, pk, write=True)
        action = request.POST.get("action", "")
        posted = dict(request.POST.items())
        try:
            _evaluation_action(request, evaluation, action)
            return redirect("member_review:evaluation", pk=evaluation.pk)
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
    from shuping.member_review import grading

    suggestion = (
        grading.suggest(review.scale, evaluation.vote_counts, evaluation.proposed_grade)
        if evaluation.vote_counts
        else None
    )
    texts = posted and {k[4:]: v for k, v in posted.items() if k.startswith("area")}
    ctx = {
        "review": review,
        "evaluation": evaluation,
        "areas": _areas(review, texts or evaluation.self_texts),
        "suggestion": suggestion,
        "follow_ups": evaluation.follow_ups.prefetch_related("records").select_related("helper"),
        "errors": errors,
        "posted": posted,
        "can_run": can_run_review(request.user, review),
        "members": Person.objects.filter(organization_id=review.branch_id, category="member")
        .exclude(pk=evaluation.person_id)
        .order_by("name")[:300],
        "Stage": Stage,
        "Confirmation": Confirmation,
        "FollowUpKind": FollowUpKind,
    }
    return render(request, "member_review/evaluation.html", ctx, status=400 if errors else 200)


def _evaluation_action(request: HttpRequest, evaluation: MemberEvaluation, action: str) -> None:
    user = request.user
    post = request.POST
    if action == "paper_self":
        texts = _self_texts(request, evaluation.review)
        services.submit_self_evaluation(
            evaluation, actor=user, texts=texts, grade=post.get("grade", "")
        )
        messages.success(request, "已录入纸质自评。")
    elif action == "determine":
        services.determine(
            evaluation, actor=user, grade=post.get("grade", ""), reason=post.get("reason", "")
        )
        messages.success(request, "已审定等次。")
    elif action == "paper_confirm":
        services.confirm(
            evaluation,
            actor=user,
            agree=post.get("agree") == "1",
            statement=post.get("statement", ""),
        )
        messages.success(request, "已记录本人书面确认。")
    elif action == "answer":
        services.answer_disagreement(evaluation, actor=user, answer=post.get("answer", ""))
        messages.success(request, "已答复。")
    elif action == "recommend":
        follow_ups.recommend(evaluation, actor=user, reason=post.get("reason", ""))
        messages.success(request, "已列入上级表彰推荐名单。")
    elif action in {"record", "done", "helper", "persuade"}:
        task = _task(evaluation, post.get("task", ""))
        if action == "record":
            follow_ups.add_follow_up_record(task, actor=user, text=post.get("text", ""))
        elif action == "done":
            follow_ups.complete_follow_up(task, actor=user)
        elif action == "helper":
            helper = Person.objects.filter(
                pk=post.get("helper") or 0, organization_id=evaluation.review.branch_id
            ).first()
            if helper is None:
                raise DomainError("请选择本支部的党员作为帮扶人。", field="helper")
            follow_ups.assign_helper(task, actor=user, helper=helper)
        else:
            follow_ups.start_persuasion(task, actor=user, reason=post.get("reason", ""))
        messages.success(request, "已保存。")
    else:
        raise DomainError("未知操作。")


def _task(evaluation: MemberEvaluation, value: str) -> FollowUp:
    task = evaluation.follow_ups.filter(pk=value if value.isdigit() else 0).first()
    if task is None:
        raise DomainError("没有找到该事项。")
    return task


@login_required
@require_POST
def objection_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_review_for(request.user, pk, write=True)
    try:
        answer_to = request.POST.get("objection", "")
        if answer_to:
            objection = Objection.objects.filter(
                review=review, pk=answer_to if answer_to.isdigit() else 0
            ).first()
            if objection is None:
                raise NotFound()
            services.answer_objection(
                objection, actor=request.user, answer=request.POST.get("answer", "")
            )
            messages.success(request, "已记录处理结果。")
        else:
            target = request.POST.get("evaluation", "")
            evaluation = review.evaluations.filter(pk=target).first() if target.isdigit() else None
            services.record_objection(
                review,
                actor=request.user,
                text=request.POST.get("text", ""),
                evaluation=evaluation,
                raised_by=request.POST.get("raised_by", ""),
                received_on=_parse_date(request.POST.get("received_on", "")),
            )
            messages.success(request, "已登记异议。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("member_review:review", pk=review.pk)
