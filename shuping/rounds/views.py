"""Pages of rounds: thin — each starts with an access helper and calls one service."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuping.accounts.access import (
    SUBTREE_ROLES,
    WRITE_ROLES,
    can_manage,
    is_admin,
    org_scope_q,
    reaches,
)
from shuping.lib.errors import DomainError, NotFound
from shuping.organizations.models import Organization, Person
from shuping.rounds import deadlines as deadline_services
from shuping.rounds import hub, preset_services, services
from shuping.rounds import reporters as reporter_services
from shuping.rounds import sub_rounds as sub_round_services
from shuping.rounds.access import (
    can_read_campaign,
    can_write_campaign,
    get_campaign_for,
    get_reporter_for,
    visible_campaigns,
)
from shuping.rounds.carryover import carried_over
from shuping.rounds.documents import plan_document
from shuping.rounds.forms import (
    AddReporterForm,
    CampaignCreateForm,
    DeadlineForm,
    FilingForm,
    ModeForm,
    PersonForm,
    PlacesForm,
    PresetCopyForm,
    PresetEditForm,
    ReasonForm,
    SubRoundForm,
    add_domain_error,
    preset_edit_initial,
)
from shuping.rounds.models import (
    CampaignStatus,
    Deadline,
    PlanFiling,
    Preset,
    Reminder,
    ReportMode,
)
from shuping.rounds.preset_services import copy_for_office
from shuping.rounds.presets import PresetDef, get_preset, line_of, shipped_presets
from shuping.rounds.queries import reporter_counts

REPORTER_PAGE = 100  # reporters per page of the round page


def _managed_committees(request: HttpRequest) -> list[tuple[int, str]]:
    """Organizations the user organizes that have sub-organizations (can run a round)."""
    qs = Organization.objects.filter(org_scope_q(request.user, roles=WRITE_ROLES), is_active=True)
    qs = qs.annotate(n=Count("children")).filter(n__gt=0).order_by("depth", "path")[:300]
    return [(o.pk, o.name) for o in qs]


def _preset_choices(request: HttpRequest) -> list[tuple[str, str]]:
    choices = [(p.key, p.title) for p in shipped_presets().values()]
    for preset in preset_services.visible_office_presets(request.user):
        choices.append((preset.key, f"{preset.title}（{preset.committee.name}自定义）"))
    return choices


@login_required
def index(request: HttpRequest) -> HttpResponse:
    campaigns = (
        visible_campaigns(request.user)
        .annotate(n_reporters=Count("reporters", distinct=True))
        .order_by("-year", "committee__path")[:200]
    )
    return render(
        request,
        "rounds/index.html",
        {
            "title": "述职评议考核方案",
            "campaigns": campaigns,
            "can_create": bool(_managed_committees(request)),
        },
    )


@login_required
def create(request: HttpRequest) -> HttpResponse:
    committees = _managed_committees(request)
    if not committees:
        raise NotFound()
    initial = {
        "year": services.default_report_year(timezone.localdate()),
        "preset": request.GET.get("preset", ""),
    }
    form = CampaignCreateForm(
        request.POST or None,
        initial=initial,
        committees=committees,
        presets=_preset_choices(request),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        committee = Organization.objects.get(pk=data["committee"])
        try:
            campaign = services.create_campaign(
                committee,
                actor=request.user,
                preset=data["preset"],
                year=data["year"],
                title=data["title"],
                doc_number=data["doc_number"],
                onsite_places=data["onsite_places"],
                sampling_seed=data["sampling_seed"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "方案已创建，请核对述职对象和时间节点。")
            return redirect("rounds:detail", pk=campaign.pk)
    return render(request, "rounds/create.html", {"title": "新建方案", "form": form})


def _hub(
    request: HttpRequest, campaign: Any, reporters: list[Any], deadlines: list[Deadline]
) -> dict[str, Any]:
    """What the stages above rounds put on the round page (rounds/hub.py): for the
    office, the host and the superior; a reporter sees the round as before."""
    if not reaches(request.user, campaign.committee, roles=SUBTREE_ROLES):
        return {"stages": [], "status": None}
    for d in deadlines:
        d.url = hub.step_url(campaign, d.key)  # type: ignore[attr-defined]
    table = hub.status_table(campaign, reporters)
    for r in reporters:
        r.cells = table.rows.get(r.pk, [])  # type: ignore[attr-defined]
    return {"stages": hub.stage_links(campaign, request.user), "status": table}


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk)
    writable = can_write_campaign(request.user, campaign)
    today = timezone.localdate()
    reporter_q = request.GET.get("q", "").strip()
    reporter_mode = request.GET.get("mode", "")
    reporters = Paginator(
        reporter_services.reporter_list(campaign, q=reporter_q, mode=reporter_mode), REPORTER_PAGE
    ).get_page(request.GET.get("page"))
    deadlines = list(campaign.deadlines.all())
    for d in deadlines:
        d.overdue = d.is_overdue(today)  # type: ignore[attr-defined]
    subs = list(
        campaign.sub_campaigns.select_related("committee")
        .annotate(n_reporters=Count("reporters", distinct=True))
        .prefetch_related(
            Prefetch("plan_filings", queryset=PlanFiling.objects.order_by("submitted_at")),
            Prefetch(
                "deadlines",
                queryset=Deadline.objects.filter(
                    completed_on__isnull=True, due_on__isnull=False
                ).order_by("due_on"),
                to_attr="open_deadlines",
            ),
        )
    )
    children_without = []
    if writable and campaign.status != CampaignStatus.CLOSED:
        taken = {s.committee_id for s in subs}
        children_without = [
            (o.pk, o.name)
            for o in campaign.committee.children.filter(is_active=True)
            .annotate(n=Count("children"))
            .filter(n__gt=0)
            .order_by("sort_order", "pk")
            if o.pk not in taken
        ]
    addable = []
    if writable:
        addable = [
            (o.pk, o.name)
            for o in Organization.objects.filter(campaign.committee.subtree_q(), is_active=True)
            .exclude(pk=campaign.committee_id)
            .exclude(pk__in=campaign.reporters.values("organization_id"))
            .order_by("path")[:500]
        ]
    rules = campaign.parsed_rules
    carried = carried_over(campaign)
    context: dict[str, Any] = {
        "title": campaign.title,
        "campaign": campaign,
        "rules": rules,
        "writable": writable,
        "reporters": reporters,
        "reporter_q": reporter_q,
        "reporter_mode": reporter_mode,
        "mode_choices": ReportMode.choices,
        "reporter_query": urlencode(
            {k: v for k, v in (("q", reporter_q), ("mode", reporter_mode)) if v}
        ),
        "counts": reporter_counts(campaign),
        "deadlines": deadlines,
        "next_due": deadline_services.next_due(campaign, today=today),
        "warnings": reporter_services.campaign_warnings(campaign),
        "carryover": carried[0],
        "carryover_note": carried[1],
        "subs": subs,
        "filings": list(campaign.plan_filings.all()),
        "transitions": [
            (s, CampaignStatus(s).label) for s in services.TRANSITIONS[campaign.status]
        ],
        "add_form": AddReporterForm(organizations=addable) if addable else None,
        "places_form": PlacesForm(initial={"places": campaign.onsite_places}),
        "sub_form": SubRoundForm(committees=children_without, presets=_preset_choices(request))
        if children_without
        else None,
        "filing_form": FilingForm() if campaign.parent_id and writable else None,
        "can_ack": campaign.parent_id is None and writable,
        "today": today,
        # a street's secretary reaches the street's round, not the district's above it
        **_hub(request, campaign, list(reporters), deadlines),
        "preset_known": campaign.preset_key in shipped_presets()
        or Preset.objects.filter(key=campaign.preset_key).exists(),
        "parent_readable": campaign.parent is not None
        and can_read_campaign(request.user, campaign.parent),
    }
    return render(request, "rounds/detail.html", context)


@login_required
@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk, write=True)
    try:
        services.change_status(campaign, actor=request.user, to=request.POST.get("to", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "状态已更新。")
    return redirect("rounds:detail", pk=campaign.pk)


@login_required
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk, write=True)
    form = PlacesForm(request.POST)
    if form.is_valid():
        try:
            reporter_services.reassign_modes(
                campaign,
                actor=request.user,
                places=form.cleaned_data["places"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已按名额重新安排现场/书面述职。")
    else:
        messages.error(request, "现场述职名额应为不小于0的整数。")
    return redirect("rounds:detail", pk=campaign.pk)


@login_required
@require_POST
def add_reporter(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk, write=True)
    form = AddReporterForm(
        request.POST,
        organizations=[
            (o.pk, o.name) for o in Organization.objects.filter(campaign.committee.subtree_q())
        ],
    )
    if form.is_valid():
        try:
            org = Organization.objects.get(pk=form.cleaned_data["organization"])
            reporter_services.add_reporter(
                campaign,
                actor=request.user,
                organization=org,
                mode=form.cleaned_data["mode"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已将{org.name}加入述职名单。")
    else:
        messages.error(request, "请选择党组织和述职方式。")
    return redirect("rounds:detail", pk=campaign.pk)


@login_required
def reporter(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_reporter_for(request.user, pk, write=True)
    people = [
        (p.pk, f"{p.name}（{p.position}）" if p.position else p.name)
        for p in Person.objects.filter(organization=entry.organization).order_by("name")[:200]
    ]
    mode_form = ModeForm(initial={"mode": entry.mode})
    remove_form = ReasonForm()
    person_form = PersonForm(people=people, initial={"person": entry.person_id})
    if request.method == "POST":
        action = request.POST.get("action")
        form: ModeForm | ReasonForm | PersonForm
        if action == "mode":
            form = ModeForm(request.POST)
        elif action == "person":
            form = PersonForm(request.POST, people=people)
        else:
            form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                if action == "person":
                    reporter_services.set_reporter_person(
                        entry,
                        actor=request.user,
                        person=Person.objects.get(pk=form.cleaned_data["person"]),
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(request, "述职人已调整。")
                elif action == "mode":
                    reporter_services.set_reporter_mode(
                        entry,
                        actor=request.user,
                        mode=form.cleaned_data["mode"],
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(request, "述职方式已调整。")
                else:
                    reporter_services.remove_reporter(
                        entry, actor=request.user, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, "已移出述职名单。")
                return redirect("rounds:detail", pk=entry.campaign_id)
            except DomainError as exc:
                add_domain_error(form, exc)
        if isinstance(form, PersonForm):
            person_form = form
        elif isinstance(form, ModeForm):
            mode_form = form
        else:
            remove_form = form
    return render(
        request,
        "rounds/reporter.html",
        {
            "title": f"调整述职对象：{entry.organization.name}",
            "entry": entry,
            "campaign": entry.campaign,
            "mode_form": mode_form,
            "remove_form": remove_form,
            "person_form": person_form if people else None,
        },
    )


@login_required
def deadline(request: HttpRequest, pk: int, deadline_pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk, write=True)
    try:
        item = campaign.deadlines.get(pk=deadline_pk)
    except (Deadline.DoesNotExist, ValueError):
        raise NotFound() from None
    form = DeadlineForm(
        request.POST or None,
        initial={"title": item.title, "starts_on": item.starts_on, "due_on": item.due_on},
    )
    if request.method == "POST":
        if "complete" in request.POST:
            deadline_services.complete_deadline(
                item, actor=request.user, done=request.POST["complete"] == "1"
            )
            return redirect("rounds:detail", pk=campaign.pk)
        if form.is_valid():
            try:
                deadline_services.update_deadline(
                    item,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    starts_on=form.cleaned_data["starts_on"],
                    due_on=form.cleaned_data["due_on"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "时间节点已更新。")
                return redirect("rounds:detail", pk=campaign.pk)
    return render(
        request,
        "rounds/deadline.html",
        {"title": f"时间节点：{item.title}", "campaign": campaign, "item": item, "form": form},
    )


@login_required
@require_POST
def sub_rounds(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk, write=True)
    children = [(o.pk, o.name) for o in campaign.committee.children.all()]
    form = SubRoundForm(request.POST, committees=children, presets=_preset_choices(request))
    if form.is_valid():
        orgs = list(Organization.objects.filter(pk__in=form.cleaned_data["committees"]))
        try:
            created = sub_round_services.create_sub_campaigns(
                campaign,
                actor=request.user,
                committees=orgs,
                preset=form.cleaned_data["preset"] or None,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已为 {len(created)} 个下级单位建立比照方案。")
    else:
        messages.error(request, "请选择下级单位。")
    return redirect("rounds:detail", pk=campaign.pk)


@login_required
@require_POST
def file_plan(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk, write=True)
    form = FilingForm(request.POST)
    if form.is_valid():
        try:
            filing = sub_round_services.file_plan(
                campaign,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                meeting_on=form.cleaned_data["meeting_on"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if filing.is_late:
                days = sub_round_services.meeting_plan_days(campaign)
                messages.warning(request, f"已报送，但未按要求在会前{days}天报送会议方案。")
            else:
                messages.success(request, "已报送备案。")
    else:
        messages.error(request, "请检查备案内容。")
    return redirect("rounds:detail", pk=campaign.pk)


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        filing = PlanFiling.objects.select_related("campaign").get(pk=pk)
    except (PlanFiling.DoesNotExist, ValueError):
        raise NotFound() from None
    if filing.campaign.parent_id is None:
        raise NotFound()
    parent = get_campaign_for(request.user, filing.campaign.parent_id, write=True)
    try:
        sub_round_services.acknowledge_filing(filing, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已确认备案。")
    return redirect("rounds:detail", pk=parent.pk)


@login_required
def plan_download(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for(request.user, pk)
    filename, content_type, data = plan_document(campaign)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- presets ----------------------------------------------------------------------


@login_required
def presets(request: HttpRequest) -> HttpResponse:
    office = preset_services.visible_office_presets(request.user).prefetch_related("versions")
    return render(
        request,
        "rounds/presets.html",
        {
            "title": "方案模板",
            "shipped": list(shipped_presets().values()),
            "office": office,
            "can_copy": bool(_managed_committees(request)) or is_admin(request.user),
        },
    )


def _visible_preset(request: HttpRequest, key: str, version: int | None = None) -> PresetDef:
    try:
        definition = get_preset(key, version)
    except KeyError:
        raise NotFound() from None
    office = definition.source == "office"
    if office and not preset_services.visible_office_presets(request.user).filter(key=key).exists():
        raise NotFound()
    return definition


@login_required
def preset_detail(request: HttpRequest, key: str) -> HttpResponse:
    version = request.GET.get("v")
    definition = _visible_preset(
        request, key, int(version) if version and version.isdigit() else None
    )
    office = Preset.objects.filter(key=key).prefetch_related("versions").first()
    return render(
        request,
        "rounds/preset_detail.html",
        {
            "title": definition.title,
            "preset": definition,
            "rules": definition.rules,
            "office": office,
            "can_edit": office is not None and can_manage(request.user, office.committee),
            "can_copy": bool(_managed_committees(request)) or is_admin(request.user),
        },
    )


@login_required
def preset_export(request: HttpRequest, key: str) -> HttpResponse:
    """The preset as a file, for import elsewhere: the form is the way to edit it here."""
    version = request.GET.get("v")
    definition = _visible_preset(
        request, key, int(version) if version and version.isdigit() else None
    )
    response = HttpResponse(definition.text, content_type="application/toml; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(definition.title)}.toml"
    return response


@login_required
def preset_copy(request: HttpRequest, key: str) -> HttpResponse:
    definition = _visible_preset(request, key)
    committees = _managed_committees(request)
    if not committees:
        raise NotFound()
    form = PresetCopyForm(
        request.POST or None,
        committees=committees,
        initial={"title": f"{definition.title}（副本）"},
    )
    if request.method == "POST" and form.is_valid():
        committee = Organization.objects.get(pk=form.cleaned_data["committee"])
        try:
            preset = copy_for_office(
                definition,
                actor=request.user,
                committee=committee,
                title=form.cleaned_data["title"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "已复制为本单位模板，可在下面逐项修改。")
            return redirect("rounds:preset_edit", key=preset.key)
    return render(
        request,
        "rounds/preset_copy.html",
        {"title": f"复制模板：{definition.title}", "preset": definition, "form": form},
    )


@login_required
def preset_edit(request: HttpRequest, key: str) -> HttpResponse:
    try:
        office = Preset.objects.select_related("committee").get(key=key)
    except Preset.DoesNotExist:
        raise NotFound() from None
    if not can_manage(request.user, office.committee):
        raise NotFound()
    latest = office.latest()
    initial = preset_edit_initial(office.title, latest.rules, latest.text)
    form = PresetEditForm(request.POST or None, request.FILES or None, initial=initial)
    error_line = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        upload = form.cleaned_data.get("upload")
        if upload is not None:  # importing a file replaces the text
            text = upload.read().decode("utf-8-sig", errors="replace")
        changes = {
            path: form.cleaned_data[name]
            for name, path in PresetEditForm.STRUCTURED.items()
            if name in form.changed_data
        }
        try:
            version = preset_services.save_preset_version(
                office,
                actor=request.user,
                text=text,
                note=form.cleaned_data["note"],
                changes=changes,
            )
        except DomainError as exc:
            add_domain_error(form, exc)  # drops cleaned_data["text"], hence `text` above
            error_line = _error_line(text, exc.message)
        else:
            messages.success(request, f"已保存为第{version.number}版。已建方案仍使用创建时的规则。")
            return redirect("rounds:preset_detail", key=office.key)
    return render(
        request,
        "rounds/preset_edit.html",
        {
            "title": f"导入/导出：{office.title}",
            "office": office,
            "form": form,
            "error_line": error_line,
        },
    )


def _error_line(text: str, message: str) -> int | None:
    """The line a TOML error names, or the line of the failing setting."""
    match = re.search(r"第(\d+)行", message)
    if match:
        return int(match.group(1))
    match = re.search(r": ([A-Za-z_\.\[\]0-9]+): ", message)
    return line_of(text, match.group(1)) if match else None


@login_required
def reminders(request: HttpRequest) -> HttpResponse:
    items = list(
        Reminder.objects.filter(recipient_id=request.user.pk)
        .select_related("deadline__campaign")
        .order_by("-created_at")[:100]
    )
    if request.method == "POST":
        deadline_services.mark_reminders_read(request.user)  # type: ignore[arg-type]
        return redirect("rounds:reminders")
    return render(
        request,
        "rounds/reminders.html",
        {"title": "提醒", "items": items, "unread": sum(1 for i in items if i.read_at is None)},
    )
