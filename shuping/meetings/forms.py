"""Page forms. They only shape input; the services decide and raise field errors."""

from __future__ import annotations

from typing import Any

from django import forms

from shuping.lib.forms import IsoDateInput
from shuping.organizations.models import Person


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label="会议类型")
    title = forms.CharField(label="会议名称", max_length=200)
    starts_at = forms.DateTimeField(
        label="会议时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label="地点", max_length=200, required=False)
    host = forms.ModelChoiceField(label="主持人", queryset=Person.objects.none(), required=False)

    def __init__(
        self,
        *args: Any,
        kinds: list[tuple[str, str]],
        hosts: Any,
        with_kind: bool = True,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        self.fields["host"].queryset = hosts  # type: ignore[attr-defined]
        if not with_kind:
            del self.fields["kind"]


class AddEntryForm(forms.Form):
    reporter = forms.ChoiceField(label="述职对象")
    speaks = forms.BooleanField(label="现场述职", required=False, initial=True)
    reason = forms.CharField(label="调整理由", max_length=300)

    def __init__(self, *args: Any, reporters: list[tuple[int, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["reporter"].choices = reporters  # type: ignore[attr-defined]


class AttendeeForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=40)
    category = forms.ChoiceField(label="类别")
    unit = forms.CharField(label="单位/职务", max_length=120, required=False)

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["category"].choices = categories  # type: ignore[attr-defined]


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label="仍继续进行的理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class QuestionForm(forms.Form):
    asker_category = forms.ChoiceField(label="提问人类别", required=False)
    asker_name = forms.CharField(label="提问人（可不填）", max_length=40, required=False)
    text = forms.CharField(label="问题", widget=forms.Textarea(attrs={"rows": 2}))
    answer = forms.CharField(label="回答", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    promise = forms.CharField(label="承诺事项", max_length=300, required=False)
    promised_by = forms.DateField(label="承诺完成时间", required=False, widget=IsoDateInput())

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["asker_category"].choices = [("", "—"), *categories]  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    answer = forms.CharField(label="回答", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    promise = forms.CharField(label="承诺事项", max_length=300, required=False)
    promised_by = forms.DateField(label="承诺完成时间", required=False, widget=IsoDateInput())


class CritiqueForm(forms.Form):
    text = forms.CharField(
        label="点评意见", widget=forms.Textarea(attrs={"rows": 6}), required=False
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        # Shown on the same page as QuestionForm, whose `text` would also be `id_text`:
        # the label 点评意见 would then focus the question box.
        kw.setdefault("auto_id", "critique_%s")
        super().__init__(*args, **kw)


class SelfSignInForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=40)
    phone_last4 = forms.CharField(
        label="手机号后四位",
        max_length=4,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text="登记过手机号的同志请填写，用于核对身份。",
    )
