from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.http import Http404
from django.utils.html import format_html

from canghzou_portal.admin_mixins import CountyFilter, LargeTableAdminMixin
from canghzou_portal.scoping_mixins import ScopedModelAdmin

from . import selectors
from .admin_otp import OTPEnrolmentAdminMixin
from .models import AuditEvent, Station, StationEvaluation, User
from .role_separation import user_admin_forms


@admin.register(Station)
class StationAdmin(LargeTableAdminMixin, ScopedModelAdmin):
    list_display = ("code", "name", "level", "parent_link", "star_rating", "is_active")
    list_filter = ("level", CountyFilter, "is_active", "star_rating")
    search_fields = ("=code", "name")
    list_select_related = ("parent",)
    # the star rating follows the latest evaluation (星级评定), never typed in here
    readonly_fields = ("code", "level", "parent", "chain", "star_rating")
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

    def get_form(self, request, obj=None, **kwargs):
        from django.core.exceptions import PermissionDenied

        from .actions import assert_can_evaluate

        base = super().get_form(request, obj, **kwargs)
        user = request.user

        class TierCheckedForm(base):
            def clean(self):
                data = super().clean()
                if data.get("station") is not None:
                    try:
                        assert_can_evaluate(user, data["station"])
                    except PermissionDenied as exc:
                        self.add_error("station", str(exc))
                return data

        return TierCheckedForm

    def save_model(self, request, obj, form, change):
        # Through the action: tier rules (city → counties, county → its townships and villages)
        # and the station's current star rating follow the latest year's evaluation.
        from .actions import EVALUATION_FIELDS, station_evaluation_save

        saved = station_evaluation_save(
            request=request,
            user=request.user,
            station=obj.station,
            year=obj.year,
            evaluation=obj if change else None,
            **{name: getattr(obj, name) for name in EVALUATION_FIELDS},
        )
        obj.pk, obj.evaluator = saved.pk, saved.evaluator


@admin.register(User)
class UserAdmin(OTPEnrolmentAdminMixin, ScopedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "station", "role_list", "is_active", "last_login")
    list_filter = ("groups", "is_active", "station__level")
    search_fields = ("username", "full_name", "=station__code", "station__name")
    list_select_related = ("station",)
    autocomplete_fields = ("station",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "email", "phone", "station", "employer")}),
        ("角色与权限", {"fields": ("is_active", "is_staff", "groups")}),
        ("双因素身份验证", {"fields": ("second_factor_status",)}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("second_factor_status",)
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "full_name", "station", "groups", "password1", "password2")},
        ),
    )
    filter_horizontal = ("groups",)
    # Three-role separation: a clear error on the form (services/role_separation.py).
    form, add_form = user_admin_forms()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "employer" and formfield is not None:
            formfield.queryset = formfield.queryset.select_related("organization")  # its name is the unit's
        return formfield

    @admin.display(description="角色")
    def role_list(self, obj):
        return "、".join(g.name for g in obj.groups.all())


@admin.register(AuditEvent)
class AuditEventAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    list_display = ("time", "username", "station_code", "ip_address", "action", "object_repr", "result")
    list_filter = ("action", "result")
    search_fields = ("username", "object_repr", "=station_code")
    date_hierarchy = "time"

    def get_queryset(self, request):
        return selectors.audit_events_for(request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("未找到该记录，或不在您的辖区范围内")
        return obj

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- station services: records and public-welfare posts (issue 5) ------------------------
from django.utils import timezone  # noqa: E402
from import_export import fields as ie_fields  # noqa: E402

from canghzou_portal.exports import ScopedExportMixin, ScopedExportResource  # noqa: E402

from .models import PublicWelfarePost, ServiceRecord  # noqa: E402


class VeteranRowResource(ScopedExportResource):
    """Rows that belong to a veteran: the veteran's ID number, masked unless full_pii."""

    def dehydrate_id_number(self, obj):
        return self.id_number_for_export(obj.veteran.id_number)


class ServiceRecordResource(VeteranRowResource):
    select_related = ("veteran", "station", "handled_by")
    veteran_name = ie_fields.Field(attribute="veteran__name", column_name="退役军人")
    id_number = ie_fields.Field(column_name="身份证号")
    station_code = ie_fields.Field(attribute="station_id", column_name="服务站代码")
    station_name = ie_fields.Field(attribute="station__name", column_name="服务站")
    kind = ie_fields.Field(attribute="get_kind_display", column_name="服务类型")
    date = ie_fields.Field(attribute="date", column_name="服务日期")
    summary = ie_fields.Field(attribute="summary", column_name="事由摘要")
    outcome = ie_fields.Field(attribute="outcome", column_name="办理结果")
    aid_amount = ie_fields.Field(attribute="aid_amount", column_name="帮扶金额（元）")
    status = ie_fields.Field(attribute="get_status_display", column_name="状态")
    handled_by = ie_fields.Field(attribute="handled_by", column_name="经办人")
    closed_at = ie_fields.Field(attribute="closed_at", column_name="办结时间")

    def dehydrate_closed_at(self, record):
        return timezone.localtime(record.closed_at).strftime("%Y-%m-%d %H:%M") if record.closed_at else ""

    class Meta:
        model = ServiceRecord
        fields = (
            "id",
            "veteran_name",
            "id_number",
            "station_code",
            "station_name",
            "kind",
            "date",
            "summary",
            "outcome",
            "aid_amount",
            "status",
            "handled_by",
            "closed_at",
        )
        export_order = fields


class PublicWelfarePostResource(VeteranRowResource):
    select_related = ("veteran", "station")
    post_name = ie_fields.Field(attribute="post_name", column_name="岗位名称")
    veteran_name = ie_fields.Field(attribute="veteran__name", column_name="在岗人员")
    id_number = ie_fields.Field(column_name="身份证号")
    station_code = ie_fields.Field(attribute="station_id", column_name="服务站代码")
    station_name = ie_fields.Field(attribute="station__name", column_name="服务站")
    start_date = ie_fields.Field(attribute="start_date", column_name="上岗日期")
    end_date = ie_fields.Field(attribute="end_date", column_name="离岗日期")
    monthly_subsidy = ie_fields.Field(attribute="monthly_subsidy", column_name="月补贴（元）")

    class Meta:
        model = PublicWelfarePost
        fields = (
            "id",
            "post_name",
            "veteran_name",
            "id_number",
            "station_code",
            "station_name",
            "start_date",
            "end_date",
            "monthly_subsidy",
        )
        export_order = fields


class WelfareActiveFilter(admin.SimpleListFilter):
    title = "在岗状态"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", "在岗"), ("no", "已离岗")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(end_date__isnull=True)
        if self.value() == "no":
            return queryset.filter(end_date__isnull=False)
        return queryset


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ScopedExportMixin, LargeTableAdminMixin, ScopedModelAdmin):
    resource_classes = [ServiceRecordResource]
    list_display = ("date", "kind", "veteran", "station", "status", "aid_amount", "handled_by")
    list_filter = ("kind", "status", CountyFilter, "station__level")
    date_hierarchy = "date"
    search_fields = ("veteran__name", "=station__code", "station__name")
    list_select_related = ("veteran", "station", "handled_by")
    raw_id_fields = ("veteran",)
    autocomplete_fields = ("station",)
    fields = ("veteran", "station", "kind", "date", "summary", "outcome", "aid_amount", "status")
    readonly_fields = ("handled_by", "closed_at", "created_at", "updated_at")
    ordering = ("-date", "-id")

    def get_fields(self, request, obj=None):
        return [*self.fields, *self.readonly_fields] if obj is not None else list(self.fields)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_closed:  # closed cases are read-only
            return [*self.fields, *self.readonly_fields]
        return self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        return _station_checked_form(super().get_form(request, obj, **kwargs))

    def save_model(self, request, obj, form, change):
        # Through the actions: permission, jurisdiction, the station rule, audit (and closing
        # sets closed_at), as on the clerk pages.
        from .actions import (
            RECORD_EDITABLE_FIELDS,
            service_record_close,
            service_record_create,
            service_record_update,
        )

        closing = obj.status == ServiceRecord.Status.CLOSED
        if change:
            changed = {name: getattr(obj, name) for name in RECORD_EDITABLE_FIELDS if name in form.changed_data}
            saved = service_record_update(request=request, user=request.user, record=obj, **changed) if changed else obj
        else:
            saved = service_record_create(
                request=request,
                user=request.user,
                veteran=obj.veteran,
                station=obj.station,
                **{name: getattr(obj, name) for name in ("kind", "date", "summary", "outcome", "aid_amount")},
            )
        if closing and "status" in form.changed_data:
            saved = service_record_close(request=request, user=request.user, record=saved)
        obj.pk, obj.handled_by, obj.closed_at = saved.pk, saved.handled_by, saved.closed_at


def _station_checked_form(base):
    """An admin form that refuses, on the field, a station other than the veteran's own or one
    above it (``actions.assert_record_station``)."""
    from django.core.exceptions import ValidationError

    from .actions import assert_record_station

    class StationCheckedForm(base):
        def clean(self):
            data = super().clean()
            veteran = data.get("veteran") or getattr(self.instance, "veteran", None)
            station = data.get("station")
            if veteran is not None and station is not None and "station" in self.changed_data:
                try:
                    assert_record_station(veteran, station)
                except ValidationError as exc:
                    self.add_error("station", exc.message_dict["station"])
            return data

    return StationCheckedForm


@admin.register(PublicWelfarePost)
class PublicWelfarePostAdmin(ScopedExportMixin, LargeTableAdminMixin, ScopedModelAdmin):
    resource_classes = [PublicWelfarePostResource]
    list_display = ("post_name", "veteran", "station", "start_date", "end_date", "monthly_subsidy")
    list_filter = (WelfareActiveFilter, CountyFilter, "station__level")
    date_hierarchy = "start_date"
    search_fields = ("post_name", "veteran__name", "=station__code", "station__name")
    list_select_related = ("veteran", "station")
    raw_id_fields = ("veteran",)
    autocomplete_fields = ("station",)
    ordering = ("-start_date", "-id")

    def get_form(self, request, obj=None, **kwargs):
        return _station_checked_form(super().get_form(request, obj, **kwargs))

    def get_readonly_fields(self, request, obj=None):
        return ("veteran",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        # Through the actions: permission, jurisdiction, the station rule, one active post, audit.
        from .actions import POST_EDITABLE_FIELDS, welfare_post_create, welfare_post_end, welfare_post_update

        if not change:
            saved = welfare_post_create(
                request=request,
                user=request.user,
                veteran=obj.veteran,
                **{name: getattr(obj, name) for name in POST_EDITABLE_FIELDS},
            )
        else:
            changed = {name: getattr(obj, name) for name in POST_EDITABLE_FIELDS if name in form.changed_data}
            saved = welfare_post_update(request=request, user=request.user, post=obj, **changed) if changed else obj
        if obj.end_date is not None and "end_date" in form.changed_data:
            saved = welfare_post_end(request=request, user=request.user, post=saved, end_date=obj.end_date)
        obj.pk = saved.pk


# --- monthly statistics (issue 8): read-only; rows come from the statistics task -----------------
from .models import MonthlyStatistic  # noqa: E402


class StatisticMonthFilter(admin.SimpleListFilter):
    """The months that have statistics (newest first, two years)."""

    title = "统计月份"
    parameter_name = "month"

    def lookups(self, request, model_admin):
        months = MonthlyStatistic.objects.dates("month", "month", order="DESC")[:24]
        return [(f"{m:%Y-%m}", f"{m.year}年{m.month}月") for m in months]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            year, month = (int(part) for part in value.split("-"))
            return queryset.filter(month__year=year, month__month=month)
        except ValueError:
            return queryset.none()


@admin.register(MonthlyStatistic)
class MonthlyStatisticAdmin(LargeTableAdminMixin, ScopedModelAdmin):
    list_display = (
        "station",
        "station_code",
        "station_level",
        "month_label",
        "veterans_total",
        "veterans_new",
        "veterans_employable",
        "veterans_employed",
        "employment_rate",
        "placements",
        "service_visits",
        "service_aid_amount",
        "honors_awarded",
        "computed_at",
    )
    list_filter = (StatisticMonthFilter, "station__level")
    search_fields = ("=station__code", "station__name")
    list_select_related = ("station",)
    ordering = ("-month", "station_id")

    @admin.display(description="区划代码", ordering="station_id")
    def station_code(self, obj):
        return obj.station_id

    @admin.display(description="层级", ordering="station__level")
    def station_level(self, obj):
        return obj.station.get_level_display()

    @admin.display(description="月份", ordering="month")
    def month_label(self, obj):
        return f"{obj.month:%Y-%m}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- 社会化拥军 (issue 19) -----------------------------------------------------------------------
from . import admin_support  # noqa: E402, F401
