"""Shared admin helpers."""

from django.contrib import admin

from . import codes
from .pagination import CappedCountPaginator
from .scoping import is_scoped_model, scope_queryset, station_model


class LargeTableAdminMixin:
    """Change lists over large tables: capped count, no second full count."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 50


class ScopedInlineMixin:
    """Inlines of scoped admins: their rows and their foreign-key choices (a raw-id veteran box
    included) stay inside the user's subtree, like ``ScopedModelAdmin``'s own form."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return scope_queryset(qs, request.user) if is_scoped_model(qs.model) else qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and is_scoped_model(db_field.related_model):
            formfield.queryset = scope_queryset(formfield.queryset, request.user)
        return formfield


class CountyFilter(admin.SimpleListFilter):
    """县（市、区） inside the user's jurisdiction; filters by the station-code range (the model's
    queryset must be a ``ScopedQuerySet``). Anything but a county code in the URL matches nothing."""

    title = "所属县（市、区）"
    parameter_name = "county"

    def lookups(self, request, model_admin):
        counties = scope_queryset(station_model().objects.filter(level=codes.COUNTY), request.user).order_by("code")
        return list(counties.values_list("code", "name"))

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not codes.is_valid_code(value) or codes.level_of(value) != codes.COUNTY:
            return queryset.none()
        return queryset.in_subtree(value)
