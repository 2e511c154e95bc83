"""Admin for the honors app. Every scoped model goes through ScopedModelAdmin (jurisdiction);
awards and workflow transitions are read-only (they are written only by honors.actions)."""

from __future__ import annotations

from django.contrib import admin
from import_export import fields as ie_fields

from canghzou_portal import access
from canghzou_portal.admin_mixins import CountyFilter, LargeTableAdminMixin
from canghzou_portal.exports import ScopedExportMixin, ScopedExportResource
from canghzou_portal.scoping_mixins import ScopedModelAdmin

from . import actions
from .models import (
    Award,
    CommendationDelivery,
    HonorType,
    Merit,
    Nomination,
    NominationAttachment,
    NominationTransition,
    ServingMember,
)


# --- xlsx export, scoped and audited --------------------------------------------------------
class AwardResource(ScopedExportResource):
    select_related = ("honor_type", "county", "station")
    certificate_number = ie_fields.Field(attribute="certificate_number", column_name="证书编号")
    year = ie_fields.Field(attribute="year", column_name="年度")
    honor_type = ie_fields.Field(attribute="honor_type__name", column_name="荣誉类型")
    recipient_name = ie_fields.Field(attribute="recipient_name", column_name="获得者")
    county = ie_fields.Field(attribute="county__name", column_name="县（市、区）")
    station = ie_fields.Field(attribute="station__name", column_name="提名服务站")
    awarded_on = ie_fields.Field(attribute="awarded_on", column_name="颁授日期")

    class Meta:
        model = Award
        fields = ("certificate_number", "year", "honor_type", "recipient_name", "county", "station", "awarded_on")
        export_order = fields


class NominationResource(ScopedExportResource):
    select_related = ("honor_type", "station", "veteran", "household", "created_by")
    year = ie_fields.Field(attribute="year", column_name="年度")
    honor_type = ie_fields.Field(attribute="honor_type__name", column_name="荣誉类型")
    subject = ie_fields.Field(attribute="subject_name", column_name="提名对象")
    station = ie_fields.Field(attribute="station__name", column_name="提名服务站")
    status = ie_fields.Field(attribute="get_status_display", column_name="状态")
    reasons = ie_fields.Field(attribute="reasons", column_name="推荐理由")
    created_by = ie_fields.Field(attribute="created_by", column_name="创建人")
    created_at = ie_fields.Field(attribute="created_at", column_name="创建时间")

    class Meta:
        model = Nomination
        fields = ("id", "year", "honor_type", "subject", "station", "status", "reasons", "created_by", "created_at")
        export_order = fields


class DeliveryResource(ScopedExportResource):
    select_related = ("merit", "merit__serving_member", "merit__serving_member__hometown_station")
    date = ie_fields.Field(attribute="date", column_name="送达日期")
    member = ie_fields.Field(attribute="merit__serving_member__name", column_name="现役军人")
    station = ie_fields.Field(attribute="merit__serving_member__hometown_station__name", column_name="家乡服务站")
    merit = ie_fields.Field(attribute="merit__get_kind_display", column_name="立功受奖")
    merit_year = ie_fields.Field(attribute="merit__year", column_name="立功年度")
    deliverer = ie_fields.Field(attribute="deliverer", column_name="送达人")
    notes = ie_fields.Field(attribute="notes", column_name="备注")

    class Meta:
        model = CommendationDelivery
        fields = ("date", "member", "station", "merit", "merit_year", "deliverer", "notes")
        export_order = fields


class _ReadOnlyAdmin(ScopedModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- admins ---------------------------------------------------------------------------------
@admin.register(HonorType)
class HonorTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "subject_kind", "sort_order", "is_active")
    list_filter = ("subject_kind", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("code",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TransitionInline(admin.TabularInline):
    model = NominationTransition
    extra = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "user", "station", "comment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    model = NominationAttachment
    extra = 0
    can_delete = False
    fields = ("original_name", "kind", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Nomination)
class NominationAdmin(ScopedExportMixin, LargeTableAdminMixin, ScopedModelAdmin):
    """Nominations are created and moved through the station portal (honors.actions); here they
    are read, filtered and exported. Only the reasons of a draft may be corrected."""

    resource_classes = [NominationResource]
    list_display = ("year", "honor_type", "subject_name", "station", "status", "created_by", "created_at")
    list_filter = ("status", "honor_type", "year", CountyFilter)
    search_fields = ("veteran__name", "household__head_name", "=station__code", "station__name")
    date_hierarchy = "created_at"
    list_select_related = ("honor_type", "veteran", "household", "station", "created_by")
    readonly_fields = (
        "honor_type",
        "year",
        "veteran",
        "household",
        "station",
        "status",
        "submitted_at",
        "decided_at",
        "last_comment",
        "created_by",
        "created_at",
        "updated_at",
    )
    fields = (*readonly_fields[:5], "reasons", *readonly_fields[5:])
    inlines = [TransitionInline, AttachmentInline]

    @admin.display(description="提名对象")
    def subject_name(self, obj):
        return obj.subject_name

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        if not access.may_nominate(request.user):  # the same people as on the station pages
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        actions.nomination_update(nomination=obj, reasons=obj.reasons, user=request.user, request=request)


@admin.register(NominationTransition)
class NominationTransitionAdmin(LargeTableAdminMixin, _ReadOnlyAdmin):
    list_display = ("at", "nomination", "from_status", "to_status", "user", "station")
    list_filter = ("to_status",)
    search_fields = ("nomination__veteran__name", "nomination__household__head_name", "user__username")
    date_hierarchy = "at"
    list_select_related = (
        "nomination",
        "nomination__veteran",
        "nomination__household",
        "nomination__honor_type",
        "user",
        "station",
    )


@admin.register(NominationAttachment)
class NominationAttachmentAdmin(_ReadOnlyAdmin):
    list_display = ("original_name", "nomination", "kind", "size", "uploaded_by", "uploaded_at")
    list_filter = ("kind",)
    search_fields = ("original_name",)
    date_hierarchy = "uploaded_at"
    list_select_related = (
        "nomination",
        "nomination__veteran",
        "nomination__household",
        "nomination__honor_type",
        "uploaded_by",
    )


@admin.register(Award)
class AwardAdmin(ScopedExportMixin, LargeTableAdminMixin, _ReadOnlyAdmin):
    resource_classes = [AwardResource]
    list_display = ("certificate_number", "year", "honor_type", "recipient_name", "county", "station", "awarded_on")
    list_filter = ("honor_type", "year", CountyFilter)
    search_fields = ("=certificate_number", "recipient_name", "=station__code", "station__name")
    date_hierarchy = "awarded_on"
    list_select_related = ("honor_type", "county", "station")


class MeritInline(admin.TabularInline):
    model = Merit
    extra = 0
    fields = ("kind", "year", "description")


@admin.register(ServingMember)
class ServingMemberAdmin(LargeTableAdminMixin, ScopedModelAdmin):
    list_display = ("name", "hometown_station", "household", "enlistment_year")
    list_filter = ("enlistment_year", CountyFilter)
    search_fields = ("name", "=hometown_station__code", "hometown_station__name")
    list_select_related = ("hometown_station", "household")
    raw_id_fields = ("household",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = [MeritInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class DeliveredFilter(admin.SimpleListFilter):
    title = "喜报送达"
    parameter_name = "delivered"

    def lookups(self, request, model_admin):
        return [("yes", "已送达"), ("no", "待送达")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(delivery__isnull=False)
        if self.value() == "no":
            return queryset.filter(delivery__isnull=True)
        return queryset


@admin.register(Merit)
class MeritAdmin(LargeTableAdminMixin, ScopedModelAdmin):
    list_display = ("serving_member", "kind", "year", "hometown", "delivered")
    list_filter = ("kind", "year", DeliveredFilter, CountyFilter)
    search_fields = ("serving_member__name", "=serving_member__hometown_station__code")
    list_select_related = ("serving_member", "serving_member__hometown_station", "delivery")
    raw_id_fields = ("serving_member",)

    @admin.display(description="家乡服务站")
    def hometown(self, obj):
        return obj.serving_member.hometown_station.name

    @admin.display(description="已送喜报", boolean=True)
    def delivered(self, obj):
        return hasattr(obj, "delivery")


@admin.register(CommendationDelivery)
class CommendationDeliveryAdmin(ScopedExportMixin, LargeTableAdminMixin, ScopedModelAdmin):
    resource_classes = [DeliveryResource]
    list_display = ("date", "merit", "hometown", "deliverer")
    list_filter = ("merit__kind", CountyFilter)
    search_fields = ("merit__serving_member__name", "deliverer", "=merit__serving_member__hometown_station__code")
    date_hierarchy = "date"
    list_select_related = ("merit", "merit__serving_member", "merit__serving_member__hometown_station")
    raw_id_fields = ("merit",)
    readonly_fields = ("created_by", "created_at")

    @admin.display(description="家乡服务站")
    def hometown(self, obj):
        return obj.merit.serving_member.hometown_station.name

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # a new delivery through the action: jurisdiction, one per merit, audit
        saved = actions.commendation_deliver(
            merit=obj.merit, date=obj.date, deliverer=obj.deliverer, notes=obj.notes, user=request.user, request=request
        )
        obj.pk, obj.created_by = saved.pk, saved.created_by
