"""Admin of the employment app: every list, form, export and action respects jurisdiction."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from canghzou_portal.admin_mixins import CountyFilter, LargeTableAdminMixin, ScopedInlineMixin
from canghzou_portal.audit import audit
from canghzou_portal.exports import ScopedExportMixin
from canghzou_portal.scoping_mixins import ScopedModelAdmin

from . import actions
from .models import Application, Employer, Enrolment, JobFair, JobPosting, Placement, TrainingProgramme, Venture
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


class EnrolmentInline(ScopedInlineMixin, admin.TabularInline):
    model = Enrolment
    raw_id_fields = ("veteran",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("veteran")


@admin.register(TrainingProgramme)
class TrainingProgrammeAdmin(ScopedExportMixin, ScopedModelAdmin):
    resource_classes = [TrainingProgrammeResource]
    list_display = ("title", "kind", "provider", "county", "start_date", "end_date", "capacity")
    list_filter = ("kind", CountyFilter)
    search_fields = ("title",)
    list_select_related = ("provider__organization", "county")
    raw_id_fields = ("provider",)
    inlines = [EnrolmentInline]


@admin.register(Enrolment)
class EnrolmentAdmin(LargeTableAdminMixin, ScopedModelAdmin):
    list_display = ("veteran", "programme", "completed", "completed_on", "certificate_number")
    list_filter = ("completed", "programme__kind")
    search_fields = ("veteran__name", "certificate_number")
    list_select_related = ("veteran", "programme")
    raw_id_fields = ("veteran", "programme")


@admin.register(JobFair)
class JobFairAdmin(ScopedExportMixin, ScopedModelAdmin):
    resource_classes = [JobFairResource]
    list_display = ("title", "kind", "date", "county", "attendance", "hires")
    list_filter = ("kind", CountyFilter)
    search_fields = ("title",)
    list_select_related = ("county",)
    raw_id_fields = ("employers", "postings")
    date_hierarchy = "date"


@admin.register(Venture)
class VentureAdmin(ScopedExportMixin, LargeTableAdminMixin, ScopedModelAdmin):
    resource_classes = [VentureResource]
    list_display = ("business_name", "credit_code", "veteran", "start_date", "incubated", "jobs_created")
    list_filter = ("incubated",)
    search_fields = ("business_name", "=credit_code", "veteran__name")
    list_select_related = ("veteran",)
    raw_id_fields = ("veteran",)
    date_hierarchy = "start_date"
