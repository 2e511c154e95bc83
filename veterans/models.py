"""The veteran registry (信息采集)."""

from __future__ import annotations

import functools
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict as PINYIN_DICT
from simple_history.models import HistoricalRecords

from canghzou_portal.crypto import EncryptedCharField, blind_index, mask_id_number, mask_phone
from canghzou_portal.models import CreatedByModel
from canghzou_portal.scoping import ScopedQuerySet

from . import choices
from .validators import normalize_id_number, parse_resident_id, validate_mobile


@functools.lru_cache(maxsize=65536)  # names repeat: bulk imports and seeding call this 100,000s of times
def name_initials(name: str) -> str:
    """Pinyin initials for search: 张三丰 → zsf.

    A name whose every character has a single reading is spelled from pypinyin's character
    table directly (what ``lazy_pinyin`` returns for it, about 30× faster); anything else —
    a polyphone, a letter, a middle dot — goes through ``lazy_pinyin``.
    """
    letters = [_char_initial(ch) for ch in name or ""]
    if all(letters):
        return "".join(letters)[:20]
    return "".join(lazy_pinyin(name or "", style=Style.FIRST_LETTER)).lower()[:20]


@functools.cache
def _char_initial(ch: str) -> str:
    """The initial of a character with exactly one reading in pypinyin's table, else ""."""
    reading = PINYIN_DICT.get(ord(ch), "")
    if not reading or "," in reading:
        return ""
    first = unicodedata.normalize("NFD", reading)[0].lower()
    return first if "a" <= first <= "z" else ""


class Household(CreatedByModel):
    """户: groups veterans and their family members (军人世家/军人家庭 are awarded to households)."""

    head_name = models.CharField("户主姓名", max_length=50)
    station = models.ForeignKey(
        "services.Station", verbose_name="所属服务站", on_delete=models.PROTECT, related_name="households"
    )
    address = models.CharField("家庭住址", max_length=200, blank=True)
    notes = models.TextField("备注", blank=True)

    jurisdiction_path = "station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "家庭户"
        verbose_name_plural = "家庭户"
        ordering = ["station_id", "head_name"]

    def __str__(self) -> str:
        return f"{self.head_name}户"


class HouseholdMemberQuerySet(ScopedQuerySet):
    def by_id_number(self, number: str):
        return self.filter(id_number_hash=blind_index(normalize_id_number(number)))


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, verbose_name="家庭户", on_delete=models.CASCADE, related_name="members")
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("与户主关系", max_length=20, choices=choices.Relation.choices)
    veteran = models.ForeignKey(
        "Veteran", verbose_name="对应退役军人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_serving = models.BooleanField("现役军人", default=False)
    military_history = models.CharField("服役经历", max_length=200, blank=True)
    # Recorded when the member becomes a care recipient or a card holder (烈士遗属, 军属): encrypted
    # and blind-indexed exactly like the registry's numbers.
    id_number = EncryptedCharField("身份证号", blank=True)
    id_number_hash = models.CharField("身份证号索引", max_length=64, blank=True, editable=False)
    deceased_on = models.DateField("去世日期", null=True, blank=True)

    jurisdiction_path = "household__station"
    objects = HouseholdMemberQuerySet.as_manager()

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="member_unique_id_number",
                violation_error_message="该身份证号已登记为其他家庭成员",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.id_number = normalize_id_number(self.id_number)
        self.id_number_hash = blind_index(self.id_number)
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class VeteranQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=choices.RegistryStatus.ACTIVE)

    def by_id_number(self, number: str):
        return self.filter(id_number_hash=blind_index(normalize_id_number(number)))

    def by_phone(self, phone: str):
        return self.filter(phone_hash=blind_index(phone.strip()))


class Veteran(CreatedByModel):
    name = models.CharField("姓名", max_length=50)
    name_initials = models.CharField("姓名拼音首字母", max_length=20, editable=False, blank=True)
    gender = models.CharField("性别", max_length=1, choices=choices.Gender.choices, editable=False)
    ethnicity = models.CharField("民族", max_length=10, choices=choices.ETHNICITY_CHOICES, default="汉族")
    # Encrypted at rest; uniqueness and lookup through the keyed blind index.
    id_number = EncryptedCharField("身份证号")
    id_number_hash = models.CharField("身份证号索引", max_length=64, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    phone = EncryptedCharField("手机号码", blank=True)
    phone_hash = models.CharField("手机号索引", max_length=64, blank=True, editable=False)
    household_address = models.CharField("户籍地址", max_length=200, blank=True)
    current_address = models.CharField("现居住地址", max_length=200, blank=True)
    station = models.ForeignKey(
        "services.Station",
        verbose_name="登记服务站",
        on_delete=models.PROTECT,
        related_name="veterans",
        db_index=False,  # served by veteran_station_status (station leads): no extra index or LIKE index
    )
    household = models.ForeignKey(
        Household, verbose_name="家庭户", null=True, blank=True, on_delete=models.SET_NULL, related_name="veterans"
    )
    service_branch = models.CharField("服役军种", max_length=20, choices=choices.Branch.choices, blank=True)
    enlistment_date = models.DateField("入伍时间", null=True, blank=True)
    discharge_date = models.DateField("退役时间", null=True, blank=True)
    last_rank = models.CharField("退役时军衔/级别", max_length=20, choices=choices.Rank.choices, blank=True)
    category = models.CharField("人员类别", max_length=30, choices=choices.Category.choices)
    placement = models.CharField("安置方式", max_length=20, choices=choices.Placement.choices, blank=True)
    is_party_member = models.BooleanField("中共党员", default=False)
    party_join_date = models.DateField("入党时间", null=True, blank=True)
    education = models.CharField("文化程度", max_length=20, choices=choices.Education.choices, blank=True)
    skills = models.CharField("专业技能", max_length=200, blank=True)
    disability_grade = models.PositiveSmallIntegerField(
        "伤残等级", choices=choices.DisabilityGrade.choices, null=True, blank=True
    )
    care_category = models.CharField(
        "优抚类别", max_length=30, choices=choices.CareCategory.choices, default=choices.CareCategory.NONE
    )
    is_hardship = models.BooleanField("困难退役军人", default=False)
    employment_status = models.CharField(
        "就业状态",
        max_length=20,
        choices=choices.EmploymentStatus.choices,
        default=choices.EmploymentStatus.UNEMPLOYED,
    )
    employer_name = models.CharField("工作单位", max_length=100, blank=True)
    preferential_card_number = models.CharField("优待证号", max_length=30, blank=True)
    preferential_card_date = models.DateField("优待证发放日期", null=True, blank=True)
    status = models.CharField(
        "在册状态", max_length=20, choices=choices.RegistryStatus.choices, default=choices.RegistryStatus.ACTIVE
    )
    status_date = models.DateField("状态变更日期", null=True, blank=True)
    registered_on = models.DateField("登记日期", db_index=True)
    version = models.PositiveIntegerField("版本号", default=1, editable=False)

    history = HistoricalRecords(
        verbose_name="退役军人变更历史",
        excluded_fields=["name_initials", "id_number_hash", "phone_hash", "updated_at"],
        # History is read per veteran (by id) and by date; the registry's own lookups (station,
        # household, creator, registration date) are not made on it, so it does not carry them.
        no_db_index=["station", "household", "created_by", "registered_on"],
    )
    jurisdiction_path = "station"
    objects = VeteranQuerySet.as_manager()

    class Meta:
        verbose_name = "退役军人"
        verbose_name_plural = "退役军人"
        ordering = ["-registered_on", "-id"]
        permissions = [
            ("view_full_pii", "查看完整身份证号和手机号"),
            ("transfer_veteran", "办理退役军人迁移"),
            ("import_veteran", "导入退役军人信息"),
            ("export_veteran", "导出退役军人信息"),
        ]
        # Indexes are declared here rather than with db_index=True on fields: on PostgreSQL a
        # field index on a varchar also gets a second "LIKE" index, and simple-history copies field
        # indexes into the history table. Every list filter has one index; nothing is indexed twice.
        indexes = [
            models.Index(fields=["station", "status"], name="veteran_station_status"),
            models.Index(fields=["status", "employment_status"], name="veteran_status_employment"),
            models.Index(fields=["employment_status"], name="veteran_employment"),
            models.Index(fields=["category"], name="veteran_category"),
            models.Index(fields=["name"], name="veteran_name"),
            # Searched by prefix only (LIKE 'zs%'): one pattern-ops index, not a plain one beside it.
            models.Index(fields=["name_initials"], name="veteran_initials", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["phone_hash"], name="veteran_phone_hash"),
            models.Index(fields=["is_party_member", "party_join_date"], name="veteran_party_join"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                name="veteran_unique_id_number",
                violation_error_message="该身份证号已登记，不能重复登记",
            )
        ]

    def __str__(self) -> str:
        return self.name

    # --- derived values -------------------------------------------------------------
    def prepare_derived_fields(self) -> None:
        """Fill the values derived from others. Called by save() and by bulk imports."""
        self.id_number = normalize_id_number(self.id_number)
        self.phone = (self.phone or "").strip()
        self.fill_lookup_fields()
        if self.id_number and len(self.id_number) == 18:
            try:
                parsed = parse_resident_id(self.id_number)
            except ValidationError:
                return
            self.birth_date = parsed.birth_date
            self.gender = parsed.gender

    def fill_lookup_fields(self) -> None:
        """The blind indexes and the pinyin initials (bulk imports call this after ``rule_errors``,
        which has already normalised the numbers and read the ID)."""
        self.id_number_hash = blind_index(self.id_number)
        self.phone_hash = blind_index(self.phone) if self.phone else ""
        self.name_initials = name_initials(self.name)

    def clean(self):
        errors = self.rule_errors()
        if self.id_number and "id_number" not in errors:
            clash = (
                Veteran.objects.filter(id_number_hash=blind_index(self.id_number))
                .exclude(pk=self.pk)
                .select_related("station")
                .first()
            )
            if clash is not None:
                errors["id_number"] = f"该身份证号已在“{clash.station.name}”登记，不能重复登记"
        if errors:
            raise ValidationError(errors)

    def rule_errors(self) -> dict[str, str]:
        """The registry's rules that need no database (shared by clean() and the bulk import).

        Normalises the ID and phone numbers, derives birth date and gender, and returns
        ``{field name: Chinese message}`` for every rule broken.
        """
        errors: dict[str, str] = {}
        try:
            parsed = parse_resident_id(self.id_number or "")
            self.id_number = parsed.number
            self.birth_date = parsed.birth_date
            self.gender = parsed.gender
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
            parsed = None
        if self.phone:
            try:
                self.phone = validate_mobile(self.phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages[0]
        if self.enlistment_date and self.discharge_date and self.discharge_date < self.enlistment_date:
            errors["discharge_date"] = "退役时间不能早于入伍时间"
        if parsed and self.enlistment_date and self.enlistment_date < parsed.birth_date:
            errors["enlistment_date"] = "入伍时间不能早于出生日期"
        if self.party_join_date and not self.is_party_member:
            self.is_party_member = True
        if self.is_party_member and parsed and self.party_join_date:
            adult = _add_years(parsed.birth_date, 18)
            if self.party_join_date < adult:
                errors["party_join_date"] = f"入党时间须在年满18周岁（{adult:%Y-%m-%d}）之后"
        if self.disability_grade and self.care_category == choices.CareCategory.NONE:
            self.care_category = choices.CareCategory.DISABLED
        return errors

    def save(self, *args, **kwargs):
        self.prepare_derived_fields()
        super().save(*args, **kwargs)

    # --- display ------------------------------------------------------------------------
    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def age_on(self, day) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def _add_years(day, years: int):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class VeteranTransfer(models.Model):
    """迁移: an explicit, recorded move of a veteran to another station."""

    veteran = models.ForeignKey(Veteran, verbose_name="退役军人", on_delete=models.PROTECT, related_name="transfers")
    from_station = models.ForeignKey(
        "services.Station", verbose_name="迁出服务站", on_delete=models.PROTECT, related_name="+"
    )
    to_station = models.ForeignKey(
        "services.Station", verbose_name="迁入服务站", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField("迁移日期")
    reason = models.CharField("迁移原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("办理时间", auto_now_add=True)

    jurisdiction_path = "veteran__station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "迁移记录"
        verbose_name_plural = "迁移记录"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.veteran} {self.from_station} → {self.to_station}"


# --- 优待证 ------------------------------------------------------------------------------------
class CardCounter(models.Model):
    """Last 优待证 serial per county and year (locked with SELECT … FOR UPDATE when a number is drawn)."""

    county = models.CharField("县级区划代码", max_length=6)
    year = models.PositiveSmallIntegerField("年度")
    last_serial = models.PositiveIntegerField("最后序号", default=0)

    class Meta:
        verbose_name = "优待证编号计数器"
        verbose_name_plural = "优待证编号计数器"
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="cardcounter_unique_county_year")]

    def __str__(self) -> str:
        return f"{self.county} {self.year}: {self.last_serial}"


class PreferentialCard(CreatedByModel):
    """优待证: held by a veteran (退役军人优待证) or a household member (军属 / 遗属优待证).

    Life cycle (``veterans.actions.card_*``; every step dated and kept in the history)::

        applied ─county review─▶ approved (number drawn) ─▶ made ─▶ issued ─▶ lost ─▶ reissued
           └──────▶ rejected                                                    (a new card, made, replaces it)
        any state before the end ─▶ revoked (注销; the holder's death revokes every card they hold)

    The number (``validators.card_number``: kind letter, county code, year, serial, check
    character) is unique and never reused; the counter check (``selectors.card_check``) reads it.
    """

    number = models.CharField("优待证号", max_length=18, null=True, blank=True, editable=False)
    kind = models.CharField("种类", max_length=20, choices=choices.CardKind.choices)
    veteran = models.ForeignKey(
        Veteran, verbose_name="持证退役军人", null=True, blank=True, on_delete=models.PROTECT, related_name="cards"
    )
    member = models.ForeignKey(
        HouseholdMember,
        verbose_name="持证家庭成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cards",
    )
    # The holder's station (the veteran's, or the member's household's): follows transfers.
    station = models.ForeignKey(
        "services.Station", verbose_name="所属服务站", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.CharField(
        "状态", max_length=20, choices=choices.CardStatus.choices, default=choices.CardStatus.APPLIED
    )
    applied_on = models.DateField("申请日期")
    approved_on = models.DateField("审核通过日期", null=True, blank=True)
    made_on = models.DateField("制证日期", null=True, blank=True)
    issued_on = models.DateField("发放日期", null=True, blank=True)
    lost_on = models.DateField("挂失日期", null=True, blank=True)
    reissued_on = models.DateField("补发日期", null=True, blank=True)
    revoked_on = models.DateField("注销日期", null=True, blank=True)
    revoke_reason = models.CharField("注销原因", max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_comment = models.CharField("审核意见", max_length=200, blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name="补发自（原证）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )

    history = HistoricalRecords(
        verbose_name="优待证变更历史",
        excluded_fields=["updated_at"],
        no_db_index=["veteran", "member", "station", "created_by", "reviewed_by", "replaces"],
    )
    jurisdiction_path = "station"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "优待证"
        verbose_name_plural = "优待证"
        ordering = ["-applied_on", "-id"]
        permissions = [("review_preferentialcard", "审核优待证申请")]
        indexes = [
            models.Index(fields=["station", "status"], name="card_station_status"),
            models.Index(fields=["status", "issued_on"], name="card_status_issued"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="card_unique_number"),
            # One card of a kind in force (not rejected, replaced or revoked) per holder.
            models.UniqueConstraint(
                fields=["veteran", "kind"],
                condition=~models.Q(status__in=choices.CARD_FINAL_STATUSES),
                name="card_one_live_per_veteran",
                violation_error_message="该持证人已有同种类的优待证",
            ),
            models.UniqueConstraint(
                fields=["member", "kind"],
                condition=~models.Q(status__in=choices.CARD_FINAL_STATUSES),
                name="card_one_live_per_member",
                violation_error_message="该持证人已有同种类的优待证",
            ),
            models.CheckConstraint(
                condition=(models.Q(veteran__isnull=False, member__isnull=True))
                | (models.Q(veteran__isnull=True, member__isnull=False)),
                name="card_one_holder",
                violation_error_message="优待证须有且只有一名持证人（退役军人或家庭成员）",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number or '（未编号）'} {self.holder_name}"

    @property
    def holder(self):
        return self.veteran if self.veteran_id else self.member

    @property
    def holder_name(self) -> str:
        holder = self.holder
        return holder.name if holder is not None else ""

    @property
    def is_final(self) -> bool:
        return self.status in choices.CARD_FINAL_STATUSES
