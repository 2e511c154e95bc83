"""The service network: stations, their staff (the user model), evaluations, services,
public-welfare posts, monthly statistics and the audit trail."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from canghzou_portal import codes
from canghzou_portal.audit import AuditResult
from canghzou_portal.models import TimeStampedModel
from canghzou_portal.scoping import ScopedQuerySet
from employment.validators import validate_credit_code


# --- stations -------------------------------------------------------------------------
class StationQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def counties(self):
        return self.filter(level=codes.COUNTY)

    def children_of(self, code: str):
        return self.filter(parent_id=code)


class Station(models.Model):
    """A service centre or station, identified by the 12-digit code of the division it serves."""

    LEVEL_CHOICES = [(key, codes.LEVEL_LABELS[key]) for key in codes.LEVELS]
    STATION_KIND = {
        codes.CITY: "退役军人服务中心",
        codes.COUNTY: "退役军人服务中心",
        codes.TOWNSHIP: "退役军人服务站",
        codes.VILLAGE: "退役军人服务站",
    }

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100, db_index=True)
    level = models.CharField("层级", max_length=10, choices=LEVEL_CHOICES, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    person_in_charge = models.CharField("负责人", max_length=50, blank=True)
    opening_hours = models.CharField(
        "办公时间", max_length=100, blank=True, default="周一至周五 8:30-12:00，14:30-17:30"
    )
    is_active = models.BooleanField("启用", default=True, db_index=True)
    star_rating = models.PositiveSmallIntegerField(
        "当前星级", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    jurisdiction_path = "code"
    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = "服务中心（站）"
        verbose_name_plural = "服务中心（站）"
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="station_level_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return f"{self.name}{self.STATION_KIND[self.level]}"

    @property
    def county_code(self) -> str | None:
        return codes.county_code(self.code)

    def ancestor_codes(self) -> list[str]:
        return codes.ancestor_codes(self.code)

    def subtree_bounds(self) -> tuple[str, str]:
        return codes.subtree_bounds(self.code)

    def contains(self, other_code: str) -> bool:
        return codes.in_subtree(other_code, self.code)


# --- organizations (units) ---------------------------------------------------------------
class OrganizationQuerySet(ScopedQuerySet):
    def by_credit_code(self, code: str):
        from employment.validators import normalize_credit_code

        return self.filter(credit_code=normalize_credit_code(code))


class Organization(TimeStampedModel):
    """A unit (单位): one row per unified social credit code, whatever roles it holds.

    Its roles: employer (``employment.Employer``, one-to-one, the job board's employer),
    alliance member (``services.AllianceMembership``: applied, approved with a plaque number,
    suspended, exited), employment base (就业创业基地) and training partner (the "两个一":
    校企合一, 企训合一) as flags here. Donations, memberships, offers and service points of a unit
    point at this model. Jurisdiction: the county the unit is registered in.
    """

    name = models.CharField("单位名称", max_length=100, db_index=True)
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        error_messages={"unique": "该统一社会信用代码的单位已登记，无需重复登记"},
    )
    industry = models.CharField("所属行业", max_length=50, blank=True)
    county = models.ForeignKey(
        Station, verbose_name="所在县（市、区）", on_delete=models.PROTECT, related_name="organizations"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    is_employment_base = models.BooleanField("就业创业基地", default=False)
    is_school_enterprise = models.BooleanField("校企合一", default=False)
    is_enterprise_training = models.BooleanField("企训合一", default=False)

    jurisdiction_path = "county"
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["county", "name"], name="organization_county_name")]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None):
        from employment.validators import normalize_credit_code

        # stored as the validator reads it (before the length check), so " 91…x" and "91…X" are one unit
        self.credit_code = normalize_credit_code(self.credit_code)
        self.name = (self.name or "").strip()
        super().clean_fields(exclude=exclude)

    def clean(self):
        if self.county_id and codes.level_of(self.county_id) != codes.COUNTY:
            raise ValidationError({"county": "所在地须选择县（市、区）"})

    @property
    def is_training_partner(self) -> bool:
        return self.is_school_enterprise or self.is_enterprise_training


class StationEvaluation(TimeStampedModel):
    """Annual star rating (星级评定) against the "五有" standard."""

    station = models.ForeignKey(Station, verbose_name="服务站", on_delete=models.PROTECT, related_name="evaluations")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2018), MaxValueValidator(2100)])
    has_organization = models.BooleanField("有机构", default=False)
    has_staffing = models.BooleanField("有编制", default=False)
    has_personnel = models.BooleanField("有人员", default=False)
    has_funding = models.BooleanField("有经费", default=False)
    has_support = models.BooleanField("有保障", default=False)
    score = models.DecimalField(
        "得分", max_digits=5, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    stars = models.PositiveSmallIntegerField("星级", validators=[MinValueValidator(1), MaxValueValidator(5)])
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评定人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField("备注", blank=True)

    jurisdiction_path = "station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "星级评定"
        verbose_name_plural = "星级评定"
        ordering = ["-year", "station_id"]
        constraints = [models.UniqueConstraint(fields=["station", "year"], name="evaluation_unique_station_year")]

    def __str__(self) -> str:
        return f"{self.station} {self.year}年 {self.stars}星"

    @property
    def checks_passed(self) -> int:
        return sum([self.has_organization, self.has_staffing, self.has_personnel, self.has_funding, self.has_support])


# --- staff accounts -------------------------------------------------------------------
class User(AbstractUser):
    """A portal account. Every staff member belongs to one station (their jurisdiction)."""

    station = models.ForeignKey(
        Station, verbose_name="所属服务站", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    employer = models.ForeignKey(
        "employment.Employer",
        verbose_name="所属企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
        help_text="仅企业用户填写",
    )

    jurisdiction_path = "station"
    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role_names(self) -> list[str]:
        return [g.name for g in self.groups.all()]

    def has_role(self, role: str) -> bool:
        return any(g.name == role for g in self.groups.all())


# --- station services -----------------------------------------------------------------
class ServiceRecord(TimeStampedModel):
    class Kind(models.TextChoices):
        VISIT = "visit", "来访接待"
        CONSULTATION = "consultation", "政策咨询"
        AID = "aid", "帮扶援助"
        CARE_VISIT = "care_visit", "走访慰问"
        EMPLOYMENT = "employment", "就业服务"
        RIGHTS = "rights", "权益维护"

    class Status(models.TextChoices):
        OPEN = "open", "办理中"
        CLOSED = "closed", "已办结"

    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name="退役军人", on_delete=models.PROTECT, related_name="service_records"
    )
    station = models.ForeignKey(
        Station, verbose_name="服务站", on_delete=models.PROTECT, related_name="service_records"
    )
    kind = models.CharField("服务类型", max_length=20, choices=Kind.choices)
    date = models.DateField("服务日期")
    summary = models.TextField("事由摘要")
    outcome = models.TextField("办理结果", blank=True)
    aid_amount = models.DecimalField(
        "帮扶金额（元）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    jurisdiction_path = "station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "服务记录"
        verbose_name_plural = "服务记录"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["station", "date"], name="service_station_date"),
            models.Index(fields=["date", "kind"], name="service_date_kind"),
            models.Index(fields=["veteran", "date"], name="service_veteran_date"),
            models.Index(fields=["station", "kind", "date"], name="service_station_kind_date"),
            models.Index(fields=["status", "station", "date"], name="service_status_station_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def clean(self):
        from django.utils import timezone

        errors = {}
        if self.kind == self.Kind.AID and self.aid_amount is None:
            errors["aid_amount"] = "帮扶援助必须填写帮扶金额"
        if self.kind != self.Kind.AID and self.aid_amount is not None:
            errors["aid_amount"] = "只有帮扶援助可以填写帮扶金额"
        if self.date and self.date > timezone.localdate():
            errors["date"] = "服务日期不能晚于今天"
        if self.status == self.Status.CLOSED and self.kind == self.Kind.RIGHTS and not (self.outcome or "").strip():
            errors["outcome"] = "权益维护事项须填写办理结果后才能办结"
        if errors:
            raise ValidationError(errors)


class PublicWelfarePost(TimeStampedModel):
    """公益性岗位: a subsidised post held by a veteran at a station."""

    post_name = models.CharField("岗位名称", max_length=100)
    station = models.ForeignKey(Station, verbose_name="服务站", on_delete=models.PROTECT, related_name="welfare_posts")
    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name="在岗人员", on_delete=models.PROTECT, related_name="welfare_posts"
    )
    start_date = models.DateField("上岗日期")
    end_date = models.DateField("离岗日期", null=True, blank=True)
    monthly_subsidy = models.DecimalField(
        "月补贴（元）", max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    jurisdiction_path = "station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "公益性岗位"
        verbose_name_plural = "公益性岗位"
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["veteran"],
                condition=models.Q(end_date__isnull=True),
                name="welfare_one_active_post",
                violation_error_message="该退役军人已有在岗的公益性岗位，须先办理离岗",
            )
        ]
        indexes = [models.Index(fields=["station", "end_date"], name="welfare_station_end")]

    def __str__(self) -> str:
        return self.post_name

    @property
    def is_active(self) -> bool:
        return self.end_date is None

    def clean(self):
        from django.utils import timezone

        errors = {}
        today = timezone.localdate()
        if self.start_date and self.start_date > today:
            errors["start_date"] = "上岗日期不能晚于今天"
        if self.end_date and self.end_date > today:
            errors["end_date"] = "离岗日期不能晚于今天"
        elif self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "离岗日期不能早于上岗日期"
        if errors:
            raise ValidationError(errors)


# --- monthly statistics -----------------------------------------------------------------
METRIC_KEYS = (
    "veterans_total",
    "veterans_new",
    "veterans_employable",
    "veterans_employed",
    "employment_rate",
    "placements",
    "ventures_new",
    "training_school_enterprise",
    "training_enterprise",
    "service_visits",
    "service_consultations",
    "service_aid_count",
    "service_aid_amount",
    "commendations_delivered",
    "honors_awarded",
    "jobs_published",
    "applications",
    # part two (DESIGN.md): 安置 (employment), 优待抚恤 (veterans), 拥军/帮扶/双拥 (services)
    "reception_reported",
    "placement_candidates",
    "placement_selected",
    "care_recipients",
    "care_paid_amount",
    "cards_issued",
    "alliance_members",
    "support_offers_published",
    "support_services",
    "hardship_cases_new",
    "care_fund_granted",
    "mutual_needs_done",
)


class MonthlyStatistic(models.Model):
    """One row per station per month; every figure covers the station's whole subtree."""

    station = models.ForeignKey(Station, verbose_name="服务站", on_delete=models.CASCADE, related_name="statistics")
    month = models.DateField("月份", help_text="当月第一天")
    veterans_total = models.PositiveIntegerField("在册人数", default=0)
    veterans_new = models.PositiveIntegerField("新增登记", default=0)
    veterans_employable = models.PositiveIntegerField("有就业能力人数", default=0)
    veterans_employed = models.PositiveIntegerField("已就业人数", default=0)
    employment_rate = models.DecimalField("就业率（%）", max_digits=5, decimal_places=1, default=Decimal("0.0"))
    placements = models.PositiveIntegerField("就业安置", default=0)
    ventures_new = models.PositiveIntegerField("新增创业", default=0)
    training_school_enterprise = models.PositiveIntegerField("校企合一培训", default=0)
    training_enterprise = models.PositiveIntegerField("企训合一培训", default=0)
    service_visits = models.PositiveIntegerField("来访接待", default=0)
    service_consultations = models.PositiveIntegerField("政策咨询", default=0)
    service_aid_count = models.PositiveIntegerField("帮扶援助次数", default=0)
    service_aid_amount = models.DecimalField(
        "帮扶援助金额（元）", max_digits=14, decimal_places=2, default=Decimal("0")
    )
    commendations_delivered = models.PositiveIntegerField("送达喜报", default=0)
    honors_awarded = models.PositiveIntegerField("颁授荣誉", default=0)
    jobs_published = models.PositiveIntegerField("发布岗位", default=0)
    applications = models.PositiveIntegerField("求职申请", default=0)
    reception_reported = models.PositiveIntegerField("接收报到", default=0)
    placement_candidates = models.PositiveIntegerField("安置对象", default=0)
    placement_selected = models.PositiveIntegerField("阳光安置选岗", default=0)
    care_recipients = models.PositiveIntegerField("优抚对象人数", default=0)
    care_paid_amount = models.DecimalField(
        "抚恤补助发放金额（元）", max_digits=14, decimal_places=2, default=Decimal("0")
    )
    cards_issued = models.PositiveIntegerField("发放优待证", default=0)
    alliance_members = models.PositiveIntegerField("拥军联盟会员单位", default=0)
    support_offers_published = models.PositiveIntegerField("发布优待项目", default=0)
    support_services = models.PositiveIntegerField("拥军服务人次", default=0)
    hardship_cases_new = models.PositiveIntegerField("新增困难帮扶", default=0)
    care_fund_granted = models.DecimalField("爱心基金发放（元）", max_digits=14, decimal_places=2, default=Decimal("0"))
    mutual_needs_done = models.PositiveIntegerField("双清单办结", default=0)
    computed_at = models.DateTimeField("计算时间")
    run_id = models.CharField("计算批次", max_length=64)

    jurisdiction_path = "station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "月度统计"
        verbose_name_plural = "月度统计"
        ordering = ["-month", "station_id"]
        constraints = [models.UniqueConstraint(fields=["station", "month"], name="monthlystat_unique_station_month")]
        indexes = [models.Index(fields=["month", "station"], name="monthlystat_month_station")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.month:%Y-%m}"


# --- audit trail ------------------------------------------------------------------------
class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计记录不可修改")

    def delete(self):
        raise PermissionError("审计记录不可删除")


class AuditEvent(models.Model):
    """Append-only audit trail (logins, PII reveals, exports, imports, approvals, changes)."""

    Result = AuditResult

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    station_code = models.CharField("所属服务站", max_length=12, blank=True)
    ip_address = models.GenericIPAddressField("客户端地址", null=True, blank=True)
    action = models.CharField("操作", max_length=40, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.SUCCESS)
    detail = models.JSONField("详情", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["action", "time"], name="audit_action_time"),
            models.Index(fields=["username", "time"], name="audit_username_time"),
            models.Index(fields=["station_code", "time"], name="audit_station_time"),
            models.Index(fields=["result", "time"], name="audit_result_time"),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录不可删除")


# 社会化拥军 (associations, member units, offers, service points) live in their own module.
# Security bookkeeping (issue 15) lives in its own module; imported here so Django registers it.
from .models_security import LookupMiss, OTPEnrolmentCode  # noqa: E402, F401
from .models_support import (  # noqa: E402, F401
    Alliance,
    AllianceMembership,
    MembershipEvent,
    MembershipSource,
    MembershipStatus,
    SupportIndustry,
)
