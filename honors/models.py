"""Honors (褒扬荣誉): honor types, tier-by-tier nominations, awards, serving members, merits and
the 喜报 delivered to their families."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from canghzou_portal.approval import TransitionLog
from canghzou_portal.models import CreatedByModel
from canghzou_portal.scoping import ScopedQuerySet

YEAR_VALIDATORS = [MinValueValidator(1950), MaxValueValidator(2100)]


class HonorType(models.Model):
    """A kind of honor; its subject kind says who can be nominated for it."""

    class SubjectKind(models.TextChoices):
        HOUSEHOLD = "household", "家庭户"
        PERSON = "person", "退役军人个人"
        SERVING_FAMILY = "serving_family", "现役军人家庭"

    # Codes of the types created by the data migration.
    JRSJ, JRJT, ZMTY, MFTY, GRZD, LGXB = "JRSJ", "JRJT", "ZMTY", "MFTY", "GRZD", "LGXB"

    code = models.CharField("代码", max_length=10, unique=True, help_text="用于证书编号，如 JRSJ")
    name = models.CharField("荣誉名称", max_length=50, unique=True)
    subject_kind = models.CharField("授予对象", max_length=20, choices=SubjectKind.choices)
    criteria = models.TextField("评选条件")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "荣誉类型"
        verbose_name_plural = "荣誉类型"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def takes_household(self) -> bool:
        return self.subject_kind in (self.SubjectKind.HOUSEHOLD, self.SubjectKind.SERVING_FAMILY)


class NominationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待县级审核"
    COUNTY_APPROVED = "county_approved", "县级已通过，待市级审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未通过"
    RETURNED = "returned", "退回修改"


class NominationQuerySet(ScopedQuerySet):
    def active(self):
        return self.exclude(status=NominationStatus.REJECTED)


class Nomination(CreatedByModel):
    """A nomination (提名) of a veteran or a household for one honor type in one year."""

    Status = NominationStatus

    honor_type = models.ForeignKey(HonorType, verbose_name="荣誉类型", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    veteran = models.ForeignKey(
        "veterans.Veteran",
        verbose_name="退役军人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    household = models.ForeignKey(
        "veterans.Household",
        verbose_name="家庭户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    station = models.ForeignKey(
        "services.Station", verbose_name="提名服务站", on_delete=models.PROTECT, related_name="nominations"
    )
    reasons = models.TextField("推荐理由")
    status = models.CharField("状态", max_length=20, choices=NominationStatus.choices, default=NominationStatus.DRAFT)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("审批完成时间", null=True, blank=True)
    last_comment = models.TextField("最近审核意见", blank=True)

    jurisdiction_path = "station"
    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = "荣誉提名"
        verbose_name_plural = "荣誉提名"
        ordering = ["-year", "-id"]
        permissions = [("review_nomination", "审核荣誉提名")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(veteran__isnull=False) & Q(household__isnull=True))
                | (Q(veteran__isnull=True) & Q(household__isnull=False)),
                name="nomination_exactly_one_subject",
            ),
            models.UniqueConstraint(
                fields=["honor_type", "year", "veteran"],
                condition=Q(veteran__isnull=False) & ~Q(status="rejected"),
                name="nomination_one_active_per_veteran",
            ),
            models.UniqueConstraint(
                fields=["honor_type", "year", "household"],
                condition=Q(household__isnull=False) & ~Q(status="rejected"),
                name="nomination_one_active_per_household",
            ),
        ]
        indexes = [
            models.Index(fields=["station", "status", "year"], name="nomination_station_status"),
            models.Index(fields=["status", "station"], name="nomination_status_station"),
            models.Index(fields=["honor_type", "year"], name="nomination_type_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.honor_type}提名：{self.subject_name}"

    @property
    def subject(self):
        return self.veteran if self.veteran_id else self.household

    @property
    def subject_name(self) -> str:
        if self.veteran_id:
            return self.veteran.name
        if self.household_id:
            return f"{self.household.head_name}户"
        return ""

    # Where the nominator edits and submits from (the workflow's drafts: honors.actions.NOMINATIONS).
    EDITABLE_STATUSES = (NominationStatus.DRAFT, NominationStatus.RETURNED)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    def clean(self):
        errors: dict[str, str] = {}
        if self.veteran_id and self.household_id:
            errors["household"] = "提名对象只能是一名退役军人或一个家庭户，不能同时选择"
        elif not self.veteran_id and not self.household_id:
            errors["veteran"] = "请选择提名对象（退役军人或家庭户）"
        elif self.honor_type_id:
            if self.honor_type.takes_household and not self.household_id:
                errors["household"] = f"“{self.honor_type.name}”授予家庭户，请选择家庭户"
            if not self.honor_type.takes_household and not self.veteran_id:
                errors["veteran"] = f"“{self.honor_type.name}”授予个人，请选择退役军人"
        if errors:
            raise ValidationError(errors)


class NominationAttachment(models.Model):
    nomination = models.ForeignKey(
        Nomination, verbose_name="提名", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("附件", upload_to="honors/attachments/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    kind = models.CharField("文件类型", max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    jurisdiction_path = "nomination__station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "提名附件"
        verbose_name_plural = "提名附件"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class NominationTransition(TransitionLog):
    """One step of the workflow: who moved the nomination from which status to which, with a comment."""

    nomination = models.ForeignKey(
        Nomination, verbose_name="提名", on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField("原状态", max_length=20, choices=NominationStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=NominationStatus.choices)

    jurisdiction_path = "nomination__station"

    class Meta(TransitionLog.Meta):
        verbose_name = "提名流转记录"
        verbose_name_plural = "提名流转记录"
        indexes = [models.Index(fields=["nomination", "at"], name="transition_nomination_at")]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '新建'} → {self.get_to_status_display()}"


class AwardCounter(models.Model):
    """Last certificate serial issued per honor type and year (locked with SELECT … FOR UPDATE)."""

    honor_type = models.ForeignKey(HonorType, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "证书编号计数器"
        verbose_name_plural = "证书编号计数器"
        constraints = [models.UniqueConstraint(fields=["honor_type", "year"], name="awardcounter_unique_type_year")]

    def __str__(self) -> str:
        return f"{self.honor_type_id} {self.year}: {self.last_serial}"


class Award(models.Model):
    """An honor granted: an approved nomination with its certificate number."""

    nomination = models.OneToOneField(Nomination, verbose_name="提名", on_delete=models.PROTECT, related_name="award")
    honor_type = models.ForeignKey(HonorType, verbose_name="荣誉类型", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    serial = models.PositiveIntegerField("序号")
    certificate_number = models.CharField("证书编号", max_length=30, unique=True)
    awarded_on = models.DateField("颁授日期", db_index=True)
    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name="退役军人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "veterans.Household", verbose_name="家庭户", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The public roll shows only these two, copied at award time: no join to personal data.
    recipient_name = models.CharField("获得者", max_length=60)
    county = models.ForeignKey(
        "services.Station", verbose_name="所属县（市、区）", on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "services.Station", verbose_name="提名服务站", on_delete=models.PROTECT, related_name="awards"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    jurisdiction_path = "station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "荣誉颁授"
        verbose_name_plural = "荣誉颁授"
        ordering = ["-year", "honor_type__sort_order", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["honor_type", "year", "serial"], name="award_unique_type_year_serial"),
        ]
        indexes = [
            models.Index(fields=["year", "honor_type", "serial"], name="award_year_type_serial"),
            models.Index(fields=["station", "awarded_on"], name="award_station_date"),
            models.Index(fields=["honor_type", "veteran"], name="award_type_veteran"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_number} {self.recipient_name}"


class ServingMember(CreatedByModel):
    """现役军人 from a station's area. The unit is confidential: never shown publicly."""

    name = models.CharField("姓名", max_length=50)
    hometown_station = models.ForeignKey(
        "services.Station", verbose_name="家乡服务站", on_delete=models.PROTECT, related_name="serving_members"
    )
    household = models.ForeignKey(
        "veterans.Household",
        verbose_name="家庭户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="serving_members",
    )
    unit = models.CharField("服役单位（涉密，不公开）", max_length=100, blank=True)
    enlistment_year = models.PositiveSmallIntegerField("入伍年份", null=True, blank=True, validators=YEAR_VALIDATORS)
    notes = models.TextField("备注", blank=True)

    jurisdiction_path = "hometown_station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "现役军人"
        verbose_name_plural = "现役军人"
        ordering = ["hometown_station_id", "name"]
        indexes = [models.Index(fields=["hometown_station", "name"], name="serving_station_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.household_id and self.hometown_station_id:
            from canghzou_portal.codes import in_subtree

            if not in_subtree(self.household.station_id, self.hometown_station_id):
                raise ValidationError({"household": "家庭户须属于家乡服务站辖区"})


class Merit(models.Model):
    class Kind(models.TextChoices):
        FIRST = "first_class", "一等功"
        SECOND = "second_class", "二等功"
        THIRD = "third_class", "三等功"
        COMMENDATION = "commendation", "嘉奖"
        OUTSTANDING = "outstanding_soldier", "优秀士兵"

    serving_member = models.ForeignKey(
        ServingMember, verbose_name="现役军人", on_delete=models.CASCADE, related_name="merits"
    )
    kind = models.CharField("立功受奖类别", max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    description = models.CharField("事迹摘要", max_length=200, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    jurisdiction_path = "serving_member__hometown_station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "立功受奖"
        verbose_name_plural = "立功受奖"
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["serving_member", "year"], name="merit_member_year")]

    def __str__(self) -> str:
        return f"{self.serving_member} {self.year}年{self.get_kind_display()}"

    def clean(self):
        if self.year and self.year > timezone.localdate().year:
            raise ValidationError({"year": "立功受奖年度不能晚于今年"})


class CommendationDelivery(models.Model):
    """喜报送达: the 喜报 for a merit brought to the family's home."""

    merit = models.OneToOneField(Merit, verbose_name="立功受奖", on_delete=models.CASCADE, related_name="delivery")
    date = models.DateField("送达日期", db_index=True)
    deliverer = models.CharField("送达人", max_length=100)
    notes = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    jurisdiction_path = "merit__serving_member__hometown_station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "喜报送达"
        verbose_name_plural = "喜报送达"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.merit} 喜报 {self.date}"

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "送达日期不能晚于今天"})
