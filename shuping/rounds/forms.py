"""Forms of the rounds pages. They only collect input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from shuping.lib.errors import DomainError
from shuping.lib.forms import IsoDateInput
from shuping.rounds.models import FilingKind, ReportMode


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's Chinese message at the field it names, else above the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class CampaignCreateForm(forms.Form):
    committee = forms.TypedChoiceField(label="组织单位", coerce=int)
    preset = forms.ChoiceField(label="方案模板")
    year = forms.IntegerField(label="述职年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="方案名称", required=False, help_text="留空则按模板生成")
    doc_number = forms.CharField(
        label="文号", required=False, max_length=60, help_text="留空则按模板"
    )
    onsite_places = forms.IntegerField(
        label="现场述职名额",
        required=False,
        min_value=0,
        help_text="留空则按模板（不限则全部按默认方式）",
    )
    sampling_seed = forms.IntegerField(
        label="抽样种子",
        required=False,
        min_value=0,
        help_text="留空则随机生成并记录，可用于复现抽样",
    )

    def __init__(
        self,
        *args: Any,
        committees: list[tuple[int, str]],
        presets: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = committees  # type: ignore[attr-defined]
        self.fields["preset"].choices = presets  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="调整理由", max_length=200, required=False)


class ModeForm(ReasonForm):
    mode = forms.ChoiceField(label="述职方式", choices=ReportMode.choices)


class AddReporterForm(ModeForm):
    organization = forms.TypedChoiceField(label="党组织", coerce=int)

    def __init__(self, *args: Any, organizations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = organizations  # type: ignore[attr-defined]
        self.order_fields(["organization", "mode", "reason"])


class DeadlineForm(forms.Form):
    title = forms.CharField(label="事项", max_length=120)
    starts_on = forms.DateField(label="开始", required=False, widget=IsoDateInput())
    due_on = forms.DateField(label="截止", required=False, widget=IsoDateInput())


class SubRoundForm(forms.Form):
    committees = forms.TypedMultipleChoiceField(
        label="下级单位", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    preset = forms.ChoiceField(label="方案模板", required=False)

    def __init__(
        self,
        *args: Any,
        committees: list[tuple[int, str]],
        presets: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committees"].choices = committees  # type: ignore[attr-defined]
        self.fields["preset"].choices = [("", "比照本方案"), *presets]  # type: ignore[attr-defined]


class FilingForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=FilingKind.choices)
    meeting_on = forms.DateField(label="会议日期", required=False, widget=IsoDateInput())
    note = forms.CharField(label="说明", max_length=300, required=False)


class PresetCopyForm(forms.Form):
    committee = forms.TypedChoiceField(label="所属单位", coerce=int)
    title = forms.CharField(label="模板名称", max_length=200)

    def __init__(self, *args: Any, committees: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = committees  # type: ignore[attr-defined]


class PresetEditForm(forms.Form):
    """A few structured fields over the full TOML text; each changed field is written
    into the text (services.save_preset_version) before it is validated."""

    STRUCTURED = {
        "title": "title",
        "report_max_chars": "report.max_chars",
        "report_target_chars": "report.target_chars",
        "onsite_places": "modes.onsite_places",
        "minutes_per_report": "meetings[0].minutes_per_report",
    }
    title = forms.CharField(label="模板名称", max_length=200)
    report_max_chars = forms.IntegerField(label="述职报告字数上限", required=False, min_value=1)
    report_target_chars = forms.IntegerField(
        label="述职报告字数（左右）", required=False, min_value=1
    )
    onsite_places = forms.IntegerField(label="现场述职名额", required=False, min_value=0)
    minutes_per_report = forms.IntegerField(
        label="第一个述职会每人述职时间（分钟）", required=False, min_value=1
    )
    upload = forms.FileField(
        label="从文件导入", required=False, help_text="选择导出的模板文件；选了文件则以文件内容为准"
    )
    text = forms.CharField(
        strip=False,  # line numbers in errors must match what the editor shows
        label="模板内容（TOML）",
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "code"}),
    )
    note = forms.CharField(label="修改说明", max_length=200, required=False)


class PersonForm(ReasonForm):
    person = forms.TypedChoiceField(label="述职人（负责人）", coerce=int)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = people  # type: ignore[attr-defined]
        self.order_fields(["person", "reason"])


def preset_edit_initial(title: str, rules: dict[str, Any], text: str) -> dict[str, Any]:
    meetings = rules.get("meetings") or [{}]
    return {
        "title": title,
        "report_max_chars": rules.get("report", {}).get("max_chars"),
        "report_target_chars": rules.get("report", {}).get("target_chars"),
        "onsite_places": rules.get("modes", {}).get("onsite_places"),
        "minutes_per_report": meetings[0].get("minutes_per_report"),
        "text": text,
    }


class PlacesForm(ReasonForm):
    places = forms.IntegerField(label="现场述职名额", required=False, min_value=0)
    field_order = ["places", "reason"]
