"""The structured editor of an office preset (see preset_form.py) and its preview."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from shuping.accounts.access import can_manage
from shuping.lib.errors import DomainError, NotFound
from shuping.rounds import preset_form as pf
from shuping.rounds import preset_services
from shuping.rounds.models import Preset, PresetVersion


def get_office_preset_for(user: Any, key: str) -> Preset:
    """An office preset the user may edit; anything else is "not found"."""
    try:
        preset = Preset.objects.select_related("committee").get(key=key)
    except Preset.DoesNotExist:
        raise NotFound() from None
    if not can_manage(user, preset.committee):
        raise NotFound()
    return preset


def _version(preset: Preset, number: int) -> PresetVersion:
    version = preset.versions.filter(number=number).first() if number else None
    return version or preset.latest()


@login_required
def preset_edit(request: HttpRequest, key: str) -> HttpResponse:
    preset = get_office_preset_for(request.user, key)
    open_panel = "basic"
    errors: dict[str, list[str]] = {}
    preview: list[preset_services.PreviewBlock] | None = None
    if request.method != "POST":
        open_panel = request.GET.get("open", open_panel)  # a link may open one section
        latest = preset.latest()
        state = pf.state_from_rules(
            preset_services.version_meta(latest), latest.rules, base=latest.number
        )
    else:
        state = pf.state_from_post(request.POST)
        base = _version(preset, state.base)
        state.base = state.base or base.number
        add, remove = request.POST.get("_add", ""), request.POST.get("_remove", "")
        if add or remove:
            open_panel = pf.apply_action(state, add=add, remove=remove) or open_panel
        else:
            built = pf.build_rules(state, preset_services.version_meta(base), base.rules)
            errors = built.errors
            open_panel = ""
            if not errors and "_save" in request.POST:
                try:
                    version = preset_services.save_preset_form(
                        preset,
                        actor=request.user,
                        base_number=state.base,
                        meta=built.meta,
                        rules_data=built.data,
                        note=state.note,
                    )
                except DomainError as exc:
                    errors = {"__all__": [exc.message]}
                else:
                    messages.success(
                        request, f"已保存为第{version.number}版。已建方案仍使用创建时的规则。"
                    )
                    return redirect("rounds:preset_detail", key=preset.key)
            elif not errors and ("_preview" in request.POST or "_preview_docx" in request.POST):
                name, content_type, data = preset_services.preview_document(
                    preset.committee,
                    title=built.meta.get("title", preset.title),
                    rules_data=built.data,
                    year=timezone.localdate().year,
                )
                if "_preview_docx" in request.POST:
                    response = HttpResponse(data, content_type=content_type)
                    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
                    return response
                preview = preset_services.preview_blocks(data)
    scale = [s for s in pf._SPLIT.split(str(state.values.get("rules.ballot_scale", ""))) if s]
    panels = pf.bind(state, errors, open_panel=open_panel, ballot_scale=scale)
    return render(
        request,
        "rounds/preset_form.html",
        {
            "title": f"编辑模板：{preset.title}",
            "office": preset,
            "state": state,
            "panels": panels,
            "form_errors": errors.get("__all__", []),
            "error_total": sum(len(v) for v in errors.values()),
            "preview": preview,
            "preview_year": timezone.localdate().year,
            "days": pf.DAYS,
            "months": pf.MONTHS,
        },
        status=200,
    )


@login_required
def preset_preview(request: HttpRequest, key: str) -> HttpResponse:
    """The plan document the saved preset gives this office, as a page or a download."""
    preset = get_office_preset_for(request.user, key)
    latest = preset.latest()
    year = timezone.localdate().year
    name, content_type, data = preset_services.preview_document(
        preset.committee, title=preset.title, rules_data=latest.rules, year=year
    )
    if request.GET.get("download"):
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    return render(
        request,
        "rounds/preset_preview.html",
        {
            "title": f"预览：{preset.title}（第{latest.number}版）",
            "office": preset,
            "preview": preset_services.preview_blocks(data),
            "preview_year": year,
            "saved": True,
        },
    )
