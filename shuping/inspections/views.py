"""Pages for inspections (督查调研). Thin: access helper first, then one service call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shuping.inspections import access, services
from shuping.inspections.models import FindingKind, InspectionFinding, Method
from shuping.lib.errors import NotFound
from shuping.lib.http import apply_to_form
from shuping.rounds.models import Campaign


class InspectionForm(forms.Form):
    held_on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    inspectors = forms.CharField(label="督查人员", max_length=200)
    method = forms.ChoiceField(label="方式", choices=Method.choices)
    announced = forms.BooleanField(label="事先通知被督查单位", required=False)
    reporters = forms.MultipleChoiceField(label="督查对象", widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(
        label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reporters"].choices = [  # type: ignore[attr-defined]
            (r.pk, f"{r.organization.name} {r.person.name if r.person_id else '（空缺）'}")  # type: ignore[union-attr]
            for r in campaign.reporters.select_related("organization", "person").order_by(
                "order", "id"
            )
        ]


class FindingForm(forms.Form):
    reporter = forms.ChoiceField(label="述职人")
    kind = forms.ChoiceField(label="类别", choices=FindingKind.choices)
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, reporters: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reporter"].choices = reporters  # type: ignore[attr-defined]


class EvidenceForm(forms.Form):
    file = forms.FileField(label="照片或扫描件（JPG、PNG、PDF）")
    caption = forms.CharField(label="说明", required=False, max_length=200)


@login_required
def campaign_inspections(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access.get_campaign_for(request.user, campaign_pk)
    writable = access.can_manage(request.user, campaign)
    form = InspectionForm(request.POST or None, campaign=campaign)
    if request.method == "POST":
        if not writable:
            raise NotFound()
        if form.is_valid():
            data = form.cleaned_data
            made: list[Any] = []
            if apply_to_form(
                form,
                lambda: made.append(
                    services.create_inspection(
                        campaign,
                        actor=request.user,
                        reporters=[int(pk) for pk in data["reporters"]],
                        held_on=data["held_on"],
                        inspectors=data["inspectors"],
                        method=data["method"],
                        announced=data["announced"],
                        note=data["note"],
                    )
                ),
            ):
                messages.success(request, "已记录督查调研，请逐人填写发现。")
                return redirect("inspections:detail", pk=made[0].pk)
    inspections = campaign.inspections.prefetch_related(
        "reporters__organization", "reporters__person"
    ).order_by("-held_on", "-id")
    return render(
        request,
        "inspections/campaign.html",
        {
            "title": "督查调研",
            "campaign": campaign,
            "inspections": inspections,
            "pending": services.not_inspected(campaign),
            "writable": writable,
            "form": form,
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = access.get_inspection_for(request.user, pk)
    writable = access.can_manage(request.user, inspection.campaign)
    reporters = [
        (r.pk, f"{r.organization.name} {r.person.name if r.person_id else '（空缺）'}")  # type: ignore[union-attr]
        for r in inspection.reporters.select_related("organization", "person").order_by("order")
    ]
    finding_form = FindingForm(reporters=reporters)
    evidence_form = EvidenceForm()
    if request.method == "POST":
        if not writable:
            raise NotFound()
        action = request.POST.get("action")
        if action == "finding":
            finding_form = FindingForm(request.POST, reporters=reporters)
            if finding_form.is_valid() and apply_to_form(
                finding_form,
                lambda: services.add_finding(
                    inspection,
                    actor=request.user,
                    reporter=int(finding_form.cleaned_data["reporter"]),
                    kind=finding_form.cleaned_data["kind"],
                    text=finding_form.cleaned_data["text"],
                ),
            ):
                messages.success(request, "已添加。")
                return redirect("inspections:detail", pk=inspection.pk)
        elif action == "evidence":
            evidence_form = EvidenceForm(request.POST, request.FILES)
            if evidence_form.is_valid():
                upload = evidence_form.cleaned_data["file"]
                data = upload.read(services.EVIDENCE_MAX + 1)
                if apply_to_form(
                    evidence_form,
                    lambda: services.add_evidence(
                        inspection,
                        actor=request.user,
                        data=data,
                        name=upload.name or "",
                        caption=evidence_form.cleaned_data["caption"],
                    ),
                ):
                    messages.success(request, "已上传佐证材料。")
                    return redirect("inspections:detail", pk=inspection.pk)
        elif action == "delete_finding":
            try:
                finding = InspectionFinding.objects.get(
                    pk=request.POST.get("finding") or 0, inspection=inspection
                )
            except (InspectionFinding.DoesNotExist, ValueError, TypeError):
                raise NotFound() from None
            services.delete_finding(finding, actor=request.user)
            messages.success(request, "已删除。")
            return redirect("inspections:detail", pk=inspection.pk)
    findings = inspection.findings.select_related("reporter__organization", "reporter__person")
    return render(
        request,
        "inspections/detail.html",
        {
            "title": "督查调研记录",
            "inspection": inspection,
            "campaign": inspection.campaign,
            "findings": findings,
            "evidence": inspection.evidence.all(),
            "writable": writable,
            "finding_form": finding_form,
            "evidence_form": evidence_form,
        },
    )


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation and says what goes; POST deletes."""
    inspection = access.get_inspection_for(request.user, pk, write=True)
    if request.method != "POST":
        return render(
            request,
            "inspections/delete.html",
            {
                "title": "删除督查调研记录",
                "inspection": inspection,
                "campaign": inspection.campaign,
            },
        )
    campaign_pk = inspection.campaign_id
    services.delete_inspection(inspection, actor=request.user)
    messages.success(request, "已删除督查调研记录。")
    return redirect("inspections:campaign", campaign_pk=campaign_pk)


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = access.get_evidence_for(request.user, pk)
    resp = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=not evidence.content_type.startswith("image/"),
        filename=evidence.original_name or f"佐证材料{evidence.extension}",
    )
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
