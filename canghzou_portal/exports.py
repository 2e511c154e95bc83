"""Admin xlsx exports, shared by every app: rows limited to the user's jurisdiction, ID and phone
numbers masked unless ``access.can_see_full_pii(user)``, and every export audited.

(The registry's own import/export engine lives in veterans/importing.py.)
"""

from __future__ import annotations

from import_export import resources
from import_export.admin import ExportMixin
from import_export.formats.base_formats import XLSX

from .access import can_see_full_pii
from .audit import audit
from .crypto import mask_id_number, mask_phone
from .scoping import scope_queryset

# Leading characters a spreadsheet may run as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Neutralise a text cell a spreadsheet would run as a formula: prefix it with '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class ScopedExportResource(resources.ModelResource):
    """Export resource bound to a user (``user=`` kwarg); ``full_pii`` tells whether to unmask."""

    select_related: tuple[str, ...] = ()

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.full_pii = can_see_full_pii(user)

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.user)

    def filter_export(self, queryset, **kwargs):
        return scope_queryset(queryset, self.user).select_related(*self.select_related)

    def id_number_for_export(self, number: str) -> str:
        return number if self.full_pii else mask_id_number(number)

    def phone_for_export(self, number: str) -> str:
        return number if self.full_pii else mask_phone(number)


class ScopedExportMixin(ExportMixin):
    """ModelAdmin mixin: xlsx export of the scoped, filtered change list; every export is audited."""

    formats = [XLSX]

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_data_for_export(self, request, queryset, **kwargs):
        data = super().get_data_for_export(request, queryset, **kwargs)
        audit("export", request=request, model=self.model._meta.label, rows=len(data))
        return data
