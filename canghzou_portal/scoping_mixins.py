"""View and admin mixins of the jurisdiction mechanism (see canghzou_portal.scoping)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .scoping import ScopedFormMixin, check_object_in_scope, is_scoped_model, report_out_of_scope, scope_queryset

# --- views ---------------------------------------------------------------------------


class JurisdictionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """CBV mixin: queryset scoped to the user's subtree; set ``permission_required``.

    Out-of-scope objects are simply absent from the queryset, so detail views answer 404.
    Forms built by the view get ``user=`` so their choices are scoped too.
    """

    permission_required: str | tuple[str, ...] = ()
    raise_exception = True

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.request.user)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        form_class = self.get_form_class()
        if issubclass(form_class, ScopedFormMixin):
            kwargs["user"] = self.request.user
        return kwargs

    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            return super(PermissionRequiredMixin, self).handle_no_permission()
        raise PermissionDenied("您没有执行此操作的权限")


# --- admin ---------------------------------------------------------------------------


class ScopedModelAdmin(admin.ModelAdmin):
    """Base admin: list, FK choices, object pages and saves respect the jurisdiction.

    An object outside the subtree answers 404 on its change, delete and history pages.
    """

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            report_out_of_scope(self.model._default_manager.all(), request.user, {from_field or "pk": object_id})
            raise Http404("未找到该记录，或不在您的辖区范围内")
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and is_scoped_model(db_field.related_model):
            formfield.queryset = scope_queryset(formfield.queryset, request.user)
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and is_scoped_model(db_field.related_model):
            formfield.queryset = scope_queryset(formfield.queryset, request.user)
        return formfield

    def save_model(self, request, obj, form, change):
        check_object_in_scope(request.user, obj)
        super().save_model(request, obj, form, change)
