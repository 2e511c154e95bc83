"""Admin of the registry: scoped to the user's subtree, masked, history, and spreadsheet import/export
through the same engine as the clerk portal and the command line (``veterans.importing``)."""

from __future__ import annotations

import io

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from canghzou_portal import codes
from canghzou_portal.access import can_see_full_pii
from canghzou_portal.admin_mixins import CountyFilter, LargeTableAdminMixin, ScopedInlineMixin
from canghzou_portal.audit import audit
from canghzou_portal.crypto import blind_index
from canghzou_portal.scoping import report_out_of_scope
from canghzou_portal.scoping_mixins import ScopedModelAdmin

from .importing import CSV_CONTENT_TYPE, REGISTRY, XLSX_CONTENT_TYPE, run_export, staging, template_workbook
from .models import Household, HouseholdMember, Veteran, VeteranTransfer
from .validators import MOBILE_RE, normalize_id_number, normalize_mobile

PII_FIELDS = ("id_number", "phone")


class StationLevelFilter(admin.SimpleListFilter):
    title = "登记服务站层级"
    parameter_name = "station_level"

    def lookups(self, request, model_admin):
        return [(level, codes.LEVEL_LABELS[level]) for level in codes.LEVELS]

    def queryset(self, request, queryset):
        value = self.value()
        if value in codes.LEVELS:
            return queryset.filter(station__level=value)
        return queryset


class ScopedHistoryAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    """simple-history's pages fall back to the history rows of an object the user cannot see:
    check the jurisdiction first, so another subtree's object is a 404 there too."""

    def _check_scope(self, request, object_id) -> None:
        if not self.get_queryset(request).filter(pk=object_id).exists():
            report_out_of_scope(self.model._default_manager.all(), request.user, {"pk": object_id})
            raise Http404("未找到该记录，或不在您的辖区范围内")

    def history_view(self, request, object_id, extra_context=None):
        self._check_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class VeteranAdminForm(forms.ModelForm):
    """Carries the version the user read: a save over someone else's is refused on the form
    (``actions.veteran_update`` checks it again under the row lock)."""

    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Veteran
        fields = "__all__"  # noqa: DJ007 - the admin passes the fields it shows

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("read_version", self.instance.version)

    def clean(self):
        from .actions import STALE_MESSAGE

        data = super().clean()
        if self.instance.pk is not None:
            stored = Veteran.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if data.get("read_version") != stored:
                raise forms.ValidationError(STALE_MESSAGE)
        return data


@admin.register(Veteran)
class VeteranAdmin(LargeTableAdminMixin, ScopedHistoryAdmin):
    form = VeteranAdminForm
    change_list_template = "admin/veterans/veteran/change_list.html"
    list_display = (
        "name",
        "masked_id",
        "gender",
        "masked_mobile",
        "station",
        "category",
        "employment_status",
        "status",
        "registered_on",
    )
    list_filter = ("status", "employment_status", "category", StationLevelFilter, CountyFilter)
    search_fields = ("name", "name_initials")
    search_help_text = "姓名、拼音首字母（如 zsf），或完整身份证号、手机号（精确查找）"
    list_select_related = ("station",)
    autocomplete_fields = ("station", "household")
    readonly_fields = ("gender", "birth_date", "version", "created_by", "created_at", "updated_at")
    date_hierarchy = None
    ordering = ("-registered_on", "-id")

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return obj.masked_id_number

    @admin.display(description="手机号码")
    def masked_mobile(self, obj):
        return obj.masked_phone

    # --- masking on the change form ------------------------------------------------------
    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and not can_see_full_pii(request.user):
            fields = [f for f in fields if f not in PII_FIELDS]
            fields[1:1] = ["masked_id", "masked_mobile"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("station")  # a move is a transfer (迁移), with its record and rules
            if not can_see_full_pii(request.user):
                readonly += ["masked_id", "masked_mobile"]
        return readonly

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Full numbers on the change form are a reveal like the clerk page's: audited.
        if request.method == "GET" and can_see_full_pii(request.user):
            obj = self.get_object(request, object_id)
            audit("pii_reveal", request=request, obj=obj, fields=["id_number", "phone"], via="admin")
        return super().change_view(request, object_id, form_url, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "station" and formfield is not None:
            formfield.queryset = formfield.queryset.filter(is_active=True)  # no registration at a closed station
        return formfield

    def save_model(self, request, obj, form, change):
        # Through the actions, as on the clerk pages: jurisdiction, an active station, the
        # household rules, optimistic locking, the history's user and reason.
        from .actions import EDITABLE_FIELDS, veteran_register, veteran_update

        data = {name: getattr(obj, name) for name in EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            saved = veteran_update(user=request.user, veteran=obj, data=data, version=form.cleaned_data["read_version"])
        else:
            saved = veteran_register(user=request.user, data={**data, "station": obj.station})
        obj.pk, obj.version = saved.pk, saved.version

    # --- search: name, pinyin initials, exact ID / phone through the blind index -------------
    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        as_id = normalize_id_number(term)
        if len(as_id) == 18 and as_id[:17].isdigit():
            return queryset.filter(id_number_hash=blind_index(as_id)), False
        as_phone = normalize_mobile(term)
        if MOBILE_RE.match(as_phone):
            return queryset.filter(phone_hash=blind_index(as_phone)), False
        if term.isascii() and term.isalpha():
            return queryset.filter(name_initials__startswith=term.lower()), False
        return super().get_search_results(request, queryset, search_term)

    # --- import / export through veterans.importing ------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="veterans_veteran_import"),
            path("import/template/", wrap(self.template_view), name="veterans_veteran_import_template"),
            path("export/", wrap(self.export_view), name="veterans_veteran_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["can_import"] = request.user.has_perm("veterans.import_veteran")
        extra_context["can_export"] = request.user.has_perm("veterans.export_veteran")
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not request.user.has_perm("veterans.import_veteran"):
            raise PermissionDenied("您没有导入退役军人信息的权限")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入退役军人信息",
            "form": staging.UploadForm(),
            "shown": staging.REPORT_SHOWN,
        }
        if request.method == "POST" and request.POST.get("action") == "confirm":
            token = request.POST.get("token", "")
            report = staging.confirm_staged(request, token, schema=REGISTRY)
            if report.ok:
                self.message_user(request, report.summary(), messages.SUCCESS)
                return redirect(reverse("admin:veterans_veteran_changelist"))
            context.update(report=report, token=token)
        elif request.method == "POST":
            form = staging.UploadForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                report, token = staging.preview_upload(request, form.cleaned_data["file"], schema=REGISTRY)
                context.update(report=report, token=token)
        return TemplateResponse(request, "admin/veterans/veteran/import.html", context)

    def template_view(self, request):
        if not request.user.has_perm("veterans.import_veteran"):
            raise PermissionDenied("您没有导入退役军人信息的权限")
        return staging.attachment(template_workbook(REGISTRY), XLSX_CONTENT_TYPE, "退役军人信息导入模板.xlsx")

    def export_view(self, request):
        """The change list's current filters and search, scoped and masked as the user may see."""
        if not request.user.has_perm("veterans.export_veteran"):
            raise PermissionDenied("您没有导出退役军人信息的权限")
        params = request.GET.copy()
        file_format = "csv" if params.pop("fmt", ["xlsx"])[0] == "csv" else "xlsx"
        request.GET = params
        try:
            changelist = self.get_changelist_instance(request)
            queryset = changelist.get_queryset(request)
        except IncorrectLookupParameters:
            self.message_user(request, "筛选条件无效，未导出", messages.ERROR)
            return redirect(reverse("admin:veterans_veteran_changelist"))
        out = io.BytesIO()
        requested = {k: params.get(k, "")[:20] for k in ("county", "station_level") if params.get(k)}
        run_export(
            user=request.user,
            out=out,
            file_format=file_format,
            queryset=queryset,
            request=request,
            audit_detail={f"{k}_requested": v for k, v in requested.items()},
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        content_type = CSV_CONTENT_TYPE if file_format == "csv" else XLSX_CONTENT_TYPE
        return staging.attachment(out.getvalue(), content_type, f"退役军人信息-{stamp}.{file_format}")


class HouseholdMemberInline(ScopedInlineMixin, admin.TabularInline):
    model = HouseholdMember
    extra = 1
    fields = ("name", "relation", "veteran", "is_serving", "military_history")
    raw_id_fields = ("veteran",)


@admin.register(Household)
class HouseholdAdmin(ScopedModelAdmin):
    list_display = ("head_name", "station", "address", "member_count")
    list_filter = (CountyFilter,)
    search_fields = ("head_name", "=station__code", "station__name")
    list_select_related = ("station",)
    autocomplete_fields = ("station",)
    inlines = (HouseholdMemberInline,)

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_members=Count("members"))

    @admin.display(description="成员数", ordering="_members")
    def member_count(self, obj):
        return obj._members

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(VeteranTransfer)
class VeteranTransferAdmin(LargeTableAdminMixin, ScopedModelAdmin):
    """Transfers are recorded by the transfer action only; here they are read."""

    list_display = ("veteran", "from_station", "to_station", "date", "created_by", "created_at")
    list_filter = ("date", CountyFilter)
    search_fields = ("veteran__name", "=from_station__code", "=to_station__code")
    list_select_related = ("veteran", "from_station", "to_station", "created_by")
    readonly_fields = ("veteran", "from_station", "to_station", "date", "reason", "created_by", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
