"""factory_boy factories of the registry (shared by the registry UI and import/export tests).

Usage::

    VeteranFactory(station=world["villageA1a"])          # valid Cangzhou ID number, Chinese name
    VeteranFactory.build(station=station)                 # unsaved
    make_id_number("130902", datetime.date(1980, 1, 1), 123)  # -> "130902198001011234"-style, valid check char
"""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory
from stdnum.cn import ric

from services.models import Station
from veterans import choices
from veterans.models import Household, HouseholdMember, Veteran

# Cangzhou county-level codes (GB/T 2260) whose numbers python-stdnum knows.
CANGZHOU_AREAS = ("130902", "130903", "130921", "130922", "130925", "130929", "130981", "130982", "130983", "130984")


def make_id_number(area: str = "130902", birth: datetime.date | str = "19800101", seq: int = 123) -> str:
    """An 18-character resident ID number with a correct check character.

    ``seq`` is the 3-digit sequence code (its parity gives the gender: odd = male).
    """
    if isinstance(birth, datetime.date):
        birth = birth.strftime("%Y%m%d")
    first17 = f"{area}{birth}{seq % 1000:03d}"
    return first17 + ric.calc_check_digit(first17 + "X")


def make_mobile(n: int) -> str:
    return f"139{n % 100_000_000:08d}"


def _default_station() -> Station:
    station = Station.objects.filter(level="village", is_active=True).order_by("code").first()
    if station is None:
        station = Station.objects.create(code="130981001001", name="泊头市测试社区", level="village")
    return station


def _id_for(n: int) -> str:
    # (birth offset, sequence) is unique for 15,000 consecutive n.
    birth = datetime.date(1955, 1, 1) + datetime.timedelta(days=(n * 37) % 15000)
    area = CANGZHOU_AREAS[n % len(CANGZHOU_AREAS)]
    return make_id_number(area, birth, n % 1000)


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    head_name = factory.Faker("name", locale="zh_CN")
    station = factory.LazyFunction(_default_station)
    address = factory.Faker("address", locale="zh_CN")


class VeteranFactory(DjangoModelFactory):
    class Meta:
        model = Veteran

    name = factory.Faker("name", locale="zh_CN")
    ethnicity = "汉族"
    id_number = factory.Sequence(_id_for)
    phone = factory.Sequence(make_mobile)
    household_address = factory.Faker("address", locale="zh_CN")
    current_address = factory.Faker("address", locale="zh_CN")
    station = factory.LazyFunction(_default_station)
    service_branch = choices.Branch.ARMY
    enlistment_date = factory.LazyAttribute(lambda o: _birth_of(o.id_number) + datetime.timedelta(days=365 * 18 + 30))
    discharge_date = factory.LazyAttribute(lambda o: o.enlistment_date + datetime.timedelta(days=365 * 2))
    last_rank = choices.Rank.CORPORAL
    category = choices.Category.SOLDIER
    placement = choices.Placement.SELF_EMPLOYMENT
    education = choices.Education.SENIOR
    employment_status = choices.EmploymentStatus.EMPLOYED
    status = choices.RegistryStatus.ACTIVE
    registered_on = factory.LazyFunction(lambda: datetime.date(2025, 6, 1))


def _birth_of(number: str) -> datetime.date:
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


class HouseholdMemberFactory(DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Faker("name", locale="zh_CN")
    relation = choices.Relation.SPOUSE
