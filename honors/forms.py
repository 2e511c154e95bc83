"""Forms of the honors screens. Choices that belong to a station are scoped to the user's subtree."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from canghzou_portal.scoping import ScopedFormMixin, scope_queryset
from services.models import Station

from . import selectors
from .models import CommendationDelivery, HonorType, Merit, Nomination, NominationStatus, ServingMember
from .validators import validate_attachment


def _this_year() -> int:
    return timezone.localdate().year


class SubjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = getattr(obj, "name", None) or f"{obj.head_name}户"
        return f"{name}（{obj.station.name}）"


class NominationForm(ScopedFormMixin, forms.ModelForm):
    veteran = SubjectChoiceField(
        queryset=None,
        required=False,
        label="退役军人",
        help_text="个人类荣誉（最美/模范退役军人、光荣在党50年）选择退役军人",
    )
    household = SubjectChoiceField(
        queryset=None,
        required=False,
        label="家庭户",
        help_text="家庭类荣誉（军人世家、军人家庭、立功受奖喜报）选择家庭户",
    )
    attachment = forms.FileField(
        label="证明材料",
        required=False,
        help_text="选填。PDF、JPG 或 PNG 格式，不超过 5 MB。提交后还可以在详情页上传。",
    )

    class Meta:
        model = Nomination
        fields = ["honor_type", "year", "veteran", "household", "reasons"]
        widgets = {"reasons": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["honor_type"].queryset = selectors.honor_types()
        self.fields["veteran"].queryset = selectors.subject_veterans(user)
        self.fields["household"].queryset = selectors.subject_households(user)
        self.fields["year"].initial = _this_year()
        self.fields["honor_type"].error_messages["required"] = "请选择荣誉类型"
        self.fields["reasons"].error_messages["required"] = "请填写推荐理由"

    def clean_year(self):
        year = self.cleaned_data["year"]
        now = _this_year()
        if not (now - 10 <= year <= now + 1):
            raise forms.ValidationError(f"提名年度须在{now - 10}年至{now + 1}年之间")
        return year

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            validate_attachment(upload)
        return upload

    def clean(self):
        data = super().clean()
        honor_type = data.get("honor_type")
        if honor_type is not None:
            if honor_type.takes_household:
                data["veteran"] = None
                if not data.get("household") and "household" not in self.errors:
                    self.add_error("household", f"“{honor_type.name}”授予家庭户，请选择家庭户")
            else:
                data["household"] = None
                if not data.get("veteran") and "veteran" not in self.errors:
                    self.add_error("veteran", f"“{honor_type.name}”授予个人，请选择退役军人")
        return data

    def _post_clean(self):  # the action validates the model; skip ModelForm's instance checks
        pass


class NominationEditForm(forms.Form):
    reasons = forms.CharField(label="推荐理由", widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)


class AttachmentForm(forms.Form):
    file = forms.FileField(label="证明材料", help_text="PDF、JPG 或 PNG，不超过 5 MB")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_attachment(upload)
        return upload


class ReviewForm(forms.Form):
    DECISIONS = [("approve", "审核通过"), ("reject", "不予通过"), ("return", "退回修改")]
    decision = forms.ChoiceField(label="审核结论", choices=DECISIONS, error_messages={"required": "请选择审核结论"})
    comment = forms.CharField(
        label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") in ("reject", "return") and not (data.get("comment") or "").strip():
            what = "不予通过的理由" if data["decision"] == "reject" else "退回修改的意见"
            self.add_error("comment", f"请填写{what}")
        return data


class YearForm(forms.Form):
    year = forms.IntegerField(
        label="颁发年度",
        error_messages={"invalid": "年度须为四位数字，如 2026", "required": "请填写颁发年度"},
    )

    def clean_year(self):
        year = self.cleaned_data["year"]
        now = _this_year()
        if not (2000 <= year <= now + 1):
            raise forms.ValidationError(f"颁发年度须在2000年至{now + 1}年之间")
        return year


class NominationFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *NominationStatus.choices])
    honor_type = forms.ModelChoiceField(
        label="荣誉类型", required=False, queryset=HonorType.objects.all(), empty_label="全部类型"
    )
    year = forms.IntegerField(label="年度", required=False, min_value=1950, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].error_messages.update(
            {"invalid": "年度须为四位数字", "min_value": "年度不能早于1950年", "max_value": "年度不能晚于2100年"}
        )
        self.fields["honor_type"].error_messages["invalid_choice"] = "荣誉类型不存在"
        self.fields["status"].error_messages["invalid_choice"] = "状态不存在"
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-control" if name == "year" else "form-select"


class PublicRollFilterForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=1950, max_value=2100)
    type = forms.ModelChoiceField(
        label="荣誉类型",
        required=False,
        queryset=HonorType.objects.filter(is_active=True),
        to_field_name="code",
        empty_label="全部类型",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].error_messages.update(
            {"invalid": "年度须为四位数字", "min_value": "年度不能早于1950年", "max_value": "年度不能晚于2100年"}
        )
        self.fields["type"].error_messages["invalid_choice"] = "荣誉类型不存在"


class ServingMemberForm(ScopedFormMixin, forms.ModelForm):
    household = SubjectChoiceField(queryset=None, required=False, label="家庭户")

    class Meta:
        model = ServingMember
        fields = ["name", "hometown_station", "household", "unit", "enlistment_year", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["hometown_station"].queryset = scope_queryset(Station.objects.active(), user).filter(
            level__in=["township", "village"]
        )
        self.fields["household"].queryset = selectors.subject_households(user)

    def _post_clean(self):
        pass


class MeritForm(forms.ModelForm):
    class Meta:
        model = Merit
        fields = ["kind", "year", "description"]


class DeliveryForm(forms.ModelForm):
    class Meta:
        model = CommendationDelivery
        fields = ["date", "deliverer", "notes"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].error_messages["invalid"] = "送达日期格式不正确，应为 年-月-日"

    def _post_clean(self):
        pass
