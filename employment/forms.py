"""Forms of the employment app (parse input only; rules live in actions)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from canghzou_portal import codes
from services.models import Station
from veterans.validators import normalize_id_number, parse_resident_id, validate_mobile

from .models import ApplicationStatus, JobCategory, JobPosting
from .numbers import normalize_application_number
from .selectors import MAX_PAGE


class JobSearch:
    """The job board's GET parameters, validated field by field exactly as a Django form would
    (same fields, widgets and Chinese messages), without building a ``Form`` per request: a form
    deep-copies its fields and widgets, ~0.5 ms on the portal's hottest page.

    Invalid parameters are reported in ``errors`` and ignored; no parameters at all: no errors.
    """

    FIELDS = {
        "q": forms.CharField(label="关键词", max_length=50, required=False),
        "category": forms.ChoiceField(
            label="岗位类别",
            required=False,
            choices=[("", "全部类别"), *JobCategory.choices],
            error_messages={"invalid_choice": "所选岗位类别不存在"},
        ),
        "min_salary": forms.IntegerField(
            label="最低月薪（元）",
            required=False,
            min_value=0,
            max_value=1_000_000,
            error_messages={
                "invalid": "最低月薪须为整数（元）",
                "min_value": "最低月薪不能为负数",
                "max_value": "最低月薪不能超过1000000元",
            },
        ),
        "partner": forms.BooleanField(label="仅看拥军企业", required=False),
        "page": forms.IntegerField(
            required=False,
            min_value=1,
            max_value=MAX_PAGE,
            error_messages={
                "invalid": "页码须为正整数",
                "min_value": "页码须为正整数",
                "max_value": f"最多可翻到第{MAX_PAGE}页，请用筛选条件缩小范围",
            },
        ),
    }
    ORDER = ("q", "county", "category", "min_salary", "partner", "page")  # order of the messages
    _county_fields: dict[tuple, forms.ChoiceField] = {}

    def __init__(self, data, *, counties: list[tuple[str, str]]):
        self.data = data
        self.is_bound = bool(data)
        self.cleaned_data: dict = {}
        self.errors: list[str] = []
        if not self.is_bound:
            return
        fields = {**self.FIELDS, "county": self._county_field(counties)}
        for name in self.ORDER:
            field = fields[name]
            try:
                self.cleaned_data[name] = field.clean(field.widget.value_from_datadict(data, {}, name))
            except ValidationError as exc:
                self.errors.extend(exc.messages)

    @classmethod
    def _county_field(cls, counties) -> forms.ChoiceField:
        key = tuple(counties)
        field = cls._county_fields.get(key)
        if field is None:
            field = forms.ChoiceField(
                label="县（市、区）",
                required=False,
                choices=[("", "全部县（市、区）"), *counties],
                error_messages={"invalid_choice": "所选县（市、区）不存在"},
            )
            cls._county_fields = {key: field}  # the county list is reference data: keep the latest
        return field

    @property
    def page(self) -> int:
        return self.cleaned_data.get("page") or 1

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "q": (data.get("q") or "").strip(),
            "county": data.get("county") or None,
            "category": data.get("category") or None,
            "min_salary": data.get("min_salary") or None,
            "partner_only": bool(data.get("partner")),
        }


def county_queryset():
    return Station.objects.active().filter(level=codes.COUNTY).order_by("code")


class ApplyForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18, min_length=1)
    phone = forms.CharField(label="手机号码", max_length=20)
    stated_county = forms.ModelChoiceField(
        label="所在县（市、区）",
        queryset=Station.objects.none(),
        empty_label="请选择",
        error_messages={"invalid_choice": "所选县（市、区）不存在", "required": "请选择所在县（市、区）"},
    )
    message = forms.CharField(
        label="留言（选填）", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stated_county"].queryset = county_queryset()
        self.fields["name"].error_messages["required"] = "请填写姓名"
        self.fields["id_number"].error_messages["required"] = "请填写身份证号"
        self.fields["phone"].error_messages["required"] = "请填写手机号码"

    def clean_id_number(self):
        return parse_resident_id(self.cleaned_data["id_number"]).number

    def clean_phone(self):
        return validate_mobile(self.cleaned_data["phone"])


class StatusLookupForm(forms.Form):
    number = forms.CharField(label="申请编号", max_length=30, error_messages={"required": "请填写申请编号"})
    id_tail = forms.CharField(label="身份证号后6位", max_length=12, error_messages={"required": "请填写身份证号后6位"})

    def clean_number(self):
        value = normalize_application_number(self.cleaned_data["number"])
        if not 2 <= len(value) <= 20 or not value.isascii() or not value.isalnum():
            raise ValidationError("申请编号格式不正确，请按确认页上的编号填写")
        return value

    def clean_id_tail(self):
        value = normalize_id_number(self.cleaned_data["id_tail"])
        if len(value) != 6 or not value.isascii() or not value.isalnum():
            raise ValidationError("请填写身份证号后6位")
        return value


class PostingForm(forms.ModelForm):
    class Meta:
        model = JobPosting
        fields = [
            "title",
            "category",
            "county",
            "salary_min",
            "salary_max",
            "headcount",
            "education",
            "veteran_preferred",
            "expires_on",
            "description",
        ]
        widgets = {
            "expires_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = county_queryset()


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="驳回理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写驳回理由"},
    )


class MoveForm(forms.Form):
    to_status = forms.ChoiceField(label="变更为", choices=ApplicationStatus.choices)
