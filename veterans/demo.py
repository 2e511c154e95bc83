"""seed_demo part for the registry: ``ctx.veterans`` realistic veterans across the village stations.

Deterministic for a seed (everything is drawn from ``ctx.rng`` in a fixed order, stations in code
order) and fast: rows are built in memory and written in batches with their history rows by
``importing.bulk_insert_with_history`` (COPY on PostgreSQL; 300,000 veterans: see
docs/benchmarks.md). Hands over ``ctx.data["veteran_ids"]`` and
``ctx.data["household_ids"]``.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from stdnum.cn import ric

from services.models import Station

from .importing import bulk_insert_with_history
from .models import Household, HouseholdMember, Veteran, _add_years

BATCH = 5000
# The demo township clerk's township (services/demo_accounts.py: 沧县旧州镇) and its share of people.
DEMO_TOWNSHIP_PREFIX = "130921100"
DEMO_FOCUS_SHARE = 0.03
# Residents of the development zones carry the ID area code of the county the zone was cut from.
ID_AREA_FOR_COUNTY = {"130971": "130921", "130972": "130903", "130973": "130983"}

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏"
    "钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文庞樊兰殷施陶洪翟安"
)
MALE_GIVEN = "伟强磊军勇杰涛明超刚平辉鹏华建国志文斌海波亮峰林龙东永庆春生成兵雷振国立新宝金山玉红卫民利广德"
FEMALE_GIVEN = "芳娜敏静丽艳娟秀霞桂英华玲红燕梅琳萍雪慧颖洁琴云莉凤兰"
EMPLOYERS = (
    "沧州市交通运输集团有限公司", "河北沧州港务集团有限公司", "沧州明珠塑料股份有限公司", "中国石化沧州炼化分公司",
    "沧州市人民医院", "任丘市华北石油物业公司", "黄骅市渤海物流有限公司", "泊头市铸造产业园", "河间市再生资源有限公司",
    "沧州市公安局", "沧州市城市管理综合行政执法局", "北汽沧州分公司", "沧州旭阳化工有限公司", "献县农业合作社",
)  # fmt: skip
SKILLS = ("驾驶", "电工", "焊工", "厨师", "安保", "无人机操控", "计算机维护", "汽车维修", "物流管理", "农机操作", "")


def _weighted(rng, options):
    """options: ((value, weight), ...)."""
    total = sum(w for _v, w in options)
    pick = rng.random() * total
    for value, weight in options:
        pick -= weight
        if pick < 0:
            return value
    return options[-1][0]


def _date_between(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _village_addresses():
    rows = Station.objects.filter(level="village", is_active=True).order_by("code")
    return [
        (code, f"河北省沧州市{county}{township}{village}")
        for code, village, township, county in rows.values_list("code", "name", "parent__name", "parent__parent__name")
    ]


def seed(ctx) -> dict[str, int]:
    existing = Veteran.objects.count()
    if existing:
        ctx.data["veteran_ids"] = list(Veteran.objects.order_by("id").values_list("id", flat=True))
        ctx.data["household_ids"] = list(Household.objects.order_by("id").values_list("id", flat=True))
        return {"已有退役军人（未重复生成）": existing}
    villages = _village_addresses()
    if not villages or ctx.veterans <= 0:
        ctx.data["veteran_ids"], ctx.data["household_ids"] = [], []
        return {"退役军人": 0}
    rng, today = ctx.rng, ctx.today
    # A share of the people live under the demo clerks' township, so the demo accounts have work.
    focus = [v for v in villages if v[0].startswith(DEMO_TOWNSHIP_PREFIX)] or villages
    used: set[str] = set()
    veteran_ids: list[int] = []
    household_ids: list[int] = []
    members_total = 0
    for start in range(0, ctx.veterans, BATCH):
        size = min(BATCH, ctx.veterans - start)
        people = [_person(rng, today, villages, used, focus) for _ in range(size)]
        with transaction.atomic():
            households = [
                Household(head_name=p["vet"].name, station_id=p["vet"].station_id, address=p["vet"].current_address)
                for p in people
                if p["household"]
            ]
            Household.objects.bulk_create(households, batch_size=1000)
            it = iter(households)
            for p in people:
                if p["household"]:
                    p["vet"].household = next(it)
            vets = [p["vet"] for p in people]
            for vet in vets:
                vet.prepare_derived_fields()
            bulk_insert_with_history(vets, user=None, reason="演示数据")
            members = []
            for p in people:
                if p["household"]:
                    vet = p["vet"]
                    members.append(
                        HouseholdMember(household=vet.household, name=vet.name, relation="self", veteran=vet)
                    )
                    for name, relation, serving in p["household"]:
                        members.append(
                            HouseholdMember(
                                household=vet.household,
                                name=name,
                                relation=relation,
                                is_serving=serving,
                                military_history="现役" if serving else "",
                            )
                        )
            HouseholdMember.objects.bulk_create(members, batch_size=2000)
        members_total += len(members)
        veteran_ids.extend(v.pk for v in vets)
        household_ids.extend(h.pk for h in households)
    ctx.data["veteran_ids"] = veteran_ids
    ctx.data["household_ids"] = household_ids
    return {"退役军人": len(veteran_ids), "家庭户": len(household_ids), "家庭成员": members_total}


def _person(rng, today: datetime.date, villages, used: set[str], focus) -> dict:
    pool = focus if rng.random() < DEMO_FOCUS_SHARE else villages
    code, address = pool[rng.randrange(len(pool))]
    male = rng.random() < 0.93
    surname = SURNAMES[rng.randrange(len(SURNAMES))]
    given = MALE_GIVEN if male else FEMALE_GIVEN
    name = surname + "".join(given[rng.randrange(len(given))] for _ in range(rng.choice((1, 2, 2))))
    birth_year = _weighted(
        rng, ((range(1945, 1955), 6), (range(1955, 1965), 14), (range(1965, 1975), 20),
              (range(1975, 1985), 22), (range(1985, 1995), 22), (range(1995, 2004), 16))
    )  # fmt: skip
    birth = _date_between(rng, datetime.date(birth_year.start, 1, 1), datetime.date(birth_year.stop - 1, 12, 31))
    area = ID_AREA_FOR_COUNTY.get(code[:6], code[:6])
    while True:
        seq = rng.randrange(500) * 2 + (1 if male else 0)
        first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
        if first17 not in used:
            used.add(first17)
            break
    id_number = first17 + ric.calc_check_digit(first17 + "X")

    category = _weighted(
        rng,
        (("soldier", 86), ("officer_transferred", 6), ("officer_demobilized", 3), ("officer_retired", 2),
         ("civilian_cadre", 1), ("other", 2)),
    )  # fmt: skip
    officer = category.startswith("officer")
    enlist = _add_years(birth, rng.randint(17, 22)) + datetime.timedelta(days=rng.randrange(300))
    years = rng.randint(8, 16) if officer else _weighted(rng, ((2, 45), (3, 10), (5, 15), (8, 12), (12, 10), (16, 8)))
    discharge = _add_years(enlist, years) + datetime.timedelta(days=rng.randrange(60))
    if discharge > today:
        discharge = today - datetime.timedelta(days=rng.randrange(30, 400))
        enlist = min(enlist, _add_years(discharge, -2))
    if officer:
        rank = rng.choice(("captain", "major", "ltcol", "colonel") if years > 12 else ("1lt", "captain", "major"))
        placement = {"officer_transferred": "transfer", "officer_demobilized": "demobilized"}.get(category, "retired")
    else:
        if years <= 2:
            rank = "private_first"
        else:
            rank = rng.choice(("corporal", "sergeant") if years <= 8 else ("staff_sergeant", "msgt4"))
        placement = _weighted(
            rng, (("self", 72), ("assigned", 16), ("monthly_pension", 4), ("support", 1), ("retired", 7))
        )
    age = today.year - birth.year
    party = rng.random() < (0.55 if officer else 0.3)
    party_date = None
    if party:
        earliest = max(_add_years(birth, 18), enlist)
        party_date = _date_between(rng, earliest, min(_add_years(discharge, 3), today))
    grade = rng.randint(1, 10) if rng.random() < 0.03 else None
    care = "disabled" if grade else _weighted(
        rng, (("none", 93), ("combat", 3), ("demobilized_rural", 1), ("ill_returned", 1), ("martyr_family", 2))
    )  # fmt: skip
    if age >= 62:
        employment = _weighted(rng, (("retired", 85), ("unable", 10), ("employed", 5)))
    else:
        employment = _weighted(
            rng, (("employed", 55), ("flexible", 12), ("self_employed", 8), ("unemployed", 20), ("studying", 2),
                  ("unable", 3))
        )  # fmt: skip
    education = _weighted(
        rng,
        (("primary", 10), ("junior", 35), ("senior", 30), ("college", 15), ("bachelor", 9), ("master", 1))
        if birth.year < 1975
        else (("junior", 15), ("senior", 35), ("college", 30), ("bachelor", 17), ("master", 3)),
    )
    status = "active"
    status_date = None
    roll = rng.random()
    if roll < (0.12 if age >= 75 else 0.01):
        status, status_date = "deceased", _date_between(rng, datetime.date(2020, 1, 1), today)
    elif roll > 0.985:
        status, status_date = "moved_out", _date_between(rng, datetime.date(2020, 1, 1), today)
    registered = _date_between(rng, max(discharge, datetime.date(2019, 1, 1)), today)
    if status_date and status_date < registered:
        status_date = registered
    card = rng.random() < 0.6
    vet = Veteran(
        name=name,
        ethnicity="汉族" if rng.random() < 0.96 else rng.choice(("回族", "满族", "蒙古族", "朝鲜族")),
        id_number=id_number,
        phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" if rng.random() < 0.88 else "",
        household_address=f"{address}{rng.randint(1, 300)}号",
        current_address=f"{address}{rng.randint(1, 300)}号",
        station_id=code,
        service_branch=_weighted(
            rng,
            (
                ("army", 62),
                ("armed_police", 12),
                ("navy", 8),
                ("air_force", 8),
                ("rocket_force", 5),
                ("logistics", 3),
                ("strategic_support", 2),
            ),
        ),  # fmt: skip
        enlistment_date=enlist,
        discharge_date=discharge,
        last_rank=rank,
        category=category,
        placement=placement,
        is_party_member=party,
        party_join_date=party_date,
        education=education,
        skills=rng.choice(SKILLS),
        disability_grade=grade,
        care_category=care,
        is_hardship=rng.random() < 0.05,
        employment_status=employment,
        employer_name=rng.choice(EMPLOYERS) if employment == "employed" else "",
        preferential_card_number=f"HB{rng.randint(2020, 2025)}{rng.randrange(10**7):07d}" if card else "",
        preferential_card_date=_date_between(rng, datetime.date(2020, 6, 1), today) if card else None,
        status=status,
        status_date=status_date,
        registered_on=registered,
    )
    household = None
    if rng.random() < 0.12:
        household = [(surname + rng.choice(FEMALE_GIVEN) + rng.choice(FEMALE_GIVEN), "spouse", False)]
        if rng.random() < 0.7:
            son = rng.random() < 0.6
            child = surname + rng.choice(MALE_GIVEN if son else FEMALE_GIVEN)
            household.append((child, "son" if son else "daughter", age < 60 and rng.random() < 0.25))
    return {"vet": vet, "household": household}


def id_area(station_code: str) -> str:
    """The ID area code residents of ``station_code`` carry (for other apps' demo data)."""
    return ID_AREA_FOR_COUNTY.get(station_code[:6], station_code[:6])
