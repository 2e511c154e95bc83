from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.utils.html import format_html

from canghzou_portal.admin_mixins import LargeTableAdminMixin
from canghzou_portal.scoping import scope_queryset, user_scope
from canghzou_portal.scoping_mixins import ScopedModelAdmin

from . import codes, selectors
from .models import AuditEvent, Station, StationEvaluation, User


class CountyFilter(admin.SimpleListFilter):
    """Filter by county, offering only the counties inside the user's jurisdiction."""

    title = "所属县（市、区）"
    parameter_name = "county"

    def lookups(self, request, model_admin):
        counties = scope_queryset(Station.objects.counties(), request.user)
        scope = user_scope(request.user)
        if scope not in ("all", None) and codes.level_of(scope[0]) != codes.CITY:
            county = codes.county_code(request.user.station_id)
            counties = Station.objects.filter(code=county)
        return [(s.code, s.name) for s in counties]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not codes.is_valid_code(value):
            return queryset.none()
        return queryset.in_subtree(value)


@admin.register(Station)
class StationAdmin(LargeTableAdminMixin, ScopedModelAdmin):
    list_display = ("code", "name", "level", "parent_link", "star_rating", "is_active")
    list_filter = ("level", CountyFilter, "is_active", "star_rating")
    search_fields = ("=code", "name")
    list_select_related = ("parent",)
    readonly_fields = ("code", "level", "parent", "chain")
    fields = (
        "code",
        "name",
        "level",
        "parent",
        "chain",
        "address",
        "phone",
        "person_in_charge",
        "opening_hours",
        "is_active",
        "star_rating",
    )
    ordering = ("code",)

    @admin.display(description="上级")
    def parent_link(self, obj):
        if obj.parent_id is None:
            return "—"
        return format_html('<a href="../{}/change/">{}</a>', obj.parent_id, obj.parent.name)

    @admin.display(description="层级路径")
    def chain(self, obj):
        return " › ".join(s.name for s in selectors.station_chain(obj))

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isdigit() and len(term) < 12:
            return queryset.filter(Q(code__startswith=term) | Q(name__contains=term)), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False  # stations come from the division list (load_stations)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: history and records point at stations


@admin.register(StationEvaluation)
class StationEvaluationAdmin(ScopedModelAdmin):
    list_display = ("station", "year", "stars", "score", "checks_passed", "evaluator")
    list_filter = ("year", "stars", "station__level")
    search_fields = ("station__name", "=station__code")
    list_select_related = ("station", "evaluator")
    autocomplete_fields = ("station",)
    readonly_fields = ("evaluator",)

    @admin.display(description="五有达标项")
    def checks_passed(self, obj):
        return f"{obj.checks_passed}/5"

    def save_model(self, request, obj, form, change):
        obj.evaluator = request.user
        super().save_model(request, obj, form, change)


@admin.register(User)
class UserAdmin(ScopedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "station", "role_list", "is_active", "last_login")
    list_filter = ("groups", "is_active", "station__level")
    search_fields = ("username", "full_name", "=station__code", "station__name")
    list_select_related = ("station",)
    autocomplete_fields = ("station",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "email", "phone", "station", "employer")}),
        ("角色与权限", {"fields": ("is_active", "is_staff", "groups")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "full_name", "station", "groups", "password1", "password2")},
        ),
    )
    filter_horizontal = ("groups",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="角色")
    def role_list(self, obj):
        return "、".join(g.name for g in obj.groups.all())


@admin.register(AuditEvent)
class AuditEventAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    list_display = ("time", "username", "station_code", "ip_address", "action", "object_repr", "result")
    list_filter = ("action", "result")
    search_fields = ("username", "object_repr", "=station_code")
    date_hierarchy = "time"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
