"""Employment: partner employers, postings, applications, placements, training, fairs, ventures."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

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

    def __str__(self) -> str:
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "结业日期不能早于开班日期"})


class Enrolment(TimeStampedModel):
    programme = models.ForeignKey(
        TrainingProgramme, verbose_name="培训项目", on_delete=models.PROTECT, related_name="enrolments"
    )
    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name="退役军人", on_delete=models.PROTECT, related_name="enrolments"
    )
    completed = models.BooleanField("已结业", default=False)
    completed_on = models.DateField("结业日期", null=True, blank=True, db_index=True)
    certificate_number = models.CharField("证书编号", max_length=50, blank=True)

    jurisdiction_path = "veteran__station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "培训报名"
        verbose_name_plural = "培训报名"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["programme", "veteran"], name="enrolment_once")]

    def __str__(self) -> str:
        return f"{self.veteran} - {self.programme}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.completed and not self.completed_on:
            raise ValidationError({"completed_on": "已结业的须填写结业日期"})
        if self.certificate_number and not self.completed:
            raise ValidationError({"certificate_number": "未结业不能填写证书编号"})


# --- job fairs -------------------------------------------------------------------------------
class FairKind(models.TextChoices):
    ONSITE = "onsite", "现场招聘会"
    ONLINE = "online", "网络招聘会"
    LIVESTREAM = "livestream", "直播带岗"


class JobFair(TimeStampedModel):
    title = models.CharField("名称", max_length=100)
    kind = models.CharField("形式", max_length=20, choices=FairKind.choices)
    date = models.DateField("举办日期", db_index=True)
    county = models.ForeignKey(
        "services.Station", verbose_name="举办地（县市区）", on_delete=models.PROTECT, related_name="+"
    )
    venue = models.CharField("地点/直播平台", max_length=200, blank=True)
    employers = models.ManyToManyField(Employer, verbose_name="参会企业", blank=True, related_name="fairs")
    postings = models.ManyToManyField(JobPosting, verbose_name="提供岗位", blank=True, related_name="fairs")
    attendance = models.PositiveIntegerField("参会人数", default=0)
    hires = models.PositiveIntegerField("达成就业意向", default=0)

    jurisdiction_path = "county"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "招聘会"
        verbose_name_plural = "招聘会"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


# --- ventures ------------------------------------------------------------------------------
class Venture(TimeStampedModel):
    """创业: a business started by a veteran (incubated at the employment base or not)."""

    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name="退役军人", on_delete=models.PROTECT, related_name="ventures"
    )
    business_name = models.CharField("企业/个体名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code])
    industry = models.CharField("行业", max_length=50, blank=True)
    start_date = models.DateField("创办日期", db_index=True)
    incubated = models.BooleanField("入驻孵化基地", default=False)
    jobs_created = models.PositiveIntegerField("带动就业人数", default=0)

    jurisdiction_path = "veteran__station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "退役军人创业"
        verbose_name_plural = "退役军人创业"
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.business_name

    def clean(self):
        self.credit_code = normalize_credit_code(self.credit_code)
