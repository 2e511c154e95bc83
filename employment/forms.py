"""Forms of the employment app (parse input only; rules live in actions)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from canghzou_portal import codes
from services.models import Station
from veterans.validators import normalize_id_number, parse_resident_id, validate_mobile

from .models import (
    ApplicationStatus,
    EnrolmentResult,
    JobCategory,
    JobPosting,
    SupportKind,
    VentureSector,
    VentureStatus,
)
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
    id_number = forms.CharField(
        label="身份证号", max_length=18, min_length=1, help_text="18位身份证号。末位是X的，大小写都可以。"
    )
    phone = forms.CharField(label="手机号码", max_length=20, help_text="11位手机号码，用于联系您。")
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


# --- training, fairs, ventures (issue 22) -----------------------------------------------------------
DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class ProgrammeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        taken = getattr(obj, "taken", None)
        places = f"，已报{taken}/{obj.capacity}人" if taken is not None else ""
        return f"{obj.title}（{obj.get_kind_display()}，{obj.county.name}，{obj.start_date:%m-%d}开班{places}）"


def _programme_field() -> ProgrammeChoiceField:
    from .selectors import open_programmes

    return ProgrammeChoiceField(
        label="培训项目",
        queryset=open_programmes(),
        empty_label="请选择培训项目",
        error_messages={"required": "请选择培训项目", "invalid_choice": "所选培训项目不存在或已结业"},
    )


class EnrolForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"] = _programme_field()


class BulkEnrolForm(forms.Form):
    id_numbers = forms.CharField(
        label="身份证号（每行一个，可扫描录入）",
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
        max_length=20000,
        error_messages={"required": "请填写至少一个身份证号（每行一个）"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"programme": _programme_field(), **self.fields}


class CompleteForm(forms.Form):
    completed_on = forms.DateField(label="结业日期", widget=DATE_WIDGET, error_messages={"required": "请填写结业日期"})
    result = forms.ChoiceField(
        label="结业成绩",
        choices=[("", "请选择"), *EnrolmentResult.choices],
        error_messages={"required": "请选择结业成绩", "invalid_choice": "所选结业成绩不存在"},
    )
    certificate_number = forms.CharField(label="证书编号", max_length=50, required=False)


class DropForm(forms.Form):
    dropped_on = forms.DateField(label="退训日期", widget=DATE_WIDGET, error_messages={"required": "请填写退训日期"})
    drop_reason = forms.CharField(label="退训原因", max_length=200, error_messages={"required": "请填写退训原因"})


class AttendanceForm(forms.Form):
    day = forms.DateField(label="考勤日期", widget=DATE_WIDGET, error_messages={"required": "请选择考勤日期"})


def _clean_credit_code(value: str) -> str:
    from .validators import validate_credit_code

    return validate_credit_code(value)


class FairEmployerForm(forms.Form):
    credit_code = forms.CharField(
        label="参会企业统一社会信用代码",
        max_length=30,
        error_messages={"required": "请填写参会企业的统一社会信用代码"},
    )

    def clean_credit_code(self):
        from .models import Employer

        code = _clean_credit_code(self.cleaned_data["credit_code"])
        employer = Employer.objects.filter(organization__credit_code=code).select_related("organization").first()
        if employer is None:
            raise ValidationError("未找到该统一社会信用代码的企业，请先由市局在管理后台登记企业")
        self.employer = employer
        return code


class IdNumberForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=30, error_messages={"required": "请填写身份证号"})

    def clean_id_number(self):
        return parse_resident_id(self.cleaned_data["id_number"]).number


class CheckInForm(forms.Form):
    code = forms.CharField(
        label="报名编号 / 岗位申请编号 / 身份证号",
        max_length=30,
        error_messages={"required": "请扫描或输入报名编号或身份证号"},
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "class": "form-control-lg"}),
    )


class FairApplicationForm(forms.Form):
    registration = forms.CharField(
        label="报名编号或身份证号", max_length=30, error_messages={"required": "请填写报名编号或身份证号"}
    )
    posting = forms.TypedChoiceField(
        label="投递岗位",
        coerce=int,
        error_messages={"required": "请选择投递岗位", "invalid_choice": "所选岗位不在本场招聘会的推介岗位中"},
    )

    def __init__(self, *args, postings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posting"].choices = [("", "请选择")] + [
            (p.pk, f"{p.title}（{p.employer.name}）") for p in postings
        ]


class VentureForm(forms.Form):
    business_name = forms.CharField(
        label="企业/个体名称", max_length=100, error_messages={"required": "请填写企业/个体名称"}
    )
    credit_code = forms.CharField(
        label="统一社会信用代码",
        max_length=30,
        required=False,
        help_text="营业执照上的18位代码；筹备中尚未注册的可暂不填写",
    )
    sector = forms.ChoiceField(
        label="行业", choices=VentureSector.choices, error_messages={"invalid_choice": "所选行业不存在"}
    )
    industry = forms.CharField(label="经营范围", max_length=50, required=False)
    start_date = forms.DateField(label="创办日期", widget=DATE_WIDGET, error_messages={"required": "请填写创办日期"})
    incubation_base = forms.ModelChoiceField(
        label="孵化基地（就业创业基地）",
        queryset=None,
        required=False,
        empty_label="未入驻孵化基地",
        error_messages={"invalid_choice": "所选孵化基地不存在"},
    )
    incubated_from = forms.DateField(label="入驻日期", widget=DATE_WIDGET, required=False)
    jobs_created = forms.IntegerField(
        label="带动就业人数",
        min_value=0,
        max_value=100000,
        initial=0,
        error_messages={"invalid": "带动就业人数须为整数", "min_value": "带动就业人数不能为负数"},
    )

    def __init__(self, *args, **kwargs):
        from .selectors import employment_bases

        super().__init__(*args, **kwargs)
        self.fields["incubation_base"].queryset = employment_bases()

    def clean_credit_code(self):
        value = self.cleaned_data["credit_code"].strip()
        return _clean_credit_code(value) if value else ""

    def action_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in VentureForm.base_fields}


class VentureRegisterForm(VentureForm):
    lead_id_number = forms.CharField(
        label="牵头创办人身份证号", max_length=30, error_messages={"required": "请填写牵头创办人身份证号"}
    )
    co_founders = forms.CharField(
        label="其他创办人身份证号（每行一个，选填）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    status = forms.ChoiceField(
        label="当前状态",
        choices=[(VentureStatus.OPERATING, "经营中"), (VentureStatus.PREPARING, "筹备中")],
        error_messages={"invalid_choice": "新登记的创业项目状态须为筹备中或经营中"},
    )
    field_order = ["lead_id_number", "co_founders", "business_name", "credit_code", "status"]

    def clean_lead_id_number(self):
        return parse_resident_id(self.cleaned_data["lead_id_number"], field_label="牵头创办人身份证号").number

    def clean_co_founders(self):
        from .actions import parse_id_lines

        numbers = []
        for line, raw in parse_id_lines(self.cleaned_data["co_founders"]):
            numbers.append(parse_resident_id(raw, field_label=f"其他创办人第{line}行身份证号").number)
        return numbers


class VentureStatusForm(forms.Form):
    to_status = forms.ChoiceField(
        label="变更为", choices=VentureStatus.choices, error_messages={"invalid_choice": "所选状态不存在"}
    )
    date = forms.DateField(label="变更日期", widget=DATE_WIDGET, error_messages={"required": "请填写变更日期"})
    note = forms.CharField(label="说明", max_length=300, required=False)


class SupportForm(forms.Form):
    kind = forms.ChoiceField(
        label="扶持类型", choices=[("", "请选择"), *SupportKind.choices], error_messages={"required": "请选择扶持类型"}
    )
    date = forms.DateField(label="日期", widget=DATE_WIDGET, error_messages={"required": "请填写日期"})
    amount = forms.DecimalField(
        label="金额（元）",
        required=False,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "invalid": "金额须为数字（元，精确到分）",
            "max_decimal_places": "金额精确到分（最多两位小数）",
            "max_digits": "金额过大",
            "max_whole_digits": "金额过大",
        },
    )
    guarantor = forms.CharField(label="担保人/担保机构", max_length=100, required=False)
    provider = forms.CharField(label="提供单位", max_length=100, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)


class FounderForm(forms.Form):
    id_number = forms.CharField(label="创办人身份证号", max_length=30, error_messages={"required": "请填写身份证号"})

    def clean_id_number(self):
        return parse_resident_id(self.cleaned_data["id_number"]).number
