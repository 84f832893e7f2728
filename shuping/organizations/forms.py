"""Forms for the tree pages. They only clean input; the services decide and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from shuping.lib.forms import IsoDateInput
from shuping.organizations.models import Organization, Person
from shuping.organizations.roster_read import valid_id_number

DATE = IsoDateInput()


class OrganizationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "sector", "sort_order", "is_retiree_branch"]
        help_texts = {"code": "全区唯一，如 QW-01-003；花名册导入按此编码识别。"}

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["is_active"] = forms.BooleanField(
                label="有效（取消勾选表示已撤销）", required=False, initial=self.instance.is_active
            )
            self.fields["dissolved_on"] = forms.DateField(
                label="撤销日期", required=False, widget=DATE, initial=self.instance.dissolved_on
            )

    def validate_unique(self) -> None:
        """Uniqueness is the service's job (one message, at the field)."""


def _people_label(person: Person) -> str:
    return f"{person.name}（{person.position or person.get_category_display()}）"


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Person) -> str:
        return _people_label(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Person) -> str:
        return _people_label(obj)


class SecretaryForm(forms.Form):
    secretary = PersonChoiceField(
        label="书记",
        queryset=Person.objects.none(),
        required=False,
        empty_label="（空缺）",
        help_text="选择“空缺”表示书记职位空缺；空缺的书记采取书面述职。",
    )
    deputy_secretary = PersonChoiceField(
        label="副书记", queryset=Person.objects.none(), required=False, empty_label="（无）"
    )

    committee_members = PeopleChoiceField(
        label="委员",
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="党组织委员会（支部委员会）委员，可包括书记、副书记。",
    )

    def __init__(self, *args: Any, candidates: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("secretary", "deputy_secretary", "committee_members"):
            self.fields[name].queryset = candidates  # type: ignore[attr-defined]


class PersonForm(forms.ModelForm):  # type: ignore[type-arg]
    """ID and phone numbers are write-only here: the page never shows them unmasked, and
    an empty field on edit keeps the stored value."""

    id_number = forms.CharField(label="身份证号", required=False, max_length=18)
    phone = forms.CharField(label="手机号", required=False, max_length=20)

    class Meta:
        model = Person
        fields = [
            "name",
            "gender",
            "birth_date",
            "category",
            "join_date",
            "member_status",
            "employment",
            "cadre_level",
            "position",
        ]
        widgets = {"birth_date": DATE, "join_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.instance
        self.initial.pop("id_number", None)
        self.initial.pop("phone", None)
        if person.pk:
            for name, masked in (
                ("id_number", person.masked_id_number),
                ("phone", person.masked_phone),
            ):
                if masked:
                    self.fields[name].widget.attrs["placeholder"] = masked
                    self.fields[name].help_text = f"已登记 {masked}；留空则不修改。"

    def clean_id_number(self) -> str:
        value = str(self.cleaned_data.get("id_number") or "").strip().upper()
        if value and not valid_id_number(value):
            raise forms.ValidationError("身份证号格式或校验位不正确。")
        return value

    def clean_phone(self) -> str:
        value = str(self.cleaned_data.get("phone") or "").strip()
        if value and not value.replace("-", "").isdigit():
            raise forms.ValidationError("手机号只能包含数字。")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("category") == "member" and not data.get("member_status"):
            self.add_error("member_status", "党员须选择党员类别（正式/预备）。")
        if data.get("category") != "member":
            data["member_status"] = ""
        return data

    def validate_unique(self) -> None:
        """Uniqueness is the service's job."""

    def service_fields(self) -> dict[str, Any]:
        data = {f: self.cleaned_data[f] for f in self.Meta.fields}
        for secret in ("id_number", "phone"):
            if self.cleaned_data.get(secret) or not self.instance.pk:
                data[secret] = self.cleaned_data.get(secret, "")
        return data


class OrgChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Organization) -> str:
        return "　" * obj.depth + obj.name


class TransferForm(forms.Form):
    to = OrgChoiceField(
        label="转入组织", queryset=Organization.objects.none(), empty_label="请选择转入的党组织"
    )
    on = forms.DateField(label="转接日期", required=False, widget=DATE)
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args: Any, targets: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = targets  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    new_parent = OrgChoiceField(
        label="新的上级组织", queryset=Organization.objects.none(), empty_label="请选择"
    )

    def __init__(self, *args: Any, targets: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = targets  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label="花名册文件（Excel）")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 Excel 花名册文件（可先下载模板）。")
        return upload


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="操作", required=False)
    start = forms.DateField(label="起始日期", required=False, widget=DATE)
    end = forms.DateField(label="截止日期", required=False, widget=DATE)

    def __init__(self, *args: Any, actions: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部"), *actions]  # type: ignore[attr-defined]
