"""Code lists of the registry, with their Chinese labels."""

from django.db import models

ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
    "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
]  # fmt: skip
ETHNICITY_CHOICES = [(name, name) for name in ETHNICITIES]


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Branch(models.TextChoices):
    ARMY = "army", "陆军"
    NAVY = "navy", "海军"
    AIR_FORCE = "air_force", "空军"
    ROCKET_FORCE = "rocket_force", "火箭军"
    AEROSPACE = "aerospace", "军事航天部队"
    CYBERSPACE = "cyberspace", "网络空间部队"
    INFORMATION = "information", "信息支援部队"
    LOGISTICS = "logistics", "联勤保障部队"
    STRATEGIC_SUPPORT = "strategic_support", "战略支援部队（原）"
    ARMED_POLICE = "armed_police", "武警部队"
    OTHER = "other", "其他"


class Rank(models.TextChoices):
    PRIVATE = "private", "列兵"
    PRIVATE_FIRST = "private_first", "上等兵"
    CORPORAL = "corporal", "下士"
    SERGEANT = "sergeant", "中士"
    STAFF_SERGEANT = "staff_sergeant", "上士"
    MASTER_SERGEANT_4 = "msgt4", "四级军士长"
    MASTER_SERGEANT_3 = "msgt3", "三级军士长"
    MASTER_SERGEANT_2 = "msgt2", "二级军士长"
    MASTER_SERGEANT_1 = "msgt1", "一级军士长"
    SECOND_LIEUTENANT = "2lt", "少尉"
    FIRST_LIEUTENANT = "1lt", "中尉"
    CAPTAIN = "captain", "上尉"
    MAJOR = "major", "少校"
    LIEUTENANT_COLONEL = "ltcol", "中校"
    COLONEL = "colonel", "上校"
    SENIOR_COLONEL = "sr_colonel", "大校"
    GENERAL = "general", "将官"
    OTHER = "other", "其他"


class Category(models.TextChoices):
    SOLDIER = "soldier", "退役士兵"
    OFFICER_TRANSFERRED = "officer_transferred", "转业军官"
    OFFICER_DEMOBILIZED = "officer_demobilized", "复员干部"
    OFFICER_RETIRED = "officer_retired", "退休军官（军休干部）"
    CIVILIAN_CADRE = "civilian_cadre", "退役文职人员"
    OTHER = "other", "其他"


class Placement(models.TextChoices):
    SELF_EMPLOYMENT = "self", "自主就业"
    ASSIGNED_JOB = "assigned", "安排工作"
    RETIREMENT = "retired", "退休"
    SUPPORT = "support", "供养"
    MONTHLY_PENSION = "monthly_pension", "逐月领取退役金"
    DEMOBILIZATION = "demobilized", "复员"
    TRANSFER = "transfer", "转业"


class Education(models.TextChoices):
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/中专"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    MASTER = "master", "硕士研究生"
    DOCTOR = "doctor", "博士研究生"


class DisabilityGrade(models.IntegerChoices):
    G1 = 1, "一级"
    G2 = 2, "二级"
    G3 = 3, "三级"
    G4 = 4, "四级"
    G5 = 5, "五级"
    G6 = 6, "六级"
    G7 = 7, "七级"
    G8 = 8, "八级"
    G9 = 9, "九级"
    G10 = 10, "十级"


class CareCategory(models.TextChoices):
    NONE = "none", "无"
    DISABLED = "disabled", "残疾军人"
    MARTYR_FAMILY = "martyr_family", "烈士遗属"
    DUTY_DEATH_FAMILY = "duty_death_family", "因公牺牲军人遗属"
    ILLNESS_DEATH_FAMILY = "illness_death_family", "病故军人遗属"
    DEMOBILIZED_RURAL = "demobilized_rural", "在乡复员军人"
    ILL_RETURNED = "ill_returned", "带病回乡退伍军人"
    COMBAT_VETERAN = "combat", "参战参试退役人员"


class EmploymentStatus(models.TextChoices):
    EMPLOYED = "employed", "已就业"
    SELF_EMPLOYED = "self_employed", "自主创业"
    FLEXIBLE = "flexible", "灵活就业"
    UNEMPLOYED = "unemployed", "未就业"
    STUDYING = "studying", "在校学习"
    RETIRED = "retired", "已退休"
    UNABLE = "unable", "无劳动能力"


# Statuses that count as "employed" in the employment rate (see docs/statistics.md).
EMPLOYED_STATUSES = (EmploymentStatus.EMPLOYED, EmploymentStatus.SELF_EMPLOYED, EmploymentStatus.FLEXIBLE)
# Statuses outside the labour force: never "employable".
NOT_IN_LABOUR_FORCE = (EmploymentStatus.STUDYING, EmploymentStatus.RETIRED, EmploymentStatus.UNABLE)


class RegistryStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    MOVED_OUT = "moved_out", "迁出"
    DECEASED = "deceased", "已故"


class Relation(models.TextChoices):
    SELF = "self", "本人"
    SPOUSE = "spouse", "配偶"
    FATHER = "father", "父亲"
    MOTHER = "mother", "母亲"
    SON = "son", "儿子"
    DAUGHTER = "daughter", "女儿"
    GRANDFATHER = "grandfather", "祖父"
    GRANDSON = "grandson", "孙子"
    BROTHER = "brother", "兄弟"
    SISTER = "sister", "姐妹"
    OTHER = "other", "其他"


class CardKind(models.TextChoices):
    """优待证的种类 (the letter leads the card number, see ``card_number``)."""

    VETERAN = "veteran", "退役军人优待证"
    FAMILY = "family", "军属优待证"
    SURVIVOR = "survivor", "烈士、因公牺牲军人、病故军人遗属优待证"


CARD_KIND_LETTER = {CardKind.VETERAN: "T", CardKind.FAMILY: "J", CardKind.SURVIVOR: "Y"}


class CardStatus(models.TextChoices):
    APPLIED = "applied", "已申请"
    APPROVED = "approved", "审核通过"
    REJECTED = "rejected", "审核未通过"
    MADE = "made", "已制证"
    ISSUED = "issued", "已发放"
    LOST = "lost", "已挂失"
    REISSUED = "reissued", "已补发（原证作废）"
    REVOKED = "revoked", "已注销"


# A card in one of these states is over: nothing more happens to it.
CARD_FINAL_STATUSES = (CardStatus.REJECTED, CardStatus.REISSUED, CardStatus.REVOKED)
