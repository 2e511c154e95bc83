"""seed_demo part for honors: nominations in every state, awards, serving members, merits and 喜报.

Proportions follow the bureau's figures for ~300,000 veterans: 464 军人世家 and 438 军人家庭
households, about 130 光荣在党50年纪念章, 900+ 喜报 delivered. Scaled to ``ctx.veterans``.
Deterministic for a seed (rows drawn from ``ctx.rng`` in id order) and bulk-written.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from canghzou_portal import codes
from services.models import Station, User
from veterans.choices import RegistryStatus
from veterans.models import Household, Veteran

from .actions import certificate_number, party50_cutoff
from .models import (
    Award,
    AwardCounter,
    CommendationDelivery,
    HonorType,
    Merit,
    Nomination,
    NominationStatus,
    NominationTransition,
    ServingMember,
)

S = NominationStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")
PER = 300_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
GIVEN = "伟强磊军勇杰涛明超刚平辉鹏华建国志文斌海波亮峰林龙东永庆春生成兵雷振立新宝金山"
UNITS = ("陆军某合成旅", "海军某驱逐舰支队", "空军某航空兵旅", "火箭军某旅", "武警某支队", "联勤保障部队某中心")
MERIT_KINDS = ((Merit.Kind.FIRST, 1), (Merit.Kind.SECOND, 4), (Merit.Kind.THIRD, 30), (Merit.Kind.COMMENDATION, 40),
               (Merit.Kind.OUTSTANDING, 25))  # fmt: skip
# Path of statuses a nomination went through to reach its final status.
PATHS = {
    S.DRAFT: [S.DRAFT],
    S.SUBMITTED: [S.DRAFT, S.SUBMITTED],
    S.COUNTY_APPROVED: [S.DRAFT, S.SUBMITTED, S.COUNTY_APPROVED],
    S.APPROVED: [S.DRAFT, S.SUBMITTED, S.COUNTY_APPROVED, S.APPROVED],
    S.REJECTED: [S.DRAFT, S.SUBMITTED, S.REJECTED],
    S.RETURNED: [S.DRAFT, S.SUBMITTED, S.RETURNED],
}
REASONS = {
    HonorType.JRSJ: "家中三代从军，父辈参加过抗美援朝，子孙相继入伍，家风优良、拥军爱国。",
    HonorType.JRJT: "家庭成员服役期间表现优秀，退役后积极参与村务和志愿服务，家庭和睦。",
    HonorType.ZMTY: "退役后扎根基层，带领群众发展特色种植，带动就业，事迹突出。",
    HonorType.MFTY: "在工作岗位上爱岗敬业、成绩突出，多次获得单位表彰。",
    HonorType.GRZD: "中共党员，党龄满50年，始终保持共产党员本色。",
}
COMMENTS = {
    S.SUBMITTED: "材料齐全，请审核",
    S.COUNTY_APPROVED: "经审核符合评选条件，同意上报",
    S.APPROVED: "同意授予",
    S.REJECTED: "经核实不符合评选条件",
    S.RETURNED: "请补充服役证明材料",
}


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


def seed(ctx) -> dict[str, int]:
    if Nomination.objects.exists() or ServingMember.objects.exists():
        return {"已有荣誉数据（未重复生成）": Nomination.objects.count()}
    if ctx.veterans <= 0 or not Veteran.objects.exists():
        return {"荣誉提名": 0}
    with transaction.atomic():
        return _seed(ctx)


def _seed(ctx) -> dict[str, int]:
    rng, today = ctx.rng, ctx.today
    types = {t.code: t for t in HonorType.objects.all()}
    users = {
        u.username: u for u in User.objects.filter(username__in=("village_clerk", "county_reviewer", "city_reviewer"))
    }
    clerk, county_rev, city_rev = (users.get(n) for n in ("village_clerk", "county_reviewer", "city_reviewer"))
    county_codes = set(Station.objects.filter(level=codes.COUNTY).values_list("code", flat=True))

    households = list(Household.objects.order_by("id").values_list("id", "station_id", "head_name"))
    if not households:
        households = _make_households(rng)
    rng.shuffle(households)
    veterans = list(
        Veteran.objects.filter(status=RegistryStatus.ACTIVE).order_by("id").values_list("id", "station_id", "name")
    )
    rng.shuffle(veterans)

    last_year, this_year = today.year - 1, today.year
    plan: list[tuple[str, int, str, tuple, str]] = []  # (type, year, kind, subject row, final status)
    h_iter, v_iter = iter(households), iter(veterans)

    def take(it, n):
        return [row for _, row in zip(range(n), it, strict=False)]

    # Awards (approved), mostly last year's campaign, some this year.
    for code, per in ((HonorType.JRSJ, 464), (HonorType.JRJT, 438)):
        for i, row in enumerate(take(h_iter, _scaled(ctx, per, 3))):
            plan.append((code, last_year if i % 10 < 7 else this_year, "household", row, S.APPROVED))
    for code, per in ((HonorType.ZMTY, 20), (HonorType.MFTY, 60)):
        for i, row in enumerate(take(v_iter, _scaled(ctx, per, 2))):
            plan.append((code, last_year if i % 2 else this_year, "veteran", row, S.APPROVED))
    # 光荣在党50年: veterans who qualify for last year's medal.
    eligible = list(
        Veteran.objects.filter(
            status=RegistryStatus.ACTIVE, is_party_member=True, party_join_date__lte=party50_cutoff(last_year)
        )
        .order_by("id")
        .values_list("id", "station_id", "name")
    )
    rng.shuffle(eligible)
    n_grzd = _scaled(ctx, 130, 2)
    for row in eligible[:n_grzd]:
        plan.append((HonorType.GRZD, last_year, "veteran", row, S.APPROVED))
    # Nominations of this year in every other state.
    pending = (S.DRAFT, S.SUBMITTED, S.COUNTY_APPROVED, S.RETURNED, S.REJECTED)
    for status in pending:
        for i, row in enumerate(take(h_iter, _scaled(ctx, 40, 2))):
            plan.append((HonorType.JRJT if i % 2 else HonorType.JRSJ, this_year, "household", row, status))
    # A showcase at the demo clerk's village, so the demo reviewers have something in their queues.
    if clerk is not None and clerk.station_id:
        local = list(
            Household.objects.filter(station_id=clerk.station_id)
            .order_by("id")
            .values_list("id", "station_id", "head_name")
        )
        used = {row[0] for _t, _y, kind, row, _s in plan if kind == "household"}
        local = [row for row in local if row[0] not in used]
        showcase_states = (*pending, S.SUBMITTED, S.APPROVED, S.APPROVED)
        while len(local) < len(showcase_states):
            local.append(_make_household(rng, clerk.station_id))
        for status, row in zip(showcase_states, local, strict=False):
            plan.append((HonorType.JRJT, this_year, "household", row, status))

    nominations, paths = [], []
    for code, year, kind, (pk, station_id, name), status in plan:
        showcase = clerk is not None and station_id == clerk.station_id
        submitted = _moment(today, year, rng)
        nominations.append(
            Nomination(
                honor_type=types[code],
                year=year,
                veteran_id=pk if kind == "veteran" else None,
                household_id=pk if kind == "household" else None,
                station_id=station_id,
                reasons=REASONS[code],
                status=status,
                last_comment=COMMENTS.get(status, ""),
                created_by=clerk if showcase else None,
                submitted_at=submitted if status != S.DRAFT else None,
                decided_at=submitted + datetime.timedelta(days=rng.randint(5, 30))
                if status in (S.APPROVED, S.REJECTED)
                else None,
            )
        )
        paths.append((status, showcase, name + ("户" if kind == "household" else "")))
    Nomination.objects.bulk_create(nominations, batch_size=1000)

    transitions, awards, serials = [], [], {}
    actor = {S.DRAFT: clerk, S.SUBMITTED: clerk, S.COUNTY_APPROVED: county_rev, S.APPROVED: city_rev}
    for n, (status, showcase, recipient) in zip(nominations, paths, strict=True):
        previous = ""
        for step in PATHS[status]:
            who = actor.get(step) if step not in (S.REJECTED, S.RETURNED) else county_rev
            if not showcase and step in (S.DRAFT, S.SUBMITTED):
                who = None
            transitions.append(
                NominationTransition(
                    nomination=n,
                    from_status=previous,
                    to_status=step,
                    user=who,
                    station_id=who.station_id if who else None,
                    comment=COMMENTS.get(step, "") if step != S.DRAFT else "",
                )
            )
            previous = step
        if status == S.APPROVED:
            key = (n.honor_type.code, n.year)
            serials[key] = serials.get(key, 0) + 1
            if n.year < today.year:
                awarded_on = datetime.date(n.year, rng.choice((7, 8, 12)), rng.randint(1, 28))
            else:
                awarded_on = today - datetime.timedelta(days=rng.randrange(0, min(200, today.timetuple().tm_yday)))
            county = codes.county_code(n.station_id)
            awards.append(
                Award(
                    nomination=n,
                    honor_type=n.honor_type,
                    year=n.year,
                    serial=serials[key],
                    certificate_number=certificate_number(n.honor_type, n.year, serials[key]),
                    awarded_on=awarded_on,
                    veteran_id=n.veteran_id,
                    household_id=n.household_id,
                    recipient_name=recipient[:60],
                    county_id=county if county in county_codes else n.station_id,
                    station_id=n.station_id,
                )
            )
    NominationTransition.objects.bulk_create(transitions, batch_size=2000)
    Award.objects.bulk_create(awards, batch_size=1000)
    AwardCounter.objects.bulk_create(
        [AwardCounter(honor_type=types[c], year=y, last_serial=s) for (c, y), s in sorted(serials.items())]
    )
    members, merits, deliveries = _seed_serving(ctx, list(h_iter), clerk.station_id if clerk else None)
    return {
        "荣誉提名": len(nominations),
        "颁授荣誉": len(awards),
        "现役军人": members,
        "立功受奖": merits,
        "送达喜报": deliveries,
    }


def _moment(today: datetime.date, year: int, rng) -> datetime.datetime:
    """A working-hours moment in ``year`` (not after ``today``), Asia/Shanghai."""
    day = min(datetime.date(year, 6, 1) + datetime.timedelta(days=rng.randrange(120)), today)
    return datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randrange(60)), tzinfo=SHANGHAI)


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _make_household(rng, station_id: str) -> tuple:
    h = Household.objects.create(head_name=_name(rng), station_id=station_id)
    return (h.pk, h.station_id, h.head_name)


def _make_households(rng) -> list[tuple]:
    """No households yet: make one for some registered veterans."""
    rows = list(Veteran.objects.order_by("id").values_list("id", "station_id", "name")[:5000])
    picked = [r for r in rows if rng.random() < 0.4]
    objs = [Household(head_name=name, station_id=station_id) for _pk, station_id, name in picked]
    Household.objects.bulk_create(objs, batch_size=1000)
    Veteran.objects.bulk_update(
        [Veteran(pk=pk, household=h) for (pk, _s, _n), h in zip(picked, objs, strict=True)],
        ["household"],
        batch_size=1000,
    )
    return [(h.pk, h.station_id, h.head_name) for h in objs]


def _seed_serving(ctx, spare_households: list[tuple], showcase_station: str | None) -> tuple[int, int, int]:
    rng, today = ctx.rng, ctx.today
    n_delivered = _scaled(ctx, 930, 5)
    n_members = n_delivered + max(2, n_delivered // 10)
    villages = list(
        Station.objects.filter(level=codes.VILLAGE, is_active=True).order_by("code").values_list("code", flat=True)
    )
    if not villages:
        return 0, 0, 0
    members = []
    for i in range(n_members):
        if i < len(spare_households):
            household_id, station_id, head = spare_households[i]
            name = head[0] + "".join(rng.choice(GIVEN) for _ in range(2))
        else:
            household_id, station_id, name = None, rng.choice(villages), _name(rng)
        members.append(
            ServingMember(
                name=name,
                hometown_station_id=station_id,
                household_id=household_id,
                unit=rng.choice(UNITS),
                enlistment_year=today.year - rng.randint(1, 12),
            )
        )
    if showcase_station:  # the demo clerk's village: one 喜报 delivered, one still to deliver
        for _ in range(2):
            members.insert(
                0,
                ServingMember(
                    name=_name(rng),
                    hometown_station_id=showcase_station,
                    unit=rng.choice(UNITS),
                    enlistment_year=today.year - 3,
                ),
            )
        n_delivered += 1
        members[0], members[-1] = members[-1], members[0]  # the second showcase member ends up undelivered
    ServingMember.objects.bulk_create(members, batch_size=1000)
    merits = [
        Merit(serving_member=m, kind=_weighted(rng, MERIT_KINDS), year=today.year - rng.choice((0, 1, 1)))
        for m in members
    ]
    Merit.objects.bulk_create(merits, batch_size=1000)
    deliveries = []
    for merit in merits[:n_delivered]:
        start = min(
            datetime.date(merit.year, 8, 1) if merit.year < today.year else datetime.date(merit.year, 1, 15), today
        )
        span = max(0, min((today - start).days, 150))
        deliveries.append(
            CommendationDelivery(
                merit=merit,
                date=start + datetime.timedelta(days=rng.randrange(span + 1)),
                deliverer=f"{_name(rng)}（服务站工作人员）",
                notes="与县人武部工作人员一同送喜报到家",
            )
        )
    CommendationDelivery.objects.bulk_create(deliveries, batch_size=1000)
    return len(members), len(merits), len(deliveries)
