"""xlsx exports of the employment admin: rows limited to the user's jurisdiction,
ID numbers and phones masked unless the user holds ``veterans.view_full_pii``."""

from __future__ import annotations

from import_export import fields

from canghzou_portal.exports import ScopedExportResource

from .models import Application, Employer, JobFair, JobPosting, Placement, TrainingProgramme, Venture


class EmployerResource(ScopedExportResource):
    select_related = ("organization__county",)
    name = fields.Field(attribute="organization__name", column_name="企业名称")
    credit_code = fields.Field(attribute="organization__credit_code", column_name="统一社会信用代码")
    industry = fields.Field(attribute="organization__industry", column_name="所属行业")
    county_name = fields.Field(attribute="organization__county__name", column_name="所在县（市、区）")
    contact_name = fields.Field(attribute="organization__contact_name", column_name="联系人")
    contact_phone = fields.Field(attribute="organization__contact_phone", column_name="联系电话")
    is_employment_base = fields.Field(attribute="organization__is_employment_base", column_name="就业创业基地")
    is_school_enterprise = fields.Field(attribute="organization__is_school_enterprise", column_name="校企合一")
    is_enterprise_training = fields.Field(attribute="organization__is_enterprise_training", column_name="企训合一")

    class Meta:
        model = Employer
        fields = (
            "id",
            "name",
            "credit_code",
            "industry",
            "county_name",
            "contact_name",
            "contact_phone",
            "is_partner",
            "is_employment_base",
            "is_school_enterprise",
            "is_enterprise_training",
        )
        export_order = fields


class JobPostingResource(ScopedExportResource):
    select_related = ("employer__organization", "county")
    employer_name = fields.Field(attribute="employer__organization__name", column_name="招聘企业")
    county_name = fields.Field(attribute="county__name", column_name="工作地点")
    status_label = fields.Field(attribute="get_status_display", column_name="状态")
    category_label = fields.Field(attribute="get_category_display", column_name="岗位类别")

    class Meta:
        model = JobPosting
        fields = (
            "id",
            "title",
            "employer_name",
            "county_name",
            "category_label",
            "salary_min",
            "salary_max",
            "headcount",
            "status_label",
            "published_at",
            "expires_on",
            "rejection_reason",
        )
        export_order = fields


class ApplicationResource(ScopedExportResource):
    select_related = ("posting__employer__organization", "station", "stated_county")
    posting_title = fields.Field(attribute="posting__title", column_name="应聘岗位")
    employer_name = fields.Field(attribute="posting__employer__organization__name", column_name="招聘企业")
    id_number = fields.Field(column_name="身份证号")
    phone = fields.Field(column_name="手机号码")
    station_name = fields.Field(attribute="station__name", column_name="跟进服务站")
    status_label = fields.Field(attribute="get_status_display", column_name="状态")

    class Meta:
        model = Application
        fields = (
            "number",
            "name",
            "id_number",
            "phone",
            "posting_title",
            "employer_name",
            "station_name",
            "needs_follow_up",
            "status_label",
            "created_at",
        )
        export_order = fields

    def dehydrate_id_number(self, obj):
        return self.id_number_for_export(obj.id_number)

    def dehydrate_phone(self, obj):
        return self.phone_for_export(obj.phone)


class PlacementResource(ScopedExportResource):
    select_related = ("veteran__station", "employer__organization")
    veteran_name = fields.Field(attribute="veteran__name", column_name="退役军人")
    id_number = fields.Field(column_name="身份证号")
    station_name = fields.Field(attribute="veteran__station__name", column_name="服务站")
    employer_name = fields.Field(attribute="employer__organization__name", column_name="用人单位")

    class Meta:
        model = Placement
        fields = ("id", "veteran_name", "id_number", "station_name", "employer_name", "position", "start_date")
        export_order = fields

    def dehydrate_id_number(self, obj):
        number = obj.veteran.id_number
        return self.id_number_for_export(number)


class TrainingProgrammeResource(ScopedExportResource):
    select_related = ("provider__organization", "county")
    kind_label = fields.Field(attribute="get_kind_display", column_name="类型")
    provider_name = fields.Field(attribute="provider__organization__name", column_name="承办企业")
    county_name = fields.Field(attribute="county__name", column_name="举办地")

    class Meta:
        model = TrainingProgramme
        fields = ("id", "title", "kind_label", "provider_name", "county_name", "start_date", "end_date", "capacity")
        export_order = fields


class JobFairResource(ScopedExportResource):
    select_related = ("county",)
    kind_label = fields.Field(attribute="get_kind_display", column_name="形式")
    county_name = fields.Field(attribute="county__name", column_name="举办地")
    employer_count = fields.Field(attribute="employer_count", column_name="参会企业")
    positions = fields.Field(attribute="positions", column_name="提供岗位数")
    registration_count = fields.Field(attribute="registration_count", column_name="报名人数")
    checkin_count = fields.Field(attribute="checkin_count", column_name="签到人数")
    application_count = fields.Field(attribute="application_count", column_name="投递申请")
    hire_count = fields.Field(attribute="hire_count", column_name="录用人数")

    class Meta:
        model = JobFair
        fields = (
            "id",
            "title",
            "kind_label",
            "date",
            "end_date",
            "county_name",
            "venue",
            "stream_url",
            "employer_count",
            "positions",
            "registration_count",
            "checkin_count",
            "application_count",
            "hire_count",
        )
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        from .selectors import with_fair_counts

        return with_fair_counts(super().filter_export(queryset, **kwargs))


class VentureResource(ScopedExportResource):
    select_related = ("veteran__station",)
    sector_label = fields.Field(attribute="get_sector_display", column_name="行业")
    status_label = fields.Field(attribute="get_status_display", column_name="经营状态")
    veteran_name = fields.Field(attribute="veteran__name", column_name="退役军人")
    id_number = fields.Field(column_name="身份证号")
    station_name = fields.Field(attribute="veteran__station__name", column_name="服务站")

    class Meta:
        model = Venture
        fields = (
            "id",
            "business_name",
            "credit_code",
            "veteran_name",
            "id_number",
            "station_name",
            "start_date",
            "sector_label",
            "status_label",
            "incubated",
            "jobs_created",
        )
        export_order = fields

    def dehydrate_id_number(self, obj):
        number = obj.veteran.id_number
        return self.id_number_for_export(number)
