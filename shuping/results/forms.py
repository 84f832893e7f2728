"""Page forms. They only shape input; the services decide and raise field errors."""

from __future__ import annotations

from typing import Any

from django import forms

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FlagsForm(forms.Form):
    flags = forms.MultipleChoiceField(
        label="组织标记", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["flags"].choices = choices  # type: ignore[attr-defined]


class CompleteTaskForm(forms.Form):
    done_on = forms.DateField(label="落实日期", widget=DATE)
    talked_by = forms.CharField(label="谈话人", max_length=100, required=False)
    talked_to = forms.CharField(label="谈话对象", max_length=100, required=False)
    gist = forms.CharField(
        label="落实情况（谈话主要内容）", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    scan = forms.FileField(label="扫描件（可选，JPG/PNG/PDF，不超过10MB）", required=False)

    def __init__(self, *args: Any, talk: bool, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if not talk:
            del self.fields["talked_by"]
            del self.fields["talked_to"]
            self.fields["gist"].label = "落实情况"


class CancelTaskForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=300)


class DueForm(forms.Form):
    due_on = forms.DateField(label="完成期限", widget=DATE, required=False)


class FeedbackForm(forms.Form):
    reporters = forms.MultipleChoiceField(label="反馈对象", widget=forms.CheckboxSelectMultiple)
    handed_over_on = forms.DateField(label="反馈日期", widget=DATE)
    way = forms.CharField(label="反馈方式", max_length=60)
    handed_over_by = forms.CharField(label="反馈人", max_length=100, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args: Any, reporters: list[tuple[int, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["reporters"].choices = reporters  # type: ignore[attr-defined]


class AnnouncementForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    doc_number = forms.CharField(label="文号", max_length=60, required=False)
    recipients = forms.CharField(label="主送", max_length=200, required=False)
    range_text = forms.CharField(label="通报范围", max_length=200, required=False)
    body = forms.CharField(
        label="正文（每段一行）", widget=forms.Textarea(attrs={"rows": 12}), max_length=20000
    )


class NoticeForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="公示说明", widget=forms.Textarea(attrs={"rows": 6}))
    where = forms.CharField(label="公示地点", max_length=300)
    contact = forms.CharField(label="意见受理", max_length=200, required=False)
    days = forms.IntegerField(label="公示天数", min_value=1, max_value=60)


class StartNoticeForm(forms.Form):
    starts_on = forms.DateField(label="公示开始日期", widget=DATE)


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label="收到日期", widget=DATE)
    received_by = forms.CharField(label="受理人", max_length=100)
    raised_by = forms.CharField(
        label="反映人", max_length=100, required=False, help_text="匿名反映可不填"
    )
    reporter = forms.ChoiceField(label="涉及对象", required=False)
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, reporters: list[tuple[Any, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["reporter"].choices = [("", "（未指明）"), *reporters]  # type: ignore[attr-defined]


class DecideObjectionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="核查结论",
        choices=[("0", "异议不成立"), ("1", "异议成立（该对象等次退回复核）")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    handling = forms.CharField(label="核查处理情况", widget=forms.Textarea(attrs={"rows": 3}))
    answer = forms.CharField(label="答复意见", widget=forms.Textarea(attrs={"rows": 3}))


class CalendarForm(forms.Form):
    day = forms.DateField(label="日期", widget=DATE)
    is_workday = forms.TypedChoiceField(
        label="这一天",
        choices=[("1", "工作日（上班）"), ("0", "休息日（放假）"), ("", "取消更正，按官方日历")],
        coerce=lambda v: {"1": True, "0": False}.get(v),
        empty_value=None,
        required=False,
    )
    note = forms.CharField(label="说明", max_length=200, required=False)
