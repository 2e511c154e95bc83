"""Admin of 社会化拥军: units, associations and member units (imported by services/admin.py)."""

from __future__ import annotations

from django.contrib import admin

from canghzou_portal.admin_mixins import CountyFilter, LargeTableAdminMixin
from canghzou_portal.exports import ScopedExportMixin
from canghzou_portal.scoping_mixins import ScopedModelAdmin

from .models import Alliance, AllianceMembership, MembershipEvent, Organization


@admin.register(Organization)
class OrganizationAdmin(ScopedExportMixin, LargeTableAdminMixin, ScopedModelAdmin):
    list_display = ("name", "credit_code", "county", "industry", "is_employment_base", "is_training_partner")
    list_filter = ("is_employment_base", "is_school_enterprise", "is_enterprise_training", CountyFilter)
    search_fields = ("name", "=credit_code")
    list_select_related = ("county",)
    autocomplete_fields = ("county",)
    fields = (
        "name",
        "credit_code",
        "industry",
        "county",
        "address",
        "contact_name",
        "contact_phone",
        "is_employment_base",
        "is_school_enterprise",
        "is_enterprise_training",
    )
    ordering = ("name", "id")

    @admin.display(description="培训合作（两个一）", boolean=True)
    def is_training_partner(self, obj):
        return obj.is_training_partner

    def save_model(self, request, obj, form, change):
        from .actions_support import organization_save

        organization_save(user=request.user, organization=obj, request=request)


@admin.register(Alliance)
class AllianceAdmin(ScopedModelAdmin):
    list_display = ("name", "station", "phone", "founded_on")
    search_fields = ("name",)
    list_select_related = ("station",)
    readonly_fields = ("station",)

    def has_add_permission(self, request):
        return False  # created with the station (actions_support.alliance_for_station)

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipEventInline(admin.TabularInline):
    model = MembershipEvent
    fields = ("at", "kind", "status_after", "year", "by", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AllianceMembership)
class AllianceMembershipAdmin(LargeTableAdminMixin, ScopedModelAdmin):
    """Read-only: applications, reviews, suspensions and exits go through the actions (the
    station pages under /station/support/)."""

    list_display = ("organization", "alliance", "industry", "status", "plaque_number", "approved_on")
    list_filter = ("status", "industry", "source")
    search_fields = ("organization__name", "=organization__credit_code", "=plaque_number")
    list_select_related = ("organization", "alliance")
    inlines = [MembershipEventInline]
    ordering = ("-applied_at", "-id")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
