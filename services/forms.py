"""Forms of the station services pages (records, public-welfare posts, evaluations)."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from . import selectors
from .models import PublicWelfarePost, ServiceRecord, StationEvaluation

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_validation_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach an action's ValidationError to the form (unknown fields become non-field errors)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _bootstrap(form: forms.BaseForm, size: str = "-sm") -> None:
    """Bootstrap classes for forms rendered field by field (filter bars, search boxes)."""
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs["class"] = f"{css} {css}{size}" if size else css


def _valid_data(form: forms.Form) -> dict:
    """The fields of a filter form that passed validation (invalid ones are ignored)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data


class StationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        indent = {"city": "", "county": "　", "township": "　　", "village": "　　　"}.get(obj.level, "")
        return f"{indent}{obj.name}（{obj.get_level_display()}）"


# --- service records ----------------------------------------------------------------------
class ServiceRecordFilterForm(forms.Form):
    kind = forms.ChoiceField(label="服务类型", required=False, choices=[("", "全部类型"), *ServiceRecord.Kind.choices])
    month = forms.CharField(
        label="月份",
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "例如 2026-11", "type": "month"}),
    )
    station = StationChoiceField(
        label="服务站（含下级）", required=False, queryset=None, to_field_name="code", empty_label="全部服务站"
    )
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *ServiceRecord.Status.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = selectors.filter_station_choices(user)
        _bootstrap(self)

    def clean_month(self) -> str:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return ""
        match = MONTH_RE.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2100:
            raise ValidationError("月份格式不正确，应为“年-月”，例如 2026-11")
        return value

    def filters(self) -> dict:
        """Keyword arguments for selectors.service_records_for_user (only valid fields)."""
        data = _valid_data(self)
        station = data.get("station")
        return {
            "kind": data.get("kind") or None,
            "month": data.get("month") or None,
            "station_code": station.code if station else None,
            "status": data.get("status") or None,
        }


class VeteranSearchForm(forms.Form):
    q = forms.CharField(
        label="查找退役军人",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "姓名、拼音首字母或18位身份证号", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self, size="")


class ServiceRecordForm(forms.ModelForm):
    """Kind, date, summary, outcome, aid amount and station of a record about one veteran."""

    station = StationChoiceField(label="服务站", queryset=None, empty_label=None)

    class Meta:
        model = ServiceRecord
        fields = ("kind", "date", "station", "summary", "outcome", "aid_amount")
        widgets = {
            "date": DATE_WIDGET,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "aid_amount": "仅“帮扶援助”填写，单位：元",
            "outcome": "权益维护事项须填写办理结果才能办结",
        }

    def __init__(self, *args, user, veteran, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.veteran = veteran
        self.instance.veteran = veteran
        self.fields["station"].queryset = selectors.record_station_choices(user, veteran)
        if not self.instance.pk:
            self.fields["station"].initial = veteran.station_id
            self.fields["date"].initial = timezone.localdate()
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["aid_amount"].widget.attrs.update({"min": "0.01", "step": "0.01"})


class ServiceRecordCloseForm(forms.Form):
    outcome = forms.CharField(
        label="办理结果",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="权益维护事项必须填写办理结果",
    )


# --- public-welfare posts -------------------------------------------------------------------
class WelfarePostFilterForm(forms.Form):
    STATE_CHOICES = [("", "全部"), ("active", "在岗"), ("ended", "已离岗")]
    state = forms.ChoiceField(label="在岗状态", required=False, choices=STATE_CHOICES)
    q = forms.CharField(label="岗位或姓名", required=False, max_length=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def filters(self) -> dict:
        data = _valid_data(self)
        state = data.get("state")
        return {
            "active": {"active": True, "ended": False}.get(state),
            "q": (data.get("q") or "").strip(),
        }


class WelfarePostForm(forms.ModelForm):
    station = StationChoiceField(label="服务站", queryset=None, empty_label=None)

    class Meta:
        model = PublicWelfarePost
        fields = ("post_name", "station", "start_date", "monthly_subsidy")
        widgets = {"start_date": DATE_WIDGET}
        help_texts = {"post_name": "例如：村级退役军人服务站专职人员、公共设施管护员"}

    def __init__(self, *args, user, veteran, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.veteran = veteran
        self.instance.veteran = veteran
        self.fields["station"].queryset = selectors.record_station_choices(user, veteran)
        self.fields["station"].initial = veteran.station_id
        self.fields["start_date"].initial = timezone.localdate()
        self.fields["monthly_subsidy"].widget.attrs.update({"min": "0", "step": "0.01"})


class WelfarePostEndForm(forms.Form):
    end_date = forms.DateField(label="离岗日期", widget=DATE_WIDGET)

    def __init__(self, *args, post: PublicWelfarePost, **kwargs):
        super().__init__(*args, **kwargs)
        self.post = post
        self.fields["end_date"].initial = timezone.localdate()
        self.fields["end_date"].widget.attrs.update(
            {"min": post.start_date.isoformat(), "max": timezone.localdate().isoformat()}
        )

    def clean_end_date(self) -> datetime.date:
        value = self.cleaned_data["end_date"]
        if value < self.post.start_date:
            raise ValidationError(f"离岗日期不能早于上岗日期（{self.post.start_date:%Y-%m-%d}）")
        return value


# --- station evaluations ------------------------------------------------------------------
class EvaluationFilterForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2018, max_value=2100)
    level = forms.ChoiceField(
        label="层级",
        required=False,
        choices=[("", "全部层级"), ("county", "县级"), ("township", "乡镇级"), ("village", "村级")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def filters(self) -> dict:
        data = _valid_data(self)
        return {"year": data.get("year"), "level": data.get("level") or None}


class StationEvaluationForm(forms.ModelForm):
    station = StationChoiceField(label="被评服务站", queryset=None)

    class Meta:
        model = StationEvaluation
        fields = (
            "station",
            "year",
            "has_organization",
            "has_staffing",
            "has_personnel",
            "has_funding",
            "has_support",
            "score",
            "stars",
            "notes",
        )
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "stars": forms.Select(choices=[])}
        help_texts = {"score": "0–100 分", "stars": "1–5 星"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["station"].queryset = selectors.evaluable_stations(user)
        self.fields["stars"].widget.choices = [("", "请选择")] + [(n, f"{n}星") for n in range(1, 6)]
        if self.instance.pk:
            self.fields["station"].disabled = True
            self.fields["year"].disabled = True
        else:
            self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        data = super().clean()
        station, year = data.get("station"), data.get("year")
        if station and year:
            # The action checks the same rule; an error on "year" here also keeps the model's unique
            # constraint from repeating it in Django's generic words.
            clash = selectors.evaluation_clash_message(station, year, exclude_pk=self.instance.pk)
            if clash:
                self.add_error("year", clash)
        return data
