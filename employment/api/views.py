"""Read-only endpoints of /api/v1/. Visibility is the site's own rules, not restated here:
postings are exactly ``JobPosting.objects.public()`` (the job board's rule), fairs exactly
``selectors.public_fairs()`` (the public fair list's rule)."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import APIView

from canghzou_portal import codes

from .. import selectors
from ..models import Employer, FairKind, JobCategory, JobFair, JobPosting
from . import access
from .serializers import FairSerializer, PostingSerializer

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000


class PartnerPagination(PageNumberPagination):
    """``page`` and ``page_size`` (1–100); anything else is a 400 with a Chinese message."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = "页码{page_number}超出范围"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise exceptions.ValidationError(
                {"page_size": [f"每页条数须为1到{MAX_PAGE_SIZE}之间的整数，收到“{raw[:20]}”"]}
            )
        return int(raw)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
            raise exceptions.ValidationError({"page": [f"页码须为1到{MAX_PAGE}之间的整数，收到“{raw[:20]}”"]})
        return raw


class PartnerAPIMixin:
    """Key required, rate-limited per key, every use audited, errors as JSON objects."""

    authentication_classes: list = []
    permission_classes = [access.HasPartnerAPIKey]
    throttle_classes = [access.PartnerKeyThrottle]
    pagination_class = PartnerPagination

    def get_exception_handler(self):
        return access.api_exception_handler

    def throttled(self, request, wait):
        limit = request.partner_key.requests_per_minute
        raise exceptions.Throttled(
            wait=wait, detail=f"请求过于频繁：该密钥每分钟最多{limit}次，请{int(wait or 1)}秒后再试"
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        access.audit_use(request, response)
        return response


class CountyCodeFilter(django_filters.CharFilter):
    def filter(self, qs, value):
        if not value:
            return qs
        if not codes.is_valid_code(value) or codes.level_of(value) != codes.COUNTY:
            raise exceptions.ValidationError({"county": [f"“{value[:20]}”不是县（市、区）的12位统计用区划代码"]})
        return qs.filter(county_id=value)


class PostingFilter(django_filters.FilterSet):
    county = CountyCodeFilter(label="工作地点县（市、区）代码（12位）")
    category = django_filters.ChoiceFilter(choices=JobCategory.choices, label="岗位类别")
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="只返回此时间（ISO 8601，含时区）之后更新的岗位"
    )

    class Meta:
        model = JobPosting
        fields = ("county", "category", "updated_since")


class FairFilter(django_filters.FilterSet):
    county = CountyCodeFilter(label="举办地县（市、区）代码（12位）")
    kind = django_filters.ChoiceFilter(choices=FairKind.choices, label="形式")
    date_from = django_filters.DateFilter(
        field_name="end_date", lookup_expr="gte", label="只返回此日期（含）之后仍在举办的"
    )

    class Meta:
        model = JobFair
        fields = ("county", "kind", "date_from")


EMPLOYER_FIELDS = ("id", "is_partner", "organization")
UNIT_FIELDS = ("id", "name", "credit_code", "industry")


@extend_schema(tags=["招聘岗位"])
class PostingViewSet(PartnerAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """公开招聘岗位：与本平台 /jobs/ 岗位列表完全相同的岗位（已发布且未过截止日期），最新发布的在前。"""

    serializer_class = PostingSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PostingFilter

    def get_queryset(self):
        return (
            JobPosting.objects.public()
            .select_related("employer__organization", "county")
            .only(
                *("title", "description", "category", "county__name", "salary_min", "salary_max", "headcount"),
                *("education", "veteran_preferred", "published_at", "expires_on", "updated_at", "county_id"),
                *(f"employer__{f}" for f in EMPLOYER_FIELDS),
                *(f"employer__organization__{f}" for f in UNIT_FIELDS),
            )
            .order_by("-published_at", "-id")
        )

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise exceptions.NotFound("该岗位不存在或已停止招聘") from None


@extend_schema(tags=["招聘会"])
class FairViewSet(PartnerAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """招聘会（现场、网络、直播带岗）：与本平台 /jobs/fairs/ 相同的招聘会，开始日期最近的在前。"""

    serializer_class = FairSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = FairFilter

    def get_queryset(self):
        return selectors.public_fairs().prefetch_related(
            Prefetch(
                "employers",
                queryset=Employer.objects.select_related("organization")
                .only(*EMPLOYER_FIELDS, *(f"organization__{f}" for f in UNIT_FIELDS))
                .order_by("organization__name", "id"),
            ),
            Prefetch(
                "postings", queryset=JobPosting.objects.public().only("id").order_by("id"), to_attr="public_postings"
            ),
        )

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise exceptions.NotFound("该招聘会不存在或已下线") from None


class NotFoundView(PartnerAPIMixin, APIView):
    """Any other address under /api/: a JSON 404 (also without a key)."""

    permission_classes: list = []
    throttle_classes: list = []
    schema = None

    def _answer(self, request, *args, **kwargs):
        return access.not_found_response()

    get = post = put = patch = delete = head = options = _answer
