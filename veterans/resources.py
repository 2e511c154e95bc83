"""The columns of the registry spreadsheet (导入模板), shared by import, export and the admin.

One list, ``COLUMNS``, fixes the Chinese headers, the model field behind each and how a cell is
read and written: stations by their 12-digit division code, code lists by their Chinese label,
yes/no as 是/否, dates as dates. The import engine (``veterans.importing``) reads with it, the
exports write with it, and ``VeteranResource`` (django-import-export) is built from it, so an
export of one database imports whole into another.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from import_export import fields, resources, widgets

from canghzou_portal.crypto import mask_id_number, mask_phone
from canghzou_portal.exports import escape_formula

from . import choices
from .models import Veteran

TEXT, ID, PHONE, STATION, CHOICE, DATE, BOOL, INT_CHOICE = (
    "text",
    "id",
    "phone",
    "station",
    "choice",
    "date",
    "bool",
    "int_choice",
)
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str = TEXT
    required: bool = False
    choices: tuple = ()  # (value, label) pairs
    max_length: int | None = None
    note: str = ""

    def label_of(self, value) -> str:
        return str(dict(self.choices).get(value, value if value is not None else ""))


def _column(header, field_name, kind=TEXT, **kw) -> Column:
    if "choices" in kw:
        kw["choices"] = tuple((v, str(label)) for v, label in kw["choices"])
    if kind == TEXT and "max_length" not in kw:
        kw["max_length"] = Veteran._meta.get_field(field_name).max_length
    return Column(header, field_name, kind, **kw)


COLUMNS: tuple[Column, ...] = (
    _column("姓名", "name", required=True),
    _column("身份证号", "id_number", ID, required=True, note="18位，末位可为X；请以文本格式填写"),
    _column("性别", "gender", CHOICE, choices=choices.Gender.choices, note="可留空：按身份证号自动识别"),
    _column("出生日期", "birth_date", DATE, note="可留空：按身份证号自动识别"),
    _column("民族", "ethnicity", CHOICE, choices=choices.ETHNICITY_CHOICES, note="留空按汉族"),
    _column("手机号码", "phone", PHONE),
    _column("户籍地址", "household_address"),
    _column("现居住地址", "current_address"),
    _column("服务站代码", "station", STATION, required=True, note="登记服务站的12位统计用区划代码"),
    _column("服役军种", "service_branch", CHOICE, choices=choices.Branch.choices),
    _column("入伍时间", "enlistment_date", DATE),
    _column("退役时间", "discharge_date", DATE),
    _column("退役时军衔/级别", "last_rank", CHOICE, choices=choices.Rank.choices),
    _column("人员类别", "category", CHOICE, required=True, choices=choices.Category.choices),
    _column("安置方式", "placement", CHOICE, choices=choices.Placement.choices),
    _column("中共党员", "is_party_member", BOOL, note="是/否"),
    _column("入党时间", "party_join_date", DATE),
    _column("文化程度", "education", CHOICE, choices=choices.Education.choices),
    _column("专业技能", "skills"),
    _column("伤残等级", "disability_grade", INT_CHOICE, choices=choices.DisabilityGrade.choices),
    _column("优抚类别", "care_category", CHOICE, choices=choices.CareCategory.choices, note="留空按“无”"),
    _column("困难退役军人", "is_hardship", BOOL, note="是/否"),
    _column("就业状态", "employment_status", CHOICE, choices=choices.EmploymentStatus.choices, note="留空按未就业"),
    _column("工作单位", "employer_name"),
    _column("优待证号", "preferential_card_number"),
    _column("优待证发放日期", "preferential_card_date", DATE),
    _column("在册状态", "status", CHOICE, choices=choices.RegistryStatus.choices, note="留空按在册"),
    _column("状态变更日期", "status_date", DATE),
    _column("登记日期", "registered_on", DATE, note="留空按导入当天"),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
BY_HEADER: dict[str, Column] = {c.header: c for c in COLUMNS}
BY_FIELD: dict[str, Column] = {c.field: c for c in COLUMNS}
EXPORT_FIELDS = tuple(c.field for c in COLUMNS)
# Fields the export reads from the database (everything but the station's code comes as is).
DB_FIELDS = EXPORT_FIELDS


def unescape_formula(value: str) -> str:
    """Undo ``escape_formula`` on import, so an export re-imports unchanged."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def escape_enabled() -> bool:
    return getattr(settings, "IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT", False) is True


def export_cells(veteran: Veteran, *, full_pii: bool, for_csv: bool = False) -> list:
    """One spreadsheet row for ``veteran`` in COLUMNS order; ID/phone masked unless ``full_pii``."""
    escape = escape_enabled()
    row = []
    for col in COLUMNS:
        if col.kind == STATION:
            value = veteran.station_id
        else:
            value = getattr(veteran, col.field)
        if col.kind == ID:
            value = value if full_pii else mask_id_number(value)
        elif col.kind == PHONE:
            value = (value or "") if full_pii else mask_phone(value)
        elif col.kind in (CHOICE, INT_CHOICE):
            value = col.label_of(value) if value not in (None, "") else ""
        elif col.kind == BOOL:
            value = YES if value else NO
        elif col.kind == DATE:
            if value is None:
                value = ""
            elif for_csv:
                value = value.isoformat()
        if value is None:
            value = ""
        row.append(escape_formula(value) if escape else value)
    return row


# --- django-import-export -------------------------------------------------------------
class LabelWidget(widgets.Widget):
    """A code-list value written as its Chinese label."""

    def __init__(self, column: Column):
        super().__init__()
        self.column = column
        self.by_label = {label: value for value, label in column.choices}

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return ""
        return self.by_label.get(str(value).strip(), value)

    def render(self, value, obj=None, **kwargs):
        return self.column.label_of(value) if value not in (None, "") else ""


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return str(value).strip() in (YES, "1", "true", "True", "Y", "y")

    def render(self, value, obj=None, **kwargs):
        return YES if value else NO


class VeteranResource(resources.ModelResource):
    """The registry in the spreadsheet's columns (export side of django-import-export).

    Imports do not go through ``import_data`` row by row: ``veterans.importing.run_import``
    validates the whole file in batches and writes it in one transaction (see its docstring).
    Pass ``full_pii=False`` to mask ID and phone numbers.
    """

    station = fields.Field(attribute="station_id", column_name="服务站代码")

    def __init__(self, *, full_pii: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.full_pii = full_pii

    class Meta:
        model = Veteran
        fields = EXPORT_FIELDS
        export_order = EXPORT_FIELDS
        import_id_fields = ("id_number",)
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        force_init_instance = True
        clean_model_instances = True

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        result = super().field_from_django_field(field_name, django_field, readonly)
        column = BY_FIELD.get(field_name)
        if column is not None:
            result.column_name = column.header
            if column.kind in (CHOICE, INT_CHOICE):
                result.widget = LabelWidget(column)
            elif column.kind == BOOL:
                result.widget = YesNoWidget()
        return result

    def dehydrate_id_number(self, veteran):
        return veteran.id_number if self.full_pii else mask_id_number(veteran.id_number)

    def dehydrate_phone(self, veteran):
        return (veteran.phone or "") if self.full_pii else mask_phone(veteran.phone)
