"""社会化拥军: the patriotic support associations (爱国拥军志愿者联合会) and their member units.

Kept apart from ``services/models.py`` (imported there, so Django sees one ``services`` app) because
several parts of the bureau's work live in the services app. Seed 001: 「全市已成立爱国拥军志愿者联合会
17家，会员单位达2000余个」.

* ``Alliance`` — one association per station: the city's and a county's (``station`` unique).
* ``AllianceMembership`` — a unit (``services.Organization``) in an association: applied → approved
  with a plaque number (授牌编号) → yearly review → suspended with a reason (and reinstated) or exited;
  an application can also be rejected. At most one open (applied/approved/suspended) membership per unit.
* ``MembershipEvent`` — the append-only log of every change of a membership's status; the monthly
  figure ``alliance_members`` (approved at month end) is read from it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from canghzou_portal import codes
from canghzou_portal.models import TimeStampedModel
from canghzou_portal.scoping import ScopedQuerySet


class SupportIndustry(models.TextChoices):
    """Industries of the alliance's member units and their offers (DESIGN.md, 社会化拥军)."""

    CATERING = "catering", "餐饮住宿"
    RETAIL = "retail", "商超零售"
    FINANCE = "finance", "金融保险"
    EDUCATION = "education", "教育培训"
    HEALTH = "health", "医疗健康"
    TRANSPORT = "transport", "交通出行"
    TOURISM = "tourism", "文化旅游"
    LIFE = "life", "生活服务"
    OTHER = "other", "其他"


class Alliance(TimeStampedModel):
    """爱国拥军志愿者联合会: the city's association or a county's (one per station)."""

    station = models.OneToOneField(
        "services.Station", verbose_name="所属服务中心", on_delete=models.PROTECT, related_name="alliance"
    )
    name = models.CharField("名称", max_length=100, unique=True)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    # the last plaque sequence number handed out (incremented under a row lock)
    last_plaque_seq = models.PositiveIntegerField("已授牌序号", default=0, editable=False)

    jurisdiction_path = "station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "拥军联合会"
        verbose_name_plural = "拥军联合会"
        ordering = ["station_id"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.station_id and codes.level_of(self.station_id) not in (codes.CITY, codes.COUNTY):
            raise ValidationError({"station": "联合会只设在市级和县（市、区）级"})

    @staticmethod
    def default_name(station) -> str:
        return f"{station.name}爱国拥军志愿者联合会"

    def plaque_number(self, seq: int) -> str:
        """授牌编号: ``CZYJ-`` + the association's 6-digit area code + a 4-digit sequence."""
        return f"CZYJ-{self.station_id[:6]}-{seq:04d}"


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", "待审核"
    APPROVED = "approved", "已授牌"
    REJECTED = "rejected", "未通过"
    SUSPENDED = "suspended", "已暂停"
    EXITED = "exited", "已退出"


OPEN_MEMBERSHIP_STATUSES = (MembershipStatus.APPLIED, MembershipStatus.APPROVED, MembershipStatus.SUSPENDED)


class MembershipSource(models.TextChoices):
    PUBLIC = "public", "网上申请"
    STAFF = "staff", "工作人员录入"
    MIGRATED = "migrated", "原企业信息迁移"


class MembershipQuerySet(ScopedQuerySet):
    def approved(self):
        return self.filter(status=MembershipStatus.APPROVED)

    def open(self):
        return self.filter(status__in=OPEN_MEMBERSHIP_STATUSES)


class AllianceMembership(TimeStampedModel):
    """A member unit (会员单位) of an association."""

    alliance = models.ForeignKey(Alliance, verbose_name="联合会", on_delete=models.PROTECT, related_name="memberships")
    organization = models.ForeignKey(
        "services.Organization", verbose_name="单位", on_delete=models.PROTECT, related_name="memberships"
    )
    industry = models.CharField("服务行业", max_length=20, choices=SupportIndustry.choices)
    status = models.CharField(
        "状态", max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.APPLIED, db_index=True
    )
    source = models.CharField("来源", max_length=20, choices=MembershipSource.choices, default=MembershipSource.STAFF)
    pledge = models.TextField("拥军承诺", blank=True)
    applicant_name = models.CharField("申请联系人", max_length=50, blank=True)
    applicant_phone = models.CharField("申请联系电话", max_length=30, blank=True)
    applied_at = models.DateTimeField("申请时间", default=timezone.now)
    plaque_number = models.CharField("授牌编号", max_length=30, unique=True, null=True, blank=True, editable=False)
    approved_on = models.DateField("授牌日期", null=True, blank=True, editable=False)
    last_review_year = models.PositiveSmallIntegerField("最近年审年度", null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True, editable=False)
    status_reason = models.TextField("原因（驳回/暂停/退出）", blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    jurisdiction_path = "alliance__station"
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "会员单位"
        verbose_name_plural = "会员单位"
        ordering = ["-applied_at", "-id"]
        permissions = [("review_alliancemembership", "审核拥军联合会会员单位")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(status__in=["applied", "approved", "suspended"]),
                name="membership_one_open_per_unit",
                violation_error_message="该单位已是拥军联合会会员单位或已提交申请",
            )
        ]
        indexes = [
            models.Index(fields=["alliance", "status"], name="membership_alliance_status"),
            models.Index(fields=["status", "industry"], name="membership_status_industry"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.alliance}"

    @property
    def is_approved(self) -> bool:
        return self.status == MembershipStatus.APPROVED


class MembershipEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("会员状态记录不可修改")

    def delete(self):
        raise PermissionError("会员状态记录不可删除")


class MembershipEvent(models.Model):
    """Append-only: each change of a membership's status (and each yearly review), with who and why."""

    class Kind(models.TextChoices):
        APPLY = "apply", "提交申请"
        APPROVE = "approve", "审核通过并授牌"
        REJECT = "reject", "审核未通过"
        YEARLY_REVIEW = "yearly_review", "年度审核通过"
        SUSPEND = "suspend", "暂停"
        REINSTATE = "reinstate", "恢复"
        EXIT = "exit", "退出"
        MIGRATE = "migrate", "由原企业信息迁移"

    membership = models.ForeignKey(
        AllianceMembership, verbose_name="会员单位", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("事项", max_length=20, choices=Kind.choices)
    status_after = models.CharField("变更后状态", max_length=20, choices=MembershipStatus.choices)
    at = models.DateTimeField("时间", default=timezone.now)
    year = models.PositiveSmallIntegerField("年审年度", null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField("原因/说明", blank=True)

    jurisdiction_path = "membership__alliance__station"
    objects = MembershipEventQuerySet.as_manager()

    class Meta:
        verbose_name = "会员状态记录"
        verbose_name_plural = "会员状态记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["membership", "at"], name="membership_event_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("会员状态记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("会员状态记录不可删除")
