"""seed_demo part for employment: employers, postings in every state, applications, placements,
training, job fairs and ventures, in proportion to ``ctx.veterans``.

Proportions echo the bureau's own figures per year for about 300,000 veterans (seed texts):
638 placements (就业), 71 ventures (创业), 296 school-enterprise (校企合一) and 339
enterprise-training (企训合一) trainees; about 20,000 postings on the board. Deterministic for a
seed (everything is drawn from ``ctx.rng`` in a fixed order) and bulk-written.
"""

from __future__ import annotations

import datetime

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
    JobCategory,
    JobFair,
    JobPosting,
    Placement,
    PostingStatus,
    TrainingKind,
    TrainingProgramme,
    Venture,
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
                is_employment_base=rng.random() < 0.08,
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

    # --- applications -------------------------------------------------------------------------------
    n_apps = _scaled(ctx, 12_000, 40)
    veteran_rows = list(Veteran.objects.active().order_by("id").values_list("id", "station_id"))
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
                start_date=min(today, posting.published_at.date() + datetime.timedelta(days=rng.randrange(20, 45))),
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

    # --- training --------------------------------------------------------------------------------------
    base = [e for e in employers if e.organization.is_training_partner] or employers
    programmes, enrolments = [], []
    vets_for_training = [v for v, _ in veteran_rows]
    for kind, per_year, title in (
        (TrainingKind.SCHOOL_ENTERPRISE, 296, "校企合一退役军人技能提升班"),
        (TrainingKind.ENTERPRISE_TRAINING, 339, "企训合一订单式培训班"),
        (TrainingKind.SKILLS, 200, "退役军人职业技能培训班"),
        (TrainingKind.ENTREPRENEURSHIP, 90, "退役军人创业培训班"),
    ):
        trainees = _scaled(ctx, per_year, 3)
        n_prog = max(1, round(trainees / 30))
        for j in range(n_prog):
            start = today - datetime.timedelta(days=rng.randrange(-30, 365))
            programme = TrainingProgramme(
                title=f"{title}（第{j + 1}期）",
                kind=kind,
                provider=base[rng.randrange(len(base))],
                county_id=counties[rng.randrange(len(counties))],
                start_date=start,
                end_date=start + datetime.timedelta(days=rng.choice((15, 30, 45, 60))),
                capacity=35,
                description="理论教学与岗位实操相结合，结业颁发职业技能等级证书。",
            )
            programmes.append(programme)
        for _ in range(trainees):
            programme = programmes[-n_prog + rng.randrange(n_prog)]
            done = programme.end_date < today and rng.random() < 0.9
            enrolments.append(
                Enrolment(
                    programme=programme,
                    veteran_id=vets_for_training[rng.randrange(len(vets_for_training))],
                    completed=done,
                    completed_on=programme.end_date if done else None,
                    certificate_number=f"ZS{programme.end_date:%Y}{len(enrolments) + 1:06d}" if done else "",
                )
            )
    TrainingProgramme.objects.bulk_create(programmes, batch_size=BATCH)
    unique = {}
    for e in enrolments:
        unique.setdefault((e.programme.pk, e.veteran_id), e)
    Enrolment.objects.bulk_create(list(unique.values()), batch_size=BATCH)
    counts["培训项目"] = len(programmes)
    counts["培训报名"] = len(unique)

    # --- job fairs ---------------------------------------------------------------------------------------
    fairs = []
    for k in range(_scaled(ctx, 24, 4)):
        kind = (FairKind.ONSITE, FairKind.ONLINE, FairKind.LIVESTREAM)[k % 3]
        day = today - datetime.timedelta(days=rng.randrange(-20, 365))
        county = counties[rng.randrange(len(counties))]
        fairs.append(
            JobFair(
                title={
                    FairKind.ONSITE: "退役军人专场招聘会",
                    FairKind.ONLINE: "退役军人网络招聘会",
                    FairKind.LIVESTREAM: "“直播带岗”退役军人专场",
                }[kind],
                kind=kind,
                date=day,
                county_id=county,
                venue="县退役军人服务中心"
                if kind == FairKind.ONSITE
                else "抖音直播间"
                if kind == FairKind.LIVESTREAM
                else "沧州人才网",
                attendance=0 if day > today else rng.randrange(150, 2000),
                hires=0 if day > today else rng.randrange(10, 120),
            )
        )
    JobFair.objects.bulk_create(fairs)
    fair_employers, fair_postings = [], []
    for fair in fairs:
        for e in rng.sample(employers, min(len(employers), rng.randrange(8, 30))):
            fair_employers.append(JobFair.employers.through(jobfair_id=fair.pk, employer_id=e.pk))
        for p in rng.sample(ever_published, min(len(ever_published), rng.randrange(10, 60))):
            fair_postings.append(JobFair.postings.through(jobfair_id=fair.pk, jobposting_id=p.pk))
    JobFair.employers.through.objects.bulk_create(fair_employers, ignore_conflicts=True)
    JobFair.postings.through.objects.bulk_create(fair_postings, ignore_conflicts=True)
    counts["招聘会"] = len(fairs)

    # --- ventures ----------------------------------------------------------------------------------------
    ventures = []
    pool = [v for v, _ in veteran_rows if v not in placed]
    for n, vid in enumerate(rng.sample(pool, min(len(pool), _scaled(ctx, 142, 3))), start=1):
        area = rng.choice(CANGZHOU_AREAS)
        ventures.append(
            Venture(
                veteran_id=vid,
                business_name=f"{rng.choice(COMPANY_PREFIX)}{rng.choice(VENTURE_NAMES)}{rng.choice(VENTURE_KIND)}",
                credit_code=_venture_code(n, area),
                industry="个体工商户",
                start_date=today - datetime.timedelta(days=rng.randrange(730)),
                incubated=rng.random() < 0.3,
                jobs_created=rng.randrange(1, 15),
            )
        )
    Venture.objects.bulk_create(ventures, batch_size=BATCH)
    Veteran.objects.filter(pk__in=[v.veteran_id for v in ventures]).update(employment_status="self_employed")
    counts["创业"] = len(ventures)
    return counts


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
