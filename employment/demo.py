"""seed_demo part for employment: employers, postings in every state, applications, placements,
training, job fairs and ventures, in proportion to ``ctx.veterans``.

Proportions echo the bureau's own figures per year for about 300,000 veterans (seed texts):
638 placements (就业), 71 ventures (创业), 296 school-enterprise (校企合一) and 339
enterprise-training (企训合一) trainees; about 20,000 postings on the board. Deterministic for a
seed (everything is drawn from ``ctx.rng`` in a fixed order) and bulk-written.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from canghzou_portal import codes
from canghzou_portal.crypto import blind_index
from services.models import Organization, Station, User
from services.roles import ROLE_EMPLOYER
from veterans.models import Veteran

from . import search
from .models import (
    Application,
    ApplicationStatus,
    Employer,
    Enrolment,
    FairKind,
    FairRegistration,
    JobCategory,
    JobFair,
    JobPosting,
    Placement,
    PostingStatus,
    RegistrationChannel,
    TrainingAttendance,
    TrainingKind,
    TrainingProgramme,
    Venture,
    VentureFounder,
    VentureSector,
    VentureStatusChange,
    VentureSupport,
)
from .numbers import new_application_number

PER = 300_000
BATCH = 2000
COMPANY_PREFIX = (
    "沧州 任丘 黄骅 河间 泊头 献县 青县 沧县 盐山 孟村 东光 吴桥 海兴 南皮 肃宁 渤海 运河 华北 冀中 狮城".split()
)
COMPANY_WORDS = "鑫达 宏远 华润 恒通 金盾 长城 卫华 兴业 永盛 国泰 瑞丰 北方 中联 泰和 军安 利民 宏图 天成".split()
COMPANY_KIND = (
    ("实业有限公司", "制造业"), ("物流有限公司", "交通运输"), ("保安服务有限公司", "安保服务"), ("建设工程有限公司", "建筑业"),
    ("科技有限公司", "信息技术"), ("管道装备有限公司", "制造业"), ("汽车服务有限公司", "汽车服务"), ("农业发展有限公司", "农业"),
    ("医疗器械有限公司", "医疗健康"), ("餐饮管理有限公司", "餐饮"), ("港口服务有限公司", "港口物流"), ("教育咨询有限公司", "教育"),
)  # fmt: skip
TITLES = {
    JobCategory.SECURITY: ("保安员", "安保队长", "巡逻队员", "监控值班员", "消防控制室操作员"),
    JobCategory.LOGISTICS: ("仓储管理员", "叉车司机", "物流调度员", "快递分拣员", "港口装卸工"),
    JobCategory.DRIVING: ("货车司机", "公交驾驶员", "商务司机", "危化品运输驾驶员"),
    JobCategory.MANUFACTURING: ("焊工", "数控车床操作工", "质检员", "装配工", "班组长"),
    JobCategory.CONSTRUCTION: ("施工员", "安全员", "测量员", "钢筋工"),
    JobCategory.SALES: ("销售代表", "客服专员", "门店店长"),
    JobCategory.IT: ("网络运维工程师", "无人机操控员", "软件测试员"),
    JobCategory.ADMIN: ("行政专员", "文员", "档案管理员"),
    JobCategory.MAINTENANCE: ("电工", "设备维修工", "汽车维修技师"),
    JobCategory.CATERING: ("厨师", "餐厅主管"),
    JobCategory.HEALTH: ("护理员", "康复理疗师"),
    JobCategory.AGRICULTURE: ("农机操作员", "种植技术员"),
    JobCategory.EDUCATION: ("军训教官", "体能教练"),
    JobCategory.OTHER: ("物业管理员", "社区网格员"),
}
POSTING_STATUS_WEIGHTS = (
    (PostingStatus.PUBLISHED, 52), (PostingStatus.EXPIRED, 18), (PostingStatus.CLOSED, 12),
    (PostingStatus.PENDING, 6), (PostingStatus.DRAFT, 5), (PostingStatus.REJECTED, 7),
)  # fmt: skip
APPLICATION_STATUS_WEIGHTS = (
    (ApplicationStatus.SUBMITTED, 35), (ApplicationStatus.SHORTLISTED, 15), (ApplicationStatus.INTERVIEW, 10),
    (ApplicationStatus.HIRED, 5), (ApplicationStatus.NOT_HIRED, 27), (ApplicationStatus.WITHDRAWN, 8),
)  # fmt: skip
REJECTIONS = (
    "薪资范围与岗位描述不符，请核实",
    "岗位描述过于简单，请补充工作内容和待遇",
    "工作地点填写有误",
    "缺少联系人信息",
)
VENTURE_NAMES = "老兵 军旅 铁军 兵哥 戎耀 红星 八一 卫国 迷彩 军魂".split()
VENTURE_KIND = ("便利店", "物流配送站", "农机服务合作社", "汽车维修店", "家庭农场", "餐馆", "电商工作室", "保洁服务部")
CANGZHOU_AREAS = ("130902", "130903", "130921", "130922", "130925", "130929", "130981", "130982", "130983", "130984")


def _scaled(ctx, per_300k: float, minimum: int) -> int:
    return max(minimum, round(per_300k * ctx.veterans / PER))


def _weighted(rng, options):
    total = sum(w for _v, w in options)
    pick = rng.random() * total
    for value, weight in options:
        pick -= weight
        if pick < 0:
            return value
    return options[-1][0]


def _credit_code(n: int, area: str) -> str:
    first17 = f"91{area}{n:09d}"[:17]
    return first17 + uscc.calc_check_digit(first17)


def _aware(day: datetime.date, rng) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(8 + rng.randrange(10), rng.randrange(60))))


def seed(ctx) -> dict[str, int]:
    if JobPosting.objects.exists():
        return {"已有就业数据（未重复生成）": JobPosting.objects.count()}
    counties = list(Station.objects.active().filter(level=codes.COUNTY).order_by("code").values_list("code", flat=True))
    if not counties or ctx.veterans <= 0:
        return {"招聘岗位": 0}
    with transaction.atomic():
        counts = _seed(ctx, counties)
    from .board_cache import bump_board_version

    bump_board_version()
    return counts


def _seed(ctx, counties: list[str]) -> dict[str, int]:  # noqa: C901, PLR0915 - one linear script
    rng, today = ctx.rng, ctx.today
    counts: dict[str, int] = {}

    # --- employers --------------------------------------------------------------------------------
    units, employers = [], []
    for i in range(_scaled(ctx, 600, 30)):
        county = counties[rng.randrange(len(counties))]
        suffix, industry = COMPANY_KIND[rng.randrange(len(COMPANY_KIND))]
        name = f"{rng.choice(COMPANY_PREFIX)}{rng.choice(COMPANY_WORDS)}{suffix}"
        partner = rng.random() < 0.45
        # drawn in the order of part one's Employer(...) so a seed gives the same units as before
        contact_name = f"{rng.choice('王李张刘陈杨赵')}经理"
        contact_phone = f"0317-{rng.randrange(2000000, 9999999)}"
        if partner:
            rng.random()  # was the alliance-member flag; members now come from services.demo
        units.append(
            Organization(
                name=name if i < 200 else f"{name}（{i}）",
                credit_code=_credit_code(i + 1, county[:6]),
                industry=industry,
                county_id=county,
                contact_name=contact_name,
                contact_phone=contact_phone,
                is_employment_base=rng.random() < 0.08 or i == 1,  # at least one: the base in 高新区
                is_school_enterprise=rng.random() < 0.1,
                is_enterprise_training=rng.random() < 0.12,
            )
        )
        employers.append(
            Employer(
                is_partner=partner,
                preferential_offers="退役军人同等条件下优先录用，免试用期" if partner else "",
            )
        )
    Organization.objects.bulk_create(units, batch_size=BATCH)
    for unit, employer in zip(units, employers, strict=True):
        employer.organization = unit
    Employer.objects.bulk_create(employers, batch_size=BATCH)
    counts["企业"] = len(employers)
    _employer_account(employers[0])

    # --- postings ---------------------------------------------------------------------------------
    categories = list(TITLES)
    postings = []
    for _ in range(_scaled(ctx, 20_000, 60)):
        employer = employers[rng.randrange(len(employers))]
        category = categories[rng.randrange(len(categories))]
        title = rng.choice(TITLES[category])
        status = _weighted(rng, POSTING_STATUS_WEIGHTS)
        low = rng.randrange(30, 90) * 100
        high = low + rng.randrange(5, 40) * 100
        created = today - datetime.timedelta(days=rng.randrange(365))
        published_at = expires = None
        if status in (PostingStatus.PUBLISHED, PostingStatus.EXPIRED, PostingStatus.CLOSED):
            if status == PostingStatus.PUBLISHED:
                created = today - datetime.timedelta(days=rng.randrange(60))
            published_at = _aware(created + datetime.timedelta(days=rng.randrange(3)), rng)
            if status == PostingStatus.PUBLISHED:
                expires = today + datetime.timedelta(days=rng.randrange(1, 90))
            else:
                expires = min(today - datetime.timedelta(days=1), published_at.date() + datetime.timedelta(days=60))
        else:
            expires = today + datetime.timedelta(days=rng.randrange(10, 90))
        county = employer.organization.county_id if rng.random() < 0.85 else counties[rng.randrange(len(counties))]
        description = (
            f"{employer.name}招聘{title}。要求：身体健康，吃苦耐劳，服从管理；有相关工作经验者优先，"
            f"退役军人同等条件下优先录用。待遇：月薪{low}-{high}元，缴纳五险，提供食宿。"
        )
        postings.append(
            JobPosting(
                employer=employer,
                title=title,
                description=description,
                search_grams=search.text_grams(title, employer.name, description),  # bulk_create skips save()
                category=category,
                county_id=county,
                salary_min=low,
                salary_max=high,
                headcount=rng.choice((1, 1, 2, 2, 3, 5, 10)),
                education=rng.choice(("any", "any", "junior", "senior", "college", "bachelor")),
                veteran_preferred=rng.random() < 0.8,
                status=status,
                rejection_reason=rng.choice(REJECTIONS) if status == PostingStatus.REJECTED else "",
                submitted_at=_aware(created, rng) if status != PostingStatus.DRAFT else None,
                published_at=published_at,
                expires_on=expires,
            )
        )
    JobPosting.objects.bulk_create(postings, batch_size=BATCH)
    counts["招聘岗位"] = len(postings)
    ever_published = [p for p in postings if p.published_at is not None]
    veteran_rows = list(Veteran.objects.active().order_by("id").values_list("id", "station_id"))
    fairs = _seed_fairs(ctx, counties, ever_published, counts)

    # --- applications -------------------------------------------------------------------------------
    n_apps = _scaled(ctx, 12_000, 40)
    matched_pick = rng.sample(veteran_rows, min(len(veteran_rows), int(n_apps * 0.8)))
    ids_by_vet = dict(Veteran.objects.filter(id__in=[v for v, _ in matched_pick]).values_list("id", "id_number"))
    applicants = [(vid, station, ids_by_vet[vid]) for vid, station in matched_pick]
    while len(applicants) < n_apps:
        area = rng.choice(CANGZHOU_AREAS)
        birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randrange(12000))
        first17 = f"{area}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        applicants.append((None, None, first17 + ric.calc_check_digit(first17 + "X")))
    rng.shuffle(applicants)
    apps, seen, by_day = [], set(), {}
    hired: list[tuple[Application, JobPosting]] = []
    for vid, station, id_number in applicants:
        posting = ever_published[rng.randrange(len(ever_published))]
        key = (id(posting), id_number)
        if key in seen:
            continue
        seen.add(key)
        stated = station[:6] + "000000" if station else counties[rng.randrange(len(counties))]
        if stated not in counties:
            stated = counties[0]
        status = _weighted(rng, APPLICATION_STATUS_WEIGHTS)
        if status == ApplicationStatus.HIRED and vid is None:
            status = ApplicationStatus.INTERVIEW
        day = min(today, posting.published_at.date() + datetime.timedelta(days=rng.randrange(30)))
        app = Application(
            posting=posting,
            number=new_application_number(day=day, rng=rng),
            name=f"{rng.choice('王李张刘陈杨赵黄周吴')}{rng.choice('伟强磊军勇杰涛明')}{rng.choice(('', '国', '兵', '华'))}",
            id_number=id_number,
            id_number_hash=blind_index(id_number),
            phone=f"13{rng.randrange(100000000, 999999999)}",
            veteran_id=vid,
            stated_county_id=stated,
            station_id=station or stated,
            needs_follow_up=vid is None,
            status=status,
        )
        apps.append(app)
        by_day.setdefault(day, []).append(app)
        if status == ApplicationStatus.HIRED:
            hired.append((app, posting))
    fair_apps = _seed_fair_people(ctx, fairs, veteran_rows, seen, first_seq=len(applicants) + 1, counts=counts)
    for app, posting, day in fair_apps:
        apps.append(app)
        by_day.setdefault(day, []).append(app)
        if app.status == ApplicationStatus.HIRED:
            hired.append((app, posting))
    Application.objects.bulk_create(apps, batch_size=BATCH)
    for day, rows in sorted(by_day.items()):
        Application.objects.filter(pk__in=[a.pk for a in rows]).update(created_at=_aware(day, rng))
    counts["岗位申请"] = len(apps)

    # --- placements: the hired applications, plus placements recorded by clerks ------------------------
    placements = []
    placed: set[int] = set()
    for app, posting in hired:
        if app.veteran_id in placed:
            continue
        placed.add(app.veteran_id)
        placements.append(
            Placement(
                application=app,
                veteran_id=app.veteran_id,
                employer=posting.employer,
                position=posting.title,
                start_date=min(
                    today,
                    (app.fair.date if app.fair_id else posting.published_at.date())
                    + datetime.timedelta(days=rng.randrange(20, 45)),
                ),
            )
        )
    target = _scaled(ctx, 638, 5)
    pool = [v for v, _ in veteran_rows if v not in placed]
    for vid in rng.sample(pool, min(len(pool), max(0, target - len(placements)))):
        placed.add(vid)
        placements.append(
            Placement(
                veteran_id=vid,
                employer=employers[rng.randrange(len(employers))],
                position=rng.choice(TITLES[categories[rng.randrange(len(categories))]]),
                start_date=today - datetime.timedelta(days=rng.randrange(365)),
            )
        )
    Placement.objects.bulk_create(placements, batch_size=BATCH)
    by_employer: dict[int, list[int]] = {}
    for p in placements:
        by_employer.setdefault(p.employer.pk, []).append(p.veteran_id)
    names = {e.pk: e.name for e in employers}
    for employer_id, vids in sorted(by_employer.items()):
        Veteran.objects.filter(pk__in=vids).update(employment_status="employed", employer_name=names[employer_id])
    counts["就业安置"] = len(placements)

    _seed_training(ctx, counties, employers, veteran_rows, counts)
    _seed_ventures(ctx, employers, veteran_rows, placed, counts)
    return counts


# --- job fairs: employers and postings, registrations, check-ins, applications, hires --------------
# Seed 001: fairs of the year offered 「就业岗位近万个」 — the headcount of the postings presented at
# the year's fairs is ~10,000 per 300,000 veterans (24 fairs: on site, online, 直播带岗).
FAIRS_PER_YEAR = 24
FAIR_POSITIONS_PER_YEAR = 10_000
FAIR_TITLES = {
    FairKind.ONSITE: ("“春风行动”退役军人专场招聘会", "“就”在金秋·“职”面未来秋季招聘会", "退役军人专场招聘会"),
    FairKind.ONLINE: ("退役军人网络专场招聘会", "“就业援助月”网络招聘会"),
    FairKind.LIVESTREAM: ("“直播带岗”退役军人专场", "“直播带岗”两个一基地企业专场"),
}


def _seed_fairs(ctx, counties, ever_published, counts) -> list[JobFair]:
    rng, today = ctx.rng, ctx.today
    n_fairs = _scaled(ctx, FAIRS_PER_YEAR, 4)
    per_fair_positions = max(1, round(FAIR_POSITIONS_PER_YEAR * ctx.veterans / PER / n_fairs))
    fairs: list[JobFair] = []
    for k in range(n_fairs + 2):  # the year's fairs, plus two still to come
        kind = (FairKind.ONSITE, FairKind.ONLINE, FairKind.LIVESTREAM)[k % 3]
        if k < n_fairs:
            day = today - datetime.timedelta(days=rng.randrange(0, 365))
        else:
            day = today + datetime.timedelta(days=rng.randrange(3, 30))  # scheduled, nothing recorded yet
        length = 0 if kind == FairKind.ONSITE else rng.choice((0, 2, 6))
        county = counties[rng.randrange(len(counties))]
        fairs.append(
            JobFair(
                title=rng.choice(FAIR_TITLES[kind]),
                kind=kind,
                date=day,
                end_date=day + datetime.timedelta(days=length),
                county_id=county,
                venue={
                    FairKind.ONSITE: "县退役军人服务中心",
                    FairKind.ONLINE: "沧州人才网退役军人就业服务专区",
                    FairKind.LIVESTREAM: "抖音直播间",
                }[kind],
                stream_url={
                    FairKind.ONSITE: "",
                    FairKind.ONLINE: "https://www.czrc.com.cn/veterans/",
                    FairKind.LIVESTREAM: f"https://live.douyin.com/{80000000 + k}",
                }[kind],
            )
        )
    JobFair.objects.bulk_create(fairs)
    fair_employers, fair_postings = [], []
    for fair in fairs:
        chosen, positions = [], 0
        for posting in rng.sample(ever_published, len(ever_published)):
            if positions >= per_fair_positions:
                break
            chosen.append(posting)
            positions += posting.headcount
        fair.demo_postings = chosen
        for employer_id in sorted({p.employer.pk for p in chosen}):
            fair_employers.append(JobFair.employers.through(jobfair_id=fair.pk, employer_id=employer_id))
        for posting in chosen:
            fair_postings.append(JobFair.postings.through(jobfair_id=fair.pk, jobposting_id=posting.pk))
    JobFair.employers.through.objects.bulk_create(fair_employers, batch_size=BATCH)
    JobFair.postings.through.objects.bulk_create(fair_postings, batch_size=BATCH)
    counts["招聘会"] = len(fairs)
    return fairs


def _seed_fair_people(ctx, fairs, veteran_rows, seen, *, first_seq: int, counts) -> list:
    """Registrations and check-ins of fairs that have started, and the applications made at
    them (at the booth, or through the stream of an online fair / 直播带岗), some hired."""
    rng, today = ctx.rng, ctx.today
    by_county: dict[str, list[int]] = {}
    for vid, station in veteran_rows:
        by_county.setdefault(station[:6], []).append(vid)
    registrations: list[FairRegistration] = []
    wanted: list[tuple[JobFair, int, bool]] = []  # (fair, veteran, checked in)
    for fair in fairs:
        if fair.date > today:
            continue  # registration opens nearer the day
        local = by_county.get(fair.county_id[:6]) or [v for v, _ in veteran_rows]
        n = min(len(local), max(2, round(rng.randrange(150, 450) * ctx.veterans / PER)))
        for vid in rng.sample(local, n):
            walk_in = fair.has_door and rng.random() < 0.15
            checked = fair.has_door and fair.date < today and (walk_in or rng.random() < 0.75)
            wanted.append((fair, vid, checked))
            registrations.append(
                FairRegistration(
                    fair=fair,
                    veteran_id=vid,
                    number=f"F{fair.date:%Y%m%d}{len(registrations) + 1:06d}",
                    channel=RegistrationChannel.WALK_IN if walk_in and checked else RegistrationChannel.STATION,
                    checked_in_at=_aware(fair.date, rng).replace(hour=8 + rng.randrange(3)) if checked else None,
                )
            )
    FairRegistration.objects.bulk_create(registrations, batch_size=BATCH)
    counts["招聘会报名"] = len(registrations)
    counts["招聘会签到"] = sum(1 for r in registrations if r.checked_in_at)
    ids = dict(
        Veteran.objects.filter(id__in={vid for _f, vid, _c in wanted}).values_list("id", "id_number")
    )  # decrypted once per person
    stations = dict(veteran_rows)
    out = []
    seq = first_seq
    for fair, vid, checked in wanted:
        if fair.date == today or not fair.demo_postings:
            continue
        if (fair.has_door and not checked) or rng.random() >= 0.4:
            continue
        posting = fair.demo_postings[rng.randrange(len(fair.demo_postings))]
        key = (id(posting), ids[vid])
        if key in seen:
            continue
        seen.add(key)
        day = min(today, fair.date + datetime.timedelta(days=rng.randrange((fair.end_date - fair.date).days + 1)))
        station = stations[vid]
        status = _weighted(rng, FAIR_APPLICATION_STATUS_WEIGHTS)
        app = Application(
            posting=posting,
            number=f"A{day:%Y%m%d}{seq:06d}",
            name=f"{rng.choice('王李张刘陈杨赵黄周吴')}{rng.choice('伟强磊军勇杰涛明')}",
            id_number=ids[vid],
            id_number_hash=blind_index(ids[vid]),
            phone=f"13{rng.randrange(100000000, 999999999)}",
            message=f"{fair.title}现场投递" if fair.has_door else f"通过{fair.get_kind_display()}投递",
            veteran_id=vid,
            stated_county_id=station[:6] + "000000",
            station_id=station,
            status=status,
            fair=fair,
        )
        seq += 1
        out.append((app, posting, day))
    counts["招聘会投递"] = len(out)
    return out


FAIR_APPLICATION_STATUS_WEIGHTS = (
    (ApplicationStatus.SUBMITTED, 20), (ApplicationStatus.SHORTLISTED, 15), (ApplicationStatus.INTERVIEW, 15),
    (ApplicationStatus.HIRED, 12), (ApplicationStatus.NOT_HIRED, 30), (ApplicationStatus.WITHDRAWN, 8),
)  # fmt: skip


# --- training: programmes, enrolments, attendance, completions, drop-outs ----------------------------
# Seed 000: 「参加"校企合一"技能培训296人、"企训合一"培训339人」 — completions (结业) in a year per
# 300,000 veterans, exactly (the monthly statistics count them); plus skills and entrepreneurship
# courses, a few drop-outs, and one running and one upcoming class of each kind.
TRAINING_PER_YEAR = (
    (TrainingKind.SCHOOL_ENTERPRISE, 296, "校企合一退役军人技能提升班"),
    (TrainingKind.ENTERPRISE_TRAINING, 339, "企训合一订单式培训班"),
    (TrainingKind.SKILLS, 200, "退役军人职业技能培训班"),
    (TrainingKind.ENTREPRENEURSHIP, 90, "退役军人创业培训班"),
)
CLASS_SIZE = 35
DROP_REASONS = ("已实现就业，无法继续参训", "家庭原因", "身体原因", "外出务工")


def _seed_training(ctx, counties, employers, veteran_rows, counts) -> None:
    rng, today = ctx.rng, ctx.today
    providers = [e for e in employers if e.organization.is_training_partner] or employers
    by_county: dict[str, list[int]] = {}
    for vid, station in veteran_rows:
        by_county.setdefault(station[:6], []).append(vid)
    everyone = [v for v, _ in veteran_rows]
    plans = []  # (programme, completions, drop-outs, open)
    for kind, per_year, title in TRAINING_PER_YEAR:
        left = _scaled(ctx, per_year, 3)
        n = 0
        while left > 0:
            n += 1
            done = min(left, CLASS_SIZE - rng.randrange(0, 6))
            left -= done
            length = rng.choice((15, 30, 45, 60))
            end = today - datetime.timedelta(days=rng.randrange(1, 365 - length))
            plans.append(
                (_programme(ctx, kind, f"{title}（第{n}期）", providers, counties, end, length), done, 0.05, 0)
            )
        for offset in (-10, 15):  # one class in training now, one about to start
            n += 1
            start = today + datetime.timedelta(days=offset)
            programme = _programme(
                ctx, kind, f"{title}（第{n}期）", providers, counties, start + datetime.timedelta(days=30), 30
            )
            plans.append((programme, 0, 0.0, max(2, round(rng.randrange(12, 30) * ctx.veterans / PER))))
    TrainingProgramme.objects.bulk_create([p for p, *_ in plans], batch_size=BATCH)
    enrolments, seq = [], 0
    for programme, done, drop_share, open_ in plans:
        local = by_county.get(programme.county_id[:6], [])
        pool = local if len(local) >= CLASS_SIZE else everyone
        drops = round(done * drop_share) + (1 if done and rng.random() < 0.3 else 0)
        picked = rng.sample(pool, min(len(pool), done + drops + open_, programme.capacity))
        for i, vid in enumerate(picked):
            e = Enrolment(programme=programme, veteran_id=vid)
            if i < done:
                seq += 1
                e.completed, e.completed_on = True, programme.end_date
                e.result = _weighted(rng, (("excellent", 20), ("passed", 77), ("failed", 3)))
                e.certificate_number = f"ZS{programme.end_date:%Y}{seq:06d}" if e.result != "failed" else ""
            elif i < done + drops:
                e.dropped_on = programme.start_date + datetime.timedelta(days=rng.randrange(1, 10))
                e.drop_reason = rng.choice(DROP_REASONS)
            enrolments.append(e)
    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
    attendance = []
    for e in enrolments:
        programme = e.programme
        last = min(programme.end_date, today - datetime.timedelta(days=1), e.dropped_on or programme.end_date)
        day = programme.start_date
        while day <= last:
            if day.weekday() < 5:
                attendance.append(TrainingAttendance(enrolment=e, date=day, present=rng.random() < 0.93))
            day += datetime.timedelta(days=1)
    TrainingAttendance.objects.bulk_create(attendance, batch_size=5000)
    counts["培训项目"] = len(plans)
    counts["培训报名"] = len(enrolments)
    counts["培训结业"] = sum(1 for e in enrolments if e.completed)


def _programme(ctx, kind, title, providers, counties, end, length) -> TrainingProgramme:
    rng = ctx.rng
    return TrainingProgramme(
        title=title,
        kind=kind,
        provider=providers[rng.randrange(len(providers))],
        county_id=counties[rng.randrange(len(counties))],
        start_date=end - datetime.timedelta(days=length),
        end_date=end,
        capacity=CLASS_SIZE,
        description="理论教学与岗位实操相结合，结业颁发职业技能等级证书。",
    )


# --- ventures: founders, registration, incubation, support, status over time ---------------------
# Seed 000: 「创业71人」 — founders (people) of ventures started in a year per 300,000 veterans;
# two years of ventures, some with a partner, some incubated at the employment base.
FOUNDERS_PER_YEAR = 71
GUARANTORS = ("沧州市创业担保贷款担保中心", "任丘市融资担保有限公司", "黄骅市就业创业担保中心")
BANKS = ("中国邮政储蓄银行沧州分行", "河北银行沧州分行", "沧州银行", "农业银行沧州分行")


def _seed_ventures(ctx, employers, veteran_rows, placed, counts) -> None:
    rng, today = ctx.rng, ctx.today
    bases = [e.organization for e in employers if e.organization.is_employment_base]
    pool = [v for v, _ in veteran_rows if v not in placed]
    founders_wanted = {year: _scaled(ctx, FOUNDERS_PER_YEAR, 2) for year in (0, 1)}
    picked = rng.sample(pool, min(len(pool), sum(founders_wanted.values())))
    ventures, founder_rows, plan = [], [], []
    i = 0
    for year, wanted in founders_wanted.items():
        taken = 0
        while taken < wanted and i < len(picked):
            team = picked[i : i + (2 if wanted - taken >= 2 and rng.random() < 0.15 else 1)]
            i += len(team)
            taken += len(team)
            start = today - datetime.timedelta(days=365 * year + rng.randrange(365))
            n = len(ventures) + 1
            status = _weighted(rng, (("operating", 80), ("preparing", 6), ("suspended", 8), ("closed", 6)))
            if status == "preparing" and year:
                status = "operating"
            base = bases[rng.randrange(len(bases))] if bases and rng.random() < 0.3 else None
            venture = Venture(
                veteran_id=team[0],
                business_name=f"{rng.choice(COMPANY_PREFIX)}{rng.choice(VENTURE_NAMES)}{rng.choice(VENTURE_KIND)}",
                credit_code="" if status == "preparing" else _venture_code(n, rng.choice(CANGZHOU_AREAS)),
                sector=rng.choice(VentureSector.values),
                industry=rng.choice(("个体工商户", "有限责任公司", "农民专业合作社")),
                start_date=start,
                status=status,
                incubated=base is not None,
                incubation_base=base,
                incubated_from=start - datetime.timedelta(days=rng.randrange(0, 60)) if base else None,
                jobs_created=rng.randrange(1, 15),
            )
            ventures.append(venture)
            plan.append((venture, team))
    Venture.objects.bulk_create(ventures, batch_size=BATCH)
    changes, support = [], []
    for venture, team in plan:
        founder_rows += [VentureFounder(venture=venture, veteran_id=v, is_lead=k == 0) for k, v in enumerate(team)]
        first = "operating" if venture.status in ("suspended", "closed") else venture.status
        changes.append(VentureStatusChange(venture=venture, from_status="", to_status=first, date=venture.start_date))
        if venture.status in ("suspended", "closed"):
            day = min(today, venture.start_date + datetime.timedelta(days=rng.randrange(60, 300)))
            note = "经营困难，暂停营业" if venture.status == "suspended" else "经营不善，已办理注销"
            changes.append(
                VentureStatusChange(
                    venture=venture, from_status="operating", to_status=venture.status, date=day, note=note
                )
            )
        if rng.random() < 0.6:
            support.append(_support(venture, "guidance", rng, today, provider="沧州市退役军人就业创业指导中心"))
        if rng.random() < 0.3 and venture.credit_code:
            amount = Decimal(rng.randrange(5, 31) * 10_000)
            support.append(
                _support(
                    venture,
                    "loan",
                    rng,
                    today,
                    amount=amount,
                    guarantor=rng.choice(GUARANTORS),
                    provider=rng.choice(BANKS),
                )
            )
        if rng.random() < 0.4 and venture.credit_code:
            support.append(
                _support(venture, "subsidy", rng, today, amount=Decimal("5000.00"), provider="县人力资源和社会保障局")
            )
        if venture.incubation_base_id:
            support.append(
                _support(
                    venture, "venue", rng, today, provider=venture.incubation_base.name, note="孵化基地场地租金减免"
                )
            )
    VentureFounder.objects.bulk_create(founder_rows, batch_size=BATCH)
    VentureStatusChange.objects.bulk_create(changes, batch_size=BATCH)
    VentureSupport.objects.bulk_create(support, batch_size=BATCH)
    founders = [row.veteran_id for row in founder_rows]
    Veteran.objects.filter(pk__in=founders).update(employment_status="self_employed")
    counts["创业"] = len(ventures)
    counts["创业人数"] = len(founders)
    counts["创业扶持"] = len(support)


def _support(venture, kind, rng, today, *, amount=None, guarantor="", provider="", note="") -> VentureSupport:
    day = min(today, venture.start_date + datetime.timedelta(days=rng.randrange(0, 120)))
    return VentureSupport(
        venture=venture, kind=kind, date=day, amount=amount, guarantor=guarantor, provider=provider, note=note
    )


def _venture_code(n: int, area: str) -> str:
    first17 = f"92{area}{n:09d}"
    return first17 + uscc.calc_check_digit(first17)


def _employer_account(employer: Employer) -> None:
    """A demo employer login (``employer`` / the demo password) for the first employer."""
    from services.demo_accounts import DEMO_PASSWORD

    if User.objects.filter(username="employer").exists():
        return
    group = Group.objects.filter(name=ROLE_EMPLOYER).first()
    user = User.objects.create_user(
        username="employer", password=DEMO_PASSWORD, full_name=f"{employer.name}（演示）", employer=employer
    )
    if group:
        user.groups.add(group)
