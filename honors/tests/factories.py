"""factory_boy factories of the honors app (self-contained: they also build the registry rows
they need, so these tests do not depend on another app's factories)."""

from __future__ import annotations

import datetime
import itertools

import factory
from factory.django import DjangoModelFactory
from stdnum.cn import ric

from honors.models import CommendationDelivery, HonorType, Merit, Nomination, ServingMember
from veterans.models import Household, Veteran

_seq = itertools.count(1)


def make_id_number(area: str = "130902", birth: datetime.date = datetime.date(1950, 1, 1), seq: int = 1) -> str:
    first17 = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + ric.calc_check_digit(first17 + "X")


def _unique_id(_obj=None) -> str:
    n = next(_seq)
    birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=(n * 53) % 9000)
    return make_id_number("130902", birth, n)


def honor_type(code: str) -> HonorType:
    return HonorType.objects.get(code=code)


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    head_name = factory.Sequence(lambda n: f"王{n}号")
    address = factory.Sequence(lambda n: f"沧州市新华区建设北街{n}号院")


class VeteranFactory(DjangoModelFactory):
    class Meta:
        model = Veteran

    name = factory.Sequence(lambda n: f"李{n}兵")
    id_number = factory.LazyFunction(_unique_id)
    phone = factory.Sequence(lambda n: f"1391234{n % 10000:04d}")
    household_address = "沧州市新华区解放路88号"
    current_address = "沧州市新华区解放路88号"
    category = "soldier"
    registered_on = datetime.date(2020, 5, 1)
    employer_name = "沧州某某机械厂"


class NominationFactory(DjangoModelFactory):
    class Meta:
        model = Nomination

    honor_type = factory.LazyFunction(lambda: honor_type(HonorType.JRJT))
    year = 2026
    reasons = "家庭和睦，积极拥军优属。"


class ServingMemberFactory(DjangoModelFactory):
    class Meta:
        model = ServingMember

    name = factory.Sequence(lambda n: f"赵{n}强")
    unit = "某部第七十二集团军某旅"


class MeritFactory(DjangoModelFactory):
    class Meta:
        model = Merit

    kind = Merit.Kind.THIRD
    year = 2026


class DeliveryFactory(DjangoModelFactory):
    class Meta:
        model = CommendationDelivery

    date = datetime.date(2026, 8, 1)
    deliverer = "村服务站 张站长"
