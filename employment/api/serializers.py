"""What the API shows: public facts about postings, employers and fairs — never personal data
(no applicant, veteran, contact person or phone number)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Employer, JobFair, JobPosting


class EmployerSerializer(serializers.ModelSerializer):
    """The employer's unit (services.Organization): public facts only, no contact person or phone."""

    name = serializers.CharField(source="organization.name", help_text="单位名称")
    credit_code = serializers.CharField(source="organization.credit_code", help_text="统一社会信用代码")
    industry = serializers.CharField(source="organization.industry", help_text="所属行业")
    is_partner = serializers.BooleanField(help_text="拥军企业")

    class Meta:
        model = Employer
        fields = ("name", "credit_code", "industry", "is_partner")


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


class PostingSerializer(serializers.ModelSerializer):
    employer = EmployerSerializer(read_only=True)
    category_label = serializers.CharField(source="get_category_display", help_text="岗位类别（中文）")
    education_label = serializers.CharField(source="get_education_display", help_text="学历要求（中文）")
    county_code = serializers.CharField(source="county_id", help_text="工作地点县（市、区）的12位统计用区划代码")
    county = serializers.CharField(source="county.name", help_text="工作地点县（市、区）")
    url = serializers.SerializerMethodField(help_text="岗位在本平台的页面（申请入口）")

    class Meta:
        model = JobPosting
        fields = (
            "id",
            "title",
            "description",
            "category",
            "category_label",
            "county_code",
            "county",
            "salary_min",
            "salary_max",
            "headcount",
            "education",
            "education_label",
            "veteran_preferred",
            "published_at",
            "expires_on",
            "updated_at",
            "employer",
            "url",
        )

    def get_url(self, obj) -> str:
        return _absolute(self.context.get("request"), reverse("employment:job_detail", args=[obj.pk]))


class FairFiguresSerializer(serializers.Serializer):
    employers = serializers.IntegerField(source="employer_count", help_text="参会企业数")
    postings = serializers.IntegerField(source="posting_count", help_text="推介岗位数")
    positions = serializers.IntegerField(help_text="提供岗位数（推介岗位的招聘人数之和）")
    registrations = serializers.IntegerField(source="registration_count", help_text="报名人数")
    checkins = serializers.IntegerField(source="checkin_count", help_text="签到人数")
    applications = serializers.IntegerField(source="application_count", help_text="通过本场招聘会投递的申请数")
    hires = serializers.IntegerField(source="hire_count", help_text="其中已录用的人数")


class FairSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", help_text="形式（中文）")
    county_code = serializers.CharField(source="county_id", help_text="举办地县（市、区）的12位统计用区划代码")
    county = serializers.CharField(source="county.name", help_text="举办地县（市、区）")
    employers = EmployerSerializer(many=True, read_only=True, help_text="参会企业")
    posting_ids = serializers.SerializerMethodField(
        help_text="推介岗位中当前公开的岗位编号（见 /api/v1/postings/{id}/）"
    )
    figures = serializers.SerializerMethodField(help_text="统计数字，均按报名、签到、投递记录计算")
    url = serializers.SerializerMethodField(help_text="招聘会在本平台的页面")

    class Meta:
        model = JobFair
        fields = (
            "id",
            "title",
            "kind",
            "kind_label",
            "date",
            "end_date",
            "county_code",
            "county",
            "venue",
            "stream_url",
            "employers",
            "posting_ids",
            "figures",
            "url",
        )

    def get_posting_ids(self, obj) -> list[int]:
        return [p.pk for p in obj.public_postings]

    @extend_schema_field(FairFiguresSerializer)
    def get_figures(self, obj) -> dict:
        return FairFiguresSerializer(obj).data

    def get_url(self, obj) -> str:
        return _absolute(self.context.get("request"), reverse("employment:fair_detail", args=[obj.pk]))
