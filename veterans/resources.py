"""The registry in django-import-export (``VeteranResource``), built from the registry's columns
(``veterans.importing.registry.COLUMNS``: the import template), so its exports match the import.

Imports do not go through django-import-export's ``import_data`` row by row: the engine
(``veterans.importing``) validates the whole file in batches and writes it in one transaction.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from canghzou_portal.crypto import mask_id_number, mask_phone

from .importing.reading import BOOL, CHOICE, INT_CHOICE, NO, YES, Column
from .importing.registry import BY_FIELD, EXPORT_FIELDS
from .models import Veteran


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
    Pass ``full_pii=False`` to mask ID and phone numbers."""

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
