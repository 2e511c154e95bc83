"""Admin of the employment app: every list, form, export and action respects jurisdiction."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from canghzou_portal.admin_mixins import CountyFilter, LargeTableAdminMixin, ScopedInlineMixin
from canghzou_portal.audit import audit
from canghzou_portal.exports import ScopedExportMixin
from canghzou_portal.scoping_mixins import ScopedModelAdmin

from . import actions
from .models import (
    Application,
    Employer,
    Enrolment,
    FairRegistration,
    JobFair,
    JobPosting,
    PartnerAPIKey,
    Placement,
    TrainingProgramme,
    Venture,
    VentureFounder,
    VentureStatusChange,
    VentureSupport,
)
from .resources import (
    ApplicationResource,
    EmployerResource,
    JobFairResource,
    JobPostingResource,
    PlacementResource,
    TrainingProgrammeResource,
    VentureResource,
)


@admin.register(Employer)
class EmployerAdmin(ScopedExportMixin, ScopedModelAdmin):
    """The employer role of a unit; the unit itself (name, credit code, county…) is edited as a
    单位 (services.Organization)."""

    resource_classes = [EmployerResource]
    list_display = ("name", "credit_code", "county", "industry", "is_partner", "is_employment_base")
    list_filter = (
        "is_partner",
        "organization__is_employment_base",
        "organization__is_school_enterprise",
        "organization__is_enterprise_training",
        CountyFilter,
    )
    search_fields = ("organization__name", "=organization__credit_code")
    list_select_related = ("organization__county",)
    autocomplete_fields = ("organization",)
    fields = ("organization", "is_partner", "preferential_offers")
    ordering = ("organization__name", "id")

    @admin.display(description="企业名称", ordering="organization__name")
    def name(self, obj):
        return obj.organization.name

    @admin.display(description="统一社会信用代码")
    def credit_code(self, obj):
        return obj.organization.credit_code

    @admin.display(description="所在县（市、区）")
    def county(self, obj):
        return obj.organization.county

    @admin.display(description="所属行业")
    def industry(self, obj):
        return obj.organization.industry

    @admin.display(description="就业创业基地", boolean=True)
    def is_employment_base(self, obj):
        return obj.organization.is_employment_base


@admin.register(JobPosting)
class JobPostingAdmin(ScopedExportMixin, LargeTableAdminMixin, ScopedModelAdmin):
    resource_classes = [JobPostingResource]
    list_display = ("title", "employer", "county", "status", "published_at", "expires_on")
    list_filter = ("status", "category", "veteran_preferred", CountyFilter)
    search_fields = ("title", "employer__organization__name")
    list_select_related = ("employer__organization", "county")
    raw_id_fields = ("employer",)
    readonly_fields = ("status", "submitted_at", "published_at", "reviewed_by", "reviewed_at", "rejection_reason")
    actions = ["publish_selected", "close_selected"]
    ordering = ("-id",)

    @admin.action(description="审核通过并发布所选岗位", permissions=["review"])
    def publish_selected(self, request, queryset):
        self._apply(request, queryset, actions.posting_publish, "发布")

    @admin.action(description="关闭所选岗位", permissions=["review"])
    def close_selected(self, request, queryset):
        self._apply(request, queryset, actions.posting_close, "关闭")

    def has_review_permission(self, request):
        return request.user.has_perm("employment.review_jobposting")

    def _apply(self, request, queryset, action, verb):
        done = 0
        for posting in queryset:
            try:
                action(posting=posting, user=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, f"{posting}：{'；'.join(getattr(exc, 'messages', [str(exc)]))}", messages.WARNING
                )
        if done:
            audit(f"jobposting.bulk_{verb}", request=request, count=done)
            self.message_user(request, f"已{verb}{done}个岗位")


@admin.register(Application)
class ApplicationAdmin(ScopedExportMixin, LargeTableAdminMixin, ScopedModelAdmin):
    resource_classes = [ApplicationResource]
    list_display = ("number", "name", "masked_id", "posting", "station", "needs_follow_up", "status", "created_at")
    list_filter = ("status", "needs_follow_up")
    search_fields = ("=number", "name")
    list_select_related = ("posting__employer__organization", "station")
    fields = (
        "number",
        "posting",
        "name",
        "masked_id",
        "masked_tel",
        "stated_county",
        "station",
        "veteran",
        "needs_follow_up",
        "status",
        "message",
        "created_at",
    )
    readonly_fields = fields
    ordering = ("-id",)

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return obj.masked_id_number

    @admin.display(description="手机号码")
    def masked_tel(self, obj):
        return obj.masked_phone

    def has_add_permission(self, request):
        return False  # applications come from the public board only


@admin.register(Placement)
class PlacementAdmin(ScopedExportMixin, LargeTableAdminMixin, ScopedModelAdmin):
    resource_classes = [PlacementResource]
    list_display = ("veteran", "employer", "position", "start_date")
    date_hierarchy = "start_date"
    search_fields = ("veteran__name", "employer__organization__name")
    list_select_related = ("veteran", "employer__organization")
    raw_id_fields = ("veteran", "employer", "application")
    ordering = ("-start_date", "-id")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # a new placement through the action: the veteran's employment status follows it
        from canghzou_portal.scoping import check_object_in_scope

        from .actions import placement_record

        check_object_in_scope(request.user, obj)
        saved = placement_record(
            veteran=obj.veteran,
            employer=obj.employer,
            position=obj.position,
            start_date=obj.start_date,
            user=request.user,
            application=obj.application,
        )
        obj.pk, obj.recorded_by = saved.pk, saved.recorded_by


class ReadOnlyInlineMixin:
    """Rows written on the station pages through the actions; shown here, never edited."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdminMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EnrolmentInline(ReadOnlyInlineMixin, ScopedInlineMixin, admin.TabularInline):
    model = Enrolment
    fields = ("veteran", "completed", "completed_on", "result", "certificate_number", "dropped_on")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("veteran")


class TrainingProgrammeForm(forms.ModelForm):
    class Meta:
        model = TrainingProgramme
        fields = ("title", "kind", "provider", "county", "start_date", "end_date", "capacity", "description")

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("capacity"):
            taken = Enrolment.objects.filter(programme_id=self.instance.pk).holding_place().count()
            if data["capacity"] < taken:
                self.add_error("capacity", f"计划人数不能少于已报名人数（{taken}人）")
        return data


@admin.register(TrainingProgramme)
class TrainingProgrammeAdmin(ScopedExportMixin, ScopedModelAdmin):
    form = TrainingProgrammeForm
    resource_classes = [TrainingProgrammeResource]
    list_display = ("title", "kind", "provider", "county", "start_date", "end_date", "capacity")
    list_filter = ("kind", CountyFilter)
    search_fields = ("title",)
    list_select_related = ("provider__organization", "county")
    raw_id_fields = ("provider",)
    inlines = [EnrolmentInline]

    def save_model(self, request, obj, form, change):
        actions.programme_save(programme=obj, user=request.user)


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdminMixin, LargeTableAdminMixin, ScopedModelAdmin):
    """Enrolments are made, completed and dropped on the station pages (capacity under a lock)."""

    list_display = ("veteran", "programme", "completed", "completed_on", "result", "certificate_number", "dropped_on")
    list_filter = ("completed", "result", "programme__kind")
    search_fields = ("veteran__name", "certificate_number")
    list_select_related = ("veteran", "programme")


class FairRegistrationInline(ReadOnlyInlineMixin, ScopedInlineMixin, admin.TabularInline):
    model = FairRegistration
    fields = ("number", "veteran", "channel", "checked_in_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("veteran")


@admin.register(JobFair)
class JobFairAdmin(ScopedExportMixin, ScopedModelAdmin):
    """Fairs are set up here; employers, postings, registrations and check-ins are recorded on the
    station pages, and every figure is counted from those records."""

    resource_classes = [JobFairResource]
    list_display = ("title", "kind", "date", "end_date", "county")
    list_filter = ("kind", CountyFilter)
    search_fields = ("title",)
    list_select_related = ("county",)
    fields = ("title", "kind", "date", "end_date", "county", "venue", "stream_url", "participants")
    readonly_fields = ("participants",)
    date_hierarchy = "date"
    inlines = [FairRegistrationInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="参会企业与推介岗位")
    def participants(self, obj):
        if not obj.pk:
            return "保存后在服务站“招聘会”页面添加参会企业和推介岗位"
        return f"{obj.employers.count()}家企业，{obj.postings.count()}个岗位"

    def save_model(self, request, obj, form, change):
        actions.fair_save(fair=obj, user=request.user)


@admin.register(FairRegistration)
class FairRegistrationAdmin(ReadOnlyAdminMixin, LargeTableAdminMixin, ScopedModelAdmin):
    list_display = ("number", "veteran", "fair", "channel", "checked_in_at")
    list_filter = ("channel",)
    search_fields = ("=number", "veteran__name", "fair__title")
    list_select_related = ("veteran", "fair")


class VentureFounderInline(ReadOnlyInlineMixin, ScopedInlineMixin, admin.TabularInline):
    model = VentureFounder
    fields = ("veteran", "is_lead")
    readonly_fields = fields


class VentureSupportInline(ReadOnlyInlineMixin, ScopedInlineMixin, admin.TabularInline):
    model = VentureSupport
    fk_name = "venture"
    fields = ("date", "kind", "amount", "guarantor", "provider", "note", "corrects", "void", "recorded_by")
    readonly_fields = fields


class VentureStatusChangeInline(ReadOnlyInlineMixin, ScopedInlineMixin, admin.TabularInline):
    model = VentureStatusChange
    fields = ("date", "from_status", "to_status", "note", "recorded_by")
    readonly_fields = fields


@admin.register(Venture)
class VentureAdmin(ReadOnlyAdminMixin, ScopedExportMixin, LargeTableAdminMixin, ScopedModelAdmin):
    """Ventures are registered and followed on the station pages (founders from the registry,
    support entries append-only, status moves logged); here they are read and exported."""

    resource_classes = [VentureResource]
    list_display = ("business_name", "credit_code", "veteran", "sector", "status", "start_date", "incubated")
    list_filter = ("status", "sector", "incubated")
    search_fields = ("business_name", "=credit_code", "veteran__name")
    list_select_related = ("veteran",)
    date_hierarchy = "start_date"
    inlines = [VentureFounderInline, VentureSupportInline, VentureStatusChangeInline]


# --- partner API keys (/api/v1/) ---------------------------------------------------------------------
admin.site.unregister(APIKey)  # the package's own key model is not used: PartnerAPIKey is


@admin.register(PartnerAPIKey)
class PartnerAPIKeyAdmin(APIKeyModelAdmin):
    """Bureau staff create a partner's key here (shown once), and revoke it (for good)."""

    list_display = (
        "prefix",
        "name",
        "contact",
        "requests_per_minute",
        "created",
        "expiry_date",
        "revoked",
        "created_by",
    )
    list_filter = ("revoked",)
    search_fields = ("name", "prefix", "contact")

    def get_readonly_fields(self, request, obj=None):
        fields = ("prefix", "created_by")
        if obj is not None and obj.revoked:
            fields += ("name", "revoked", "expiry_date", "requests_per_minute", "contact")
        return fields

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the audit trail keeps naming the key

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            key = PartnerAPIKey.objects.assign_key(obj)
            obj.save()
            audit("api_key.create", request=request, key=obj.prefix, partner=obj.name)
            messages.warning(
                request,
                f"“{obj.name}”的接口密钥为：{key}　请立即复制并通过安全渠道交给对方；此密钥只显示这一次，无法再次查看。",
            )
            return
        was_revoked = PartnerAPIKey.objects.filter(pk=obj.pk, revoked=True).exists()
        obj.save()
        if obj.revoked and not was_revoked:
            audit("api_key.revoke", request=request, key=obj.prefix, partner=obj.name)
        else:
            audit("api_key.change", request=request, key=obj.prefix, partner=obj.name)
