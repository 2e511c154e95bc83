"""Employment: partner employers, postings, applications, placements, training, fairs, ventures."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey

from canghzou_portal import codes
from canghzou_portal.crypto import EncryptedCharField, blind_index, mask_id_number, mask_phone
from canghzou_portal.models import TimeStampedModel
from canghzou_portal.scoping import ScopedQuerySet
from veterans.validators import normalize_id_number

from . import search
from .validators import normalize_credit_code, validate_credit_code


class Employer(TimeStampedModel):
    """The employer role of a unit (``services.Organization``, one-to-one).

    The unit's identity — name, unified social credit code, industry, county, address,
    contact — lives on the organization (one row per credit code, whatever roles it holds);
    the employer keeps what belongs to hiring: the 拥军企业 partner flag shown on the job board
    and its preferential measures for veteran applicants. Postings, applications, placements,
    training and fairs keep pointing at this model (its table and primary key are those of
    part one). ``name``, ``credit_code`` and ``county`` read through to the organization.
    """

    organization = models.OneToOneField(
        "services.Organization", verbose_name="单位", on_delete=models.PROTECT, related_name="employer"
    )
    is_partner = models.BooleanField("拥军企业", default=False, db_index=True)
    preferential_offers = models.TextField("优待措施", blank=True)

    jurisdiction_path = "organization__county"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["organization__name", "id"]

    def __str__(self) -> str:
        return self.organization.name

    @property
    def name(self) -> str:
        return self.organization.name

    @property
    def credit_code(self) -> str:
        return self.organization.credit_code

    @property
    def county(self):
        return self.organization.county

    def refresh_posting_search(self) -> None:
        """The employer's name is part of its postings' keyword grams (employment/search.py);
        called when the organization is renamed (employment.signals)."""
        postings = list(JobPosting.objects.filter(employer=self).only("id", "title", "description"))
        for posting in postings:
            posting.search_grams = search.text_grams(posting.title, self.name, posting.description)
        JobPosting.objects.bulk_update(postings, ["search_grams"], batch_size=500)


# --- job postings ------------------------------------------------------------------------
class JobCategory(models.TextChoices):
    MANUFACTURING = "manufacturing", "生产制造"
    LOGISTICS = "logistics", "物流运输"
    SECURITY = "security", "安保服务"
    CONSTRUCTION = "construction", "建筑施工"
    SALES = "sales", "销售客服"
    IT = "it", "信息技术"
    ADMIN = "admin", "行政文员"
    DRIVING = "driving", "驾驶员"
    MAINTENANCE = "maintenance", "设备维修"
    CATERING = "catering", "餐饮服务"
    HEALTH = "health", "医疗健康"
    AGRICULTURE = "agriculture", "农业生产"
    EDUCATION = "education", "教育培训"
    OTHER = "other", "其他"


class PostingStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "待审核"
    PUBLISHED = "published", "已发布"
    CLOSED = "closed", "已关闭"
    EXPIRED = "expired", "已过期"
    REJECTED = "rejected", "已驳回"


class EducationRequirement(models.TextChoices):
    ANY = "any", "不限"
    JUNIOR = "junior", "初中及以上"
    SENIOR = "senior", "高中/中专及以上"
    COLLEGE = "college", "大专及以上"
    BACHELOR = "bachelor", "本科及以上"


class JobPostingQuerySet(ScopedQuerySet):
    def public(self, today=None):
        """THE rule of public visibility: published and not past its expiry date (Asia/Shanghai).

        The detail page, feed and cache go through this method; the board's hand-written query
        (``selectors.board_page``) compiles this method's WHERE clause into its SQL. The daily task
        only turns the status of overdue postings into ``expired`` for the record.
        """
        return self.filter(status=PostingStatus.PUBLISHED, expires_on__gte=today or timezone.localdate())

    def overdue(self):
        return self.filter(status=PostingStatus.PUBLISHED, expires_on__lt=timezone.localdate())

    def of_employer(self, employer_id):
        return self.filter(employer_id=employer_id) if employer_id else self.none()


class JobPosting(TimeStampedModel):
    employer = models.ForeignKey(Employer, verbose_name="招聘企业", on_delete=models.PROTECT, related_name="postings")
    title = models.CharField("岗位名称", max_length=100)
    description = models.TextField("岗位描述")
    category = models.CharField("岗位类别", max_length=20, choices=JobCategory.choices)
    county = models.ForeignKey(
        "services.Station", verbose_name="工作地点（县市区）", on_delete=models.PROTECT, related_name="job_postings"
    )
    salary_min = models.PositiveIntegerField("月薪下限（元）", validators=[MinValueValidator(1)])
    salary_max = models.PositiveIntegerField("月薪上限（元）", validators=[MinValueValidator(1)])
    headcount = models.PositiveSmallIntegerField("招聘人数", default=1, validators=[MinValueValidator(1)])
    education = models.CharField(
        "学历要求", max_length=20, choices=EducationRequirement.choices, default=EducationRequirement.ANY
    )
    veteran_preferred = models.BooleanField("退役军人优先", default=True)
    status = models.CharField("状态", max_length=20, choices=PostingStatus.choices, default=PostingStatus.DRAFT)
    rejection_reason = models.TextField("驳回理由", blank=True)
    submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    expires_on = models.DateField("截止日期")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    # Characters and character pairs of title, employer name and description for the keyword
    # index (employment/search.py); derived in save(), never edited by hand.
    search_grams = models.TextField("检索字串", blank=True, default="", editable=False)

    jurisdiction_path = "county"
    objects = JobPostingQuerySet.as_manager()

    class Meta:
        verbose_name = "招聘岗位"
        verbose_name_plural = "招聘岗位"
        ordering = ["-published_at", "-id"]
        permissions = [("review_jobposting", "审核招聘岗位")]
        indexes = [
            models.Index(fields=["status", "expires_on", "published_at"], name="posting_board"),
            # newest-first walk of published postings: the unfiltered board stops after 21 rows
            models.Index(
                fields=["-published_at", "-id"], name="posting_board_recent", condition=models.Q(status="published")
            ),
            models.Index(fields=["county", "status"], name="posting_county_status"),
            models.Index(fields=["category", "status"], name="posting_category_status"),
            models.Index(fields=["salary_max"], name="posting_salary_max"),
            models.Index(fields=["employer", "status"], name="posting_employer_status"),
            # the partner API's incremental sync (updated_since) over published postings
            models.Index(fields=["updated_at"], name="posting_updated", condition=models.Q(status="published")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(salary_max__gte=models.F("salary_min")), name="posting_salary_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.employer}）"

    SEARCH_SOURCES = frozenset({"title", "description", "employer"})

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or self.SEARCH_SOURCES & set(update_fields):
            employer_name = self.employer.name if self.employer_id else ""
            self.search_grams = search.text_grams(self.title, employer_name, self.description)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_grams"}
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.salary_min and self.salary_max and self.salary_max < self.salary_min:
            errors["salary_max"] = "月薪上限不能低于月薪下限"
        if self.county_id and codes.level_of(self.county_id) != codes.COUNTY:
            errors["county"] = "工作地点须选择县（市、区）"
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self) -> bool:
        return self.status == PostingStatus.PUBLISHED and self.expires_on >= timezone.localdate()

    @property
    def salary_display(self) -> str:
        return f"{self.salary_min}-{self.salary_max}元/月"


# --- applications ------------------------------------------------------------------------
class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "已投递"
    SHORTLISTED = "shortlisted", "初筛通过"
    INTERVIEW = "interview", "面试"
    HIRED = "hired", "已录用"
    NOT_HIRED = "not_hired", "未录用"
    WITHDRAWN = "withdrawn", "已撤回"


# The pipeline: the only moves an employer or staff member may make.
APPLICATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ApplicationStatus.SUBMITTED: (
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.NOT_HIRED,
        ApplicationStatus.WITHDRAWN,
    ),
    ApplicationStatus.SHORTLISTED: (
        ApplicationStatus.INTERVIEW,
        ApplicationStatus.NOT_HIRED,
        ApplicationStatus.WITHDRAWN,
    ),
    ApplicationStatus.INTERVIEW: (ApplicationStatus.HIRED, ApplicationStatus.NOT_HIRED, ApplicationStatus.WITHDRAWN),
    ApplicationStatus.HIRED: (),
    ApplicationStatus.NOT_HIRED: (),
    ApplicationStatus.WITHDRAWN: (),
}


class Application(TimeStampedModel):
    """An application from the public board. ``station`` is the veteran's station when the
    applicant matched the registry, otherwise the stated county (whose clerk follows up)."""

    posting = models.ForeignKey(
        JobPosting, verbose_name="应聘岗位", on_delete=models.PROTECT, related_name="applications"
    )
    number = models.CharField("申请编号", max_length=20, unique=True)
    name = models.CharField("姓名", max_length=50)
    id_number = EncryptedCharField("身份证号")
    id_number_hash = models.CharField("身份证号索引", max_length=64, editable=False)
    phone = EncryptedCharField("手机号码")
    message = models.TextField("留言", blank=True)
    veteran = models.ForeignKey(
        "veterans.Veteran",
        verbose_name="匹配的退役军人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="job_applications",
    )
    stated_county = models.ForeignKey(
        "services.Station", verbose_name="申请人所在县（市、区）", on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "services.Station",
        verbose_name="跟进服务站",
        on_delete=models.PROTECT,
        related_name="job_applications",
        editable=False,
    )
    needs_follow_up = models.BooleanField("待跟进（未匹配登记信息）", default=False, db_index=True)
    status = models.CharField(
        "状态", max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    fair = models.ForeignKey(
        "JobFair",
        verbose_name="来源招聘会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        help_text="在招聘会现场或通过直播带岗/网络招聘会投递的申请",
    )

    jurisdiction_path = "station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "岗位申请"
        verbose_name_plural = "岗位申请"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["posting", "id_number_hash"], name="application_once_per_posting")
        ]
        indexes = [
            models.Index(fields=["station", "created_at"], name="application_station_created"),
            models.Index(fields=["posting", "status"], name="application_posting_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def save(self, *args, **kwargs):
        self.id_number_hash = blind_index(normalize_id_number(self.id_number))
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def allowed_next(self) -> tuple[str, ...]:
        return APPLICATION_TRANSITIONS.get(self.status, ())


class Placement(TimeStampedModel):
    """就业安置: a veteran placed with an employer (from a hired application or recorded by a clerk)."""

    application = models.OneToOneField(
        Application, verbose_name="来源申请", null=True, blank=True, on_delete=models.PROTECT, related_name="placement"
    )
    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name="退役军人", on_delete=models.PROTECT, related_name="placements"
    )
    employer = models.ForeignKey(Employer, verbose_name="用人单位", on_delete=models.PROTECT, related_name="placements")
    position = models.CharField("岗位", max_length=100, blank=True)
    start_date = models.DateField("入职日期", db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    jurisdiction_path = "veteran__station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "就业安置"
        verbose_name_plural = "就业安置"
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.veteran} → {self.employer}"


# --- training ------------------------------------------------------------------------------
class TrainingKind(models.TextChoices):
    SCHOOL_ENTERPRISE = "school_enterprise", "校企合一"
    ENTERPRISE_TRAINING = "enterprise_training", "企训合一"
    SKILLS = "skills", "技能培训"
    ENTREPRENEURSHIP = "entrepreneurship", "创业培训"


class TrainingProgramme(TimeStampedModel):
    title = models.CharField("培训项目", max_length=100)
    kind = models.CharField("类型", max_length=30, choices=TrainingKind.choices, db_index=True)
    provider = models.ForeignKey(
        Employer, verbose_name="承办企业", null=True, blank=True, on_delete=models.PROTECT, related_name="programmes"
    )
    county = models.ForeignKey(
        "services.Station", verbose_name="举办地（县市区）", on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField("开班日期")
    end_date = models.DateField("结业日期")
    capacity = models.PositiveIntegerField("计划人数", validators=[MinValueValidator(1)])
    description = models.TextField("培训内容", blank=True)

    jurisdiction_path = "county"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "培训项目"
        verbose_name_plural = "培训项目"
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["end_date"], name="programme_end_date")]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "结业日期不能早于开班日期"
        if self.county_id and codes.level_of(self.county_id) != codes.COUNTY:
            errors["county"] = "举办地须选择县（市、区）"
        if errors:
            raise ValidationError(errors)


class EnrolmentResult(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"


class EnrolmentStatus(models.TextChoices):
    """Derived from the fields (never stored): 在训 until completed (结业) or dropped (退训)."""

    ENROLLED = "enrolled", "在训"
    COMPLETED = "completed", "已结业"
    DROPPED = "dropped", "已退训"


class EnrolmentQuerySet(ScopedQuerySet):
    def holding_place(self):
        """Enrolments that take a place of the programme's capacity (everyone but drop-outs)."""
        return self.filter(dropped_on__isnull=True)

    def open(self):
        return self.filter(completed=False, dropped_on__isnull=True)


class Enrolment(TimeStampedModel):
    """A registry veteran in a training programme: 报名 → 考勤 → 结业 (with result and certificate)
    or 退训. Written only through ``employment.actions`` (capacity is checked under a row lock)."""

    programme = models.ForeignKey(
        TrainingProgramme, verbose_name="培训项目", on_delete=models.PROTECT, related_name="enrolments"
    )
    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name="退役军人", on_delete=models.PROTECT, related_name="enrolments"
    )
    completed = models.BooleanField("已结业", default=False)
    completed_on = models.DateField("结业日期", null=True, blank=True, db_index=True)
    result = models.CharField("结业成绩", max_length=20, choices=EnrolmentResult.choices, blank=True)
    certificate_number = models.CharField("证书编号", max_length=50, blank=True)
    dropped_on = models.DateField("退训日期", null=True, blank=True)
    drop_reason = models.CharField("退训原因", max_length=200, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报名经办人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="结业/退训经办人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    jurisdiction_path = "veteran__station"
    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = "培训报名"
        verbose_name_plural = "培训报名"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "veteran"], name="enrolment_once"),
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=~models.Q(certificate_number=""),
                name="enrolment_certificate_unique",
                violation_error_message="该证书编号已被使用",
            ),
            models.CheckConstraint(
                condition=~(models.Q(completed=True) & models.Q(dropped_on__isnull=False)),
                name="enrolment_completed_or_dropped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.veteran} - {self.programme}"

    @property
    def status(self) -> str:
        if self.completed:
            return EnrolmentStatus.COMPLETED
        if self.dropped_on:
            return EnrolmentStatus.DROPPED
        return EnrolmentStatus.ENROLLED

    def get_status_display(self) -> str:
        return EnrolmentStatus(self.status).label

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.completed and not self.completed_on:
            errors["completed_on"] = "已结业的须填写结业日期"
        if self.completed and not self.result:
            errors["result"] = "已结业的须填写结业成绩"
        if self.certificate_number and not self.completed:
            errors["certificate_number"] = "未结业不能填写证书编号"
        if self.completed and self.dropped_on:
            errors["dropped_on"] = "已结业的不能再登记退训"
        if errors:
            raise ValidationError(errors)


class TrainingAttendance(models.Model):
    """One roll call entry (考勤): a trainee present or absent on one day of the programme."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name="培训报名", on_delete=models.CASCADE, related_name="attendance"
    )
    date = models.DateField("日期")
    present = models.BooleanField("出勤", default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField("记录时间", auto_now=True)

    jurisdiction_path = "enrolment__veteran__station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "培训考勤"
        verbose_name_plural = "培训考勤"
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "date"], name="attendance_once_a_day")]

    def __str__(self) -> str:
        return f"{self.enrolment} {self.date:%Y-%m-%d} {'出勤' if self.present else '缺勤'}"


# --- job fairs -------------------------------------------------------------------------------
class FairKind(models.TextChoices):
    ONSITE = "onsite", "现场招聘会"
    ONLINE = "online", "网络招聘会"
    LIVESTREAM = "livestream", "直播带岗"


class JobFairQuerySet(ScopedQuerySet):
    def running_on(self, day):
        return self.filter(date__lte=day, end_date__gte=day)


class JobFair(TimeStampedModel):
    """招聘会: on site, online, or 直播带岗. Every figure shown for a fair is counted from its
    records: participating employers and the postings presented, veterans' registrations and
    check-ins at the door, applications made at (or through) the fair and the hires among them."""

    title = models.CharField("名称", max_length=100)
    kind = models.CharField("形式", max_length=20, choices=FairKind.choices)
    date = models.DateField("开始日期", db_index=True)
    end_date = models.DateField("结束日期", blank=True, help_text="留空为当天结束")
    county = models.ForeignKey(
        "services.Station", verbose_name="举办地（县市区）", on_delete=models.PROTECT, related_name="+"
    )
    venue = models.CharField("地点/直播平台", max_length=200, blank=True)
    stream_url = models.URLField(
        "直播/网络会场链接",
        max_length=300,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"], message="请输入以 http:// 或 https:// 开头的有效链接")],
        help_text="直播带岗须填写直播间链接（http:// 或 https://）",
    )
    employers = models.ManyToManyField(Employer, verbose_name="参会企业", blank=True, related_name="fairs")
    postings = models.ManyToManyField(JobPosting, verbose_name="提供岗位", blank=True, related_name="fairs")

    jurisdiction_path = "county"
    objects = JobFairQuerySet.as_manager()

    class Meta:
        verbose_name = "招聘会"
        verbose_name_plural = "招聘会"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["county", "date"], name="fair_county_date"),
            models.Index(fields=["end_date"], name="fair_end_date"),  # public and running fairs
            models.Index(fields=["kind", "date"], name="fair_kind_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("date")), name="fair_end_after_start")
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.end_date is None:
            self.end_date = self.date  # a one-day fair
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.end_date is None:
            self.end_date = self.date
        errors = {}
        if self.date and self.end_date and self.end_date < self.date:
            errors["end_date"] = "结束日期不能早于开始日期"
        if self.kind == FairKind.LIVESTREAM and not self.stream_url:
            errors["stream_url"] = "直播带岗须填写直播间链接"
        if self.county_id and codes.level_of(self.county_id) != codes.COUNTY:
            errors["county"] = "举办地须选择县（市、区）"
        if errors:
            raise ValidationError(errors)

    @property
    def has_door(self) -> bool:
        """Veterans check in at a door (on site, or a live stream with an audience on site)."""
        return self.kind != FairKind.ONLINE


class RegistrationChannel(models.TextChoices):
    STATION = "station", "服务站报名"
    WALK_IN = "walk_in", "现场登记"


class FairRegistration(TimeStampedModel):
    """A veteran registered for a fair (报名), and checked in at the door (签到).

    Kept with the fair: its organiser (the fair's county and above) holds the list of who came,
    whichever station the veterans belong to; the veteran's own page shows it too."""

    fair = models.ForeignKey(JobFair, verbose_name="招聘会", on_delete=models.PROTECT, related_name="registrations")
    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name="退役军人", on_delete=models.PROTECT, related_name="fair_registrations"
    )
    number = models.CharField("报名编号", max_length=20, unique=True)
    channel = models.CharField(
        "报名方式", max_length=20, choices=RegistrationChannel.choices, default=RegistrationChannel.STATION
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报名经办人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签到经办人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    jurisdiction_path = "fair__county"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "招聘会报名"
        verbose_name_plural = "招聘会报名"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["fair", "veteran"], name="fair_registration_once")]
        indexes = [models.Index(fields=["fair", "checked_in_at"], name="fair_registration_checkin")]

    def __str__(self) -> str:
        return f"{self.number} {self.veteran}"


# --- ventures ------------------------------------------------------------------------------
class VentureStatus(models.TextChoices):
    PREPARING = "preparing", "筹备中"
    OPERATING = "operating", "经营中"
    SUSPENDED = "suspended", "停业"
    CLOSED = "closed", "已注销"


# The moves a venture's status may make (every move is logged in VentureStatusChange).
VENTURE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    VentureStatus.PREPARING: (VentureStatus.OPERATING, VentureStatus.CLOSED),
    VentureStatus.OPERATING: (VentureStatus.SUSPENDED, VentureStatus.CLOSED),
    VentureStatus.SUSPENDED: (VentureStatus.OPERATING, VentureStatus.CLOSED),
    VentureStatus.CLOSED: (),
}


class VentureSector(models.TextChoices):
    AGRICULTURE = "agriculture", "农林牧渔"
    MANUFACTURING = "manufacturing", "制造加工"
    CONSTRUCTION = "construction", "建筑装修"
    RETAIL = "retail", "批发零售"
    LOGISTICS = "logistics", "交通运输物流"
    CATERING = "catering", "住宿餐饮"
    IT = "it", "信息技术与电商"
    SERVICES = "services", "居民生活服务"
    SECURITY = "security", "安保服务"
    CULTURE = "culture", "文化旅游"
    EDUCATION = "education", "教育培训"
    OTHER = "other", "其他"


class Venture(TimeStampedModel):
    """创业: a business started by one or more registry veterans (the lead founder's station is
    the jurisdiction), with its business registration, incubation at the employment base, the
    support it received and its status over time."""

    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name="牵头创办人", on_delete=models.PROTECT, related_name="ventures"
    )
    business_name = models.CharField("企业/个体名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code])
    sector = models.CharField("行业", max_length=20, choices=VentureSector.choices, default=VentureSector.OTHER)
    industry = models.CharField("经营范围", max_length=50, blank=True)
    start_date = models.DateField("创办日期", db_index=True)
    status = models.CharField("经营状态", max_length=20, choices=VentureStatus.choices, default=VentureStatus.OPERATING)
    incubated = models.BooleanField("入驻孵化基地", default=False)
    incubation_base = models.ForeignKey(
        "services.Organization",
        verbose_name="孵化基地（就业创业基地）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incubated_ventures",
        limit_choices_to={"is_employment_base": True},
    )
    incubated_from = models.DateField("入驻日期", null=True, blank=True)
    jobs_created = models.PositiveIntegerField("带动就业人数", default=0)
    founders = models.ManyToManyField(
        "veterans.Veteran", verbose_name="创办人", through="VentureFounder", related_name="founded_ventures"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    jurisdiction_path = "veteran__station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "退役军人创业"
        verbose_name_plural = "退役军人创业"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="venture_credit_code_unique",
                violation_error_message="该统一社会信用代码已登记过创业项目",
            )
        ]
        indexes = [models.Index(fields=["status", "start_date"], name="venture_status_start")]

    def __str__(self) -> str:
        return self.business_name

    def clean(self):
        from django.core.exceptions import ValidationError

        self.credit_code = normalize_credit_code(self.credit_code)
        errors = {}
        if self.incubation_base_id and not self.incubated_from:
            errors["incubated_from"] = "入驻孵化基地的须填写入驻日期"
        if errors:
            raise ValidationError(errors)

    @property
    def allowed_next(self) -> tuple[str, ...]:
        return VENTURE_TRANSITIONS.get(self.status, ())


class VentureFounder(models.Model):
    """One founder of a venture, from the registry (the lead founder is also ``Venture.veteran``)."""

    venture = models.ForeignKey(Venture, verbose_name="创业项目", on_delete=models.CASCADE, related_name="founder_rows")
    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name="创办人", on_delete=models.PROTECT, related_name="venture_founder_rows"
    )
    is_lead = models.BooleanField("牵头创办人", default=False)

    jurisdiction_path = "venture__veteran__station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "创办人"
        verbose_name_plural = "创办人"
        ordering = ["-is_lead", "id"]
        constraints = [models.UniqueConstraint(fields=["venture", "veteran"], name="venture_founder_once")]

    def __str__(self) -> str:
        return f"{self.veteran}（{self.venture}）"


class SupportKind(models.TextChoices):
    GUIDANCE = "guidance", "创业指导"
    LOAN = "loan", "创业担保贷款"
    SUBSIDY = "subsidy", "创业补贴"
    VENUE = "venue", "场地支持"


MONEY_KINDS = (SupportKind.LOAN, SupportKind.SUBSIDY)


class VentureSupportQuerySet(ScopedQuerySet):
    def in_force(self):
        """Entries that count: not voiding entries, and not corrected by a later entry."""
        return self.filter(void=False, corrected_by__isnull=True)


class VentureSupport(models.Model):
    """Support a venture received (扶持): guidance, a guaranteed loan, a subsidy, premises.

    Append-only: an entry is never edited. A mistake is put right by a new entry that
    ``corrects`` it (with the right figures) or voids it (``void``)."""

    venture = models.ForeignKey(Venture, verbose_name="创业项目", on_delete=models.PROTECT, related_name="support")
    kind = models.CharField("扶持类型", max_length=20, choices=SupportKind.choices)
    date = models.DateField("日期")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    guarantor = models.CharField("担保人/担保机构", max_length=100, blank=True)
    provider = models.CharField("提供单位", max_length=100, blank=True, help_text="放款银行、补贴发放部门或指导老师")
    note = models.CharField("说明", max_length=300, blank=True)
    corrects = models.OneToOneField(
        "self", verbose_name="更正的记录", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    void = models.BooleanField("作废原记录", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    jurisdiction_path = "venture__veteran__station"
    objects = VentureSupportQuerySet.as_manager()

    class Meta:
        verbose_name = "创业扶持"
        verbose_name_plural = "创业扶持"
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=["loan", "subsidy"], void=False) | models.Q(amount__gt=0),
                name="venture_support_money_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="loan", void=False) | ~models.Q(guarantor=""),
                name="venture_support_loan_guarantor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venture} {self.get_kind_display()} {self.date:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("扶持记录不可修改，如有错误请登记更正记录")
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.void:
            return
        errors = {}
        if self.kind in MONEY_KINDS:
            if self.amount is None:
                errors["amount"] = "请填写金额（元）"
            elif self.amount <= 0:
                errors["amount"] = "贷款金额须大于0元" if self.kind == SupportKind.LOAN else "补贴金额须大于0元"
        elif self.amount is not None and self.amount < 0:
            errors["amount"] = "金额不能为负数"
        if self.kind == SupportKind.LOAN and not (self.guarantor or "").strip():
            errors["guarantor"] = "创业担保贷款须填写担保人或担保机构"
        if errors:
            raise ValidationError(errors)


class VentureStatusChange(models.Model):
    """The venture's status over time (append-only): from which status to which, on which day."""

    venture = models.ForeignKey(
        Venture, verbose_name="创业项目", on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField("原状态", max_length=20, choices=VentureStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=VentureStatus.choices)
    date = models.DateField("变更日期")
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    jurisdiction_path = "venture__veteran__station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "创业经营状态变更"
        verbose_name_plural = "创业经营状态变更"
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["venture", "date"], name="venture_status_change_date")]

    def __str__(self) -> str:
        return f"{self.venture} {self.get_from_status_display()}→{self.get_to_status_display()}"


# --- the provincial platform's API keys -------------------------------------------------------
def _default_rate() -> int:
    return int(getattr(settings, "PARTNER_API_DEFAULT_RATE", 60))


class PartnerAPIKey(AbstractAPIKey):
    """A key of a partner system (e.g. 河北省退役军人网上招聘平台) for the read-only API /api/v1/.

    Stored hashed (djangorestframework-api-key); created by bureau staff in the admin, where the
    key is shown once; revoked there (irreversibly). Each key has its own rate limit, and every
    request made with a key is written to the audit trail."""

    name = models.CharField("合作平台名称", max_length=50, help_text="如：河北省退役军人网上招聘平台")
    revoked = models.BooleanField("已吊销", default=False, blank=True, help_text="吊销后该密钥立即失效，且不可恢复")
    expiry_date = models.DateTimeField("失效时间", null=True, blank=True, help_text="留空为长期有效")
    requests_per_minute = models.PositiveIntegerField(
        "每分钟请求上限",
        default=_default_rate,
        validators=[MinValueValidator(1)],
        help_text="超过后返回 429，下一分钟恢复",
    )
    contact = models.CharField("对接联系人（单位）", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "开放接口密钥"
        verbose_name_plural = "开放接口密钥"
