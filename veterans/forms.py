"""Clerk forms of the registry: list filters, registration (信息采集), edit, transfer (迁移)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from canghzou_portal import codes
from canghzou_portal.scoping import ScopedFormMixin, user_can_reach_station
from services.models import Station

from . import choices, selectors
from .actions import EDITABLE_FIELDS, transfer_target_error
from .models import Veteran
from .validators import normalize_id_number

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choice_list, label="全部"):
    return [("", label), *choice_list]


def _name_fields_in_errors(form: forms.BaseForm) -> None:
    """Every generic error message names its field (``入伍时间：日期格式不正确``)."""
    for field in form.fields.values():
        label = field.label or ""
        messages = {
            "required": f"请填写{label}",
            "invalid": f"{label}：格式不正确",
            "invalid_choice": f"{label}：所选项无效",
            "max_length": f"{label}：最多%(limit_value)d个字",
            "min_value": f"{label}：不能小于%(limit_value)s",
            "max_value": f"{label}：不能大于%(limit_value)s",
        }
        if isinstance(field, forms.DateField):
            messages["invalid"] = f"{label}：日期格式不正确，应为“年-月-日”"
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            messages["required"] = f"请选择{label}"
        field.error_messages.update(messages)


class VeteranFilterForm(forms.Form):
    """The list's search box and filters; a station outside the subtree is an error, never applied."""

    q = forms.CharField(
        label="查询",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "姓名、拼音首字母、完整身份证号或手机号"}),
    )
    station = forms.CharField(label="服务站", required=False, widget=forms.Select)
    status = forms.ChoiceField(label="在册状态", required=False, choices=_blank(choices.RegistryStatus.choices))
    employment_status = forms.ChoiceField(
        label="就业状态", required=False, choices=_blank(choices.EmploymentStatus.choices)
    )
    category = forms.ChoiceField(label="人员类别", required=False, choices=_blank(choices.Category.choices))

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        stations = selectors.filter_station_choices(user).only("code", "name", "level")
        self.fields["station"].widget.choices = [("", "全部（本辖区）")] + [
            (s.code, f"{'　' * codes.LEVELS.index(s.level)}{s.name}") for s in stations
        ]

    def clean_station(self) -> Station | None:
        code = (self.cleaned_data.get("station") or "").strip()
        if not code:
            return None
        station = Station.objects.filter(code=code).first() if codes.is_valid_code(code) else None
        if station is None or not user_can_reach_station(self.user, station):
            raise ValidationError("服务站：所选服务站不存在或不在您的辖区范围内，已按本辖区全部显示")
        return station

    def filters(self) -> dict:
        """Only the valid filters (an invalid value is dropped, the others still apply)."""
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in self.fields if name not in self.errors and data.get(name)}


class VeteranForm(ScopedFormMixin, forms.ModelForm):
    """信息采集 and edit. Birth date and gender are derived from the ID number (not entered).

    On edit, the ID and phone fields start empty (the stored values are never sent to the browser);
    left empty they keep the stored value. The station is set at registration only.
    """

    id_number = forms.CharField(
        label="身份证号",
        max_length=18,
        min_length=0,
        help_text="18位身份证号，末位X大小写都可以。出生日期和性别按号码自动填写。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    class Meta:
        model = Veteran
        fields = ("station", *EDITABLE_FIELDS)
        widgets = {
            "enlistment_date": DATE,
            "discharge_date": DATE,
            "party_join_date": DATE,
            "preferential_card_date": DATE,
            "status_date": DATE,
            "registered_on": DATE,
            "skills": forms.TextInput(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.editing = self.instance.pk is not None
        if self.editing:
            del self.fields["station"]
            for name, masked in (("id_number", self.instance.masked_id_number), ("phone", self.instance.masked_phone)):
                self.fields[name].required = False
                self.fields[name].widget.attrs["placeholder"] = masked or "未填写"
                self.fields[name].help_text = f"当前：{masked or '未填写'}。如需更正请填写完整号码，留空则不修改"
                self.initial[name] = ""
        else:
            station_field = self.fields["station"]
            station_field.queryset = station_field.queryset.filter(is_active=True).order_by("code")
            station_field.empty_label = None if user.station_id and not user.is_superuser else "请选择"
            if user.station_id and "station" not in self.initial:
                self.initial["station"] = user.station_id
            self.initial.setdefault("registered_on", timezone.localdate())
        household = self.fields["household"]
        household.queryset = household.queryset.select_related("station").order_by("station_id", "head_name")
        household.label_from_instance = lambda h: f"{h.head_name}户（{h.station.name}）"
        household.empty_label = "未关联"
        for field in self.fields.values():
            if isinstance(field, forms.TypedChoiceField) and field.choices and field.choices[0][0] in ("", None):
                field.choices = [("", "请选择"), *field.choices[1:]]
        _name_fields_in_errors(self)
        self.helper = self._helper()

    def _helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        identity = [Column("phone", css_class="col-md-4")]
        if not self.editing:
            identity.append(Column("station", css_class="col-md-4"))
        identity.append(Column("household", css_class="col-md-4"))
        helper.layout = Layout(
            Fieldset(
                "基本信息",
                Row(Column("name", css_class="col-md-4"), Column("id_number", css_class="col-md-5"),
                    Column("ethnicity", css_class="col-md-3")),
                Row(*identity),
                Row(Column("household_address", css_class="col-md-6"), Column("current_address", css_class="col-md-6")),
            ),
            Fieldset(
                "服役信息",
                Row(Column("service_branch", css_class="col-md-4"), Column("enlistment_date", css_class="col-md-4"),
                    Column("discharge_date", css_class="col-md-4")),
                Row(Column("last_rank", css_class="col-md-4"), Column("category", css_class="col-md-4"),
                    Column("placement", css_class="col-md-4")),
            ),
            Fieldset(
                "政治面貌与文化程度",
                Row(Column("is_party_member", css_class="col-md-4 pt-md-4"),
                    Column("party_join_date", css_class="col-md-4"), Column("education", css_class="col-md-4")),
                Row(Column("skills", css_class="col-md-12")),
            ),
            Fieldset(
                "优抚保障",
                Row(Column("disability_grade", css_class="col-md-4"), Column("care_category", css_class="col-md-4"),
                    Column("is_hardship", css_class="col-md-4 pt-md-4")),
                Row(Column("preferential_card_number", css_class="col-md-6"),
                    Column("preferential_card_date", css_class="col-md-6")),
            ),
            Fieldset(
                "就业情况",
                Row(Column("employment_status", css_class="col-md-6"), Column("employer_name", css_class="col-md-6")),
            ),
            Fieldset(
                "在册状态",
                Row(Column("status", css_class="col-md-4"), Column("status_date", css_class="col-md-4"),
                    Column("registered_on", css_class="col-md-4")),
            ),
        )  # fmt: skip
        helper.add_input(Submit("submit", "保存修改" if self.editing else "提交登记"))
        return helper

    def clean_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data.get("id_number"))
        if not value:
            if self.editing:
                return self.instance.id_number
            raise ValidationError("请填写身份证号")
        return value

    def clean_phone(self) -> str:
        value = (self.cleaned_data.get("phone") or "").strip()
        if not value and self.editing:
            return self.instance.phone
        return value

    def action_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class VeteranEditForm(VeteranForm):
    """Edit form: carries the version read with the record (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)

    def action_data(self) -> dict:
        data = super().action_data()
        data.pop("version", None)
        return data


class TransferForm(forms.Form):
    """迁移: any active township or village station of the city, by its 12-digit code."""

    to_station = forms.CharField(
        label="迁入服务站（区划代码）",
        max_length=12,
        help_text="填迁入服务站的12位区划代码。也可以从下拉提示中选择。",
        widget=forms.TextInput(attrs={"list": "station-suggestions", "autocomplete": "off", "inputmode": "numeric"}),
    )
    date = forms.DateField(label="迁移日期", widget=DATE)
    reason = forms.CharField(label="迁移原因", max_length=200, required=False, widget=forms.TextInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        self.fields["date"].error_messages.update(required="请填写迁移日期", invalid="迁移日期格式不正确")
        self.fields["to_station"].error_messages.update(required="请填写迁入服务站")

    def clean_to_station(self) -> Station:
        code = (self.cleaned_data.get("to_station") or "").strip()
        station = Station.objects.filter(code=code).first() if codes.is_valid_code(code) else None
        if station is None:
            raise ValidationError(f"迁入服务站：区划代码“{code}”不存在")
        refused = transfer_target_error(station)
        if refused:
            raise ValidationError(refused)
        return station
