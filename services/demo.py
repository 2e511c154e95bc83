"""seed_demo part for the station services: service records, public-welfare posts, star ratings.

Runs after ``veterans.demo``. Deterministic for a seed (everything comes from ``ctx.rng`` in a
fixed order: veterans by id, stations by code) and fast: rows are built in memory and written
with ``bulk_create`` in batches. About three service records per veteran per year over the last
two years, public-welfare posts for a small share of (mostly hardship) veterans, and yearly
evaluations for every county and a share of townships and villages, with ``Station.star_rating``
set from each station's latest evaluation. A second run leaves existing records alone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from canghzou_portal import codes
from veterans.choices import RegistryStatus
from veterans.models import Veteran

from .models import PublicWelfarePost, ServiceRecord, Station, StationEvaluation, User

BATCH = 5000
K = ServiceRecord.Kind

KIND_WEIGHTS = (
    (K.CONSULTATION, 30),
    (K.VISIT, 24),
    (K.CARE_VISIT, 20),
    (K.EMPLOYMENT, 11),
    (K.AID, 10),
    (K.RIGHTS, 5),
)
HARDSHIP_KIND_WEIGHTS = (
    (K.AID, 35),
    (K.CARE_VISIT, 25),
    (K.CONSULTATION, 18),
    (K.VISIT, 12),
    (K.EMPLOYMENT, 6),
    (K.RIGHTS, 4),
)

SUMMARIES = {
    K.VISIT: (
        "来站反映家中老人患病、生活开支压力较大，希望了解可申请的救助政策",
        "来站办理退役军人优待证信息变更，补交现居住地址证明",
        "来站咨询子女入学优待政策并提交相关材料",
        "来站反映自主就业退役士兵一次性经济补助发放进度",
        "来站更新个人信息采集表中的联系电话和工作单位",
        "来站递交困难帮扶申请书及家庭收入证明",
        "携家属来站了解门诊医疗费用减免办理流程",
    ),
    K.CONSULTATION: (
        "电话咨询退役军人优待证办理条件和所需材料",
        "咨询参战参试人员生活补助标准及申领程序",
        "咨询自主就业退役士兵参加职业技能培训的补贴政策",
        "咨询退役士兵养老保险、医疗保险接续办理流程",
        "咨询公益性岗位招聘条件和报名时间",
        "咨询退役军人创业担保贷款额度及贴息政策",
        "咨询烈士纪念设施祭扫及优抚对象抚恤金调整标准",
        "咨询伤残等级评定（调整）申请材料",
        "咨询退役军人子女报考军队院校的优待政策",
    ),
    K.AID: (
        "因病住院产生较大医疗费用，家庭生活困难，申请临时困难帮扶",
        "家中房屋受强降雨影响受损，申请帮扶援助",
        "本人失业且配偶患慢性病，申请困难退役军人帮扶",
        "子女上学费用负担较重，申请助学帮扶",
        "遭遇交通事故导致劳动能力下降，申请专项帮扶",
        "春节前走访中发现生活困难，落实送温暖帮扶资金",
    ),
    K.CARE_VISIT: (
        "春节前入户走访慰问，送去慰问品并了解家庭近况",
        "八一建军节走访慰问，宣传最新优待政策",
        "入户核实家庭情况，了解健康状况和生活需求",
        "为家中高龄老兵过生日，送上慰问信和生日蛋糕",
        "重阳节走访慰问，协助预约免费健康体检",
        "走访重点优抚对象，登记其生活和就医困难",
    ),
    K.EMPLOYMENT: (
        "推荐参加县退役军人专场招聘会，投递简历2份",
        "登记求职意向（驾驶员、安保），推荐至拥军企业面试",
        "推荐报名“校企合一”电工技能培训班",
        "协助办理创业担保贷款申请，提供项目指导",
        "推荐至直播带岗活动，对接物流企业岗位",
        "了解就业意向并录入就业服务台账，推送适配岗位信息",
    ),
    K.RIGHTS: (
        "反映原用人单位拖欠工资，请求协助维权",
        "反映养老保险缴费年限认定有误，请求协调社保部门核实",
        "反映伤残抚恤金发放有误，请求核查",
        "反映在就业中因退役军人身份受到不公平对待",
        "反映宅基地确权纠纷，请求协调相关部门处理",
    ),
}
OUTCOMES = {
    K.VISIT: ("已当面解答并告知办理流程", "材料已收齐，转县服务中心审核", "已登记诉求并电话回访"),
    K.CONSULTATION: ("已电话解答，发送政策文件", "已当面解答，群众表示满意", "已告知所需材料及办理地点"),
    K.AID: ("经审核符合条件，帮扶资金已发放到位", "已发放帮扶资金并建立跟踪回访台账"),
    K.CARE_VISIT: ("已完成走访慰问，情况录入台账", "已转达相关诉求并跟踪落实"),
    K.EMPLOYMENT: ("已推荐岗位，待企业反馈", "已报名培训班，下月开班", "已成功上岗"),
    K.RIGHTS: (
        "经协调，单位已补发拖欠工资",
        "已协调社保部门更正缴费年限",
        "已转交县退役军人事务局依法处理并答复本人",
        "经调解双方达成一致，本人表示满意",
    ),
}
POST_NAMES = (
    "村级退役军人服务站专职人员",
    "公共设施管护员",
    "乡村保洁员",
    "护林防火员",
    "治安巡逻员",
    "社区网格员",
    "河道巡查员",
    "乡镇退役军人服务站协理员",
)


def _weighted(rng, options):
    total = sum(w for _v, w in options)
    pick = rng.random() * total
    for value, weight in options:
        pick -= weight
        if pick < 0:
            return value
    return options[-1][0]


def _records_this_year(rng) -> int:
    """Mean 3: 0..6 with a bell-ish shape."""
    return _weighted(rng, ((0, 5), (1, 12), (2, 20), (3, 26), (4, 20), (5, 11), (6, 6)))


def _handlers() -> dict[str, User]:
    """Demo accounts by station code, so that the demo clerks find their own records."""
    return {u.station_id: u for u in User.objects.filter(station__isnull=False).order_by("id")}


def seed(ctx) -> dict[str, int]:
    if ServiceRecord.objects.exists():
        return {"已有服务记录（未重复生成）": ServiceRecord.objects.count()}
    counts = {}
    with transaction.atomic():
        counts["服务记录"] = _seed_records(ctx)
        counts["公益性岗位"] = _seed_posts(ctx)
    if not StationEvaluation.objects.exists():
        with transaction.atomic():
            counts["星级评定"] = _seed_evaluations(ctx)
    return counts


def _veteran_rows():
    return (
        Veteran.objects.order_by("id")
        .values_list("id", "station_id", "registered_on", "status", "status_date", "is_hardship")
        .iterator(chunk_size=10_000)
    )


def _seed_records(ctx) -> int:
    rng, today = ctx.rng, ctx.today
    start = today - datetime.timedelta(days=730)
    handlers = _handlers()
    tz = timezone.get_current_timezone()
    now = timezone.now()
    batch: list[ServiceRecord] = []
    total = 0
    for vid, station_id, registered_on, status, status_date, hardship in _veteran_rows():
        first = max(start, registered_on or start)
        last = status_date if status != RegistryStatus.ACTIVE and status_date else today
        if last < first:
            continue
        span = (last - first).days
        n = _records_this_year(rng) + _records_this_year(rng)  # two years
        if span < 730:  # registered (or left) within the two years
            n = round(n * span / 730)
        weights = HARDSHIP_KIND_WEIGHTS if hardship else KIND_WEIGHTS
        for _ in range(n):
            kind = _weighted(rng, weights)
            day = first + datetime.timedelta(days=rng.randrange(span + 1))
            parent = codes.parent_code(station_id)
            station = (
                parent if parent and codes.level_of(station_id) == codes.VILLAGE and rng.random() < 0.2 else station_id
            )
            age = (today - day).days
            closed = rng.random() < (0.97 if age > 30 else 0.55)
            closed_at = None
            if closed:
                close_day = min(day + datetime.timedelta(days=rng.randrange(0, 15)), today)
                closed_at = min(
                    datetime.datetime.combine(close_day, datetime.time(rng.randrange(9, 18), rng.randrange(60)), tz),
                    now,
                )
            aid = Decimal(rng.randrange(4, 101) * 50) if kind == K.AID else None
            batch.append(
                ServiceRecord(
                    veteran_id=vid,
                    station_id=station,
                    kind=kind,
                    date=day,
                    summary=rng.choice(SUMMARIES[kind]),
                    outcome=rng.choice(OUTCOMES[kind]) if closed or rng.random() < 0.2 else "",
                    aid_amount=aid,
                    status=ServiceRecord.Status.CLOSED if closed else ServiceRecord.Status.OPEN,
                    closed_at=closed_at,
                    handled_by=handlers.get(station),
                )
            )
        if len(batch) >= BATCH:
            ServiceRecord.objects.bulk_create(batch)
            total += len(batch)
            batch = []
    if batch:
        ServiceRecord.objects.bulk_create(batch)
        total += len(batch)
    return total


def _seed_posts(ctx) -> int:
    rng, today = ctx.rng, ctx.today
    posts: list[PublicWelfarePost] = []
    for vid, station_id, registered_on, status, _status_date, hardship in _veteran_rows():
        if status != RegistryStatus.ACTIVE or rng.random() >= (0.12 if hardship else 0.015):
            continue
        earliest = max(registered_on or today, today - datetime.timedelta(days=5 * 365))
        if earliest >= today:
            continue
        start = earliest + datetime.timedelta(days=rng.randrange((today - earliest).days))
        subsidy = Decimal(rng.randrange(24, 51) * 50)
        name = rng.choice(POST_NAMES)
        if rng.random() < 0.25 and (today - start).days > 60:  # an earlier post, since ended
            end = start + datetime.timedelta(days=rng.randrange(30, (today - start).days))
            posts.append(PublicWelfarePost(post_name=name, station_id=station_id, veteran_id=vid,
                                           start_date=start, end_date=end, monthly_subsidy=subsidy))  # fmt: skip
            if rng.random() < 0.5 or (today - end).days < 2:
                continue
            start = end + datetime.timedelta(days=rng.randrange(1, (today - end).days))
            name = rng.choice(POST_NAMES)
        posts.append(PublicWelfarePost(post_name=name, station_id=station_id, veteran_id=vid,
                                       start_date=start, monthly_subsidy=subsidy))  # fmt: skip
    PublicWelfarePost.objects.bulk_create(posts, batch_size=BATCH)
    return len(posts)


def _stars_for(score: float) -> int:
    return 5 if score >= 90 else 4 if score >= 80 else 3 if score >= 70 else 2 if score >= 60 else 1


def _seed_evaluations(ctx) -> int:
    rng, today = ctx.rng, ctx.today
    years = (today.year - 2, today.year - 1)
    bureau = User.objects.filter(username="bureau").first()
    county_reviewers = {
        u.station_id: u for u in User.objects.filter(groups__name="审核员", station__level=codes.COUNTY).order_by("id")
    }
    share = {codes.COUNTY: 1.0, codes.TOWNSHIP: 0.6, codes.VILLAGE: 0.15}
    evaluations: list[StationEvaluation] = []
    latest: dict[str, int] = {}
    for code, level in Station.objects.active().exclude(level=codes.CITY).order_by("code").values_list("code", "level"):
        if rng.random() >= share[level]:
            continue
        evaluator = bureau if level == codes.COUNTY else county_reviewers.get(codes.county_code(code))
        quality = rng.random()
        for year in years:
            checks = [rng.random() < 0.55 + 0.4 * quality for _ in range(5)]
            score = round(min(100.0, max(35.0, 50 + 9 * sum(checks) + rng.uniform(-6, 6))), 1)
            stars = _stars_for(score)
            evaluations.append(
                StationEvaluation(
                    station_id=code,
                    year=year,
                    has_organization=checks[0],
                    has_staffing=checks[1],
                    has_personnel=checks[2],
                    has_funding=checks[3],
                    has_support=checks[4],
                    score=Decimal(str(score)),
                    stars=stars,
                    evaluator=evaluator,
                    notes="",
                )
            )
            latest[code] = stars
    StationEvaluation.objects.bulk_create(evaluations, batch_size=BATCH)
    stations = [Station(code=code, star_rating=stars) for code, stars in latest.items()]
    Station.objects.bulk_update(stations, ["star_rating"], batch_size=1000)
    return len(evaluations)
