from __future__ import annotations

from django import forms

from shuping.filing.models import SUMMARY_PARTS


class UploadForm(forms.Form):
    file = forms.FileField(
        label="选择文件",
        help_text="Word 文档、PDF、JPG/PNG 图片或演示文稿，不超过 20 MB",
        error_messages={"required": "请选择要上传的文件。"},
    )


class ExcuseForm(forms.Form):
    reason = forms.CharField(
        label="缺项理由",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="说明该材料为何缺少；清空后保存即撤回理由",
        error_messages={"max_length": "缺项理由不能超过 500 字。"},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写理由。", "max_length": "理由不能超过 2000 字。"},
    )


class SummaryForm(forms.Form):
    title = forms.CharField(
        label="标题", max_length=200, error_messages={"required": "请填写标题。"}
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for key, label in SUMMARY_PARTS:
            self.fields[key] = forms.CharField(
                label=f"{label}",
                required=False,
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 8}),
                error_messages={"max_length": f"“{label}”不能超过 20000 字。"},
            )
